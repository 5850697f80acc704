"""The mouth: a short line when closed; opening drops the lower lip into a rounded shape with a dark inside,
a tongue and optionally teeth and a fang."""
import numpy as np

from . import geometry as g
from . import palette as pal
from .scene import Scene


def _top(sc: Scene, opening: float) -> np.ndarray:
    """The upper lip line in head space: a slight smile, or the cat style's ω."""
    m, r = sc.spec.mouth, sc.r
    w = m.w * r * (0.6 if m.style == "small" else 1.0) * (1 + 0.2 * opening)
    y = -m.y * r
    if m.style == "cat":
        dip = 0.05 * r
        return np.concatenate([g.quad((-w, y + 0.3 * dip), (-0.5 * w, y - 1.6 * dip), (0, y), 7),
                               g.quad((0, y), (0.5 * w, y - 1.6 * dip), (w, y + 0.3 * dip), 7)[1:]])
    return g.quad((-w, y), (0, y - 2 * m.smile * r), (w, y), 12)


def _bottom(sc: Scene, top: np.ndarray, opening: float) -> np.ndarray:
    """The lower lip from the right corner back to the left one, `opening` × the full depth down."""
    drop = 1.25 * opening * sc.spec.mouth.depth * sc.r
    (x0, y0), (x1, y1) = top[0], top[-1]
    return g.bezier((x1, y1), (0.85 * x1, y1 - drop), (0.85 * x0, y0 - drop), (x0, y0), 12)[1:-1]


def draw(sc: Scene) -> None:
    m, c, r = sc.spec.mouth, sc.spec.colors, sc.r
    k = float(np.clip(sc.pose.mouth, 0.0, 1.0))
    line = pal.mix(c.skin, c.line, m.line_tone)
    top = _top(sc, k)
    face = lambda pts: sc.on_face(pts, 0.02 * r)  # noqa: E731
    if k > 0.001:
        shape = np.concatenate([top, _bottom(sc, top, k)])
        depth = k * m.depth * r
        with sc.canvas.clip(face(shape)) as inside:
            inside.fill(face(shape), c.mouth)
            w = abs(top[0, 0])
            inside.fill(face(g.ellipse(0, top[0, 1] - 1.05 * depth, 0.62 * w, 0.5 * depth, 18)), c.tongue)
            if m.teeth:
                inside.fill(face(g.stroke(top - (0, 0.08 * depth), 0.3 * depth)), (255, 255, 255))
            if m.fang:
                x, y, size = 0.5 * top[-1, 0], top[len(top) * 3 // 4, 1], min(0.09 * r, 0.7 * depth)
                inside.fill(face(np.array([[x - 0.45 * size, y + 1], [x + 0.45 * size, y + 1], [x, y - size]])),
                            (255, 255, 255))
        sc.canvas.line(face(shape), line, sc.lw * 0.8, closed=True)
    sc.canvas.line(face(top), line, sc.lw)


def outline(sc: Scene) -> np.ndarray:
    """Every point the mouth can cover, closed or open, in image pixels for the scene's pose."""
    top = _top(sc, 1.0)
    points = np.concatenate([_top(sc, 0.0), top, _bottom(sc, top, 1.0)])
    return sc.on_face(points, 0.02 * sc.r)
