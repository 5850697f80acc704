"""Model ▸ Make a personal model for this character…: `puppeteer distill` in a background process, with its
progress (read from the run's progress.json), Stop and Resume, and the result loaded into the window when done."""
import json
import shlex
import sys
import time
from pathlib import Path

from PySide6.QtCore import QProcess, QTimer
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QProgressBar, QPushButton, QSpinBox, QVBoxLayout)

from ..config import config_dir
from ..distill.run import read_plan, work_folder
from ..errors import PuppeteerError

EXTRA_ARGUMENTS: list[str] = []  # added to the command line (tests: tiny students and a few steps)
STAGE_NAMES = {"morpher": "eyes and mouth", "rotator": "head", "combiner": "retouch"}


def default_output(character: Path) -> Path:
    """A folder of its own per character under the config folder; a number added when taken."""
    base = config_dir() / "personal" / character.stem
    folder, n = base, 2
    while folder.exists() and read_plan(folder) is None and any(folder.iterdir()):
        folder, n = base.with_name(f"{base.name}-{n}"), n + 1
    return folder


def describe_progress(state: dict) -> tuple[int | None, str]:
    """(percent of the run, or None while busy without a measure; a line for the user) from progress.json."""
    stage, kind = state.get("stage"), state.get("state")
    if kind in (None, "starting", "rendering"):
        return None, "The teacher renders the character in many poses…"
    if kind == "scoring":
        return int(100 * state.get("stage_number", 3) / state.get("stages", 3)), "Scoring the model on held-out poses…"
    if kind == "done":
        return 100, f"Done: {state.get('heldout_psnr', 0):.1f} dB against the teacher on held-out poses"
    number, stages = state.get("stage_number", 1), state.get("stages", 3)
    step, steps = state.get("step", 0), max(state.get("steps", 1), 1)
    percent = int(100 * (number - 1 + step / steps) / stages)
    parts = [f"Training {number}/{stages} ({STAGE_NAMES.get(stage, stage)}): step {step:,} of {steps:,}"]
    if state.get("heldout_psnr") is not None:
        parts.append(f"held-out {state['heldout_psnr']:.1f} dB")
    if state.get("eta_s") is not None:
        parts.append(f"about {max(1, round(state['eta_s'] / 60))} min left")
    return percent, " · ".join(parts)


