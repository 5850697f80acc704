"""Frame sources and the tracking loop: newest-frame hand-out, dropped frames, clear errors, camera loss and
retry (with a fake camera), prompt stop."""
import threading
import time

import cv2
import numpy as np
import pytest
from test_tracking_support import write_video

from puppeteer.errors import TrackingError
from puppeteer.tracking import (CameraSource, Frame, ImageFolderSource, TrackingLoop, TrackResult,
                                VideoFileSource, open_source)
from puppeteer.pose import Pose


def numbered_frames(n, step=4):
    """Flat frames whose brightness, 8 + step × number, tells their number (a large step survives video
    compression)."""
    return [np.full((48, 64, 3), 8 + step * i, np.uint8) for i in range(n)]


def frame_number(frame: Frame, step=4) -> int:
    return round((float(frame.image.mean()) - 8) / step)


def image_folder(path, n):
    path.mkdir()
    for i, image in enumerate(numbered_frames(n)):
        cv2.imwrite(str(path / f"f{i}.png"), image)  # f2 sorts before f10
    return path


def drain(source, delay=0.0):
    got = []
    while (frame := source.latest(timeout=2.0)) is not None:
        got.append(frame)
        time.sleep(delay)
    return got


def test_video_file_hands_out_every_frame_when_not_realtime(tmp_path):
    write_video(tmp_path / "v.mp4", numbered_frames(12, step=16), fps=25)
    source = VideoFileSource(tmp_path / "v.mp4", realtime=False)
    source.start()
    frames = drain(source, delay=0.01)
    source.stop()
    assert [f.index for f in frames] == list(range(12))
    assert [frame_number(f, step=16) for f in frames] == list(range(12))
    assert frames[5].timestamp_s == pytest.approx(5 / 25)
    assert frames[0].image.shape == (48, 64, 3) and frames[0].image.dtype == np.uint8
    assert frames[0].captured_at <= frames[-1].captured_at <= time.monotonic()
    assert source.finished and source.dropped == 0 and source.error is None and source.length == 12


def test_slow_consumer_gets_the_newest_frame_and_stale_ones_are_dropped(tmp_path):
    source = ImageFolderSource(image_folder(tmp_path / "imgs", 40), fps=200, realtime=True)
    source.start()
    frames = drain(source, delay=0.03)  # a consumer ~6× slower than the source
    source.stop()
    indices = [f.index for f in frames]
    assert indices == sorted(set(indices)) and indices[-1] == 39  # in order, and it ends on the newest
    assert source.dropped > 20 and source.dropped + len(frames) == 40
    assert [frame_number(f) for f in frames] == indices  # natural order: f2 before f10


def test_image_folder_errors(tmp_path):
    with pytest.raises(TrackingError, match="folder not found"):
        ImageFolderSource(tmp_path / "nope").start()
    (tmp_path / "empty").mkdir()
    with pytest.raises(TrackingError, match="empty: no images"):
        ImageFolderSource(tmp_path / "empty").start()
    folder = image_folder(tmp_path / "imgs", 3)
    (folder / "f1.png").write_bytes(b"not a png")
    source = ImageFolderSource(folder, realtime=False)
    source.start()
    frames = drain(source)
    assert len(frames) == 1 and source.finished
    assert source.error == f"{folder / 'f1.png'}: cannot read this image (damaged, or not an image)"


def test_video_file_errors(tmp_path):
    with pytest.raises(TrackingError, match="missing.mp4: video file not found"):
        VideoFileSource(tmp_path / "missing.mp4").start()
    (tmp_path / "fake.mp4").write_text("hello")
    with pytest.raises(TrackingError, match="fake.mp4: cannot read this video"):
        VideoFileSource(tmp_path / "fake.mp4").start()


