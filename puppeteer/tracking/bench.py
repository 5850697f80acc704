"""How long tracking takes per frame, per estimator and frame size (for `puppeteer bench` and
benchmarks/tracking.py). A still photo of a real face is placed in each frame size and tracked as a video, as a
webcam is, so the numbers are the steady-state cost of FaceTracker.process (landmarks + pose + smoothing)."""
import time

import cv2
import numpy as np

from ..errors import TrackingError
from ..paths import SAMPLE_FACE
from .calibration import Calibration
from .estimators import ESTIMATORS
from .sources import Frame
from .tracker import FaceTracker

SIZES = ((640, 480), (1280, 720))


def sample_face() -> np.ndarray:
    """A real face, RGB: NASA's public-domain portrait of Eileen Collins, shipped in assets/ (see its LICENSE)."""
    image = cv2.imread(str(SAMPLE_FACE))
    if image is None:
        raise TrackingError(f"{SAMPLE_FACE}: the benchmark's sample face is missing or damaged; restore it "
                            "from the repository (git checkout assets)")
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


def letterbox(image: np.ndarray, width: int, height: int) -> np.ndarray:
    """`image` scaled to fit a width×height frame, centred on grey."""
    scale = min(width / image.shape[1], height / image.shape[0])
    w, h = round(image.shape[1] * scale), round(image.shape[0] * scale)
    frame = np.full((height, width, 3), 128, np.uint8)
    x, y = (width - w) // 2, (height - h) // 2
    frame[y:y + h, x:x + w] = cv2.resize(image, (w, h), interpolation=cv2.INTER_AREA)
    return frame


def time_tracking(estimators=tuple(ESTIMATORS), sizes=SIZES, frames: int = 60, warmup: int = 10,
                  image: np.ndarray | None = None) -> dict:
    """{estimator: {"WxH": {"ms_per_frame", "fps", "cpu_ms_per_frame", "face_found" (fraction of frames)}}}.
    CPU time (all of this process's threads) tells the cost apart from waiting on a busy machine."""
    face = sample_face() if image is None else image
    results = {}
    for name in estimators:
        results[name] = {}
        for width, height in sizes:
            picture = letterbox(face, width, height)
            tracker = FaceTracker(name, calibration=Calibration())
            try:
                for i in range(warmup):
                    tracker.process(Frame(picture, i, i / 30))
                found, started, cpu_started = 0, time.perf_counter(), time.process_time()
                for i in range(warmup, warmup + frames):
                    found += tracker.process(Frame(picture, i, i / 30)).face_found
                ms = (time.perf_counter() - started) * 1000 / frames
                cpu_ms = (time.process_time() - cpu_started) * 1000 / frames
            finally:
                tracker.close()
            results[name][f"{width}x{height}"] = {"ms_per_frame": round(ms, 2), "fps": round(1000 / ms, 1),
                                                  "cpu_ms_per_frame": round(cpu_ms, 2), "face_found": found / frames}
    return results
