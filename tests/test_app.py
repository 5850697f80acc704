"""The puppeteer window, offscreen: it opens with the defaults, the sliders and the brightness drive the render
(checked against the Poser directly), snapshots, a video driving the sliders, bad characters, settings, and a
prompt close with every thread stopped. Dialogs are answered by replacing the window's ask/show methods."""
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import make_character
from PIL import Image
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QAction, QDropEvent, QKeySequence
from test_tracking_support import photo, rotate, write_video

from puppeteer import poser as poser_module
from puppeteer import precision
from puppeteer.app import prepare_dialog, style
from puppeteer.app.settings import Settings
from puppeteer.app.window import AppOptions, MainWindow
from puppeteer.checkpoints import load_networks
from puppeteer.images import apply_brightness, composite, decode, read_image
from puppeteer.paths import DEFAULT_CHECKPOINTS
from puppeteer.pose import Pose
from puppeteer.poser import Poser
from puppeteer.precision import Measurement

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
WAIT_MS = 20000


@pytest.fixture(autouse=True)
def config(tmp_path, monkeypatch):
    folder = tmp_path / "config"
    monkeypatch.setenv("PUPPETEER_CONFIG_DIR", str(folder))
    return folder


@pytest.fixture
def open_window(qtbot, qapp, tmp_path, tiny_checkpoints, character_png):
    """A window on the tiny model and the test character (manual mode unless a source is given), once its first
    frame is on screen; styled as `puppeteer` styles it. It renders in fp32, as `tiny_poser` does, so that the
    two compare on every kind of CPU."""
    style.apply(qapp)

    def open_(options: AppOptions | None = None, settings: Settings | None = None, wait_frame=True):
        options = options or AppOptions(character=str(character_png), checkpoints=str(tiny_checkpoints),
                                        precision="fp32")
        settings = settings or Settings(mode="manual", snapshots=str(tmp_path / "snapshots"), fast=False)
        window = MainWindow(options, settings)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(lambda: not window.loading, timeout=WAIT_MS)
        if wait_frame:
            qtbot.waitUntil(lambda: window.current is not None, timeout=WAIT_MS)
        return window

    return open_


@pytest.fixture(scope="module")
def tiny_poser(tiny_checkpoints):
    return Poser(load_networks(tiny_checkpoints), "cpu", "fp32")


@pytest.fixture(scope="module")
def turning_video(tmp_path_factory):
    """2.5 s of the astronaut: upright, then turned 12° in the picture plane (a sideways head tilt)."""
    face = photo("astronaut")
    frames = [face] * 20 + [rotate(face, 12)] * 55
    path = tmp_path_factory.mktemp("video") / "turning.mp4"
    write_video(path, frames, fps=30)
    return path


def wait_for_pose(qtbot, window, pose: Pose, brightness: float = 0.0):
    qtbot.waitUntil(lambda: window.current.pose == pose and window.current.brightness == brightness,
                    timeout=WAIT_MS)
    return window.current.image


def test_window_opens_with_the_bundled_model_and_character(qtbot, config):
    """A first run: no settings, no options: the bundled model poses the bundled character."""
    window = MainWindow(AppOptions())
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: not window.loading, timeout=60000)
    assert window.windowTitle().endswith("Talking Head Puppeteer")
    assert window.poser is not None and window.poser.networks.folder.resolve() == DEFAULT_CHECKPOINTS.resolve()
    assert window.character is not None and window.status["model"].text().startswith("Model: ")
    qtbot.waitUntil(lambda: window.current is not None, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.mode == "webcam" and window.preview.face_found is not None
                    or window.mode == "manual" and "camera 0" in window.preview.message, timeout=WAIT_MS)
    assert window.status["device"].text().startswith(("CPU", "CUDA"))
    on_cpu = window.device.type == "cpu"  # where the full chain is too slow for a face, fast rendering is on
    assert window.poser.fast == window.fast_action.isChecked() == on_cpu
    assert window.status["device"].text().endswith(" · fast") == on_cpu
    window.close()
    assert Settings.load().mode == "webcam"  # a missing camera is not remembered as a choice of manual mode


