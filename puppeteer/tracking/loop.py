"""Tracking in a thread of its own: take the newest frame, track it, hand the result on, repeat. The capture
thread keeps only the newest frame, so however slow tracking is, it never falls behind the camera."""
import threading
import time
from collections.abc import Callable

from .sources import Frame, FrameSource
from .tracker import FaceTracker, TrackResult

EMA = 0.1  # weight of the newest sample in the running rates


class TrackingLoop:
    """`on_result(frame, result)` runs in the tracking thread; keep it short (hand the result to your own
    thread or queue). start() opens the source, so its errors (no camera, unreadable file) are raised there.
    If tracking fails, the loop ends and the exception is kept in `exception`."""

    def __init__(self, source: FrameSource, tracker: FaceTracker,
                 on_result: Callable[[Frame, TrackResult], None]):
        self.source, self.tracker, self.on_result = source, tracker, on_result
        self.tracking_fps = 0.0  # frames tracked per second (running average)
        self.ms_per_frame = 0.0  # tracking time per frame (running average)
        self.frames = 0
        self.busy_s = 0.0  # total tracking time
        self.exception: Exception | None = None
        self.done = threading.Event()  # set when the loop has ended: source finished, stopped, or failed
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self.source.start()
        self._thread = threading.Thread(target=self._run, name="tracking", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 1.0) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self.source.stop()

    def _run(self) -> None:
        last = None
        try:
            while not self._stopping.is_set():
                frame = self.source.latest(timeout=0.1)
                if frame is None:
                    if self.source.finished:
                        break
                    continue
                started = time.perf_counter()
                result = self.tracker.process(frame)
                now = time.perf_counter()
                self._count(now - started, now - last if last is not None else None)
                last = now
                self.on_result(frame, result)
        except Exception as e:  # a thread's exception would vanish: keep it for the owner to re-raise
            self.exception = e
        finally:
            self.done.set()

    def _count(self, busy_s: float, interval_s: float | None) -> None:
        self.busy_s += busy_s
        self.ms_per_frame = _average(self.ms_per_frame, busy_s * 1000, first=self.frames == 0)
        if interval_s:
            self.tracking_fps = _average(self.tracking_fps, 1.0 / interval_s, first=self.frames == 1)
        self.frames += 1


def _average(old: float, new: float, first: bool) -> float:
    return new if first else old + EMA * (new - old)
