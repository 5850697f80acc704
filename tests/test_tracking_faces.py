"""Tracking real faces (photos from scikit-image and matplotlib) with both estimators: faces found, frontal
angles small, in-plane rotations read as neck_z, mirror symmetry, winks, no-face behaviour, calibration, the
timing function."""
import numpy as np
import pytest
from test_tracking_support import PHOTOS, config_dir, photo, rotate, shut_eye  # noqa: F401 (fixture)

from puppeteer.errors import TrackingError
from puppeteer.pose import Pose
from puppeteer.tracking import OFF, Calibration, FaceTracker, Frame
from puppeteer.tracking.bench import time_tracking
from puppeteer.tracking.calibration import calibration_path
from puppeteer.tracking.estimators import ESTIMATORS, make_estimator
from puppeteer.tracking.solver import head_angles

BLANK = np.zeros((64, 64, 3), np.uint8)
FRONTAL_LIMIT_DEG = {"landmarker": 8.0, "facemesh": 12.0}  # the face mesh reads ~8° down on these photos
ANGLE_TOLERANCE_DEG = 2.5
SYMMETRY_TOLERANCE = 0.12  # pose units: 1.8°


class Still:
    """Runs estimators and trackers on still pictures, each as a newly found face: a blank frame first, so
    nothing is tracked over from the previous picture, then the picture twice (detection, then tracking)."""

    def __init__(self):
        self.t = 0.0
        self.estimators = {name: make_estimator(name) for name in ESTIMATORS}
        self.trackers = {name: FaceTracker(name, mirror=False, smoothing=OFF, calibration=Calibration())
                         for name in ESTIMATORS}

    def frames(self, image):
        for picture in (BLANK, image, image):
            self.t += 1 / 30
            yield Frame(picture, 0, self.t)

    def angles(self, estimator: str, image) -> np.ndarray:
        for frame in self.frames(image):
            measurement = self.estimators[estimator].measure(frame.image, frame.timestamp_s)
        assert measurement is not None, "no face found"
        return head_angles(measurement.rotation)

    def track(self, estimator: str, image, mirror=False, calibration=Calibration()):
        tracker = self.trackers[estimator]
        tracker.mirror, tracker.calibration = mirror, calibration
        for frame in self.frames(image):
            result = tracker.process(frame)
        return result

    def close(self):
        for item in [*self.estimators.values(), *self.trackers.values()]:
            item.close()


@pytest.fixture(scope="module")
def still():
    runner = Still()
    yield runner
    runner.close()


@pytest.fixture(scope="module")
def winking():
    """The astronaut with the eye on the picture's right painted shut, and with both shut."""
    image = photo("astronaut")
    tracker = FaceTracker("landmarker", calibration=Calibration())
    landmarks = tracker.process(Frame(image, 0, 0.0)).landmarks
    tracker.close()
    return shut_eye(image, landmarks, "right"), shut_eye(shut_eye(image, landmarks, "right"), landmarks, "left")


@pytest.mark.parametrize("estimator", ESTIMATORS)
@pytest.mark.parametrize("name", PHOTOS)
def test_real_faces_are_found(still, estimator, name):
    image = photo(name)
    result = still.track(estimator, image)
    assert result.face_found and result.raw_pose is not None
    assert result.landmarks.shape == (478, 2)
    height, width = image.shape[:2]
    assert np.all((result.landmarks >= 0) & (result.landmarks < [width, height]))


@pytest.mark.parametrize("estimator", ESTIMATORS)
@pytest.mark.parametrize("name", PHOTOS)
def test_frontal_photo_gives_small_head_angles(still, estimator, name):
    pose = still.track(estimator, photo(name)).raw_pose
    limit = FRONTAL_LIMIT_DEG[estimator] / 15
    assert max(abs(pose.head_x), abs(pose.head_y), abs(pose.neck_z)) < limit, pose
    assert pose.left_eye < 0.1 and pose.right_eye < 0.1  # eyes open


@pytest.mark.parametrize("estimator", ESTIMATORS)
@pytest.mark.parametrize("name", PHOTOS)
def test_in_plane_rotation_moves_neck_z(still, estimator, name):
    image = photo(name)
    upright = still.angles(estimator, image)
    neutral = Calibration(neutral_deg=tuple(upright))
    for degrees in (10, -10, 20, -20):  # counter-clockwise as displayed
        turned = rotate(image, degrees)
        change = still.angles(estimator, turned) - upright
        assert change == pytest.approx([0, 0, degrees], abs=ANGLE_TOLERANCE_DEG), degrees
        expected = float(np.clip(degrees / 15, -1, 1))  # ±10/15, and ±20/15 clamped to ±1
        plain = still.track(estimator, turned, mirror=False, calibration=neutral).raw_pose
        assert plain.neck_z == pytest.approx(expected, abs=ANGLE_TOLERANCE_DEG / 15), degrees
        assert abs(plain.head_x) < 0.2 and abs(plain.head_y) < 0.2
        # mirrored (the default): the head leans the other way on screen, like the user's mirror image
        assert still.track(estimator, turned, mirror=True, calibration=neutral).raw_pose.neck_z == \
            pytest.approx(-expected, abs=ANGLE_TOLERANCE_DEG / 15)


