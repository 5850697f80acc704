"""What the character does when the face is lost: keep the last pose for a moment (a blink of the tracker or a
hand passing by shouldn't make it twitch), then ease to the neutral pose."""
from ..pose import Pose


def blend(a: Pose, b: Pose, k: float) -> Pose:
    return Pose(*(x + (y - x) * k for x, y in zip(a.values(), b.values())))


class FaceLossHold:
    def __init__(self, hold_s: float = 0.5, ease_s: float = 1.0, neutral: Pose = Pose()):
        self.hold_s, self.ease_s, self.neutral = hold_s, ease_s, neutral
        self._last: Pose | None = None
        self._lost_at: float | None = None
        self.shown = neutral  # the pose most recently handed out

    @property
    def lost(self) -> bool:
        return self._lost_at is not None

    def seen(self, pose: Pose) -> Pose:
        self._last, self._lost_at, self.shown = pose, None, pose
        return pose

    def missing(self, t: float) -> Pose:
        """The last pose until `hold_s` after the loss, then a smooth (smoothstep) ease to neutral over `ease_s`."""
        if self._lost_at is None:
            self._lost_at = t
        if self._last is None:
            return self.neutral
        k = min(max((t - self._lost_at - self.hold_s) / max(self.ease_s, 1e-9), 0.0), 1.0)
        self.shown = blend(self._last, self.neutral, k * k * (3 - 2 * k))
        return self.shown
