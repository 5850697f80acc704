"""Anime eyes: a white under the lids, a layered iris with pupil and highlights, a thick upper lash with a
wing at the outer corner. Closing moves the upper lid down (and the lower lid a little up) to a curved lash
line, low in the eye or (closed_lift) nearer its middle; the eye's contents are clipped to the opening between
the lids.

Eye space: u runs from the inner corner (−1) to the outer one (+1), v up, in half-widths and half-heights."""
import numpy as np

from . import geometry as g
from .scene import Scene

SIDES = {"left_eye": 1, "right_eye": -1}  # left_eye is the character's own left eye, on the image right


def _curves(tilt: float, closed_lift: float = 0.0):
    inner, outer = (-1.0, -0.1), (1.0, tilt)
    upper = g.bezier(inner, (-0.75, 0.8), (0.3, 1.08), outer, 14)
    lower = g.bezier(inner, (-0.7, -0.92), (0.55, -1.0), outer, 14)
    closed = g.bezier(inner, (-0.45, -0.62 + closed_lift), (0.45, -0.6 + 0.3 * tilt + closed_lift), outer, 14)
    wing = np.array([[1.0 + 0.2, tilt + 0.3]])
    return upper, lower, closed, wing


def _to_head(sc: Scene, side: int, uv: np.ndarray) -> np.ndarray:
    e, r = sc.spec.eyes, sc.r
    return np.column_stack([side * (e.x + uv[:, 0] * e.w) * r, (-e.y + uv[:, 1] * e.h) * r])


def _ellipse(cu, cv, ru, rv, n=24):
    return g.ellipse(cu, cv, ru, rv, n)


def draw_eye(sc: Scene, side: int, closing: float) -> None:
    e, c = sc.spec.eyes, sc.spec.colors
    k = float(np.clip(closing, 0.0, 1.0))
    upper0, lower0, closed, wing = _curves(e.tilt, e.closed_lift)
    upper, lower = g.lerp(upper0, closed, k), g.lerp(lower0, closed, k)
    iu, iv, cv = e.iris_w, e.iris_h, -0.05
    hu = -side * 0.35 * iu  # highlights toward the image left on both eyes: one light source
    white = (255, 255, 255)
    # (eye-space polygon, colour), back to front, all clipped to the opening between the lids
    inside = [(np.concatenate([upper0, lower0[::-1]]), white),
              (g.stroke(upper - (0, 0.2), 0.55), (206, 206, 226)),  # the lid's shadow on the white
              (_ellipse(0, cv, iu, iv), c.iris_dark),
              (_ellipse(0, cv - 0.06, 0.85 * iu, 0.84 * iv), c.iris),
              (_ellipse(0, cv - 0.42 * iv, 0.62 * iu, 0.38 * iv), c.iris_light),
              (_ellipse(0, cv + 0.52 * iv, 0.8 * iu, 0.42 * iv), c.iris_dark),
              (_ellipse(0, cv, e.pupil * iu, 1.1 * e.pupil * iv), c.lash),
              (_ellipse(hu, cv + 0.32 * iv, 0.3 * iu, 0.24 * iv, 16), white),
              (_ellipse(-0.9 * hu, cv - 0.45 * iv, 0.13 * iu, 0.1 * iv, 12), white)]
    lash_widths = np.concatenate([g.taper(len(upper), 0.3 * e.lash, e.lash, 0.8 * e.lash, 0.6), [0.0]])
    lines = [np.concatenate([upper, lower[::-1]]),
             g.stroke(np.concatenate([upper, wing]), lash_widths),
             g.stroke(lower[6:13], g.taper(7, 0.0, 0.09, 0.02, 0.6)),
             g.stroke(upper0[5:13] + (0, 0.3), g.taper(8, 0.0, 0.07, 0.0))]
    shapes = [shape for shape, _ in inside] + lines
    mapped = np.split(sc.on_face(_to_head(sc, side, np.concatenate(shapes))),
                      np.cumsum([len(shape) for shape in shapes])[:-1])
    opening, lash, lower_lash, crease = mapped[len(inside):]
    if e.crease:
        sc.canvas.fill(crease, c.skin_line)
    if k < 0.999:
        with sc.canvas.clip(opening) as eye:
            for points, (_, color) in zip(mapped, inside):
                eye.fill(points, color)
    sc.canvas.fill(lash, c.lash)
    if e.lower_lash:
        sc.canvas.fill(lower_lash, c.lash)


def draw(sc: Scene) -> None:
    draw_eye(sc, SIDES["left_eye"], sc.pose.left_eye)
    draw_eye(sc, SIDES["right_eye"], sc.pose.right_eye)


def outline(sc: Scene, side: int) -> np.ndarray:
    """Every point an eye can cover, open or closed, in image pixels for the scene's pose."""
    upper, lower, closed, wing = _curves(sc.spec.eyes.tilt, sc.spec.eyes.closed_lift)
    pad = sc.spec.eyes.lash  # the lash extends half its width beyond its curve
    points = np.concatenate([upper + (0, pad), lower - (0, pad), closed, wing + (pad, pad)])
    return sc.on_face(_to_head(sc, side, points), 0.01 * sc.r)
