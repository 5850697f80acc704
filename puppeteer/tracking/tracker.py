"""Face tracking, one frame at a time: landmarks → head angles, eye and mouth signals → calibration → pose
(mirrored by default) → One Euro smoothing, with a hold-then-ease when the face is lost."""
import threading
from dataclasses import dataclass

import numpy as np

from ..errors import TrackingError
from ..pose import Pose
from .calibration import Calibration, load_calibration, save_calibration
from .estimators import make_estimator
from .filters import OneEuroSettings, PoseFilter, Smoothing
from .hold import FaceLossHold
from .solver import Thresholds, as_seen, head_angles, mirrored
from .sources import Frame


@dataclass
class TrackResult:
    pose: Pose  # smoothed; held or easing to neutral while no face is found
    face_found: bool
    landmarks: np.ndarray | None  # N×2 pixel coordinates in the frame (not mirrored); None without a face
    raw_pose: Pose | None = None  # the pose from this frame alone, before smoothing; None without a face


@dataclass(frozen=True)
class _Reading:
    angles: np.ndarray  # as-seen (up, left, counter-clockwise) degrees
    eyes: tuple[float, float]
    mouth: float


class FaceTracker:
    """Turns frames into poses. `mirror` (default on) makes the character copy the user's mirror image: when the
    user closes the eye shown on the left of the mirrored preview, the character closes the eye on the left of
    the screen (its right_eye); turns and tilts follow the preview the same way. `calibration` None loads the
    one saved by set_neutral() for this estimator; pass Calibration() to ignore it. `smoothing` takes a
    Smoothing (head, eyes, mouth) or one OneEuroSettings for all values; filters.OFF turns it off."""

    def __init__(self, estimator: str = "landmarker", mirror: bool = True,
                 smoothing: Smoothing | OneEuroSettings | None = None, thresholds: Thresholds | None = None,
                 calibration: Calibration | None = None, hold_s: float = 0.5, ease_s: float = 1.0):
        self.estimator = estimator
        self.calibration = load_calibration(estimator) if calibration is None else calibration
        self._estimator = make_estimator(estimator)
        self.mirror = mirror
        self.thresholds = thresholds or self._estimator.thresholds
        if isinstance(smoothing, OneEuroSettings):
            smoothing = Smoothing.uniform(smoothing)
        self._filter = PoseFilter(smoothing or Smoothing())
        self._hold = FaceLossHold(hold_s, ease_s)
        self._reading: _Reading | None = None  # the latest frame's, if it had a face
        self._last_t: float | None = None
        self._lock = threading.Lock()

    def process(self, frame: Frame) -> TrackResult:
        measurement = self._estimator.measure(frame.image, frame.timestamp_s)
        t = frame.timestamp_s
        with self._lock:
            if measurement is None:
                self._reading = None
                result = TrackResult(self._hold.missing(t), False, None)
            else:
                self._reading = _Reading(head_angles(measurement.rotation), measurement.eyes, measurement.mouth)
                raw = self._pose(self._reading)
                if self._hold.lost and self._last_t is not None:  # go on from what is shown, not from the past
                    self._filter.reset(self._hold.shown, self._last_t)
                result = TrackResult(self._hold.seen(self._filter(raw, t)), True, measurement.landmarks, raw)
            self._last_t = t
            return result

    def _pose(self, reading: _Reading) -> Pose:
        eye_thresholds, mouth_thresholds = self.calibration.thresholds(self.thresholds)
        pose = as_seen(reading.angles - np.asarray(self.calibration.neutral_deg), reading.eyes, reading.mouth,
                       eye_thresholds, mouth_thresholds)
        return mirrored(pose) if self.mirror else pose

    def set_neutral(self) -> Calibration:
        """The latest frame's head angles become zero, its eyes the open baseline and its mouth the closed one.
        Saved in config_dir()/calibration.json for this estimator and loaded next time."""
        with self._lock:
            if self._reading is None:
                raise TrackingError("no face in the latest frame: look at the camera with eyes open and mouth "
                                    "closed, then set neutral again")
            reading = self._reading
            self.calibration = Calibration(tuple(float(a) for a in reading.angles),
                                           tuple(float(e) for e in reading.eyes), float(reading.mouth))
        save_calibration(self.estimator, self.calibration)
        return self.calibration

    def close(self) -> None:
        self._estimator.close()