def test_moving_a_pose_slider_renders_that_pose(qtbot, open_window, tiny_poser):
    window = open_window()
    before = window.current.image
    assert window.pose_panel.sliders["head_y"].isEnabled()
    window.pose_panel.sliders["head_y"].setValue(500)  # what a drag does
    window.pose_panel.sliders["mouth"].setValue(800)
    pose = Pose(head_y=0.5, mouth=0.8)
    after = wait_for_pose(qtbot, window, pose)
    assert not np.array_equal(before, after)
    np.testing.assert_array_equal(after, next(tiny_poser.render(window.character, [pose])))
    assert window.view.message is None


def test_fast_rendering_shows_the_rotators_picture_and_is_remembered(qtbot, open_window, tiny_poser):
    window = open_window()
    assert not window.fast_action.isChecked() and not window.poser.fast
    window.pose_panel.sliders["head_x"].setValue(300)
    window.pose_panel.sliders["head_y"].setValue(-700)
    pose = window.pose_panel.pose()
    full = wait_for_pose(qtbot, window, pose)
    window.fast_action.trigger()  # Model ▸ Fast rendering
    assert window.poser.fast and window.settings.fast is True
    image = tiny_poser.image_tensor(window.character)
    fast = tiny_poser.chain(image, tiny_poser.pose_tensor([pose]))[2]  # the rotator's resampled picture
    qtbot.waitUntil(lambda: not np.array_equal(window.current.image, full), timeout=WAIT_MS)
    np.testing.assert_array_equal(window.current.image, decode(fast[0].numpy(), tiny_poser.convention))
    assert window.status["device"].text().endswith(" · fast")
    window.close()
    assert Settings.load().fast is True


@pytest.mark.parametrize("amount", [0.3, -0.3])
def test_brightness_scales_the_character_before_the_networks(qtbot, open_window, tiny_poser, amount):
    window = open_window()
    plain = window.current.image
    window.brightness.setValue(round(amount * 1000))
    shown = wait_for_pose(qtbot, window, Pose(), brightness=pytest.approx(amount))
    brightened = apply_brightness(window.character, amount)
    assert np.array_equal(brightened[..., 3], window.character[..., 3])  # alpha untouched
    assert np.all(brightened[..., :3] >= window.character[..., :3]) if amount > 0 else \
        np.all(brightened[..., :3] <= window.character[..., :3])
    np.testing.assert_array_equal(shown, next(tiny_poser.render(brightened, [Pose()])))
    assert not np.array_equal(shown, plain)
    qtbot.mouseDClick(window.brightness, Qt.MouseButton.LeftButton)  # back to 0: the unchanged character
    np.testing.assert_array_equal(wait_for_pose(qtbot, window, Pose()), plain)


def test_snapshots_are_the_displayed_result_and_never_overwrite(qtbot, open_window, tmp_path):
    window = open_window()
    save = next(a for a in window.findChildren(QAction) if a.shortcut() == QKeySequence(QKeySequence.StandardKey.Save))
    assert save.shortcut().toString() == "Ctrl+S"
    save.trigger()
    first = next((tmp_path / "snapshots").glob("*.png"))
    assert str(first) in window.statusBar().currentMessage()
    transparent = read_image(first)
    assert transparent.shape == (256, 256, 4)
    np.testing.assert_array_equal(transparent, window.current.image)
    assert (transparent[..., 3] < 255).any()  # no background was put in: it stays see-through

    window.background.combo.setCurrentIndex(window.background.combo.findData("green"))
    second = window.save_snapshot()
    assert second != first and first.exists()
    green = read_image(second)
    np.testing.assert_array_equal(green, composite(window.current.image, (0, 255, 0)))
    assert green.shape == (256, 256, 4) and np.all(green[..., 3] == 255)
    np.testing.assert_array_equal(read_image(first), transparent)  # the first one is untouched


