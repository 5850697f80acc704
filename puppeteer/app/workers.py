"""The window's threads, each handing its results to the UI thread through queued Qt signals:

* `Task`: one slow call (loading a character or a model) off the UI thread, so the window never freezes;
* `RenderBridge`: the Qt face of `puppeteer.pipeline.RenderPipeline` (inference on its own thread);
* `TrackingSession`: capture + face tracking on one thread (`TrackingLoop`); each tracked pose goes straight to
  the render pipeline (no detour through the UI thread, which would add latency), the preview to the UI;
* `VoiceSession`: the microphone's voice mouth (`VoiceSource`), straight to the pipeline too, the level to the UI.
"""
import atexit
import threading
import time
import weakref

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QImage

from ..errors import PuppeteerError, TrackingError
from ..output.latest import LatestFrame
from ..pipeline import EXIT_GRACE_S, RenderPipeline
from . import frames

_threads = weakref.WeakSet()  # loading and opening threads, waited for at exit


def _start_thread(target, name: str) -> None:
    thread = threading.Thread(target=target, name=name, daemon=True)
    _threads.add(thread)
    thread.start()


@atexit.register
def _wait_at_exit() -> None:
    """A model still loading (inside PyTorch) or a camera still opening when the window closed would abort the
    interpreter's teardown: let it finish first (nothing is shown any more)."""
    deadline = time.monotonic() + EXIT_GRACE_S
    for thread in list(_threads):
        thread.join(max(0.0, deadline - time.monotonic()))


def _emit(signal, *args) -> None:
    try:
        signal.emit(*args)
    except RuntimeError:  # the window closed meanwhile: nobody is left to tell
        pass


class Task(QObject):
    """Runs `work()` on a daemon thread; `done(result)` or `failed(message)` arrive on the UI thread."""

    done = Signal(object)
    failed = Signal(str)

    def __init__(self, work, on_done, on_failed, parent=None):
        super().__init__(parent)
        self.work = work
        self.done.connect(on_done, Qt.ConnectionType.QueuedConnection)
        self.failed.connect(on_failed, Qt.ConnectionType.QueuedConnection)

    def start(self) -> "Task":
        _start_thread(self._run, "task")
        return self

    def _run(self) -> None:
        try:
            result = self.work()
        except Exception as e:  # an unexpected failure is still reported in words, not as a traceback
            _emit(self.failed, _in_words(e))
        else:
            _emit(self.done, result)


class RenderBridge(QObject):
    """Owns the render pipeline; `frame(Rendered, QImage)` and `error(message)` arrive on the UI thread."""

    frame = Signal(object, QImage)
    error = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.pipeline = RenderPipeline(self._deliver, lambda message: _emit(self.error, message))
        self.latest = LatestFrame()  # for the outputs beyond the window (the browser source)

    def _deliver(self, rendered) -> None:
        self.latest.publish(rendered.image, rendered.pose)
        _emit(self.frame, rendered, frames.to_qimage(rendered.image))


