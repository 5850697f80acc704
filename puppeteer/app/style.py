"""A calm dark look (Fusion, so it is the same on Windows, macOS and Linux): the character stays the brightest
thing on screen."""
from PySide6.QtGui import QColor, QPalette

ACCENT = "#4f8cff"

STYLESHEET = f"""
QMainWindow, QWidget#sidebar {{ background: #232428; }}
QGroupBox {{ border: 1px solid #34363b; border-radius: 8px; margin-top: 14px; padding: 10px 8px 6px 8px; }}
QGroupBox::title {{ subcontrol-origin: margin; left: 10px; padding: 0 4px; color: #aeb3ba; font-weight: 600; }}
QPushButton {{ background: #34363c; border: 1px solid #3f4248; border-radius: 6px; padding: 6px 12px; }}
QPushButton:hover {{ background: #3c3f46; }}
QPushButton:pressed {{ background: #2b2d32; }}
QPushButton:disabled {{ color: #6b6f76; background: #2b2d31; }}
QPushButton#primary {{ background: {ACCENT}; border-color: {ACCENT}; color: white; font-weight: 600; }}
QPushButton#primary:hover {{ background: #6399ff; }}
QPushButton#segment {{ border-radius: 0; padding: 6px 0; }}
QPushButton#segment[position="first"] {{ border-top-left-radius: 6px; border-bottom-left-radius: 6px; }}
QPushButton#segment[position="last"] {{ border-top-right-radius: 6px; border-bottom-right-radius: 6px; }}
QPushButton#segment:checked {{ background: {ACCENT}; border-color: {ACCENT}; color: white; font-weight: 600; }}
QSlider::groove:horizontal {{ height: 4px; background: #3a3d43; border-radius: 2px; }}
QSlider::sub-page:horizontal {{ background: {ACCENT}; border-radius: 2px; }}
QSlider::sub-page:horizontal:disabled {{ background: #5f7190; }}
QSlider::handle:horizontal {{ background: #e8eaed; width: 14px; height: 14px; margin: -5px 0; border-radius: 7px; }}
QSlider::handle:horizontal:disabled {{ background: #9aa0a8; }}
QLabel#sliderValue {{ color: #aeb3ba; font-family: monospace; }}
QLabel#hint {{ color: #aeb3ba; }}
QStatusBar {{ background: #1b1c1f; color: #aeb3ba; }}
QStatusBar QLabel {{ color: #aeb3ba; padding: 0 8px; border-left: 1px solid #34363b; }}
QToolButton#swatch {{ border: 1px solid #5a5e66; border-radius: 5px; }}
"""


def apply(app) -> None:
    app.setStyle("Fusion")
    palette = QPalette()
    for role, colour in ((QPalette.ColorRole.Window, "#232428"), (QPalette.ColorRole.WindowText, "#e6e7ea"),
                         (QPalette.ColorRole.Base, "#1b1c1f"), (QPalette.ColorRole.AlternateBase, "#26282c"),
                         (QPalette.ColorRole.Text, "#e6e7ea"), (QPalette.ColorRole.Button, "#34363c"),
                         (QPalette.ColorRole.ButtonText, "#e6e7ea"), (QPalette.ColorRole.Highlight, ACCENT),
                         (QPalette.ColorRole.HighlightedText, "#ffffff"), (QPalette.ColorRole.ToolTipBase, "#1b1c1f"),
                         (QPalette.ColorRole.ToolTipText, "#e6e7ea")):
        palette.setColor(role, QColor(colour))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText, QColor("#6b6f76"))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor("#6b6f76"))
    app.setPalette(palette)
    app.setStyleSheet(STYLESHEET)
