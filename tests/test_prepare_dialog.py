"""The prepare dialog, driven offscreen: nudging by the controls, by dragging and by the wheel; the result;
errors shown in words."""
from pathlib import Path

import numpy as np
from PIL import Image
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QDialog

from puppeteer.app import prepare_dialog
from puppeteer.app.prepare_dialog import PrepareDialog, prepare_interactively
from puppeteer.prepare import check_picture, plan_file

SPRITE = Path(__file__).parent / "data" / "sprites" / "lucy_happy.png"


def test_nudged_framing_is_used_and_accepted(qtbot):
    plan = plan_file(SPRITE)
    dialog = PrepareDialog(plan)
    qtbot.addWidget(dialog)
    dialog.show()
    assert np.array_equal(dialog.character(), plan.render())
    assert dialog.status.text() == "The face sits where THA v1 expects it."

    dialog.size_slider.setValue(110)
    assert dialog.size_box.value() == 110
    qtbot.mousePress(dialog.preview, Qt.MouseButton.LeftButton, pos=QPoint(200, 200))
    qtbot.mouseMove(dialog.preview, QPoint(210, 194))
    qtbot.mouseRelease(dialog.preview, Qt.MouseButton.LeftButton, pos=QPoint(210, 194))
    assert (dialog.right_box.value(), dialog.down_box.value()) == (5, -3)  # preview pixels are 2 template pixels
    wheel = QWheelEvent(QPointF(100, 100), QPointF(100, 100), QPoint(0, 0), QPoint(0, -120), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(dialog.preview, wheel)
    assert dialog.size_box.value() == 105

    expected = plan.framing.nudged(1.05, 5, -3)
    assert dialog.framing() == expected
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted
    character = dialog.character()
    assert character.shape == (256, 256, 4) and character.dtype == np.uint8
    assert np.array_equal(character, plan.render(expected)) and not np.array_equal(character, plan.render())
    assert check_picture(character).passed
    dialog.grab()  # it paints offscreen

    dialog.down_box.setValue(-100)
    assert "does not sit" in dialog.status.text() and "above THA v1's eye line" in dialog.status.text()
    dialog.reset()
    assert dialog.framing() == plan.framing


def test_prepare_interactively_returns_the_character_or_shows_the_error(qtbot, monkeypatch, tmp_path):
    monkeypatch.setattr(PrepareDialog, "exec", lambda self: QDialog.DialogCode.Accepted)
    character = prepare_interactively(None, SPRITE)
    assert character.shape == (256, 256, 4)
    monkeypatch.setattr(PrepareDialog, "exec", lambda self: QDialog.DialogCode.Rejected)
    assert prepare_interactively(None, SPRITE) is None

    shown = []
    monkeypatch.setattr(prepare_dialog.QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n broken")
    assert prepare_interactively(None, broken) is None
    busy = tmp_path / "busy.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (300, 200, 3), dtype=np.uint8)).save(busy)
    assert prepare_interactively(None, busy) is None
    assert len(shown) == 2
    assert "broken.png" in shown[0] and "not a picture" in shown[0]
    assert "busy.png" in shown[1] and "not one plain colour" in shown[1] and "transparent" in shown[1]
