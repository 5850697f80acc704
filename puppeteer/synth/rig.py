"""Render a character in a pose: layers drawn back to front on a supersampled canvas."""
import numpy as np

from ..pose import Pose
from . import geometry as g
from .canvas import Canvas
from .character import CharacterSpec
from .posing import Skeleton


def _lift(points2: np.ndarray, r: float, depth: float = 0.0) -> np.ndarray:
    """Put 2-D head-space points on the face's ellipsoid (plus `depth` toward the viewer)."""
    x, y = points2[:, 0] / r, points2[:, 1] / (1.3 * r)
    z = 0.95 * r * np.sqrt(np.clip(1 - x * x - y * y, 0.05, None)) + depth
    return np.column_stack([points2, z])


def render(spec: CharacterSpec, pose: Pose = Pose()) -> np.ndarray:
    """The character in `pose` → 256×256×4 uint8 RGBA."""
    r = spec.radius
    sk = Skeleton(spec.centre_y, (0, -0.9 * r, -0.3 * r), -70.0, pose)
    c = Canvas()
    c.shape(sk.body(g.ellipse(0, -128, 95, 60, 32)), (80, 90, 160), spec.line, spec.line_width)
    c.shape(sk.neck(np.array([[-10, 0], [10, 0], [10, -80], [-10, -80]], float) + (0, spec.centre_y - 0.8 * r)),
            spec.skin, spec.line, spec.line_width)
    face = g.ellipse(0, -0.2 * r, r, 1.15 * r, 40)
    c.shape(sk.head(np.column_stack([face, np.zeros(len(face))])), spec.skin, spec.line, spec.line_width)
    for side, closed in ((-1, pose.left_eye), (1, pose.right_eye)):
        cx, cy, w, h = side * spec.eye_x * r, -spec.eye_y * r, spec.eye_w * r, spec.eye_h * r
        upper = g.lerp(g.quad((cx - w, cy), (cx, cy + 2 * h), (cx + w, cy)), g.quad((cx - w, cy), (cx, cy - h),
                                                                                        (cx + w, cy)), closed)
        lower = g.quad((cx - w, cy), (cx, cy - h), (cx + w, cy))
        opening = np.concatenate([upper, lower[::-1]])
        with c.clip(sk.head(_lift(opening, r))) as eye:
            eye.fill(sk.head(_lift(g.ellipse(cx, cy - 0.1 * h, w, h, 24), r)), (255, 255, 255))
            eye.fill(sk.head(_lift(g.ellipse(cx, cy - 0.1 * h, 0.6 * w, 0.9 * h, 24), r)), spec.iris)
        c.fill(sk.head(_lift(g.stroke(upper, 0.15 * h), r, 0.5)), (30, 20, 20))
    mw, my, depth = spec.mouth_w * r, -spec.mouth_y * r, 0.25 * r * pose.mouth
    mouth = np.concatenate([g.quad((-mw, my), (0, my + 0.02 * r), (mw, my)),
                            g.quad((mw, my), (0, my - 2 * depth), (-mw, my))[1:-1]])
    c.shape(sk.head(_lift(mouth, r)), (120, 30, 40), spec.line, spec.line_width)
    hair = np.concatenate([g.ellipse(0, 0, 1.12 * r, 1.12 * r, 30, -0.2, np.pi + 0.2),
                           g.quad((-1.1 * r, 0), (0, 0.3 * r), (1.1 * r, 0))[::-1]])
    c.shape(sk.head(_lift(hair, r, 2)), spec.hair, spec.line, spec.line_width)
    return c.finish()
