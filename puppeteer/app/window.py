"""The puppeteer window: wires the widgets to the render pipeline, the tracking session and the settings.

The UI thread only reacts and paints: characters and models load on `Task` threads, inference runs in the
pipeline's worker, capture and tracking in the `TrackingSession`'s loop. Every dialog goes through one of the
`ask_*`/`show_error` methods, so tests can answer them without a modal loop.
"""
import base64
import sys
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
from PySide6.QtCore import QByteArray, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QColor, QKeySequence
from PySide6.QtWidgets import (QColorDialog, QFileDialog, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QMainWindow,
                               QMessageBox, QPushButton, QVBoxLayout, QWidget)

from ..checkpoints import FILES, load_networks
from ..config import config_dir
from ..distill.teachers import character_sha256
from ..errors import ImageError, PuppeteerError
from ..images import composite, load_character, parse_background, read_image, save_new_numbered_png
from ..paths import DEFAULT_CHARACTER, DEFAULT_CHECKPOINTS
from ..poser import Poser, fast_by_default, resolve_device
from . import frames
from .outputs import Outputs
from .settings import Settings
from .widgets import BackgroundPicker, CameraPreview, CharacterView, FloatSlider, ModeSwitch, PosePanel, \
    add_slider_row
from .voice_panel import VoicePanel
from .workers import RenderBridge, Task, TrackingSession, VoiceSession

TITLE = "Talking Head Puppeteer"
PICTURE_FILTER = "Pictures (*.png *.webp *.jpg *.jpeg);;All files (*)"
VIDEO_FILTER = "Videos (*.mp4 *.avi *.mov *.mkv *.webm);;All files (*)"
CAMERAS = 4  # camera indices offered in the menu (--camera reaches any)


@dataclass
class AppOptions:
    """The command line's choices; None means: what the settings remember, else the bundled default."""

    character: str | None = None
    checkpoints: str | None = None
    camera: int | None = None
    source: str | None = None
    device: str = "auto"
    precision: str = "auto"
    compile: bool = False  # build a torch.compile'd chain in the background (the command line turns it on)


def read_character(path) -> tuple[np.ndarray | None, str, bool]:
    """(character, "", False) or (None, what is wrong, whether `prepare` could fix it: a readable picture that
    is only the wrong size or lacks transparency)."""
    try:
        return load_character(path), "", False
    except ImageError as e:
        try:
            read_image(path)
            return None, str(e), True
        except ImageError:
            return None, str(e), False


def _prepare_dialog():
    """The character-preparation dialog, when that part of the app is installed."""
    try:
        from .prepare_dialog import prepare_interactively
    except ImportError:
        return None
    return prepare_interactively


def describe_model(poser: Poser, character_hash: str | None = None) -> tuple[str, str]:
    """A short label for the status bar and a tooltip with the details; a personal model shown with another
    character than its own says so."""
    description = poser.networks.description
    widths = "/".join(str(w) for w in sorted({s["width"] for s in description.sizes.values()}))
    blocks = "/".join(str(b) for b in sorted({s["bottleneck_blocks"] for s in description.sizes.values()}))
    label = f"Model: {poser.networks.folder.name} (width {widths})"
    details = f"{poser.networks.folder}\nwidth {widths}, {blocks} bottleneck blocks, {description.convention} values"
    personal = description.info.get("personal")
    made_for = personal.get("character", {}) if isinstance(personal, dict) else {}
    if made_for and character_hash and made_for.get("sha256") != character_hash:
        label += " · made for another character"
        details += f"\na personal model made for {made_for.get('name', 'another character')}: it draws that " \
                   "character best"
    elif made_for:
        details += f"\na personal model made for {made_for.get('name', 'this character')}"
    return label, details


