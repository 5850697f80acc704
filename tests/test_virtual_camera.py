"""The virtual camera through a fake pyvirtualcam backend: frames of the right size and format arrive, over the
background (or with alpha through Unity Capture); with no device, one line saying how to get one."""
import time

import numpy as np
import pytest
from conftest import make_character

from puppeteer.errors import PuppeteerError
from puppeteer.images import composite, parse_background
from puppeteer.output.latest import LatestFrame
from puppeteer.output.size import enlarge
from puppeteer.output.virtual_camera import VirtualCamera

pyvirtualcam = pytest.importorskip("pyvirtualcam", reason="the optional extra: pip install -e '.[virtualcam]'")


class FakeCamera:
    """A pyvirtualcam backend that keeps what it is sent."""

    sent = []

    def __init__(self, *, width, height, fps, fourcc, device, **kw):
        self.width, self.height, self.fourcc = width, height, fourcc
        FakeCamera.sent = []

    def send(self, frame):
        FakeCamera.sent.append((self.fourcc, frame.copy()))

    def close(self):
        pass

    def device(self):
        return "fake camera"

    def native_fourcc(self):
        return None


class NoDevice(FakeCamera):
    def __init__(self, **kw):
        raise RuntimeError("device /dev/video0 does not exist")


pyvirtualcam.register_backend("fake", FakeCamera)
pyvirtualcam.register_backend("nodevice", NoDevice)


def test_frames_of_the_right_size_and_format_arrive_over_the_background():
    frames = LatestFrame()
    character = make_character(0)
    frames.publish(character)
    camera = VirtualCamera(frames, size=512, fps=30, backend="fake").start()
    time.sleep(0.5)
    camera.stop()
    assert camera.name == "no virtual camera" and camera.error is None
    assert 10 <= len(FakeCamera.sent) <= 20  # 30 a second
    fourcc, frame = FakeCamera.sent[0]
    assert fourcc == pyvirtualcam.camera.encode_fourcc(pyvirtualcam.PixelFormat.RGB.value)
    assert frame.size == 512 * 512 * 3  # pyvirtualcam hands its backends the pixels flat
    expected = composite(enlarge(character, 512), parse_background("green"))[..., :3]
    np.testing.assert_array_equal(frame.reshape(512, 512, 3), expected)


def test_with_no_device_it_says_how_to_get_one():
    with pytest.raises(PuppeteerError, match="no virtual camera could be opened .*v4l2loopback.*OBS") as caught:
        VirtualCamera(LatestFrame(), backend="nodevice").start()
    assert "\n" not in str(caught.value)


def test_stream_and_the_window_send_to_the_virtual_camera(tmp_path, tiny_checkpoints, character_png, capsys, qtbot,
                                                          monkeypatch):
    from test_tracking_support import photo, write_video

    from puppeteer.app.settings import Settings
    from puppeteer.app.window import AppOptions, MainWindow
    from puppeteer.cli import main

    video = tmp_path / "face.mp4"
    write_video(video, [photo("astronaut")] * 30, fps=15)
    assert main(["stream", "--source", str(video), "--virtual-camera", "--output-size", "256", "--precision",
                 "fp32", "--checkpoints", str(tiny_checkpoints), "--character", str(character_png),
                 "--seconds", "3"]) == 0
    assert "virtual camera: fake camera" in capsys.readouterr().out  # the first backend that opens
    assert FakeCamera.sent and FakeCamera.sent[0][1].size == 256 * 256 * 3

    monkeypatch.setenv("PUPPETEER_CONFIG_DIR", str(tmp_path / "config"))
    window = MainWindow(AppOptions(character=str(character_png), checkpoints=str(tiny_checkpoints),
                                   precision="fp32"),
                        Settings(mode="manual", virtual_camera=True, output_size=256, fast=False))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.current is not None, timeout=20000)
    assert window.outputs.virtual_camera is not None and window.outputs.camera_action.isChecked()
    qtbot.waitUntil(lambda: len(FakeCamera.sent) > 3, timeout=5000)
    window.outputs.camera_action.trigger()
    assert window.outputs.virtual_camera is None and not window.settings.virtual_camera
    window.close()