def test_solid_colour_background_comes_from_the_colour_dialog(qtbot, open_window):
    window = open_window()
    window.ask_colour = lambda current: "#336699"
    window.background.swatch.click()
    assert window.background.spec() == "#336699" and window.settings.background == "#336699"
    np.testing.assert_array_equal(window.snapshot_picture(), composite(window.current.image, (0x33, 0x66, 0x99)))


def test_a_video_file_drives_the_pose_sliders(qtbot, open_window, tiny_checkpoints, character_png, turning_video,
                                              config):
    window = open_window(AppOptions(character=str(character_png), checkpoints=str(tiny_checkpoints),
                                    source=str(turning_video)), wait_frame=False)
    assert window.mode == "video" and not window.pose_panel.sliders["neck_z"].isEnabled()
    neck = window.pose_panel.sliders["neck_z"]
    qtbot.waitUntil(lambda: window.preview.face_found and abs(neck.value_f()) > 0.4, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.current is not None and abs(window.current.pose.neck_z) > 0.4,
                    timeout=WAIT_MS)  # the render follows
    window._update_status()
    assert window.status["tracking"].text().endswith("fps") and "Tracking 0.0" not in window.status["tracking"].text()
    assert window.status["latency"].text().endswith(" ms")
    window.neutral_button.click()  # Set neutral: this face becomes the resting pose, saved for next time
    assert window.statusBar().currentMessage().startswith("Neutral pose set")
    assert (config / "calibration.json").exists()
    ARTIFACTS.mkdir(exist_ok=True)
    window.grab().save(str(ARTIFACTS / "app-window.png"))


def test_a_bad_character_shows_what_is_wrong_and_keeps_the_previous_one(qtbot, open_window, tmp_path):
    window = open_window()
    previous, title = window.character, window.windowTitle()
    errors, questions = [], []
    window.show_error = lambda title, text: errors.append((title, text))
    window.ask = lambda title, text: questions.append(text) or False  # "Prepare it?" → no

    not_a_picture = tmp_path / "notes.png"
    not_a_picture.write_text("hello")
    window.ask_open_file = lambda *args: str(not_a_picture)
    window.open_character_dialog()
    qtbot.waitUntil(lambda: len(errors) == 1, timeout=WAIT_MS)
    assert "not a picture" in errors[0][1] and questions == []

    photo_path = tmp_path / "photo.png"
    Image.fromarray(np.full((80, 100, 3), 128, np.uint8)).save(photo_path)
    drop(window, photo_path)
    qtbot.waitUntil(lambda: len(errors) == 2, timeout=WAIT_MS)
    assert "no transparency" in errors[1][1] and len(questions) == 1  # fixable: it offered to prepare it first
    assert window.character is previous and window.windowTitle() == title


def test_a_picture_that_needs_preparing_is_prepared_and_kept(qtbot, open_window, tmp_path, monkeypatch, config):
    window = open_window()
    prepared = make_character(seed=3)
    monkeypatch.setattr(prepare_dialog, "prepare_interactively", lambda parent, path: prepared)
    window.ask = lambda title, text: True
    wide = tmp_path / "wide.png"
    Image.fromarray(np.zeros((300, 400, 4), np.uint8)).save(wide)
    window.load_character(wide)
    qtbot.waitUntil(lambda: window.character is prepared, timeout=WAIT_MS)
    saved = Path(window.settings.character)
    assert saved.parent == config / "characters" and saved.name.startswith("wide")
    np.testing.assert_array_equal(read_image(saved), prepared)
    assert wide.exists()  # the user's file is left alone


def test_a_good_character_can_be_dropped_on_the_window(qtbot, open_window, tmp_path):
    window = open_window()
    other = tmp_path / "other.png"
    Image.fromarray(make_character(seed=5)).save(other)
    drop(window, other)
    qtbot.waitUntil(lambda: window.character_path == other, timeout=WAIT_MS)
    np.testing.assert_array_equal(window.character, make_character(seed=5))
    assert window.windowTitle().startswith("other.png")


