"""The prepare dialog: shows how a picture will be fitted to the 256×256 template (THA v1's face guide in red, the
character's eyes and mouth in cyan), lets the user correct the size and position, and hands back the character.
The window calls `prepare_interactively` when a picture is not already a valid character; tests drive
`PrepareDialog` directly."""
import numpy as np
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel, QMessageBox,
                               QPushButton, QSlider, QSpinBox, QVBoxLayout)

from ..errors import PuppeteerError
from ..images import SIZE
from ..prepare import Framing, Plan, plan_file
from ..prepare.preview import ZOOM
from ..template import misfit
from .frames import to_qimage

SIZE_RANGE = (20, 500)  # percent of the proposed size
MOVE_RANGE = 256  # template pixels either way
WHEEL_STEP = 5  # percent per wheel notch


class PrepareDialog(QDialog):
    """Modal framing editor for one planned picture; `character()` is the result for the current settings."""

    def __init__(self, plan: Plan, parent=None, title: str = "Prepare character"):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        self.plan = plan
        self._drag_start = None

        self.preview = QLabel()
        self.preview.setFixedSize(SIZE * ZOOM, SIZE * ZOOM)
        self.preview.setCursor(Qt.CursorShape.OpenHandCursor)
        self.preview.installEventFilter(self)

        self.size_box = QSpinBox(suffix=" %", minimum=SIZE_RANGE[0], maximum=SIZE_RANGE[1], value=100,
                                 singleStep=WHEEL_STEP)
        self.size_slider = QSlider(Qt.Orientation.Horizontal, minimum=SIZE_RANGE[0], maximum=SIZE_RANGE[1],
                                   value=100)
        self.right_box = QSpinBox(suffix=" px", minimum=-MOVE_RANGE, maximum=MOVE_RANGE)
        self.down_box = QSpinBox(suffix=" px", minimum=-MOVE_RANGE, maximum=MOVE_RANGE)
        self.size_slider.valueChanged.connect(self.size_box.setValue)
        self.size_box.valueChanged.connect(self.size_slider.setValue)
        for box in (self.size_box, self.right_box, self.down_box):
            box.valueChanged.connect(self._refresh)
        reset = QPushButton("Reset to proposal")
        reset.clicked.connect(self.reset)

        form = QFormLayout()
        form.addRow("Size", self.size_box)
        form.addRow("", self.size_slider)
        form.addRow("Move right", self.right_box)
        form.addRow("Move down", self.down_box)
        form.addRow(reset)
        notes = QLabel("\n".join(n[0].upper() + n[1:] for n in plan.notes) +
                       "\n\nDrag the picture to move it and scroll to resize it. The eyes and mouth (cyan "
                       "crosses) should sit on the red ones, the face looking at you; the hair may go anywhere.")
        notes.setWordWrap(True)
        self.status = QLabel()
        self.status.setWordWrap(True)
        side = QVBoxLayout()
        side.addLayout(form)
        side.addWidget(notes)
        side.addStretch(1)
        side.addWidget(self.status)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Use this character")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        top = QHBoxLayout()
        top.addWidget(self.preview)
        top.addLayout(side, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(buttons)
        self.setMinimumWidth(self.preview.width() + 320)
        self._refresh()

    def framing(self) -> Framing:
        return self.plan.framing.nudged(self.size_box.value() / 100, self.right_box.value(), self.down_box.value())

    def character(self) -> np.ndarray:
        """The 256×256 RGBA character as currently framed."""
        return self.plan.render(self.framing())

    def reset(self) -> None:
        for box, value in ((self.size_box, 100), (self.right_box, 0), (self.down_box, 0)):
            box.setValue(value)

    def _refresh(self) -> None:
        framing = self.framing()
        self.preview.setPixmap(QPixmap.fromImage(to_qimage(self.plan.preview(framing))))
        problems = misfit(framing.map_face(self.plan.head))
        self.status.setText("The face sits where THA v1 expects it." if not problems else
                            "The face does not sit where THA v1 expects it: " + "; ".join(problems) + ".")

    def eventFilter(self, watched, event) -> bool:
        """Dragging on the preview moves the picture; the wheel resizes it."""
        if watched is not self.preview:
            return super().eventFilter(watched, event)
        kind = event.type()
        if kind == QEvent.Type.MouseButtonPress and event.button() == Qt.MouseButton.LeftButton:
            self._drag_start = (event.position(), self.right_box.value(), self.down_box.value())
            return True
        if kind == QEvent.Type.MouseMove and self._drag_start is not None:
            start, right, down = self._drag_start
            moved = (event.position() - start) / ZOOM
            self.right_box.setValue(round(right + moved.x()))
            self.down_box.setValue(round(down + moved.y()))
            return True
        if kind == QEvent.Type.MouseButtonRelease:
            self._drag_start = None
            return True
        if kind == QEvent.Type.Wheel:
            notches = event.angleDelta().y() / 120
            self.size_box.setValue(round(self.size_box.value() + notches * WHEEL_STEP))
            return True
        return super().eventFilter(watched, event)


def prepare_interactively(parent, path) -> np.ndarray | None:
    """Plan the framing of the picture at `path`, let the user adjust it, and return the 256×256 RGBA character
    (None when cancelled or when the picture cannot be used; then the reason has been shown in words)."""
    try:
        plan = plan_file(path)
    except PuppeteerError as e:
        QMessageBox.warning(parent, "Cannot prepare this picture", str(e))
        return None
    dialog = PrepareDialog(plan, parent)
    return dialog.character() if dialog.exec() == QDialog.DialogCode.Accepted else None