class TrackingSession(QObject):
    """A camera, video file or picture folder driving the pipeline through the face tracker.

    Opening the source and the tracker can take seconds (a camera warming up), so it happens on a thread too;
    `opened()` or `failed(message)` tell the outcome. `stop()` may come at any time, even while opening."""

    opened = Signal()
    failed = Signal(str)
    tracked = Signal(object, QImage)  # TrackResult, the preview with its landmarks

    def __init__(self, spec, pipeline: RenderPipeline, mirror: bool = True, parent=None):
        super().__init__(parent)
        self.spec = spec
        self.pipeline = pipeline
        self.mirror = mirror
        self._lock = threading.Lock()
        self._stopped = False
        self._running = False  # the loop runs, and stop() must end it
        self._tracker = self._loop = None

    def start(self) -> "TrackingSession":
        _start_thread(self._open, "tracking-open")
        return self

    def _open(self) -> None:
        try:
            from ..tracking.loop import TrackingLoop
            from ..tracking.sources import open_source
            from ..tracking.tracker import FaceTracker

            source = open_source(self.spec, realtime=True)
            tracker = FaceTracker(mirror=self.mirror)
        except Exception as e:
            _emit(self.failed, _in_words(e))
            return
        loop = TrackingLoop(source, tracker, self._on_result)
        self._tracker, self._loop = tracker, loop
        try:
            loop.start()  # opens the camera or the file
        except Exception as e:
            tracker.close()
            _emit(self.failed, _in_words(e))
            return
        with self._lock:
            self._running = not self._stopped
        if not self._running:  # stopped while the camera was opening: this thread cleans up
            loop.stop()
            tracker.close()
            return
        _emit(self.opened)

    def _capture_time(self, frame) -> float:
        """When `frame` was captured, on the pipeline's clock (sources stamp frames with time.monotonic())."""
        return self.pipeline.clock() - max(0.0, time.monotonic() - frame.captured_at)

    def _on_result(self, frame, result) -> None:
        """On the tracking thread: the pose to the renderer at once (held or easing to neutral when the face is
        lost), then the preview to the UI."""
        self.pipeline.submit(result.pose, self._capture_time(frame))
        _emit(self.tracked, result, frames.preview(frame.image, result, self.mirror))

    def set_neutral(self) -> None:
        """Raises TrackingError (in words) when nothing is tracked yet or the latest frame has no face."""
        if not self._running:
            raise TrackingError("tracking has not started yet; wait for the picture to appear")
        self._tracker.set_neutral()

    @property
    def tracking_fps(self) -> float:
        return self._loop.tracking_fps if self._loop is not None else 0.0

    @property
    def finished(self) -> bool:
        return self._loop is not None and self._loop.done.is_set()

    @property
    def error(self) -> str | None:
        """Why tracking stopped or stalls (a camera that stopped delivering, a failed tracker), if it did."""
        if self._loop is None:
            return None
        return self._loop.source.error or (_in_words(self._loop.exception) if self._loop.exception else None)

    def stop(self, timeout: float = 0.6) -> None:
        """Stop tracking and release the camera; returns within about `timeout` + the source's own stop."""
        with self._lock:
            self._stopped = True
            running = self._running
        if running:
            self._loop.stop(timeout=timeout)
            self._tracker.close()


class VoiceSession(QObject):
    """A microphone driving the pipeline's voice mouth. `level(level, gate, mouth)` reaches the UI about 30 times
    a second for the meter; `lost(message)` once when the microphone fails or goes away (the pipeline is then
    back on the camera's mouth). `start()` raises AudioError in words."""

    level = Signal(float, float, float)
    lost = Signal(str)
    METER_S = 1 / 30

    def __init__(self, device, pipeline: RenderPipeline, parent=None):
        super().__init__(parent)
        from ..audio.live import VoiceSource

        self.pipeline = pipeline
        self.name = device.name
        self._shown = 0.0
        self._source = VoiceSource(device, self._heard, self._lost, clock=pipeline.clock)

    def start(self) -> "VoiceSession":
        self._source.start()
        return self

    def measure_noise(self) -> None:
        self._source.measure_noise()

    def _heard(self, reading, arrived: float) -> None:
        self.pipeline.set_voice(reading.mouth, arrived)
        now = time.monotonic()
        if now - self._shown >= self.METER_S:
            self._shown = now
            _emit(self.level, reading.level_dbfs, reading.gate_dbfs, reading.mouth)

    def _lost(self, message: str) -> None:
        self.pipeline.set_voice(None)
        _emit(self.lost, message)

    def stop(self) -> None:
        self._source.stop()
        self.pipeline.set_voice(None)


def _in_words(error: Exception) -> str:
    return str(error) if isinstance(error, PuppeteerError) else f"unexpected error: {type(error).__name__}: {error}"
