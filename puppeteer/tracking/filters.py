"""Smoothing: the One Euro filter (Casiez, Roussel and Vogel, CHI 2012), one per pose value.

A low-pass filter whose cutoff rises with the signal's speed: min_cutoff (Hz) sets how much a still head
jitters, beta how quickly the cutoff opens when it moves (less lag), d_cutoff (Hz) smooths the speed estimate.
The defaults keep a still head steady, yet let a blink (0 → 1 in one frame) through in one or two frames."""
import math
from dataclasses import dataclass, field

from ..errors import TrackingError
from ..pose import NAMES, Pose


@dataclass(frozen=True)
class OneEuroSettings:
    min_cutoff: float = 1.0
    beta: float = 0.0
    d_cutoff: float = 1.0

    def __post_init__(self):
        if not (self.min_cutoff > 0 and self.d_cutoff > 0 and self.beta >= 0):
            raise TrackingError(f"smoothing needs min_cutoff > 0, d_cutoff > 0 and beta >= 0 (got {self})")


OFF = OneEuroSettings(min_cutoff=math.inf)  # passes values through unchanged


@dataclass(frozen=True)
class Smoothing:
    """Per-group settings; values are in pose units (head ±1 = ±15°, eyes and mouth 0..1) per second."""

    head: OneEuroSettings = field(default_factory=lambda: OneEuroSettings(min_cutoff=1.0, beta=1.5))
    eyes: OneEuroSettings = field(default_factory=lambda: OneEuroSettings(min_cutoff=4.0, beta=3.0))
    mouth: OneEuroSettings = field(default_factory=lambda: OneEuroSettings(min_cutoff=3.0, beta=2.0))

    @classmethod
    def uniform(cls, settings: OneEuroSettings) -> "Smoothing":
        return cls(settings, settings, settings)

    def for_value(self, name: str) -> OneEuroSettings:
        return {"left_eye": self.eyes, "right_eye": self.eyes, "mouth": self.mouth}.get(name, self.head)


def _alpha(cutoff: float, dt: float) -> float:
    return 1.0 / (1.0 + 1.0 / (2 * math.pi * cutoff * dt))


class OneEuroFilter:
    def __init__(self, settings: OneEuroSettings = OneEuroSettings()):
        self.settings = settings
        self.reset()

    def reset(self, value: float | None = None, t: float | None = None) -> None:
        """Forget the past; with a value and its time, continue from it (at rest) instead of starting afresh at
        the next input."""
        self._x, self._dx, self._t = (value, 0.0, t) if value is not None and t is not None else (None, 0.0, None)

    def __call__(self, x: float, t: float) -> float:
        s = self.settings
        if self._x is None:
            self._x, self._t = x, t
            return x
        dt = t - self._t
        if dt <= 0:  # the same instant twice: nothing new to smooth over
            return self._x
        dx = (x - self._x) / dt
        self._dx += _alpha(s.d_cutoff, dt) * (dx - self._dx)
        self._x += _alpha(s.min_cutoff + s.beta * abs(self._dx), dt) * (x - self._x)
        self._t = t
        return self._x


class PoseFilter:
    """One One Euro filter per pose value."""

    def __init__(self, smoothing: Smoothing):
        self._filters = {name: OneEuroFilter(smoothing.for_value(name)) for name in NAMES}

    def __call__(self, pose: Pose, t: float) -> Pose:
        return Pose(*(self._filters[name](value, t) for name, value in zip(NAMES, pose.values())))

    def reset(self, pose: Pose | None = None, t: float | None = None) -> None:
        for name, value in zip(NAMES, pose.values() if pose else [None] * len(NAMES)):
            self._filters[name].reset(value, t)
