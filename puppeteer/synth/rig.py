"""Render a character in a pose: the parts painted back to front on a supersampled canvas."""
import numpy as np

from ..pose import Pose
from . import body, extras, eyes, face, hair, mouth
from .canvas import ZOOM, frame
from .character import CharacterSpec
from .scene import Scene


def render(spec: CharacterSpec, pose: Pose = Pose()) -> np.ndarray:
    """The character in `pose` → 256×256×4 uint8 RGBA with an exactly (0,0,0,0) background."""
    sc = Scene(spec, pose)
    hair.draw_back(sc)
    body.draw_behind(sc)
    body.draw_neck(sc)
    body.draw_clothes(sc)
    face.draw_ears(sc)
    face.draw_face(sc)
    face.draw_blush(sc)
    face.draw_nose(sc)
    mouth.draw(sc)
    eyes.draw(sc)
    face.draw_brows(sc)
    extras.draw_behind_cap(sc)
    hair.draw_front(sc)
    extras.draw_front(sc)
    return sc.canvas.finish()


def _box(points: np.ndarray, pad: float) -> tuple[int, int, int, int]:
    points = frame(points)
    (x0, y0), (x1, y1) = points.min(axis=0) - pad, points.max(axis=0) + pad
    return int(np.floor(x0)), int(np.floor(y0)), int(np.ceil(x1)), int(np.ceil(y1))


def regions(spec: CharacterSpec) -> dict[str, tuple[int, int, int, int]]:
    """Pixel boxes (x0, y0, x1, y1), ends included, at the rest pose: "left_eye", "right_eye", "mouth" (all that
    their parameter can change, anti-aliasing included) and "head" (skull, hair cap, face and ears)."""
    sc = Scene(spec, Pose())
    pad = 1.0 + spec.line_width * ZOOM
    boxes = {name: _box(eyes.outline(sc, side), pad) for name, side in eyes.SIDES.items()}
    boxes["mouth"] = _box(mouth.outline(sc), pad)
    outline, _ = face.outline(sc)
    rc = sc.cap_radius
    ears = 1.5 if spec.face.ear_elf else 1.14
    head = np.concatenate([outline, [[-rc, rc], [rc, rc], [-ears * spec.face.radius, 0], [ears * spec.face.radius, 0]]])
    boxes["head"] = _box(sc.at_depth(head, 0.0), pad)
    return boxes
