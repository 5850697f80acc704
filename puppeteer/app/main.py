"""Opening the window: one QApplication, the dark style, Ctrl+C in the terminal closes the window cleanly."""
import signal
import sys
import threading
import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from . import style
from .window import AppOptions, MainWindow
from .workers import WORKER_THREADS

NATIVE_WORK_GRACE_S = 15.0


def run(options: AppOptions) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Talking Head Puppeteer")
    style.apply(app)
    window = MainWindow(options)
    window.show()
    signal.signal(signal.SIGINT, lambda *_: window.close())
    wake = QTimer(interval=200, timeout=lambda: None)  # lets Python see Ctrl+C while Qt's loop runs
    wake.start()
    code = app.exec()
    _let_workers_finish()
    return code


def _let_workers_finish() -> None:
    """The window is gone and the camera released, but a render or a model load may still be inside PyTorch:
    tearing the interpreter down under it aborts the process, so wait (unseen) for that call to return."""
    deadline = time.monotonic() + NATIVE_WORK_GRACE_S
    for thread in threading.enumerate():
        if thread.name in WORKER_THREADS:
            thread.join(max(0.0, deadline - time.monotonic()))