class PersonalModelDialog(QDialog):
    """Choose a teacher and a time budget, then run, stop, resume; `finished_model(folder)` is called on success."""

    def __init__(self, window, character: Path, teacher: str = ""):
        super().__init__(window)
        self.setWindowTitle("Make a personal model")
        self.window, self.character = window, Path(character)
        self.process: QProcess | None = None
        self.output_lines: list[str] = []
        self.started = 0.0  # when the process in view started (older progress files are not its own)
        self.teacher = QLineEdit(teacher, placeholderText="checkpoint folder, e.g. THA v1's weights")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        teacher_row = QHBoxLayout()
        teacher_row.addWidget(self.teacher, 1)
        teacher_row.addWidget(browse)
        self.minutes = QSpinBox(minimum=5, maximum=24 * 60, value=30, suffix=" min")
        self.out = QLineEdit(str(default_output(self.character)))
        form = QFormLayout()
        form.addRow("Character", QLabel(self.character.name))
        form.addRow("Teacher", teacher_row)
        form.addRow("Time", self.minutes)
        form.addRow("Save in", self.out)
        about = QLabel("The teacher (a bigger, slower model) renders this character in many poses; a model as small "
                       "and fast as the bundled one then learns to draw it the same way. It takes the time you give "
                       "it, runs while you keep using the window, and can be stopped and resumed.")
        about.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setRange(0, 100)
        self.status = QLabel("Not started")
        self.status.setWordWrap(True)
        self.start_button, self.stop_button, self.resume_button = (QPushButton(t) for t in ("Start", "Stop", "Resume"))
        self.start_button.clicked.connect(self.start)
        self.stop_button.clicked.connect(self.stop)
        self.resume_button.clicked.connect(self.resume)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        for button in (self.start_button, self.stop_button, self.resume_button):
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        layout = QVBoxLayout(self)
        layout.addWidget(about)
        layout.addLayout(form)
        layout.addWidget(self.bar)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self.out.textChanged.connect(self._update_buttons)
        self._timer = QTimer(self, interval=500, timeout=self._poll)
        self._update_buttons()

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.state() != QProcess.ProcessState.NotRunning

    def _browse(self) -> None:
        folder = self.window.ask_folder("Teacher: a checkpoint folder", self.teacher.text() or str(Path.home()))
        if folder:
            self.teacher.setText(folder)

    def _update_buttons(self) -> None:
        can_resume = read_plan_quietly(Path(self.out.text())) is not None
        self.start_button.setEnabled(not self.running)
        self.resume_button.setEnabled(not self.running and can_resume)
        self.stop_button.setEnabled(self.running)

    def arguments(self, resume: bool) -> list[str]:
        out = ["--out", self.out.text()]
        if resume:
            return ["distill", *out, "--resume"]
        return ["distill", "--teacher", self.teacher.text(), "--character", str(self.character), *out,
                "--minutes", str(self.minutes.value()), *EXTRA_ARGUMENTS]

    def start(self) -> None:
        if not self.teacher.text():
            self.window.show_error("No teacher", "Choose the checkpoint folder of the model to learn from.")
            return
        if read_plan_quietly(Path(self.out.text())) is not None and not self.window.ask(
                "Start again?", f"{self.out.text()} holds a run already. Start it again from the beginning "
                                "(Resume continues it)?"):
            return
        self._launch(self.arguments(False) + (["--overwrite"] if Path(self.out.text()).exists() else []))

    def resume(self) -> None:
        self._launch(self.arguments(True))

    def _launch(self, arguments: list[str]) -> None:
        self.output_lines = []
        self.process = QProcess(self)
        self.process.setProcessChannelMode(QProcess.ProcessChannelMode.SeparateChannels)
        self.process.readyReadStandardError.connect(self._read_errors)
        self.process.finished.connect(self._finished)
        self.process.start(sys.executable, ["-m", "puppeteer", *arguments])
        self.status.setText(f"Starting: puppeteer {shlex.join(arguments)}")
        self.bar.setRange(0, 0)
        self.started = time.time()
        self._timer.start()
        self._update_buttons()

    def _read_errors(self) -> None:
        text = bytes(self.process.readAllStandardError()).decode(errors="replace")
        self.output_lines += [line for line in text.replace("\r", "\n").splitlines() if line.strip()]
        self.output_lines = self.output_lines[-50:]

    def _poll(self) -> None:
        state = read_progress(Path(self.out.text()))
        if state is None or state.get("updated", 0) < self.started - 1:
            return  # not yet written by this run
        percent, text = describe_progress(state)
        if percent is None:
            self.bar.setRange(0, 0)
        else:
            self.bar.setRange(0, 100)
            self.bar.setValue(percent)
        self.status.setText(text)

    def stop(self) -> None:
        """Stop the run; its checkpoints (every 100 steps) and renders stay, so Resume continues it."""
        if self.running:
            self.process.terminate()
            if not self.process.waitForFinished(5000):
                self.process.kill()

    def _finished(self, code: int, status) -> None:
        self._timer.stop()
        self._read_errors()
        self._poll()
        self.process = None
        self._update_buttons()
        if code == 0 and status == QProcess.ExitStatus.NormalExit:
            self.bar.setRange(0, 100)
            self.bar.setValue(100)
            self.window.load_model(self.out.text())
            return
        self.bar.setRange(0, 100)
        errors = [line for line in self.output_lines if "error:" in line]
        if status == QProcess.ExitStatus.CrashExit or code in (-15, 143):
            self.status.setText("Stopped. Resume continues where it stopped.")
        else:
            self.status.setText(errors[-1] if errors else (self.output_lines or ["The run failed."])[-1])


def read_progress(out: Path) -> dict | None:
    try:
        return json.loads((work_folder(out) / "progress.json").read_text())
    except (OSError, ValueError):
        return None


def read_plan_quietly(out: Path) -> dict | None:
    try:
        return read_plan(out)
    except PuppeteerError:  # a damaged plan: Start again (the command says what is wrong)
        return None
