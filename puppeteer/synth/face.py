"""The head's skin and the small face details: ears, face shape, nose, blush, eyebrows."""
import numpy as np

from . import geometry as g
from .scene import Scene


def outline(sc: Scene) -> tuple[np.ndarray, np.ndarray]:
    """The face contour in head space, (points, z): the cranium circle (on the silhouette, z = 0) down to the
    cheeks, then the jaw, whose depth grows toward the chin so that the chin swings out when the head turns."""
    f, r = sc.spec.face, sc.r
    cx, cy, chin = f.cheek_x * r, f.cheek_y * r, f.chin * r
    start = np.arctan2(-cy, cx)
    cranium = g.ellipse(0, 0, r, r, 30, start, np.pi - start)
    left = g.bezier((-cx, -cy), (-0.99 * cx, -cy - 0.5 * (chin - cy)), (-f.jaw * r, -chin + 0.03 * r), (0, -chin), 12)
    right = left[::-1] * (-1, 1)
    jaw = np.concatenate([left[1:], right[1:-1]])
    s = np.clip((-jaw[:, 1] - cy) / (chin - cy), 0, 1) ** 1.2
    jaw_z = sc.depth(jaw * (0.8, 1)) * s
    return np.concatenate([cranium, jaw]), np.concatenate([np.zeros(len(cranium)), jaw_z])


def draw_face(sc: Scene) -> None:
    c = sc.spec.colors
    points, z = outline(sc)
    sc.canvas.shape(sc.at_depth(points, z), c.skin, c.skin_line, sc.lw)


def draw_ears(sc: Scene) -> None:
    c, r = sc.spec.colors, sc.r
    tip = (1.5 * r, 0.12 * r) if sc.spec.face.ear_elf else (1.14 * r, -0.12 * r)
    for side in (-1, 1):
        ear = np.concatenate([g.bezier((0.9 * r, -0.12 * r), (1.02 * r, -0.05 * r), tip, tip, 6),
                              g.bezier(tip, (1.12 * r, -0.35 * r), (1.1 * r, -0.52 * r), (0.88 * r, -0.56 * r), 8)])
        inner = g.quad((1.0 * r, -0.2 * r), (1.08 * r, -0.3 * r), (0.98 * r, -0.45 * r), 6)
        z = -0.1 * r
        sc.canvas.shape(sc.at_depth(ear * (side, 1), z), c.skin, c.skin_line, sc.lw)
        sc.canvas.line(sc.at_depth(inner * (side, 1), z), c.skin_shadow, sc.lw * 1.3)


def draw_nose(sc: Scene) -> None:
    c, r, style = sc.spec.colors, sc.r, sc.spec.face.nose
    lift = 0.12 * r
    if style == "dot":
        sc.canvas.line(sc.on_face(np.array([[0.0, -0.6 * r], [0.01 * r, -0.63 * r]]), lift), c.skin_line, sc.lw)
    elif style == "triangle":  # a shaded triangle pointing down, as 3-D models draw it, between the eyes and mouth
        e, m = sc.spec.eyes, sc.spec.mouth
        top, gap, half = -(e.y + 0.45 * (m.y - e.y)) * r, (m.y - e.y) * r, 0.15 * r * sc.spec.face.nose_size
        apex = top - 0.33 * sc.spec.face.nose_size * gap
        sc.canvas.fill(sc.on_face(np.array([[-half, top], [half, top], [0.0, apex]]), lift), c.skin_shadow)
    elif style == "hook":
        hook = np.array([[-0.03 * r, -0.5 * r], [-0.05 * r, -0.62 * r], [0.01 * r, -0.64 * r]])
        sc.canvas.line(sc.on_face(hook, lift), c.skin_line, sc.lw * 0.8)
    else:
        shadow = np.array([[-0.01 * r, -0.5 * r], [-0.07 * r, -0.65 * r], [0.01 * r, -0.64 * r]])
        sc.canvas.fill(sc.on_face(shadow, lift), c.skin_shadow)


def draw_blush(sc: Scene) -> None:
    if not sc.spec.face.blush:
        return
    c, e, r = sc.spec.colors, sc.spec.eyes, sc.r
    y = -(e.y + e.h + 0.14) * r
    for side in (-1, 1):
        x = side * (e.x + 0.04) * r
        sc.canvas.fill(sc.on_face(g.ellipse(x, y, 0.2 * r, 0.075 * r, 18), 0.01 * r), c.blush)
        for k in (-1, 0, 1):
            hatch = np.array([[x + (k * 0.08 - 0.02) * r, y - 0.04 * r], [x + (k * 0.08 + 0.03) * r, y + 0.04 * r]])
            sc.canvas.line(sc.on_face(hatch, 0.02 * r), c.skin_shadow, sc.lw * 0.7)


def draw_brows(sc: Scene) -> None:
    c, e, r = sc.spec.colors, sc.spec.eyes, sc.r
    top = (-e.y + e.h) * r + e.brow_y * e.h * r
    for side in (-1, 1):
        inner, outer = (e.x - 0.8 * e.w) * r, (e.x + 1.05 * e.w) * r
        brow = g.bezier((inner, top), (inner + 0.35 * (outer - inner), top + 0.1 * r),
                        (outer - 0.2 * (outer - inner), top + 0.08 * r), (outer, top + e.brow_tilt * e.h * r), 10)
        shape = g.stroke(brow, e.brow_weight * g.taper(10, 0.05 * r, 0.06 * r, 0.012 * r, 0.3)) * (side, 1)
        sc.canvas.fill(sc.on_face(shape, 0.03 * r), c.brow)
