"""The newest rendered frame, shared between the renderer (which only swaps a reference) and any number of readers
(each waits for a frame newer than the one it has, and gets the newest: nothing queues, a slow reader skips)."""
import io
import threading
import time

import numpy as np
from PIL import Image

from ..pose import Pose
from .size import enlarge


class LatestFrame:
    """`size`: the side of the pictures readers get (the frames are enlarged, off the render thread, to it)."""

    def __init__(self, size: int = 256):
        self.size = size
        self._cond = threading.Condition()
        self._frame: np.ndarray | None = None
        self._pose = Pose()
        self._number = 0  # 0: nothing yet
        self._png: tuple[int, bytes] | None = None  # (number, encoded), made once per frame by its first reader
        self._encoding = threading.Lock()

    def publish(self, rgba: np.ndarray, pose: Pose = Pose()) -> None:
        """On the render thread: O(1), no copy, no encoding (the caller hands over a frame it will not change)."""
        with self._cond:
            self._frame, self._pose = rgba, pose
            self._number += 1
            self._cond.notify_all()

    def newest(self) -> tuple[int, np.ndarray | None, Pose]:
        """(number, frame, the pose it shows) without waiting."""
        with self._cond:
            return self._number, self._frame, self._pose

    @property
    def number(self) -> int:
        return self._number

    def newer(self, after: int, timeout: float) -> tuple[int, np.ndarray | None]:
        """(number, frame) of the newest frame once it is newer than `after` (or the current one on timeout)."""
        with self._cond:
            self._cond.wait_for(lambda: self._number > after, timeout)
            return self._number, self._frame

    def png(self, after: int = -1, timeout: float = 2.0) -> tuple[int, bytes | None]:
        """The newest frame as a 4-channel PNG at `size`, enlarged and encoded on the reader's thread, once per frame
        for all readers."""
        number, frame = self.newer(after, timeout)
        if frame is None:
            return number, None
        with self._encoding:
            if self._png is None or self._png[0] < number:  # (a newer one already encoded is as good)
                buffer = io.BytesIO()  # compress_level 1: half of level 6's time at 512 px, for a 17 % bigger file
                picture = Image.fromarray(np.ascontiguousarray(enlarge(frame, self.size)))
                picture.save(buffer, format="PNG", compress_level=1)
                self._png = (number, buffer.getvalue())
            return self._png


def ticks(frames: LatestFrame, fps: float, stopping: threading.Event):
    """The newest (frame, pose) at a steady `fps` until `stopping` is set, for outputs that need a constant frame
    rate (a recording, a camera): a frame is repeated while the renderer is slower, skipped while it is faster."""
    started, count = time.monotonic(), 0
    while not stopping.is_set():
        count += 1
        _, frame, pose = frames.newest()
        if frame is not None:
            yield frame, pose
        stopping.wait(max(0.0, started + count / fps - time.monotonic()))
