"""Tracking without a face model: angles and sign conventions, mirroring, thresholds and calibration, the One
Euro filter, the no-face hold, the preview drawing; and the rule that tracking never imports torch."""
import json
import math
import subprocess
import sys

import numpy as np
import pytest
from test_tracking_support import config_dir  # noqa: F401 (fixture)

from puppeteer.errors import TrackingError
from puppeteer.pose import Pose
from puppeteer.tracking import (OFF, Calibration, OneEuroFilter, OneEuroSettings, Smoothing, Thresholds,
                                TrackResult)
from puppeteer.tracking.calibration import calibration_path, load_calibration, save_calibration
from puppeteer.tracking.filters import PoseFilter
from puppeteer.tracking.hold import FaceLossHold
from puppeteer.tracking.preview import FOUND_COLOUR, draw_preview
from puppeteer.tracking.solver import as_seen, head_angles, mirrored

FPS = 30.0


def test_tracking_never_imports_torch():
    code = ("import sys, puppeteer.tracking, puppeteer.tracking.bench, puppeteer.tracking.preview; "
            "sys.exit('torch' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
OPEN_EYES = (Thresholds(0.2, 0.5, 0.1, 0.4),) * 2
MOUTH = Thresholds(0.2, 0.5, 0.1, 0.4)


def rx(d):
    a = math.radians(d)
    return np.array([[1, 0, 0], [0, math.cos(a), -math.sin(a)], [0, math.sin(a), math.cos(a)]])


def ry(d):
    a = math.radians(d)
    return np.array([[math.cos(a), 0, math.sin(a)], [0, 1, 0], [-math.sin(a), 0, math.cos(a)]])


def rz(d):
    a = math.radians(d)
    return np.array([[math.cos(a), -math.sin(a), 0], [math.sin(a), math.cos(a), 0], [0, 0, 1]])


# --- head angles and THA v1 signs (camera frame: x right, y up, z toward the viewer) ---

def test_head_angles_name_what_the_picture_shows():
    # the face's forward axis is z: turning it toward -y looks down, toward +x looks to the picture's right
    assert head_angles(rx(-12)) == pytest.approx([12, 0, 0], abs=1e-9)  # forward tips up: looking up
    assert head_angles(ry(-12)) == pytest.approx([0, 12, 0], abs=1e-9)  # forward toward -x: picture's left
    assert head_angles(rz(12)) == pytest.approx([0, 0, 12], abs=1e-9)  # top leans left: counter-clockwise
    combined = rz(8) @ ry(-5) @ rx(-3)
    assert head_angles(combined) == pytest.approx([3, 5, 8], abs=1e-9)


def test_mirror_mode_gives_the_original_puppeteers_signs():
    """Reference README §6: the original puppeteer (raw camera picture, preview mirrored for display only) gives
    head_x < 0 looking down, head_y > 0 turning toward one's own left, neck_z < 0 tilting the head's top toward
    one's right shoulder, and drives left_eye from the eye on the picture's left (the user's right eye)."""
    def pose(rotation, eyes=(0.0, 0.0)):
        return mirrored(as_seen(head_angles(rotation), eyes, 0.0, OPEN_EYES, MOUTH))

    # the camera faces the user, so the user's own left is the picture's right (+x)
    assert pose(rx(12)).head_x < 0  # forward tips toward -y: looking down
    assert pose(ry(12)).head_y > 0  # forward toward +x: turning toward one's own left
    assert pose(rz(12)).neck_z < 0  # top toward -x, the picture's left: toward one's right shoulder
    assert pose(np.eye(3), eyes=(0.5, 0.0)).left_eye == 1.0  # the eye on the picture's left


def test_as_seen_scales_by_15_degrees_and_clamps():
    pose = as_seen(np.array([7.5, -15.0, 40.0]), (0.0, 0.0), 0.0, OPEN_EYES, MOUTH)
    assert (pose.head_x, pose.head_y, pose.neck_z) == pytest.approx((0.5, -1.0, 1.0))


def test_eye_on_the_pictures_right_drives_left_eye():
    # the character faces us, so its own left eye is the one on the screen's right
    pose = as_seen(np.zeros(3), (0.2, 0.5), 0.25, OPEN_EYES, MOUTH)
    assert (pose.left_eye, pose.right_eye, pose.mouth) == pytest.approx((1.0, 0.0, 0.5))


def test_mirrored_swaps_sides_keeps_nod_and_mouth():
    pose = Pose(0.1, 0.2, 0.3, 0.9, 0.0, 0.5)
    assert mirrored(pose) == Pose(0.1, -0.2, -0.3, 0.0, 0.9, 0.5)
    assert mirrored(mirrored(pose)) == pose


def test_thresholds_work_in_either_direction():
    ratio = Thresholds(eye_open=0.24, eye_closed=0.10, mouth_closed=0.05, mouth_open=0.5)  # aspect ratios
    pose = as_seen(np.zeros(3), (0.30, 0.17), 0.5, (ratio, ratio), ratio)
    assert (pose.right_eye, pose.left_eye, pose.mouth) == pytest.approx((0.0, 0.5, 1.0))


# --- calibration ---

def test_calibration_rebases_thresholds_on_the_users_baselines():
    base = Thresholds(0.2, 0.5, 0.1, 0.4)
    (left, right), mouth = Calibration(eye_open=(0.3, 0.45), mouth_closed=0.15).thresholds(base)
    for eye, baseline in ((left, 0.3), (right, 0.45)):
        zero_at = eye.eye_open
        assert baseline < zero_at < eye.eye_closed  # the user's open eye reads fully open, with a margin
        assert eye.eye_closed - zero_at >= 0.5 * (base.eye_closed - base.eye_open) - 1e-9
    assert right.eye_closed > base.eye_closed  # a droopy baseline pushes "closed" out to keep the range
    assert mouth.mouth_closed > 0.15 and mouth.mouth_open == base.mouth_open
    assert Calibration().thresholds(base) == ((base, base), base)


def test_calibration_saved_per_estimator_and_loaded(config_dir):
    assert load_calibration("landmarker") == Calibration()
    mine = Calibration((1.0, -2.0, 3.0), (0.1, 0.12), 0.05)
    save_calibration("landmarker", mine)
    save_calibration("facemesh", Calibration((4.0, 0.0, 0.0)))
    assert load_calibration("landmarker") == mine
    assert load_calibration("facemesh") == Calibration((4.0, 0.0, 0.0))
    assert calibration_path() == config_dir / "calibration.json"
    assert set(json.loads(calibration_path().read_text())) == {"landmarker", "facemesh"}


def test_damaged_calibration_is_a_clear_error(config_dir):
    config_dir.mkdir()
    (config_dir / "calibration.json").write_text("{not json")
    with pytest.raises(TrackingError, match="calibration.json: calibration file is damaged.*set neutral again"):
        load_calibration("landmarker")


# --- One Euro filter ---

def run_filter(settings, values):
    f = OneEuroFilter(settings)
    return np.array([f(v, i / FPS) for i, v in enumerate(values)])


def test_one_euro_step_head_settles_quickly_without_overshoot():
    out = run_filter(Smoothing().head, [0.0] * 5 + [1.0] * 30)
    after = out[5:]
    assert np.all(np.diff(out) >= 0) and after.max() <= 1.0
    assert 0.3 < after[0] < 0.9  # smoothed, not a jump
    assert after[3] > 0.9 and after[10] > 0.99


def test_one_euro_step_lets_a_blink_through_in_two_frames():
    out = run_filter(Smoothing().eyes, [0.0] * 5 + [1.0] * 5)
    assert out[5] > 0.75 and out[6] > 0.95


def test_one_euro_reduces_jitter_of_a_still_head():
    noise = np.random.default_rng(0).normal(0.2, 0.03, 600)
    out = run_filter(Smoothing().head, noise)[30:]
    assert out.mean() == pytest.approx(0.2, abs=0.01)
    assert out.std() < 0.4 * noise.std()


def test_one_euro_off_passes_through_and_repeated_instant_is_ignored():
    values = [0.0, 1.0, -0.5, 0.25]
    assert run_filter(OFF, values) == pytest.approx(values)
    f = OneEuroFilter(OneEuroSettings(1.0, 0.0))
    f(0.0, 0.0)
    assert f(1.0, 0.0) == 0.0  # no time passed: nothing to smooth over


def test_one_euro_reset_continues_from_a_given_value():
    f = OneEuroFilter(Smoothing().head)
    f(0.0, 0.0)
    f.reset(0.8, 1.0)
    assert 0.8 < f(1.0, 1.0 + 1 / FPS) < 1.0


def test_bad_smoothing_settings_are_refused():
    with pytest.raises(TrackingError, match="min_cutoff > 0"):
        OneEuroSettings(min_cutoff=0)


def test_pose_filter_uses_each_groups_settings():
    f = PoseFilter(Smoothing())
    f(Pose(), 0.0)
    out = f(Pose(1.0, 0, 0, 1.0, 0, 0), 1 / FPS)
    assert out.left_eye > out.head_x  # eyes respond faster than the head


# --- no face ---

def test_no_face_holds_then_eases_to_neutral():
    hold = FaceLossHold(hold_s=0.5, ease_s=1.0)
    assert hold.missing(0.0) == Pose()  # never seen a face: neutral
    last = Pose(0.5, -0.5, 0.8, 1.0, 0.0, 0.6)
    hold.seen(last)
    assert hold.missing(1.0) == last and hold.lost
    assert hold.missing(1.5) == last  # held for hold_s
    middle = hold.missing(2.0)
    assert middle.neck_z == pytest.approx(0.4)  # halfway through the ease
    assert hold.missing(2.5) == Pose() and hold.shown == Pose()
    hold.seen(last)
    assert not hold.lost


# --- preview ---

def test_preview_mirrors_the_picture_and_its_landmarks():
    image = np.zeros((80, 100, 3), np.uint8)
    image[:, :10] = 255  # a white band on the left
    result = TrackResult(Pose(), True, np.array([[20.0, 60.0]], np.float32))  # below the "face found" label
    shown = draw_preview(image, result, mirror=True)
    assert shown[75, 95].tolist() == [255, 255, 255] and shown[75, 5].tolist() == [0, 0, 0]
    assert shown[60, 100 - 1 - 20].tolist() == list(FOUND_COLOUR)  # the landmark moved with the picture
    assert shown[60, 20].tolist() == [0, 0, 0]
    plain = draw_preview(image, result, mirror=False)
    assert plain[60, 20].tolist() == list(FOUND_COLOUR) and image[60, 20].tolist() == [0, 0, 0]  # a copy