class MainWindow(QMainWindow):
    def __init__(self, options: AppOptions | None = None, settings: Settings | None = None):
        super().__init__()
        self.options = options or AppOptions()
        self.settings = settings or Settings.load()
        self.device = resolve_device(self.options.device)
        self.character: np.ndarray | None = None
        self.character_path: Path | None = None
        self.character_sha256: str | None = None  # tells a personal model's own character from others
        self.poser: Poser | None = None
        self.current = None  # the last Rendered frame on screen
        self.session: TrackingSession | None = None
        self.voice: VoiceSession | None = None
        self.mode = "manual"
        self._problems = {}  # "model" / "character" → (title, text) shown over the view
        self._loading = {}  # "model" / "character" → the Task whose result is still wanted
        self._video_end_shown = False
        self._precision_told = None  # the measured precision choice last shown in the status bar
        self.personal = None  # the personal-model dialog, once opened (it may run in the background)

        self.setWindowTitle(TITLE)
        self.setAcceptDrops(True)
        self.bridge = RenderBridge(self)
        self.outputs = Outputs(self, self.bridge.latest)
        self.pipeline = self.bridge.pipeline
        self._build()
        self._build_menus()
        self.bridge.frame.connect(self._show_frame, Qt.ConnectionType.QueuedConnection)
        self.bridge.error.connect(lambda message: self.statusBar().showMessage(message, 10000))
        self.pipeline.start()
        self._stats_timer = QTimer(self, interval=500, timeout=self._update_status)
        self._stats_timer.start()
        self._restore_settings()
        self._show_model_label()
        self._update_status()
        self._start()

    # --- layout ----------------------------------------------------------------------------------------------

    def _build(self) -> None:
        self.view = CharacterView()
        self.mode_switch = ModeSwitch()
        self.mode_switch.chosen.connect(self.choose_mode)
        self.preview = CameraPreview()
        self.neutral_button = QPushButton("Set neutral")
        self.neutral_button.setToolTip("Take your current face as the resting pose (look straight at the camera)")
        self.neutral_button.clicked.connect(self.set_neutral)
        self.pose_panel = PosePanel()
        self.pose_panel.pose_changed.connect(self._manual_pose)
        self.voice_panel = VoicePanel()
        self.voice_panel.source_chosen.connect(self.set_mouth_source)
        self.voice_panel.measure_noise.connect(self._measure_noise)

        look = QGroupBox("Look")
        grid = QGridLayout(look)
        grid.setColumnStretch(1, 1)
        self.brightness = FloatSlider(-0.3, 0.3, signed=True)
        self.brightness.setToolTip("Scales the character's colours by 1 + N before posing (double-click: 0)")
        self.brightness.moved.connect(self.set_brightness)
        add_slider_row(grid, "Brightness", self.brightness)
        self.background = BackgroundPicker()
        self.background.changed.connect(self.set_background)
        self.background.colour_wanted.connect(self._pick_colour)
        grid.addWidget(QLabel("Background"), grid.rowCount(), 0)
        grid.addWidget(self.background, grid.rowCount() - 1, 1, 1, 2)

        open_button = QPushButton("Open character…")
        open_button.clicked.connect(self.open_character_dialog)
        snapshot_button = QPushButton("Save snapshot")
        snapshot_button.setObjectName("primary")
        snapshot_button.clicked.connect(self.save_snapshot)
        buttons = QHBoxLayout()
        buttons.addWidget(open_button)
        buttons.addWidget(self.outputs.record_button)
        buttons.addWidget(snapshot_button)

        sidebar = QWidget(objectName="sidebar")
        sidebar.setFixedWidth(340)
        column = QVBoxLayout(sidebar)
        column.setContentsMargins(12, 12, 12, 12)
        column.setSpacing(10)
        for widget in (self.mode_switch, self.preview, self.neutral_button, self.pose_panel, self.voice_panel, look):
            column.addWidget(widget)
        column.addStretch(1)
        column.addLayout(buttons)

        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.view, 1)
        row.addWidget(sidebar)
        self.setCentralWidget(central)

        widest = {"tracking": "Tracking 99.9 fps", "render": "Render 99.9 fps", "latency": "Latency 9999 ms",
                  "device": "CUDA · bf16", "model": ""}  # the numbers change, the labels keep their width
        self.status = {key: QLabel() for key in widest}
        for key, label in self.status.items():
            label.setMinimumWidth(label.fontMetrics().horizontalAdvance(widest[key]) + 20)
            self.statusBar().addPermanentWidget(label)
        self.resize(1100, 760)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self._action(file_menu, "&Open character…", self.open_character_dialog, QKeySequence.StandardKey.Open)
        self._action(file_menu, "Open &video…", partial(self.choose_mode, "video"))
        self._action(file_menu, "&Save snapshot", self.save_snapshot, QKeySequence.StandardKey.Save)
        self._action(file_menu, "Snapshots &folder…", self.choose_snapshots_folder)
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", self.close, QKeySequence.StandardKey.Quit)
        model_menu = self.menuBar().addMenu("&Model")
        self._action(model_menu, "Open &checkpoint folder…", self.open_checkpoints_dialog)
        self._action(model_menu, "Make a &personal model for this character…", self.open_personal_dialog)
        self.fast_action = self._action(model_menu, "&Fast rendering (skip the combiner)", self._fast_toggled)
        self.fast_action.setCheckable(True)
        self.fast_action.setChecked(self.fast)
        self.fast_action.setToolTip("Show the rotator's picture without the combiner's retouch: about 2.5× the "
                                    "frame rate on a CPU, slightly rougher outlines on turned heads")
        output_menu = self.menuBar().addMenu("&Output")
        self.outputs.build_menu(output_menu)
        tracking_menu = self.menuBar().addMenu("&Tracking")
        self._action(tracking_menu, "Set &neutral", self.set_neutral)
        cameras = tracking_menu.addMenu("&Camera")
        group = QActionGroup(self)
        self.camera_actions = []
        for index in range(CAMERAS):
            action = self._action(cameras, f"Camera {index}", partial(self.choose_camera, index))
            action.setCheckable(True)
            group.addAction(action)
            self.camera_actions.append(action)
        self.microphone_menu = tracking_menu.addMenu("&Microphone")
        self.microphone_menu.aboutToShow.connect(self._list_microphones)
        self._list_microphones()

    def _list_microphones(self) -> None:
        """The input devices as they are now (one may have been plugged in since the menu last opened)."""
        from ..audio.live import input_devices

        self.microphone_menu.clear()
        group = QActionGroup(self.microphone_menu)
        names = [None] + [name for _, name in input_devices()]
        for name in names:
            action = self._action(self.microphone_menu, name or "Default microphone",
                                  partial(self.choose_microphone, name))
            action.setCheckable(True)
            action.setChecked(name == self.settings.microphone)
            group.addAction(action)
        if len(names) == 1:
            self.microphone_menu.addAction("(no microphone found)").setEnabled(False)

    def _action(self, menu, text, slot, shortcut=None) -> QAction:
        action = menu.addAction(text)
        action.triggered.connect(lambda _checked=False: slot())
        if shortcut is not None:
            action.setShortcut(shortcut)
        return action

    # --- dialogs (tests replace these) -----------------------------------------------------------------------

    def show_error(self, title: str, text: str) -> None:
        QMessageBox.warning(self, title, text)

    def ask(self, title: str, text: str) -> bool:
        return QMessageBox.question(self, title, text) == QMessageBox.StandardButton.Yes

    def ask_open_file(self, title: str, start: str, filter: str) -> str | None:
        return QFileDialog.getOpenFileName(self, title, start, filter)[0] or None

    def ask_folder(self, title: str, start: str) -> str | None:
        return QFileDialog.getExistingDirectory(self, title, start) or None

    def open_microphone(self, name: str | None):
        """The input device to listen to (tests give a sound file instead)."""
        from ..audio.live import Microphone

        return Microphone(name)

    def ask_colour(self, current: str) -> str | None:
        colour = QColorDialog.getColor(QColor(current), self, "Background colour")
        return colour.name() if colour.isValid() else None

    # --- start-up and settings -------------------------------------------------------------------------------

    def _restore_settings(self) -> None:
        s = self.settings
        if s.geometry:
            self.restoreGeometry(QByteArray.fromBase64(s.geometry.encode()))
        self.brightness.set_value(s.brightness)
        self.pipeline.set_brightness(s.brightness)
        try:
            parse_background(s.background)
        except ImageError:
            s.background = "transparent"
        self.background.set_spec(s.background, s.solid_colour)
        self.view.set_background(parse_background(s.background))
        if self.options.camera is not None:
            s.camera = self.options.camera
        if 0 <= s.camera < CAMERAS:
            self.camera_actions[s.camera].setChecked(True)

    def _start(self) -> None:
        o, s = self.options, self.settings
        self.load_model(o.checkpoints or s.checkpoints or DEFAULT_CHECKPOINTS)
        self.load_character(o.character or s.character or DEFAULT_CHARACTER, startup=True)
        if o.source:
            self.set_mode("video", o.source)
        elif o.camera is not None:
            self.set_mode("webcam")
        elif s.mode == "video" and s.video and Path(s.video).exists():
            self.set_mode("video", s.video)
        else:
            self.set_mode("webcam" if s.mode == "video" else s.mode)
        self.set_mouth_source(s.mouth)
        self.outputs.restore()

    def save_settings(self) -> None:
        self.settings.geometry = base64.b64encode(bytes(self.saveGeometry())).decode()
        try:
            self.settings.save()
        except (OSError, PuppeteerError) as e:
            print(f"puppeteer: the settings could not be saved: {e}", file=sys.stderr)

    # --- model and character ---------------------------------------------------------------------------------

    def _run(self, key: str, work, on_done, on_failed) -> None:
        """Start a Task whose answer is wanted only if no newer one of the same kind was started (latest wins)."""
        task = Task(work, lambda result: self._finish(key, task, on_done, result),
                    lambda message: self._finish(key, task, on_failed, message), self)
        self._loading[key] = task
        task.start()

    def _finish(self, key, task, handler, value) -> None:
        if self._loading.get(key) is task:
            del self._loading[key]
            handler(value)
        task.deleteLater()

    @property
    def loading(self) -> bool:
        """A character or a model is still on its way."""
        return bool(self._loading)

    def load_model(self, folder) -> None:
        folder = Path(folder)
        self.status["model"].setText(f"Model: loading {folder.name}…")
        device, precision = self.device, self.options.precision
        self._run("model", lambda: Poser(load_networks(folder, "cpu"), device, precision),
                  partial(self._model_loaded, folder), partial(self._model_failed, folder))

    @property
    def fast(self) -> bool:
        """Fast rendering: as the user last chose, else on wherever the full chain is too slow for a face."""
        return fast_by_default(self.device) if self.settings.fast is None else self.settings.fast

    def _fast_toggled(self) -> None:
        self.settings.fast = self.fast_action.isChecked()
        if self.poser is not None:
            self.poser.fast = self.fast
            self.pipeline.set_poser(self.poser)  # re-renders the pose on screen
            self._show_model_label()

    def _model_loaded(self, folder: Path, poser: Poser) -> None:
        poser.fast = self.fast
        self.poser = poser
        # eager renders until the compiled chain is ready; precision auto is measured on the character shown
        poser.optimise_in_background(self.options.compile, character=lambda: self.character)
        self.pipeline.set_poser(poser)
        self._show_model_label()
        self.settings.checkpoints = None if folder.resolve() == DEFAULT_CHECKPOINTS.resolve() else str(folder)
        self._set_problem("model", None)
        self.statusBar().showMessage(f"Model loaded from {folder}", 5000)

    def _model_failed(self, folder: Path, message: str) -> None:
        if self.poser is not None:  # a model already works: keep it
            self.show_error("Cannot use this model", message)
            self._show_model_label()
            return
        missing = not folder.is_dir() or not any((folder / f).exists() for f in FILES.values())
        title = "No model yet" if missing else "The model could not be loaded"
        text = (f"The window needs the three network files {', '.join(FILES.values())} "
                f"in {folder}.\n\nGet a trained checkpoint folder and put it there, or pick one with "
                "Model ▸ Open checkpoint folder…; to train your own, see the README's 'Checkpoints' and "
                f"'Training' sections.\n\n{message}")
        self._set_problem("model", title, text if missing else f"{message}\n\nPick another folder with "
                                                                  "Model ▸ Open checkpoint folder…")
        self.status["model"].setText("Model: none")

    def load_character(self, path, startup: bool = False) -> None:
        path = Path(path)
        self._run("character", lambda: read_character(path), partial(self._character_read, path, startup),
                  partial(self._character_problem, path, startup))

    def _character_read(self, path: Path, startup: bool, outcome) -> None:
        rgba, message, fixable = outcome
        if rgba is not None:
            self.set_character(rgba, path)
            return
        prepare = _prepare_dialog() if fixable else None
        if prepare is not None and self.ask("Prepare this picture?", f"{message}\n\nFit it to the character "
                                                                      "template now?"):
            rgba = prepare(self, str(path))
            if rgba is not None:
                saved = save_new_numbered_png(config_dir() / "characters", rgba, stem=path.stem)
                self.set_character(rgba, saved)
                self.statusBar().showMessage(f"Prepared character saved as {saved}", 10000)
                return
        self._character_problem(path, startup, message)

    def _character_problem(self, path: Path, startup: bool, message: str) -> None:
        if startup and self.character is None:
            if path.resolve() != DEFAULT_CHARACTER.resolve() and DEFAULT_CHARACTER.exists():
                self.statusBar().showMessage(f"{message} (using the bundled character)", 15000)
                self.load_character(DEFAULT_CHARACTER, startup=True)
                return
            self._set_problem("character", "No character yet",
                              f"{message}\n\nOpen a 256×256 RGBA PNG with File ▸ Open character… (Ctrl+O), "
                              "or drop one onto this window.")
            return
        self.show_error("Cannot open this character", message)

    def set_character(self, rgba: np.ndarray, path: Path) -> None:
        self.character, self.character_path = rgba, path
        self.character_sha256 = character_sha256(rgba)
        self.pipeline.set_character(rgba)
        if self.poser is None:
            self.view.set_picture(frames.to_qimage(rgba))
        self.settings.character = None if path.resolve() == DEFAULT_CHARACTER.resolve() else str(path)
        self.setWindowTitle(f"{path.name} — {TITLE}")
        self._set_problem("character", None)

    def _set_problem(self, key: str, title: str | None, text: str = "") -> None:
        """What stops the character from moving, said over the view (model first); None clears it."""
        if title is None:
            self._problems.pop(key, None)
        else:
            self._problems[key] = (title, text)
        shown = [self._problems[k] for k in ("model", "character") if k in self._problems]
        self.view.set_message(shown[0][0] if shown else None, "\n\n".join(text for _, text in shown))

    def open_character_dialog(self) -> None:
        start = str(self.character_path.parent) if self.character_path else str(Path.home())
        path = self.ask_open_file("Open character", start, PICTURE_FILTER)
        if path:
            self.load_character(path)

    def open_checkpoints_dialog(self) -> None:
        folder = self.ask_folder("Open checkpoint folder", str(self.poser.networks.folder if self.poser
                                                               else DEFAULT_CHECKPOINTS))
        if folder:
            self.load_model(folder)

    # --- mode, tracking and the pose -------------------------------------------------------------------------

    def open_personal_dialog(self) -> None:
        from .personal import PersonalModelDialog

        if self.character_path is None:
            self.show_error("No character", "Open the character to make a model for first.")
            return
        if self.personal is None or (self.personal.character != self.character_path and not self.personal.running):
            self.personal = PersonalModelDialog(self, self.character_path)
        self.personal.show()
        self.personal.raise_()

    def choose_mode(self, mode: str) -> None:
        """The user's pick in the mode switch or the menu; Video file asks which file each time."""
        if mode == "video":
            start = self.settings.video or str(Path.home())
            spec = self.ask_open_file("Drive the character from a video", start, VIDEO_FILTER)
            if not spec:
                self.mode_switch.set_mode(self.mode)
                return
            self.set_mode("video", spec)
        else:
            self.set_mode(mode)

    def choose_camera(self, index: int) -> None:
        self.settings.camera = index
        self.set_mode("webcam")

    def set_mode(self, mode: str, video: str | None = None, remember: bool = True) -> None:
        """Switch to `mode`; `remember` makes it the mode the next run starts in (not so for a fallback)."""
        self._stop_session()
        self.mode = mode
        if remember:
            self.settings.mode = mode
        self.mode_switch.set_mode(mode)
        self.pose_panel.set_editable(mode == "manual")
        self.neutral_button.setEnabled(mode != "manual")
        if mode == "manual":
            self.preview.show_message("Manual mode: drag the pose sliders.")
            self.pipeline.submit(self.pose_panel.pose())
            return
        if mode == "webcam":
            spec, what = self.settings.camera, f"camera {self.settings.camera}"
        else:
            spec, what = video, Path(video).name
            self.settings.video = video
        self.preview.show_message(f"Opening {what}…")
        self._video_end_shown = False
        self.session = TrackingSession(spec, self.pipeline, parent=self)
        self.session.opened.connect(partial(self._session_opened, self.session, what),
                                    Qt.ConnectionType.QueuedConnection)
        self.session.failed.connect(partial(self._session_failed, self.session, what),
                                    Qt.ConnectionType.QueuedConnection)
        self.session.tracked.connect(partial(self._tracked, self.session), Qt.ConnectionType.QueuedConnection)
        self.session.start()

    def _session_opened(self, session, what: str) -> None:
        if session is self.session:
            self.statusBar().showMessage(f"Tracking {what}", 5000)

    def _session_failed(self, session, what: str, message: str) -> None:
        if session is not self.session:
            return
        self.set_mode("manual", remember=False)
        self.preview.show_message(f"Could not open {what}:\n{message}\n\nManual mode: drag the pose sliders.")
        self.statusBar().showMessage(f"Could not open {what}: {message}", 15000)

    def _tracked(self, session, result, picture) -> None:
        if session is not self.session:
            return
        self.preview.show_frame(picture, result.face_found)
        self.pose_panel.set_pose(result.pose)

    def _stop_session(self) -> None:
        if self.session is not None:
            session, self.session = self.session, None
            session.stop()
            session.deleteLater()

    def _manual_pose(self, pose) -> None:
        if self.mode == "manual":
            self.pipeline.submit(pose)

    # --- voice ---------------------------------------------------------------------------------------------------

    def set_mouth_source(self, source: str, remember: bool = True) -> None:
        """camera, voice or both; a voice needs the microphone, which opens (or closes) here."""
        if remember:
            self.settings.mouth = source
        self.voice_panel.set_source(source)
        self.pipeline.set_mouth_source(source)
        if source == "camera":
            self._stop_voice()
            self.voice_panel.set_listening(False)
        elif self.voice is None:
            self._start_voice()

    def choose_microphone(self, name: str | None) -> None:
        self.settings.microphone = name
        if self.voice is not None:
            self._stop_voice()
            self._start_voice()

    def _start_voice(self) -> None:
        try:
            voice = VoiceSession(self.open_microphone(self.settings.microphone), self.pipeline, parent=self)
            voice.start()
        except PuppeteerError as e:
            self._voice_failed(str(e))
            return
        voice.level.connect(self._show_voice_level, Qt.ConnectionType.QueuedConnection)
        voice.lost.connect(partial(self._voice_lost, voice), Qt.ConnectionType.QueuedConnection)
        self.voice = voice
        self.voice_panel.set_listening(True, f"Listening to {voice.name}; measuring the room's noise: "
                                             "keep quiet for a second")
        QTimer.singleShot(1500, partial(self._noise_measured, voice))

    def _show_voice_level(self, level: float, gate: float, mouth: float) -> None:
        if self.voice is not None:  # a level still on its way when the microphone was closed is not shown
            self.voice_panel.meter.show_level(level, gate, mouth > 0)

    def _noise_measured(self, voice) -> None:
        if voice is self.voice:
            self.voice_panel.set_listening(True, f"Listening to {voice.name}")

    def _voice_failed(self, message: str) -> None:
        self.set_mouth_source("camera", remember=False)
        self.voice_panel.set_listening(False, f"{message}. The mouth follows the camera.")
        self.statusBar().showMessage(f"Voice off: {message}", 15000)

    def _voice_lost(self, voice, message: str) -> None:
        if voice is self.voice:
            self._voice_failed(message)

    def _measure_noise(self) -> None:
        if self.voice is not None:
            self.voice.measure_noise()
            self.voice_panel.set_listening(True, "Measuring the room's noise: keep quiet for a second")
            QTimer.singleShot(1500, partial(self._noise_measured, self.voice))

    def _stop_voice(self) -> None:
        if self.voice is not None:
            voice, self.voice = self.voice, None
            voice.stop()
            voice.deleteLater()

    def set_neutral(self) -> None:
        if self.voice is not None:
            self._measure_noise()
        if self.session is None:
            self.statusBar().showMessage("Set neutral needs the webcam or a video: nothing is tracked now", 5000)
            return
        try:
            self.session.set_neutral()
        except PuppeteerError as e:
            self.statusBar().showMessage(f"Neutral not set: {e}", 10000)
            return
        self.statusBar().showMessage("Neutral pose set: your current face is now the resting pose", 5000)

    # --- look and output -------------------------------------------------------------------------------------

    def set_brightness(self, amount: float) -> None:
        self.settings.brightness = amount
        self.pipeline.set_brightness(amount)

    def set_background(self, spec: str) -> None:
        self.settings.background = spec
        self.settings.solid_colour = self.background.solid_colour
        self.view.set_background(parse_background(spec))

    def _pick_colour(self) -> None:
        colour = self.ask_colour(self.background.solid_colour)
        if colour:
            self.background.set_solid_colour(colour)

    def _show_frame(self, rendered, picture) -> None:
        if not self.isVisible():  # a frame that was on its way when the window closed
            return
        self.current = rendered
        self.view.set_picture(picture)

    def snapshot_picture(self) -> np.ndarray | None:
        """The result on screen as a 256×256 RGBA picture over the chosen background."""
        if self.current is None:
            return None
        return composite(self.current.image, parse_background(self.background.spec()))

    def save_snapshot(self) -> Path | None:
        picture = self.snapshot_picture()
        if picture is None:
            self.statusBar().showMessage("Nothing to save yet: the character has not been rendered", 5000)
            return None
        try:
            path = save_new_numbered_png(self.settings.snapshots, picture)
        except (OSError, PuppeteerError) as e:
            self.show_error("Snapshot not saved", f"{self.settings.snapshots}: {e}\n\nChoose another folder "
                                                  "with File ▸ Snapshots folder…")
            return None
        self.statusBar().showMessage(f"Snapshot saved: {path}", 15000)
        return path

    def choose_snapshots_folder(self) -> None:
        folder = self.ask_folder("Snapshots folder", self.settings.snapshots)
        if folder:
            self.settings.snapshots = folder
            self.statusBar().showMessage(f"Snapshots go to {folder}", 5000)

    # --- status bar ------------------------------------------------------------------------------------------

    def _update_status(self) -> None:
        stats = self.pipeline.stats()
        session = self.session
        self.status["tracking"].setText(f"Tracking {session.tracking_fps:.1f} fps" if session else "Tracking off")
        self.status["render"].setText(f"Render {stats.render_fps:.1f} fps" if stats.render_fps else "Render idle")
        self.status["latency"].setText(f"Latency {stats.latency_ms:.0f} ms" if stats.latency_ms else "Latency —")
        self._show_model_label()
        if session is not None and session.finished and not self._video_end_shown:
            self._video_end_shown = True
            self.statusBar().showMessage(session.error or "End of the video: choose Video file to play one "
                                                          "again", 0)

    def _show_model_label(self) -> None:
        if self.poser is None:
            self.status["device"].setText(self.device.type.upper())
            return
        compiled = " · compiled" if self.poser.compiled else ""
        fast = " · fast" if self.poser.fast else ""
        choice = self.poser.choice()
        self.status["device"].setText(f"{self.poser.device.type.upper()} · {choice.precision}{compiled}{fast}")
        self.status["device"].setToolTip(f"Precision {choice.precision}, {choice.reason}")
        if choice.reason != self._precision_told and choice.measured and choice.reason.startswith("measured"):
            self._precision_told = choice.reason  # a measurement just settled it: say so once
            self.statusBar().showMessage(f"Precision {choice.precision}, {choice.reason}", 15000)
        text, details = describe_model(self.poser, self.character_sha256)
        self.status["model"].setText(text)
        self.status["model"].setToolTip(details)

    # --- drag and drop, closing ------------------------------------------------------------------------------

    def dragEnterEvent(self, event) -> None:
        urls = event.mimeData().urls()
        if urls and urls[0].isLocalFile():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        self.load_character(event.mimeData().urls()[0].toLocalFile())
        event.acceptProposedAction()

    def closeEvent(self, event) -> None:
        """Stop every thread (releasing the camera) within a second, then remember the settings."""
        self._stats_timer.stop()
        self._stop_session()
        self._stop_voice()
        self.outputs.close()
        if self.personal is not None:
            self.personal.stop()  # its renders and checkpoints stay: Resume continues it
        self.pipeline.stop(timeout=0.3)
        self.save_settings()
        event.accept()
