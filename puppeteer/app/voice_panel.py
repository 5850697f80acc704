"""The Voice box: which mouth the character shows (camera, voice, both) and a level meter with the gate line, so
the user sees at once whether the microphone hears them and whether the noise stays under the gate."""
from PySide6.QtCore import QRectF, QSize, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QComboBox, QGridLayout, QGroupBox, QLabel, QPushButton, QSizePolicy, QWidget

MOUTH_CHOICES = (("Camera", "camera"), ("Voice", "voice"), ("Both (wider open)", "both"))
LOW_DBFS, HIGH_DBFS = -70.0, 0.0  # the meter's scale


def _x(dbfs: float, width: float) -> float:
    return width * min(1.0, max(0.0, (dbfs - LOW_DBFS) / (HIGH_DBFS - LOW_DBFS)))


class LevelMeter(QWidget):
    """The voice's level as a bar (green when it opens the mouth), the gate as a white line."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.level = self.gate = None
        self.open = False
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setToolTip("The microphone's level; the white line is the noise gate. Sound past the line opens "
                        "the mouth")

    def sizeHint(self) -> QSize:
        return QSize(200, 14)

    def show_level(self, level: float | None, gate: float | None, open_: bool) -> None:
        self.level, self.gate, self.open = level, gate, open_
        self.update()

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        w, h = self.width(), self.height()
        painter.fillRect(0, 0, w, h, QColor("#0f1012"))
        if self.level is not None:
            painter.fillRect(QRectF(0, 2, _x(self.level, w), h - 4), QColor("#49b66b" if self.open else "#5d6168"))
        if self.gate is not None:
            painter.fillRect(QRectF(_x(self.gate, w) - 1, 0, 2, h), QColor("#f2f3f5"))
        painter.end()


class VoicePanel(QGroupBox):
    """`source_chosen(str)` when the user picks a mouth source; `measure_noise()` when they ask for it."""

    source_chosen = Signal(str)
    measure_noise = Signal()

    def __init__(self, parent=None):
        super().__init__("Voice", parent)
        grid = QGridLayout(self)
        grid.setColumnStretch(1, 1)
        self.choice = QComboBox()
        for text, source in MOUTH_CHOICES:
            self.choice.addItem(text, source)
        self.choice.setToolTip("Which mouth the character shows: the face's, the voice's (a dim room, a hand or a "
                               "microphone in front of the mouth, voice-only streaming), or the wider open")
        self.choice.activated.connect(lambda i: self.source_chosen.emit(self.choice.itemData(i)))
        self.meter = LevelMeter()
        self.noise_button = QPushButton("Measure noise")
        self.noise_button.setToolTip("Keep quiet for a second: the room's noise sets the gate")
        self.noise_button.clicked.connect(self.measure_noise)
        self.status = QLabel()
        self.status.setObjectName("hint")
        self.status.setWordWrap(True)
        grid.addWidget(QLabel("Mouth"), 0, 0)
        grid.addWidget(self.choice, 0, 1, 1, 2)
        grid.addWidget(self.meter, 1, 0, 1, 2)
        grid.addWidget(self.noise_button, 1, 2)
        grid.addWidget(self.status, 2, 0, 1, 3)
        self.set_listening(False)

    def source(self) -> str:
        return self.choice.currentData()

    def set_source(self, source: str) -> None:
        self.choice.setCurrentIndex(max(0, self.choice.findData(source)))

    def set_listening(self, listening: bool, text: str = "") -> None:
        """Whether a microphone is on; `text` says which one, or why none is."""
        self.meter.setEnabled(listening)
        self.noise_button.setEnabled(listening)
        if not listening:
            self.meter.show_level(None, None, False)
        self.status.setText(text)
        self.status.setVisible(bool(text))
