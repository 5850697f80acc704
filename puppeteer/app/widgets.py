"""The window's building blocks: the character view, the camera preview, float sliders, the pose panel, the
background picker and the mode switch. They only paint and report what the user did; the window decides."""
from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QImage, QPainter, QPainterPath, QPixmap
from PySide6.QtWidgets import (QButtonGroup, QComboBox, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton,
                               QSizePolicy, QSlider, QToolButton, QWidget)

from ..pose import NAMES, RANGES, Pose

POSE_LABELS = {"head_x": "Head up / down", "head_y": "Head turn", "neck_z": "Head tilt",
               "left_eye": "Left eye shut", "right_eye": "Right eye shut", "mouth": "Mouth open"}
BACKGROUND_CHOICES = (("Transparent", "transparent"), ("Green screen", "green"), ("Solid colour", "solid"))
PANEL = QColor("#17181b")


def _checkerboard(cell: int = 12) -> QPixmap:
    tile = QPixmap(2 * cell, 2 * cell)
    tile.fill(QColor("#9a9ca1"))
    painter = QPainter(tile)
    for x, y in ((0, 0), (cell, cell)):
        painter.fillRect(x, y, cell, cell, QColor("#c4c6ca"))
    painter.end()
    return tile


def _draw_message(painter: QPainter, area: QRectF, title: str, text: str) -> None:
    """A readable card with a bold title, low in `area` so the character's face stays visible."""
    width = min(area.width() - 32, 460)
    body_font, title_font = QFont(painter.font()), QFont(painter.font())
    title_font.setBold(True)
    title_font.setPointSizeF(body_font.pointSizeF() * 1.25)
    flags = int(Qt.TextFlag.TextWordWrap)
    painter.setFont(title_font)
    title_rect = painter.boundingRect(QRectF(0, 0, width - 40, 1000), flags, title)
    painter.setFont(body_font)
    text_rect = painter.boundingRect(QRectF(0, 0, width - 40, 1000), flags, text)
    height = title_rect.height() + text_rect.height() + 48
    card = QRectF(area.center().x() - width / 2, max(area.top() + 16, area.bottom() - height - 24), width, height)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(18, 19, 22, 235))
    painter.drawRoundedRect(card, 12, 12)
    painter.setPen(QColor("#f2f3f5"))
    painter.setFont(title_font)
    painter.drawText(QRectF(card.left() + 20, card.top() + 18, width - 40, title_rect.height()), flags, title)
    painter.setPen(QColor("#c9ccd1"))
    painter.setFont(body_font)
    painter.drawText(QRectF(card.left() + 20, card.top() + 30 + title_rect.height(), width - 40,
                            text_rect.height()), flags, text)


class CharacterView(QWidget):
    """The posed character, scaled smoothly to the largest square that fits, over the chosen background."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setMinimumSize(300, 300)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._picture: QImage | None = None
        self._background = None
        self._message = None
        self._checker = QBrush(_checkerboard())

    def set_picture(self, picture: QImage | None) -> None:
        self._picture = picture
        self.update()

    def set_background(self, rgb: tuple[int, int, int] | None) -> None:
        self._background = rgb
        self.update()

    def set_message(self, title: str | None, text: str = "") -> None:
        self._message = (title, text) if title else None
        self.update()

    @property
    def message(self) -> tuple[str, str] | None:
        return self._message

    def square(self) -> QRectF:
        side = max(16, min(self.width(), self.height()) - 32)
        return QRectF((self.width() - side) / 2, (self.height() - side) / 2, side, side)

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), PANEL)
        square = self.square()
        clip = QPainterPath()
        clip.addRoundedRect(square, 10, 10)
        painter.setClipPath(clip)
        if self._background is None:
            painter.setBrushOrigin(square.topLeft())
            painter.fillRect(square, self._checker)
        else:
            painter.fillRect(square, QColor(*self._background))
        if self._picture is not None:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(square, self._picture)
        painter.setClipping(False)
        if self._message:
            _draw_message(painter, square, *self._message)
        painter.end()


class CameraPreview(QWidget):
    """The camera (or video) picture as the tracker drew it (landmarks, face found / no face), or a message."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setFixedHeight(210)
        self._picture: QImage | None = None
        self._face: bool | None = None
        self._message = ""

    def show_frame(self, picture: QImage, face_found: bool) -> None:
        self._picture, self._face, self._message = picture, face_found, ""
        self.update()

    def show_message(self, text: str) -> None:
        self._picture, self._face, self._message = None, None, text
        self.update()

    @property
    def face_found(self) -> bool | None:
        return self._face

    @property
    def message(self) -> str:
        return self._message

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        area = QRectF(self.rect())
        clip = QPainterPath()
        clip.addRoundedRect(area, 10, 10)
        painter.setClipPath(clip)
        painter.fillRect(area, QColor("#0d0e10"))
        if self._picture is not None:
            size = self._picture.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRectF((area.width() - size.width()) / 2, (area.height() - size.height()) / 2,
                            size.width(), size.height())
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(target, self._picture)
        elif self._message:
            painter.setPen(QColor("#9ea3aa"))
            painter.drawText(area.adjusted(18, 12, -18, -12),
                             int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap), self._message)
        painter.end()


