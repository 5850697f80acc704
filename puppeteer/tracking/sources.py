"""Where frames come from: a camera, a video file or a folder of images.

Each source is read by its own capture thread into a one-frame slot. A live source (a camera, or a file played
in real time) overwrites a frame nobody has taken yet and counts it in `dropped`, so a slow consumer always gets
the present instead of a growing backlog. A file read with `realtime=False` instead waits for the consumer, so
every frame is handed out once (what `puppeteer track` wants for a recording)."""
import re
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from ..errors import TrackingError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff")
DEFAULT_FPS = 30.0
CAMERA_RETRY_S = 1.0


@dataclass
class Frame:
    image: np.ndarray  # H×W×3 uint8 RGB, as the camera sees it (not mirrored)
    index: int  # position in the source; gaps mean dropped frames
    timestamp_s: float  # seconds since the source started (file sources: index / fps)
    captured_at: float = field(default_factory=time.monotonic)  # time.monotonic() when it was read (latency)


def _rgb(bgr: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


class FrameSource:
    """The capture thread and the newest-frame slot. Subclasses say how to open, read and close the device:
    `_open()` validates it and returns the first image (raising TrackingError with a message for the user),
    `_read()` returns the next image or None at the end, `_close()` releases it."""

    name = "source"
    fps: float | None = None  # the file's frame rate; None for a camera
    length: int | None = None  # frames in a file, when known (for progress bars)

    def __init__(self, realtime: bool = True):
        self.realtime = realtime
        self.dropped = 0
        self.finished = False
        self.error: str | None = None
        self._slot: Frame | None = None
        self._first: np.ndarray | None = None
        self._cond = threading.Condition()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._t0 = 0.0

    def start(self) -> None:
        if self._thread is not None:
            return
        self._first = self._open()
        self._t0 = time.monotonic()
        self._thread = threading.Thread(target=self._run, name=f"capture {self.name}", daemon=True)
        self._thread.start()

    def latest(self, timeout: float | None = None) -> Frame | None:
        """The newest frame not yet handed out; waits up to `timeout` s for one. None at the end or on timeout."""
        with self._cond:
            self._cond.wait_for(lambda: self._slot is not None or self.finished, timeout)
            frame, self._slot = self._slot, None
            self._cond.notify_all()
            return frame

    def stop(self) -> None:
        """Ends the capture thread; the device is released by the thread as it leaves (within a second)."""
        self._stopping.set()
        with self._cond:
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=1.0)

    def _timestamp(self, index: int) -> float:
        return index / self.fps if self.fps else time.monotonic() - self._t0

    def _run(self) -> None:
        index = 0
        try:
            image = self._first
            while image is not None and not self._stopping.is_set():
                if self.realtime and self.fps:  # a file played live: keep to its frame rate
                    self._stopping.wait(self._t0 + index / self.fps - time.monotonic())
                self._publish(Frame(image, index, self._timestamp(index)))
                index += 1
                image = self._read()
        except TrackingError as e:
            self.error = str(e)
        except Exception as e:  # the thread would die silently: report it like any other read failure
            self.error = f"{self.name}: reading stopped ({type(e).__name__}: {e})"
        finally:
            self._close()
            with self._cond:
                self.finished = True
                self._cond.notify_all()

    def _publish(self, frame: Frame) -> None:
        with self._cond:
            if not self.realtime:
                self._cond.wait_for(lambda: self._slot is None or self._stopping.is_set())
            if self._slot is not None:
                self.dropped += 1
            self._slot = frame
            self._cond.notify_all()

    def _open(self) -> np.ndarray:
        raise NotImplementedError

    def _read(self) -> np.ndarray | None:
        raise NotImplementedError

    def _close(self) -> None:
        pass


