"""Recording what is shown: each kind plays back with the right frames, size and pose track; takes are numbered
and never overwrite; a crash leaves a playable MP4; an unwritable folder or a full disk is said in words."""
import errno
import subprocess
import sys
import textwrap
import time

import av
import numpy as np
import pytest
from conftest import make_character

from puppeteer.errors import PuppeteerError
from puppeteer.output.latest import LatestFrame
from puppeteer.output.recorder import Recorder, next_take
from puppeteer.pose import Pose, read_pose_csv


def record(folder, kind: str, seconds: float = 1.0, size: int = 256) -> Recorder:
    frames = LatestFrame()
    frames.publish(make_character(0), Pose(mouth=0.0))
    recorder = Recorder(frames, folder, kind, fps=30, size=size).start()
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        time.sleep(0.05)
        frames.publish(make_character(1), Pose(mouth=min(1.0, (time.monotonic() - started) / seconds)))
    recorder.stop()
    return recorder


def decoded(path) -> list:
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


@pytest.mark.parametrize("kind,size", [("mp4", 256), ("webm", 512), ("png", 256)])
def test_each_kind_plays_back_at_the_frame_rate_with_its_pose_track(tmp_path, kind, size):
    recorder = record(tmp_path, kind, size=size)
    assert recorder.error is None and 24 <= recorder.written <= 36  # 30 fps for a second, on the wall clock
    poses = read_pose_csv(recorder.stem.with_suffix(".csv"))
    assert len(poses) == recorder.written and poses[0].mouth == 0.0 and poses[-1].mouth > 0.8
    if kind == "png":
        pictures = sorted(recorder.path.glob("*.png"))
        assert len(pictures) == recorder.written
        from PIL import Image
        first = np.asarray(Image.open(pictures[0]))
        assert first.shape == (size, size, 4) and (first[..., 3] == 0).any()  # transparency kept
        return
    frames = decoded(recorder.path)
    assert len(frames) == recorder.written and frames[0].shape == (size, size, 3)
    if kind == "webm":
        with av.open(str(recorder.path)) as container:
            assert container.streams.video[0].metadata.get("alpha_mode") == "1"  # VP9 with its alpha channel
    else:
        assert np.abs(frames[0][5, 5].astype(int) - (0, 255, 0)).max() < 12  # the green background


def test_takes_are_numbered_and_never_overwrite(tmp_path):
    (tmp_path / "take-0001.csv").write_text("someone's take")
    (tmp_path / "take-0002.mp4").write_bytes(b"a video whose table was lost")
    assert next_take(tmp_path, "mp4") == tmp_path / "take-0003"
    assert (tmp_path / "take-0001.csv").read_text() == "someone's take"
    assert (tmp_path / "take-0002.mp4").read_bytes() == b"a video whose table was lost"
    assert next_take(tmp_path, "mp4") == tmp_path / "take-0004"  # reserved as soon as it is given


def test_a_crash_leaves_what_was_recorded_playable(tmp_path):
    script = textwrap.dedent(f"""
        import os, sys, time
        sys.path.insert(0, {str(__import__('pathlib').Path(__file__).parent)!r})
        from conftest import make_character
        from puppeteer.output.latest import LatestFrame
        from puppeteer.output.recorder import Recorder
        frames = LatestFrame()
        frames.publish(make_character(0))
        recorder = Recorder(frames, {str(tmp_path)!r}, "mp4", fps=30).start()
        time.sleep(2.5)
        os._exit(9)  # no stop(), no closing of the file
    """)
    subprocess.run([sys.executable, "-c", script], check=False, timeout=60)
    video = tmp_path / "take-0001.mp4"
    assert len(decoded(video)) >= 30  # at least the first second's fragment
    assert len(read_pose_csv(tmp_path / "take-0001.csv")) >= 60  # the table is flushed every frame


def test_an_unwritable_folder_is_said_in_words(tmp_path):
    blocked = tmp_path / "a file"
    blocked.write_text("not a folder")
    with pytest.raises(PuppeteerError, match="cannot make the recordings folder"):
        Recorder(LatestFrame(), blocked / "takes").start()
    with pytest.raises(PuppeteerError, match="kind 'avi'"):
        Recorder(LatestFrame(), tmp_path, "avi")


def test_a_full_disk_stops_the_recording_and_keeps_what_was_written(tmp_path, monkeypatch):
    written = []

    def fill_up(self, video, frame):
        if len(written) == 10:
            raise OSError(errno.ENOSPC, "No space left on device")
        written.append(1)

    monkeypatch.setattr(Recorder, "_write", fill_up)
    errors = []
    frames = LatestFrame()
    frames.publish(make_character(0))
    recorder = Recorder(frames, tmp_path, "png", fps=60, on_error=errors.append).start()
    deadline = time.monotonic() + 5
    while not errors and time.monotonic() < deadline:
        time.sleep(0.02)
    recorder.stop()
    assert errors and "recording stopped" in errors[0] and "No space left on device" in errors[0]
    assert len(read_pose_csv(recorder.stem.with_suffix(".csv"))) == 10
