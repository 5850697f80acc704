"""2-D curve helpers for the rig: Bézier curves, ellipses and variable-width strokes, all as N×2 float arrays.
Every shape the rig draws is a polygon built from these, so that it can be lifted into 3-D and posed."""
import numpy as np

_T_CACHE: dict[int, np.ndarray] = {}


def _t(n: int) -> np.ndarray:
    if n not in _T_CACHE:
        t = np.linspace(0.0, 1.0, n)
        _T_CACHE[n] = np.stack([(1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t ** 2, t ** 3], axis=1)
    return _T_CACHE[n]


def bezier(p0, p1, p2, p3, n: int = 12) -> np.ndarray:
    """A cubic Bézier curve through n points, ends included."""
    return _t(n) @ np.array([p0, p1, p2, p3], dtype=np.float64)


def quad(p0, c, p1, n: int = 12) -> np.ndarray:
    """A quadratic Bézier curve (as the equivalent cubic)."""
    p0, c, p1 = (np.asarray(p, dtype=np.float64) for p in (p0, c, p1))
    return bezier(p0, p0 + 2 / 3 * (c - p0), p1 + 2 / 3 * (c - p1), p1, n)


_CIRCLES: dict[int, np.ndarray] = {}


def ellipse(cx, cy, rx, ry, n: int = 24, a0: float = 0.0, a1: float = 2 * np.pi) -> np.ndarray:
    """Points on an ellipse from angle a0 to a1 (counter-clockwise with y up); a full one is not closed twice."""
    if a0 == 0.0 and a1 == 2 * np.pi:
        if n not in _CIRCLES:
            a = np.linspace(0, 2 * np.pi, n, endpoint=False)
            _CIRCLES[n] = np.stack([np.cos(a), np.sin(a)], axis=1)
        return _CIRCLES[n] * (rx, ry) + (cx, cy)
    a = np.linspace(a0, a1, n)
    return np.stack([cx + rx * np.cos(a), cy + ry * np.sin(a)], axis=1)


def lerp(a, b, k: float) -> np.ndarray:
    return np.asarray(a) * (1 - k) + np.asarray(b) * k


def normals(points: np.ndarray) -> np.ndarray:
    """Unit normals (left of the direction of travel) of a polyline, from central differences."""
    d = np.empty_like(points)
    d[1:-1] = points[2:] - points[:-2]
    d[0], d[-1] = points[1] - points[0], points[-1] - points[-2]
    length = np.hypot(d[:, 0], d[:, 1])
    length[length == 0] = 1.0
    return np.stack([-d[:, 1], d[:, 0]], axis=1) / length[:, None]


def stroke(points: np.ndarray, widths) -> np.ndarray:
    """A filled polygon following a polyline with a width per point (a brush stroke; width 0 gives a point)."""
    half = np.broadcast_to(np.asarray(widths, dtype=np.float64), (len(points),))[:, None] / 2
    offset = normals(points) * half
    return np.concatenate([points + offset, (points - offset)[::-1]])


def taper(n: int, start: float, middle: float, end: float, peak: float = 0.5) -> np.ndarray:
    """Widths along a stroke: start → middle (at `peak`) → end, smoothly."""
    t = np.linspace(0, 1, n)
    left = start + (middle - start) * np.sin(np.clip(t / peak, 0, 1) * np.pi / 2)
    right = middle + (end - middle) * (1 - np.cos(np.clip((t - peak) / (1 - peak), 0, 1) * np.pi / 2))
    return np.where(t <= peak, left, right)


def lock(root_a, root_b, tip, bend: float = 0.0, n: int = 8) -> np.ndarray:
    """A hair lock: a pointed strand from a root edge (root_a → root_b) to a tip, both sides curving by `bend`
    (a sideways offset of the middle, in the same units), so that it reads as a soft curved spike."""
    root_a, root_b, tip = (np.asarray(p, dtype=np.float64) for p in (root_a, root_b, tip))
    side = np.array([bend, 0.0])
    mid_a = (root_a + tip) / 2 + side + (root_a - root_b) * 0.15
    mid_b = (root_b + tip) / 2 + side - (root_a - root_b) * 0.15
    return np.concatenate([quad(root_a, mid_a, tip, n), quad(tip, mid_b, root_b, n)[1:]])
