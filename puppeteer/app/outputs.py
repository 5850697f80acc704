"""The Output menu and the Record button: the browser source for OBS, the virtual camera, recordings and the
output size, each remembered in the settings. The window hands it the newest frames (`LatestFrame`), its status
bar, dialogs and chosen background; everything that runs (server, camera, recorder) runs on its own thread."""
from functools import partial

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QActionGroup, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QPushButton

from ..errors import PuppeteerError
from ..images import parse_background
from ..output.browser_source import BrowserSource
from ..output.latest import LatestFrame
from ..output.recorder import Recorder
from ..output.size import SIZES
from ..output.virtual_camera import VirtualCamera
from .settings import Settings

RECORDING_FORMATS = (("mp4", "MP4 (over the background)"), ("webm", "WebM VP9 (keeps transparency)"),
                     ("png", "PNG pictures (keep transparency)"))


class Outputs(QObject):
    _recording_failed = Signal(str)  # from the recorder's thread

    def __init__(self, window, latest: LatestFrame):
        super().__init__(window)
        self.window, self.latest = window, latest
        self.browser: BrowserSource | None = None
        self.recorder: Recorder | None = None
        self.virtual_camera: VirtualCamera | None = None
        self._recording_failed.connect(self._show_recording_failure, Qt.ConnectionType.QueuedConnection)
        self.record_button = QPushButton("Record")
        self.record_button.setCheckable(True)
        self.record_button.setToolTip("Record what is shown, with the pose track beside it (Ctrl+R)")
        self.record_button.clicked.connect(lambda: self.set_recording(self.record_button.isChecked()))

    def build_menu(self, menu) -> None:
        action = self.window._action
        self.browser_action = action(menu, "&Browser source for OBS", self._browser_source_toggled)
        self.browser_action.setCheckable(True)
        self.copy_url_action = action(menu, "&Copy browser source URL", self.copy_browser_url)
        self.camera_action = action(menu, "&Virtual camera (Zoom, Discord, OBS)",
                                    lambda: self.set_virtual_camera(self.camera_action.isChecked()))
        self.camera_action.setCheckable(True)
        menu.addSeparator()
        self.record_action = action(menu, "&Record", self.toggle_recording, QKeySequence("Ctrl+R"))
        kinds = menu.addMenu("Recording &format")
        group = QActionGroup(self)
        for kind, text in RECORDING_FORMATS:
            item = action(kinds, text, partial(self.set_recording_kind, kind))
            item.setCheckable(True)
            item.setChecked(kind == self.settings.recording_kind)
            group.addAction(item)
        action(menu, "Recordings &folder…", self.choose_recordings_folder)
        menu.addSeparator()
        sizes = menu.addMenu("Output &size")
        group = QActionGroup(self)
        self.size_actions = {}
        for size in SIZES:
            item = action(sizes, f"{size} × {size}", partial(self.set_output_size, size))
            item.setCheckable(True)
            group.addAction(item)
            self.size_actions[size] = item

    @property
    def settings(self) -> Settings:
        return self.window.settings

    def _say(self, message: str, ms: int) -> None:
        self.window.statusBar().showMessage(message, ms)

    def restore(self) -> None:
        """What the settings remember: the output size, the browser source and the virtual camera."""
        s = self.settings
        self.set_output_size(s.output_size)
        self.set_browser_source(s.browser_source)
        self.set_virtual_camera(s.virtual_camera)

    def close(self) -> None:
        self.set_recording(False)
        for output in (self.browser, self.virtual_camera):
            if output is not None:
                output.stop()

    def set_browser_source(self, on: bool) -> None:
        """Serve (or stop serving) the character for OBS; a port in use is said and the switch goes off."""
        problem = self._switch(
            "browser", on, lambda: BrowserSource(self.latest, port=self.settings.browser_port),
            lambda browser: f"Browser source on: {browser.url} (in OBS: Sources ▸ Browser, width and height "
                            f"{self.settings.output_size})",
            lambda e: f"Browser source off: {e}; set another \"browser_port\" in {Settings.path()}")
        on = self.settings.browser_source = self.browser is not None
        self.browser_action.setChecked(on)
        self.copy_url_action.setEnabled(on)
        self.browser_action.setText(f"&Browser source for OBS ({self.browser.url})" if on else
                                    "&Browser source for OBS")
        self.browser_action.setToolTip(problem or "Serve the character with its transparency at a local web "
                                                  "address: in OBS, Sources ▸ Browser, that URL")

    def _switch(self, name: str, on: bool, make, said_on, said_off) -> str | None:
        """Stop the output in attribute `name`, then, when `on`, start `make()` there and say `said_on(output)`;
        a start that fails leaves it off and says `said_off(error)`, which it returns."""
        running = getattr(self, name)
        if running is not None:
            running.stop()
            setattr(self, name, None)
        if not on:
            return None
        try:
            setattr(self, name, make().start())
        except PuppeteerError as e:
            problem = said_off(e)
            self._say(problem, 20000)
            return problem
        self._say(said_on(getattr(self, name)), 15000)
        return None

    def _browser_source_toggled(self) -> None:
        self.set_browser_source(self.browser_action.isChecked())

    def copy_browser_url(self) -> None:
        if self.browser is not None:
            QGuiApplication.clipboard().setText(self.browser.url)
            self._say(f"Copied {self.browser.url}", 5000)

    def set_virtual_camera(self, on: bool) -> None:
        """Send the shown character to a virtual camera, over the chosen background (green when transparent)."""
        problem = self._switch(
            "virtual_camera", on, lambda: VirtualCamera(self.latest, self.settings.output_size,
                                                        background=parse_background(self.window.background.spec())),
            lambda camera: f"Virtual camera on: {camera.name}; choose it as the camera in your video call",
            lambda e: f"Virtual camera off: {e}")
        on = self.settings.virtual_camera = self.virtual_camera is not None
        self.camera_action.setChecked(on)
        self.camera_action.setToolTip(problem or "Send the character to a virtual camera (virtual cameras carry "
                                                 "no transparency: it comes over the chosen background)")

    def toggle_recording(self) -> None:
        self.set_recording(self.recorder is None)

    def set_recording(self, on: bool) -> None:
        """Start a new numbered take in the recordings folder, or end the current one."""
        if on and self.recorder is None:
            spec = self.window.background.spec()
            background = parse_background(spec) or parse_background("green")
            try:
                self.recorder = Recorder(self.latest, self.settings.recordings, self.settings.recording_kind,
                                         size=self.settings.output_size, background=background,
                                         on_error=self._recording_failed.emit).start()
            except PuppeteerError as e:
                self.window.show_error("Not recording",
                                       f"{e}\n\nChoose another folder with Output ▸ Recordings folder…")
            else:
                note = " (MP4 has no transparency: over green; WebM keeps it)" if (
                    self.settings.recording_kind == "mp4" and parse_background(spec) is None) else ""
                self._say(f"Recording {self.recorder.path}{note}", 0)
        elif not on and self.recorder is not None:
            recorder, self.recorder = self.recorder, None
            recorder.stop()
            self._say(f"Recorded {recorder.written} frames: {recorder.path} and "
                      f"{recorder.stem.with_suffix('.csv').name}", 15000)
        self.record_button.setChecked(self.recorder is not None)
        self.record_button.setText("Stop recording" if self.recorder is not None else "Record")

    def _show_recording_failure(self, message: str) -> None:
        """The recorder's thread hit an error and ended: say so; the take is kept."""
        if self.recorder is not None:
            self.recorder = None
            self.set_recording(False)  # the button goes back
            self.window.show_error("Recording stopped", f"{message}\n\nWhat was recorded until then is kept.")

    def set_recording_kind(self, kind: str) -> None:
        self.settings.recording_kind = kind

    def choose_recordings_folder(self) -> None:
        folder = self.window.ask_folder("Recordings folder", self.settings.recordings)
        if folder:
            self.settings.recordings = folder
            self._say(f"Recordings go to {folder}", 5000)

    def set_output_size(self, size: int) -> None:
        self.settings.output_size = size
        self.latest.size = size
        self.size_actions[size].setChecked(True)
