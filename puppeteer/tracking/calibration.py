"""The user's neutral pose: "set neutral" takes the current head angles as zero and the current eye and mouth
signals as this user's open-eyes and closed-mouth baselines. Saved per estimator (their signals differ) in
config_dir()/calibration.json and reused next time."""
import json
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from ..config import config_dir
from ..errors import TrackingError
from ..files import write_atomically
from .solver import Thresholds

FILE_NAME = "calibration.json"
MARGIN = 0.15  # a baseline moves its threshold this fraction of the way toward the other end, to absorb jitter
MIN_SPAN = 0.5  # after calibration each range keeps at least half of its default width


@dataclass(frozen=True)
class Calibration:
    neutral_deg: tuple[float, float, float] = (0.0, 0.0, 0.0)  # as-seen (up, left, counter-clockwise) angles
    eye_open: tuple[float, float] | None = None  # raw signals of open eyes: picture's left eye, right eye
    mouth_closed: float | None = None  # raw signal of the closed mouth

    def thresholds(self, base: Thresholds) -> tuple[tuple[Thresholds, Thresholds], Thresholds]:
        """Per-eye thresholds (picture's left, right) and the mouth's, with the baselines applied."""
        eyes = (base, base)
        if self.eye_open is not None:
            eyes = tuple(replace(base, **dict(zip(("eye_open", "eye_closed"),
                                                  _rebase(value, base.eye_open, base.eye_closed))))
                         for value in self.eye_open)
        mouth = base
        if self.mouth_closed is not None:
            zero, one = _rebase(self.mouth_closed, base.mouth_closed, base.mouth_open)
            mouth = replace(base, mouth_closed=zero, mouth_open=one)
        return eyes, mouth


def _rebase(baseline: float, zero: float, one: float) -> tuple[float, float]:
    """A range whose zero end sits just past the user's baseline; the far end moves out if it gets too close."""
    new_zero = baseline + MARGIN * (one - baseline)
    span = one - zero
    if (one - new_zero) / span < MIN_SPAN:
        one = new_zero + MIN_SPAN * span
    return new_zero, one


def calibration_path() -> Path:
    return config_dir() / FILE_NAME


def _read_all(path: Path) -> dict:
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text())
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        return data
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise TrackingError(f"{path}: calibration file is damaged ({e}); delete it and set neutral again") from None


def load_calibration(estimator: str) -> Calibration:
    """The saved calibration for `estimator`, or none (identity) if it was never set."""
    path = calibration_path()
    entry = _read_all(path).get(estimator)
    if entry is None:
        return Calibration()
    try:
        return Calibration(neutral_deg=tuple(float(v) for v in entry["neutral_deg"]),
                           eye_open=None if entry.get("eye_open") is None
                           else tuple(float(v) for v in entry["eye_open"]),
                           mouth_closed=None if entry.get("mouth_closed") is None else float(entry["mouth_closed"]))
    except (KeyError, TypeError, ValueError) as e:
        raise TrackingError(f"{path}: calibration for {estimator} is damaged ({e!r}); delete the file and set "
                            "neutral again") from None


def save_calibration(estimator: str, calibration: Calibration) -> Path:
    """Stores `calibration` for `estimator`, keeping the other estimators' entries."""
    path = calibration_path()
    data = _read_all(path)
    data[estimator] = asdict(calibration)
    text = json.dumps(data, indent=2) + "\n"
    return write_atomically(path, lambda tmp: Path(tmp).write_text(text), overwrite=True)