def drop(window, path):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)


def test_without_a_model_the_window_says_how_to_get_one(qtbot, open_window, tmp_path, character_png):
    empty = tmp_path / "empty"
    empty.mkdir()
    window = open_window(AppOptions(character=str(character_png), checkpoints=str(empty)), wait_frame=False)
    title, text = window.view.message
    assert title == "No model yet" and "face_morpher.pt" in text and "Open checkpoint folder" in text
    assert window.poser is None and window.character is not None and window.status["model"].text() == "Model: none"
    window.grab()  # paints the message without trouble


def test_settings_persist_between_runs(qtbot, open_window, tiny_checkpoints, character_png, tmp_path):
    window = open_window()
    window.brightness.setValue(-150)
    window.background.combo.setCurrentIndex(window.background.combo.findData("green"))
    window.resize(720, 700)  # the offscreen screen is 800 wide
    size = window.size()
    window.close()
    saved = Settings.load()
    assert (saved.brightness, saved.background, saved.mode) == (pytest.approx(-0.15), "green", "manual")
    assert saved.character == str(character_png) and saved.checkpoints == str(tiny_checkpoints)

    again = MainWindow(AppOptions(), saved)  # no options: everything comes from the settings
    qtbot.addWidget(again)
    again.show()
    qtbot.waitUntil(lambda: again.current is not None, timeout=WAIT_MS)
    assert again.character_path == character_png and again.poser.networks.folder == tiny_checkpoints
    assert again.brightness.value_f() == pytest.approx(-0.15) and again.current.brightness == pytest.approx(-0.15)
    assert again.background.spec() == "green" and again.size() == size and size.width() == 720


def test_closing_while_rendering_and_tracking_is_prompt_and_stops_every_thread(
        qtbot, open_window, tiny_checkpoints, character_png, turning_video):
    window = open_window(AppOptions(character=str(character_png), checkpoints=str(tiny_checkpoints),
                                    source=str(turning_video)), wait_frame=False)
    qtbot.waitUntil(lambda: window.preview.face_found is not None, timeout=WAIT_MS)
    session = window.session
    busy = []
    window.poser.pose_image = lambda image, pose6: busy.append(1) or time.sleep(3) or image  # a very slow model
    window.pipeline.set_brightness(0.1)  # forces a (now slow) render
    qtbot.waitUntil(lambda: bool(busy), timeout=WAIT_MS)
    start = time.perf_counter()
    window.close()
    assert time.perf_counter() - start < 1.0
    assert session._loop.done.is_set() and session._loop.source.finished  # the camera/file is released


def test_the_compiled_chain_takes_over_and_renders_the_same_picture(qtbot, open_window, tiny_checkpoints,
                                                                     character_png, tiny_poser):
    window = open_window(AppOptions(character=str(character_png), checkpoints=str(tiny_checkpoints), compile=True,
                                    precision="fp32"))
    qtbot.waitUntil(lambda: window.poser.compiled or window.poser.compile_error is not None, timeout=120000)
    assert window.poser.compiled, window.poser.compile_error
    qtbot.waitUntil(lambda: "compiled" in window.status["device"].text(), timeout=WAIT_MS)
    window.pose_panel.sliders["neck_z"].setValue(-600)
    pose = Pose(neck_z=-0.6)
    image = wait_for_pose(qtbot, window, pose)
    expected = next(tiny_poser.render(window.character, [pose]))
    assert np.abs(image.astype(int) - expected.astype(int)).max() <= 1


