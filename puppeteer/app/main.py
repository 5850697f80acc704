"""Opening the window: one QApplication, the dark style, Ctrl+C in the terminal closes the window cleanly."""
import signal
import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from . import style
from .window import AppOptions, MainWindow


def run(options: AppOptions) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Talking Head Puppeteer")
    style.apply(app)
    window = MainWindow(options)
    window.show()
    signal.signal(signal.SIGINT, lambda *_: window.close())
    wake = QTimer(interval=200, timeout=lambda: None)  # lets Python see Ctrl+C while Qt's loop runs
    wake.start()
    return app.exec()