class CameraSource(FrameSource):
    """A webcam by OpenCV index. A camera that stops delivering frames is reported in `error` and reopened every
    second until it comes back or the source is stopped. `capture` is the factory for the OpenCV capture object
    (tests pass a fake one)."""

    def __init__(self, index: int, width: int | None = None, height: int | None = None, capture=cv2.VideoCapture):
        super().__init__(realtime=True)
        self.index = index
        self.name = f"camera {index}"
        self._size = (width, height)
        self._capture = capture
        self._cap = None

    def _connect(self):
        level = cv2.getLogLevel()
        cv2.setLogLevel(0)  # our own message says it better
        try:
            cap = self._capture(self.index)
        finally:
            cv2.setLogLevel(level)
        if not cap.isOpened():
            cap.release()
            return None, None
        width, height = self._size
        if width and height:
            cap.set(cv2.CAP_PROP_FRAME_WIDTH, width)
            cap.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # keep the driver from queueing old frames
        ok, bgr = cap.read()
        if not ok:
            cap.release()
            return cap, None
        return cap, bgr

    def _open(self) -> np.ndarray:
        cap, bgr = self._connect()
        if cap is None and sys.platform.startswith("linux") and not Path(f"/dev/video{self.index}").exists():
            raise TrackingError(f"no camera at index {self.index} (there is no /dev/video{self.index}); "
                                "check that it is plugged in, or try another index")
        if cap is None:
            raise TrackingError(f"camera {self.index} could not be opened: it is missing or in use by another "
                                "program; close other apps that use it, or try another index")
        if bgr is None:
            raise TrackingError(f"camera {self.index} opened but gives no picture: it is probably busy in "
                                "another program; close that program and try again")
        self._cap = cap
        return _rgb(bgr)

    def _read(self) -> np.ndarray | None:
        ok, bgr = self._cap.read()
        while not ok:
            self.error = f"camera {self.index} stopped delivering frames; retrying every {CAMERA_RETRY_S:g} s"
            self._cap.release()
            if self._stopping.wait(CAMERA_RETRY_S):
                return None
            cap, bgr = self._connect()
            ok = bgr is not None
            if ok:
                self._cap = cap
        self.error = None
        return _rgb(bgr)

    def _close(self) -> None:
        if self._cap is not None:
            self._cap.release()


class VideoFileSource(FrameSource):
    def __init__(self, path, realtime: bool = True):
        super().__init__(realtime)
        self.path = Path(path)
        self.name = str(self.path)
        self._cap = None

    def _open(self) -> np.ndarray:
        if not self.path.is_file():
            raise TrackingError(f"{self.path}: video file not found")
        self._cap = cv2.VideoCapture(str(self.path))
        ok, bgr = self._cap.read() if self._cap.isOpened() else (False, None)
        if not ok:
            self._cap.release()
            raise TrackingError(f"{self.path}: cannot read this video (not a video, damaged, or a codec OpenCV "
                                "lacks); convert it to .mp4 (H.264) and try again")
        fps = self._cap.get(cv2.CAP_PROP_FPS)
        self.fps = fps if 1 <= fps <= 1000 else DEFAULT_FPS
        count = int(self._cap.get(cv2.CAP_PROP_FRAME_COUNT))
        self.length = count if count > 0 else None
        return _rgb(bgr)

    def _read(self) -> np.ndarray | None:
        ok, bgr = self._cap.read()
        return _rgb(bgr) if ok else None

    def _close(self) -> None:
        if self._cap is not None:
            self._cap.release()


def _natural_key(path: Path):
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", path.name)]


def read_image(path: Path) -> np.ndarray:
    """An RGB image from any path (np.fromfile + imdecode also handles non-ASCII names on Windows)."""
    try:
        data = np.fromfile(path, dtype=np.uint8)
    except OSError as e:
        raise TrackingError(f"{path}: cannot read this image ({e.strerror})") from None
    bgr = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None
    if bgr is None:
        raise TrackingError(f"{path}: cannot read this image (damaged, or not an image)")
    return _rgb(bgr)


class ImageFolderSource(FrameSource):
    """The images of a folder in natural name order (frame2 before frame10), as frames at `fps`."""

    def __init__(self, path, fps: float = DEFAULT_FPS, realtime: bool = True):
        super().__init__(realtime)
        self.path = Path(path)
        self.name = str(self.path)
        self.fps = fps
        self._files: list[Path] = []
        self._next = 1

    def _open(self) -> np.ndarray:
        if not self.path.is_dir():
            raise TrackingError(f"{self.path}: folder not found")
        self._files = sorted((p for p in self.path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES),
                             key=_natural_key)
        if not self._files:
            raise TrackingError(f"{self.path}: no images ({', '.join(IMAGE_SUFFIXES)}) in this folder")
        self.length = len(self._files)
        return read_image(self._files[0])

    def _read(self) -> np.ndarray | None:
        if self._next >= len(self._files):
            return None
        self._next += 1
        return read_image(self._files[self._next - 1])


def open_source(spec: str | int, realtime: bool = True, fps: float = DEFAULT_FPS) -> FrameSource:
    """A camera index (int or digits), a video file or an image folder. Cameras are always live; `realtime`
    says whether a file plays at its own pace (dropping what a slow consumer misses) or hands out every frame.
    `fps` is the frame rate given to an image folder."""
    if isinstance(spec, int) or str(spec).strip().isdigit():
        return CameraSource(int(spec))
    path = Path(spec)
    if path.is_dir():
        return ImageFolderSource(path, fps=fps, realtime=realtime)
    if path.is_file():
        return VideoFileSource(path, realtime=realtime)
    raise TrackingError(f"{path}: no such file or folder (give a camera index such as 0, a video file or a "
                        "folder of images)")