class FloatSlider(QSlider):
    """A horizontal slider over [low, high] in `step`s, with a value label it keeps current. `moved` fires only for
    the user's changes, never for set_value(); a double-click returns it to its default."""

    moved = Signal(float)

    def __init__(self, low: float, high: float, default: float = 0.0, step: float = 0.001, signed=False):
        super().__init__(Qt.Orientation.Horizontal)
        self.step, self.default, self.signed = step, default, signed
        self.setRange(round(low / step), round(high / step))
        self.label = QLabel()
        self.label.setObjectName("sliderValue")
        self.label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.label.setMinimumWidth(44)
        self.valueChanged.connect(self._user_changed)
        self.set_value(default)

    def value_f(self) -> float:
        return self.value() * self.step

    def set_value(self, value: float) -> None:
        self.blockSignals(True)
        self.setValue(round(value / self.step))
        self.blockSignals(False)
        self._show()

    def _show(self) -> None:
        self.label.setText(f"{self.value_f():+.2f}" if self.signed else f"{self.value_f():.2f}")

    def _user_changed(self) -> None:
        self._show()
        self.moved.emit(self.value_f())

    def mouseDoubleClickEvent(self, event) -> None:
        if self.isEnabled():
            self.setValue(round(self.default / self.step))


def add_slider_row(grid: QGridLayout, text: str, slider: FloatSlider) -> None:
    row = grid.rowCount()
    grid.addWidget(QLabel(text), row, 0)
    grid.addWidget(slider, row, 1)
    grid.addWidget(slider.label, row, 2)


class PosePanel(QGroupBox):
    """The six pose sliders: the user's input in manual mode, a live readout of the tracked face otherwise."""

    pose_changed = Signal(object)

    def __init__(self, parent=None):
        super().__init__("Pose", parent)
        grid = QGridLayout(self)
        grid.setColumnStretch(1, 1)
        grid.setVerticalSpacing(6)
        self.sliders = {}
        for name in NAMES:
            low, high = RANGES[name]
            self.sliders[name] = slider = FloatSlider(low, high, signed=low < 0)
            slider.moved.connect(lambda _value: self.pose_changed.emit(self.pose()))
            add_slider_row(grid, POSE_LABELS[name], slider)
        self.reset_button = QPushButton("Reset pose")
        self.reset_button.clicked.connect(self._reset)
        grid.addWidget(self.reset_button, grid.rowCount(), 0, 1, 3, Qt.AlignmentFlag.AlignRight)

    def pose(self) -> Pose:
        return Pose.from_values(self.sliders[name].value_f() for name in NAMES)

    def set_pose(self, pose: Pose) -> None:
        for name, value in zip(NAMES, pose.values()):
            self.sliders[name].set_value(value)

    def set_editable(self, editable: bool) -> None:
        for slider in self.sliders.values():
            slider.setEnabled(editable)
        self.reset_button.setVisible(editable)
        self.setTitle("Pose" if editable else "Pose (following the face)")

    def _reset(self) -> None:
        self.set_pose(Pose())
        self.pose_changed.emit(self.pose())


class BackgroundPicker(QWidget):
    """Transparent (checkerboard), green screen or a solid colour; the swatch asks for another colour."""

    changed = Signal(str)  # a background spec: transparent, green or #rrggbb
    colour_wanted = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.combo = QComboBox()
        for text, key in BACKGROUND_CHOICES:
            self.combo.addItem(text, key)
        self.swatch = QToolButton()
        self.swatch.setObjectName("swatch")
        self.swatch.setToolTip("Choose the solid colour")
        self.swatch.setFixedSize(QSize(34, 26))
        layout.addWidget(self.combo, 1)
        layout.addWidget(self.swatch)
        self.solid_colour = "#3a6ea5"
        self.combo.currentIndexChanged.connect(lambda _index: self.changed.emit(self.spec()))
        self.swatch.clicked.connect(self.colour_wanted.emit)
        self._paint_swatch()

    def spec(self) -> str:
        key = self.combo.currentData()
        return self.solid_colour if key == "solid" else key

    def set_spec(self, spec: str, solid_colour: str | None = None) -> None:
        """Show `spec` without announcing it (`changed` is for the user's choices)."""
        if solid_colour:
            self.solid_colour = solid_colour
        key = spec if spec in ("transparent", "green") else "solid"
        if key == "solid":
            self.solid_colour = spec
        self.combo.blockSignals(True)
        self.combo.setCurrentIndex(self.combo.findData(key))
        self.combo.blockSignals(False)
        self._paint_swatch()

    def set_solid_colour(self, colour: str) -> None:
        """A colour the user picked: it becomes the background."""
        self.set_spec(colour)
        self.changed.emit(self.spec())

    def _paint_swatch(self) -> None:
        self.swatch.setStyleSheet(f"QToolButton#swatch {{ background: {self.solid_colour}; }}")


class ModeSwitch(QWidget):
    """Segmented buttons: Webcam | Video file | Manual."""

    chosen = Signal(str)
    LABELS = {"webcam": "Webcam", "video": "Video file", "manual": "Manual"}

    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.group = QButtonGroup(self)
        self.buttons = {}
        for i, (mode, text) in enumerate(self.LABELS.items()):
            button = QPushButton(text)
            button.setCheckable(True)
            button.setObjectName("segment")
            button.setProperty("position", ("first", "middle", "last")[i])
            self.group.addButton(button)
            self.buttons[mode] = button
            layout.addWidget(button)
            button.clicked.connect(lambda _checked, m=mode: self.chosen.emit(m))

    def set_mode(self, mode: str) -> None:
        self.buttons[mode].setChecked(True)