@pytest.mark.parametrize("estimator", ESTIMATORS)
@pytest.mark.parametrize("name", PHOTOS)
def test_mirrored_photo_negates_turn_and_tilt(still, estimator, name):
    image = photo(name)
    pose = still.track(estimator, image).raw_pose
    flipped = still.track(estimator, np.ascontiguousarray(image[:, ::-1])).raw_pose
    assert flipped.head_x == pytest.approx(pose.head_x, abs=SYMMETRY_TOLERANCE)
    assert flipped.head_y == pytest.approx(-pose.head_y, abs=SYMMETRY_TOLERANCE)
    assert flipped.neck_z == pytest.approx(-pose.neck_z, abs=SYMMETRY_TOLERANCE)
    assert flipped.mouth == pytest.approx(pose.mouth, abs=0.1)
    # mirror mode on the photo gives what no-mirror gives on the flipped photo
    mirrored = still.track(estimator, image, mirror=True).raw_pose
    for value, expected in zip(mirrored.values(), flipped.values()):
        assert value == pytest.approx(expected, abs=SYMMETRY_TOLERANCE)


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_a_wink_stays_a_wink_and_mirroring_swaps_the_eyes(still, winking, estimator):
    wink, both_shut = winking
    plain = still.track(estimator, wink).raw_pose
    assert plain.left_eye > 0.4 and plain.right_eye < 0.1  # the eye on the screen's right: left_eye
    mirrored = still.track(estimator, wink, mirror=True).raw_pose
    assert mirrored.right_eye > 0.4 and mirrored.left_eye < 0.1
    flipped = still.track(estimator, np.ascontiguousarray(wink[:, ::-1])).raw_pose
    assert flipped.right_eye > 0.4 and flipped.left_eye < 0.1
    blink = still.track(estimator, both_shut).raw_pose
    assert blink.left_eye > 0.4 and blink.right_eye > 0.4


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_blank_and_noise_frames_have_no_face_then_hold_and_ease(estimator):
    tracker = FaceTracker(estimator, calibration=Calibration(), hold_s=0.5, ease_s=1.0)
    noise = np.random.default_rng(0).integers(0, 256, (240, 320, 3), dtype=np.uint8)
    try:
        first = tracker.process(Frame(BLANK, 0, 0.0))
        assert not first.face_found and first.landmarks is None and first.raw_pose is None
        assert first.pose == Pose()  # nothing seen yet: neutral
        face = rotate(photo("astronaut"), 15)
        for i in range(1, 31):
            seen = tracker.process(Frame(face, i, i / 30))
        assert seen.face_found and abs(seen.pose.neck_z) > 0.5
        held = [tracker.process(Frame(noise, i, t)) for i, t in enumerate((1.1, 1.4, 1.5), 31)]
        assert not any(r.face_found for r in held)
        assert all(r.pose == seen.pose for r in held)  # held for 0.5 s
        easing = tracker.process(Frame(BLANK, 34, 2.0)).pose  # half-way through the ease
        assert 0.2 * abs(seen.pose.neck_z) < abs(easing.neck_z) < 0.8 * abs(seen.pose.neck_z)
        assert tracker.process(Frame(noise, 35, 2.6)).pose == Pose()  # eased to neutral
        back = tracker.process(Frame(face, 36, 2.6 + 1 / 30))
        assert back.face_found and 0 < abs(back.pose.neck_z) < abs(back.raw_pose.neck_z)  # eases back in
    finally:
        tracker.close()


def test_set_neutral_zeroes_the_head_and_is_reused(config_dir):
    tracker = FaceTracker("landmarker", mirror=False, smoothing=OFF)
    tilted = rotate(photo("grace_hopper"), 10)
    try:
        before = tracker.process(Frame(tilted, 0, 0.0)).raw_pose
        assert before.neck_z > 0.5
        saved = tracker.set_neutral()
        after = tracker.process(Frame(tilted, 1, 1 / 30)).raw_pose
        assert max(abs(after.head_x), abs(after.head_y), abs(after.neck_z)) < 0.05
        assert after.left_eye == after.right_eye == after.mouth == 0.0
        assert calibration_path().is_file()
        tracker.process(Frame(BLANK, 2, 2 / 30))
        with pytest.raises(TrackingError, match="no face in the latest frame"):
            tracker.set_neutral()
    finally:
        tracker.close()
    again = FaceTracker("landmarker")
    try:
        assert again.calibration == saved
    finally:
        again.close()


def test_time_tracking_reports_each_estimator_and_size():
    results = time_tracking(estimators=("facemesh",), sizes=((320, 240),), frames=3, warmup=1)
    entry = results["facemesh"]["320x240"]
    assert set(results) == {"facemesh"} and entry["face_found"] == 1.0
    assert entry["ms_per_frame"] > 0 and entry["fps"] == pytest.approx(1000 / entry["ms_per_frame"], rel=0.01)
    assert entry["cpu_ms_per_frame"] > 0