@pytest.mark.parametrize("native", [True, False], ids=["native-bf16", "no-bf16"])
def test_automatic_precision_is_measured_in_the_background_and_shown(qtbot, open_window, tiny_checkpoints,
                                                                     character_png, monkeypatch, native):
    monkeypatch.setattr(precision, "cpu_supports_bf16", lambda: native)
    measured = []

    def bf16_twice_as_fast(render, frame):
        measured.append(1)
        return Measurement(fp32_ms=20.0, bf16_ms=10.0, mean_levels=0.1, max_levels=3)

    monkeypatch.setattr(poser_module, "measure", bf16_twice_as_fast)
    window = open_window(AppOptions(character=str(character_png), checkpoints=str(tiny_checkpoints)))
    device = window.status["device"]
    if not native:
        assert device.text().startswith("CPU · fp32") and "no native bf16" in device.toolTip()
        assert measured == []
        return
    qtbot.waitUntil(lambda: device.text().startswith("CPU · bf16"), timeout=WAIT_MS)
    assert "measured: bf16 is 2.00× as fast" in device.toolTip()
    assert window.statusBar().currentMessage().startswith("Precision bf16, measured")
    assert measured == [1, 1]  # the full chain and fast rendering, each once
    window.pose_panel.sliders["mouth"].setValue(1000)
    shown = wait_for_pose(qtbot, window, Pose(mouth=1.0))
    bf16 = Poser(load_networks(tiny_checkpoints), "cpu", "bf16")
    np.testing.assert_array_equal(shown, next(bf16.render(window.character, [Pose(mouth=1.0)])))


def test_the_voice_opens_the_mouth_and_a_lost_microphone_falls_back_to_the_camera(qtbot, open_window, tmp_path,
                                                                                  monkeypatch):
    from test_voice import SPEECH, FakeMicrophone

    from puppeteer.audio.files import RATE, read_audio

    microphones = []

    def fake_microphone(window, name):
        microphones.append(name)
        return FakeMicrophone(read_audio(SPEECH)[:RATE * 3])  # the pad, then two words, then it stops

    monkeypatch.setattr(MainWindow, "open_microphone", fake_microphone)
    window = open_window(settings=Settings(mode="manual", mouth="voice", snapshots=str(tmp_path / "s"), fast=False))
    assert microphones == [None] and window.voice_panel.source() == "voice"
    assert window.pose_panel.pose().mouth == 0.0  # the sliders say shut...
    qtbot.waitUntil(lambda: window.current.pose.mouth > 0.5, timeout=WAIT_MS)  # ...the voice opens it
    assert window.voice_panel.meter.level is not None and window.voice_panel.meter.gate is not None
    window.voice_panel.meter.grab()

    qtbot.waitUntil(lambda: window.voice is None, timeout=WAIT_MS)  # the fake microphone stopped: lost
    assert window.voice_panel.source() == "camera" and "stopped sending sound" in window.voice_panel.status.text()
    assert "Voice off: the fake microphone stopped" in window.statusBar().currentMessage()
    qtbot.waitUntil(lambda: window.current.pose.mouth == 0.0, timeout=WAIT_MS)  # the sliders' mouth again
    assert window.settings.mouth == "voice"  # the user's choice stays for the next run
    window.microphone_menu.aboutToShow.emit()
    assert window.microphone_menu.actions()[0].text() == "Default microphone"


def test_choosing_the_voice_without_a_microphone_says_so_and_keeps_the_camera(qtbot, open_window, monkeypatch):
    from puppeteer.audio import live

    monkeypatch.setattr(live, "input_devices", lambda: [])
    monkeypatch.setattr(live, "_sounddevice", lambda: object())  # a sound system (PortAudio or not, here) ...
    window = open_window()  # ... with no microphone
    window.voice_panel.choice.setCurrentIndex(1)
    window.voice_panel.choice.activated.emit(1)  # the user picks "Voice"
    assert window.voice is None and window.voice_panel.source() == "camera"
    assert "no microphone found" in window.voice_panel.status.text()
    assert window.microphone_menu.actions()[-1].text() == "(no microphone found)"


