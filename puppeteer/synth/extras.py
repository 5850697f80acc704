"""Accessories: cat ears (behind the hair cap), and a ribbon, hair clips, a headband or glasses in front."""
import numpy as np

from . import geometry as g
from . import palette as pal
from .scene import Scene


def _on_cap(sc: Scene, points: np.ndarray, lift: float = 0.0) -> np.ndarray:
    """Head-space 2-D points on the sphere of the hair cap (for things worn on the hair) → image pixels."""
    rc = sc.cap_radius
    z = np.sqrt(np.clip(rc * rc - (points ** 2).sum(axis=1), 0, None)) + lift
    return sc.at_depth(points, z)


def draw_behind_cap(sc: Scene) -> None:
    if "cat_ears" not in sc.spec.accessories:
        return
    c, r, rc = sc.spec.colors, sc.r, sc.cap_radius
    inner = pal.mix(c.hair, (255, 170, 190), 0.6)
    for side in (-1, 1):
        ear = np.array([[0.3 * rc, 0.9 * rc], [0.82 * rc, 1.42 * rc], [0.86 * rc, 0.5 * rc]]) * (side, 1)
        sc.canvas.shape(sc.at_depth(ear, -0.1 * r), c.hair, c.hair_line, sc.lw)
        pink = np.array([[0.45 * rc, 0.92 * rc], [0.78 * rc, 1.28 * rc], [0.8 * rc, 0.72 * rc]]) * (side, 1)
        sc.canvas.fill(sc.at_depth(pink, -0.1 * r), inner)


def _ribbon(sc: Scene) -> None:
    c, r, rc = sc.spec.colors, sc.r, sc.cap_radius
    side = 1.0 if sc.spec.hair.part >= 0 else -1.0
    centre = np.array([side * 0.62 * rc, 0.78 * rc])
    size = 0.34 * r
    for wing in (-1, 1):
        tip = centre + (wing * size, 0.25 * size)
        shape = np.concatenate([[centre], g.quad(tip + (0, 0.55 * size), tip + (wing * 0.45 * size, 0),
                                                 tip - (0, 0.45 * size), 6)])
        sc.canvas.shape(_on_cap(sc, shape, 0.2 * r), c.accent, c.line, sc.lw)
    sc.canvas.shape(_on_cap(sc, g.ellipse(*centre, 0.22 * size, 0.28 * size, 12), 0.25 * r), c.accent, c.line,
                    sc.lw)


def _clips(sc: Scene) -> None:
    c, e, r = sc.spec.colors, sc.spec.eyes, sc.r
    side = -1.0 if sc.spec.hair.part >= 0 else 1.0
    y = (-e.y + e.h) * r + 0.42 * r
    for k, dx in enumerate((0.0, 0.12 * r)):
        x = side * (0.58 * r + dx)
        bar = g.stroke(np.array([[x - side * 0.16 * r, y + 0.08 * r], [x + side * 0.16 * r, y - 0.1 * r]]),
                       0.07 * r)
        sc.canvas.shape(sc.on_face(bar, 0.12 * r), c.accent if k == 0 else pal.shade(c.accent, 0.8), c.line,
                        sc.lw * 0.7)


def _headband(sc: Scene) -> None:
    c, r, rc = sc.spec.colors, sc.r, sc.cap_radius
    t = np.linspace(0.12, np.pi - 0.12, 24)
    arc = np.column_stack([0.86 * rc * np.cos(t), 0.45 * rc + 0.38 * rc * np.sin(t)])
    sc.canvas.shape(_on_cap(sc, g.stroke(arc, 0.14 * r), 0.03 * r), c.accent, c.line, sc.lw)


def _glasses(sc: Scene) -> None:
    c, e, r = sc.spec.colors, sc.spec.eyes, sc.r
    frame = pal.mix(c.line, c.accent, 0.35)
    for side in (-1, 1):
        cx, cy = side * e.x * r, -e.y * r
        t = np.linspace(0, 2 * np.pi, 32, endpoint=False)
        # a rounded rectangle (superellipse) a little larger than the eye
        rim = np.column_stack([cx + 1.35 * e.w * r * np.sign(np.cos(t)) * np.abs(np.cos(t)) ** 0.5,
                               cy + 1.2 * e.h * r * np.sign(np.sin(t)) * np.abs(np.sin(t)) ** 0.5])
        sc.canvas.line(sc.on_face(rim, 0.15 * r), frame, sc.lw * 1.1, closed=True)
    bridge = g.quad((-(e.x - 1.35 * e.w) * r, -e.y * r + 0.3 * e.h * r), (0, -e.y * r + 0.5 * e.h * r),
                    ((e.x - 1.35 * e.w) * r, -e.y * r + 0.3 * e.h * r), 6)
    sc.canvas.line(sc.on_face(bridge, 0.18 * r), frame, sc.lw * 1.1)


_FRONT = {"ribbon": _ribbon, "clip": _clips, "headband": _headband, "glasses": _glasses}


def draw_front(sc: Scene) -> None:
    for name in sc.spec.accessories:
        if name in _FRONT:
            _FRONT[name](sc)