def test_open_source_picks_the_kind(tmp_path):
    write_video(tmp_path / "v.mp4", numbered_frames(2))
    assert isinstance(open_source(0), CameraSource) and open_source("1").index == 1
    assert isinstance(open_source(str(tmp_path / "v.mp4")), VideoFileSource)
    assert isinstance(open_source(image_folder(tmp_path / "imgs", 1)), ImageFolderSource)
    with pytest.raises(TrackingError, match="no such file or folder .*camera index"):
        open_source(tmp_path / "nothing")


class FakeCapture:
    """Stands in for cv2.VideoCapture. While `plugged` is False it neither opens nor reads."""

    plugged = True
    made = []

    def __init__(self, index, opens=True, gives=True):
        self.index, self.opens, self.gives = index, opens, gives
        self.released = False
        FakeCapture.made.append(self)

    def isOpened(self):
        return self.opens and FakeCapture.plugged

    def set(self, prop, value):
        return True

    def read(self):
        time.sleep(0.005)
        if not (self.gives and FakeCapture.plugged):
            return False, None
        return True, np.zeros((4, 4, 3), np.uint8)

    def release(self):
        self.released = True


def test_missing_and_busy_cameras_are_clear_errors():
    with pytest.raises(TrackingError, match="no camera at index 7 .*/dev/video7"):
        CameraSource(7, capture=lambda i: FakeCapture(i, opens=False)).start()
    with pytest.raises(TrackingError, match="camera 0 opened but gives no picture: .*busy"):
        CameraSource(0, capture=lambda i: FakeCapture(i, gives=False)).start()


def wait_until(condition, source, seconds=2.0):
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        source.latest(timeout=0.05)
    return condition()


def test_a_camera_that_disappears_is_reported_and_retried(monkeypatch):
    monkeypatch.setattr("puppeteer.tracking.sources.CAMERA_RETRY_S", 0.05)
    monkeypatch.setattr(FakeCapture, "plugged", True)
    monkeypatch.setattr(FakeCapture, "made", [])
    source = CameraSource(0, capture=FakeCapture)
    source.start()
    assert source.latest(timeout=1.0) is not None
    FakeCapture.plugged = False
    assert wait_until(lambda: source.error is not None, source)
    assert source.error == "camera 0 stopped delivering frames; retrying every 0.05 s"
    time.sleep(0.2)
    assert len(FakeCapture.made) > 2 and not source.finished  # still trying, not crashed
    FakeCapture.plugged = True
    assert wait_until(lambda: source.error is None, source)
    assert source.latest(timeout=1.0) is not None  # frames flow again
    started = time.monotonic()
    source.stop()
    assert time.monotonic() - started < 1.0 and source.finished
    assert all(cap.released for cap in FakeCapture.made)


class SlowTracker:
    """Stands in for FaceTracker: takes 40 ms a frame and notes which thread ran it."""

    def __init__(self):
        self.threads = set()

    def process(self, frame):
        self.threads.add(threading.current_thread().name)
        time.sleep(0.04)
        return TrackResult(Pose(), False, None)


def test_tracking_loop_always_takes_the_newest_frame(tmp_path):
    source = ImageFolderSource(image_folder(tmp_path / "imgs", 60), fps=120, realtime=True)
    tracker, seen = SlowTracker(), []
    loop = TrackingLoop(source, tracker, lambda frame, result: seen.append(frame.index))
    loop.start()
    assert loop.done.wait(5)
    loop.stop()
    assert tracker.threads == {"tracking"}
    assert seen == sorted(seen) and seen[-1] == 59 and len(seen) < 30  # skipped ahead instead of queueing
    assert source.dropped == 60 - len(seen)
    assert loop.exception is None and loop.frames == len(seen) and 5 < loop.tracking_fps < 40


def test_tracking_loop_keeps_a_failure_for_its_owner(tmp_path):
    class Broken:
        def process(self, frame):
            raise TrackingError("broken")

    loop = TrackingLoop(ImageFolderSource(image_folder(tmp_path / "imgs", 3)), Broken(), lambda f, r: None)
    loop.start()
    assert loop.done.wait(2)
    loop.stop()
    assert isinstance(loop.exception, TrackingError)