def test_the_output_menu_serves_the_shown_character_to_obs_and_remembers_it(qtbot, open_window, tmp_path, qapp):
    import io
    import urllib.request

    from puppeteer.output.size import enlarge

    settings = Settings(mode="manual", snapshots=str(tmp_path / "s"), fast=False, browser_source=True,
                        browser_port=0, output_size=256)
    window = open_window(settings=settings)
    assert window.outputs.browser is not None and window.outputs.browser_action.isChecked()
    assert window.outputs.browser.url in window.outputs.browser_action.text()
    window.pose_panel.sliders["mouth"].setValue(1000)
    shown = wait_for_pose(qtbot, window, Pose(mouth=1.0))
    window.outputs.set_output_size(512)
    with urllib.request.urlopen(window.outputs.browser.url + "frame.png", timeout=5) as response:
        served = np.asarray(Image.open(io.BytesIO(response.read())))
    np.testing.assert_array_equal(served, enlarge(shown, 512))  # what the window shows, at the output size
    window.outputs.copy_url_action.trigger()
    assert qapp.clipboard().text() == window.outputs.browser.url
    url = window.outputs.browser.url
    window.outputs.browser_action.trigger()  # off
    assert window.outputs.browser is None and not window.settings.browser_source
    with pytest.raises(OSError):
        urllib.request.urlopen(url + "frame.png", timeout=2)
    window.outputs.browser_action.trigger()  # on again
    window.close()
    saved = Settings.load()
    assert saved.browser_source and saved.output_size == 512


def test_a_browser_source_port_in_use_is_said_and_the_switch_goes_off(qtbot, open_window, tmp_path):
    import socket

    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    settings = Settings(mode="manual", snapshots=str(tmp_path / "s"), fast=False, browser_source=True,
                        browser_port=taken.getsockname()[1])
    window = open_window(settings=settings)
    assert window.outputs.browser is None and not window.outputs.browser_action.isChecked()
    assert "Browser source off" in window.outputs.browser_action.toolTip()
    assert "another program may be using the port" in window.outputs.browser_action.toolTip()
    assert "browser_port" in window.outputs.browser_action.toolTip()
    taken.close()


def test_recording_writes_a_numbered_take_of_what_is_shown(qtbot, open_window, tmp_path):
    import av

    from puppeteer.pose import read_pose_csv

    folder = tmp_path / "takes"
    (folder).mkdir()
    (folder / "take-0001.csv").write_text("an older take")
    window = open_window(settings=Settings(mode="manual", snapshots=str(tmp_path / "s"), fast=False,
                                           recordings=str(folder), output_size=256))
    window.outputs.record_action.trigger()  # Ctrl+R
    assert window.outputs.recorder is not None and window.outputs.record_button.text() == "Stop recording"
    assert "over green" in window.statusBar().currentMessage()  # transparent chosen, MP4 cannot keep it
    for value in (300, 600, 900):
        window.pose_panel.sliders["mouth"].setValue(value)
        qtbot.wait(300)
    window.outputs.record_button.click()
    assert window.outputs.recorder is None and "Recorded" in window.statusBar().currentMessage()
    assert (folder / "take-0001.csv").read_text() == "an older take"
    with av.open(str(folder / "take-0002.mp4")) as container:
        count = sum(1 for _ in container.decode(video=0))
    poses = read_pose_csv(folder / "take-0002.csv")
    assert count == len(poses) >= 15 and poses[-1].mouth == pytest.approx(0.9)


def test_a_recording_that_cannot_be_written_is_explained(qtbot, open_window, tmp_path):
    blocked = tmp_path / "a file"
    blocked.write_text("")
    window = open_window(settings=Settings(mode="manual", snapshots=str(tmp_path / "s"), fast=False,
                                           recordings=str(blocked / "takes")))
    errors = []
    window.show_error = lambda title, text: errors.append((title, text))
    window.outputs.set_recording(True)
    assert window.outputs.recorder is None and not window.outputs.record_button.isChecked()
    assert errors[0][0] == "Not recording" and "Recordings folder" in errors[0][1]
