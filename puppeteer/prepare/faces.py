"""Finding the character's face with animeface (a detector made for anime art), or taking the user's word for it.

animeface reads only RGB, so transparent pixels are flattened onto white first (their hidden RGB would otherwise
show). It misses some faces at one scale and finds them at another (a 256×256 character's face is often found
only at twice the size), so a few scales are tried in turn. (animeface finds nothing with Pillow ≥ 12: pyproject pins
Pillow below 12.)"""
from dataclasses import dataclass

import numpy as np
from PIL import Image

from ..errors import PuppeteerError
from ..template import FaceLandmarks, from_face_box

MAX_SIDE = 1024  # bigger pictures are shrunk before detection: the detector's time grows with the pixel count
MIN_SIDE = 128
ZOOMS = (1.0, 2.0, 0.7)  # tried in this order
MIN_LIKELIHOOD = 0.5


@dataclass(frozen=True)
class Face:
    """A face box in picture pixels (brows to chin, cheek to cheek), the chin's height and the eyes and mouth."""
    x: float
    y: float
    w: float
    h: float
    chin_y: float
    source: str  # "animeface" or "given"
    landmarks: FaceLandmarks
    likelihood: float = 1.0

    @property
    def centre_x(self) -> float:
        return self.x + self.w / 2

    def describe(self) -> str:
        where = f"x={self.x:.0f} y={self.y:.0f} w={self.w:.0f} h={self.h:.0f}"
        if self.source == "given":
            return f"face box given on the command line: {where}"
        return f"face found at {where} (animeface, likelihood {self.likelihood:.2f})"


def parse_face_box(spec: str, width: int, height: int) -> Face:
    """'x,y,w,h' in picture pixels → a Face whose chin is the box's bottom edge."""
    try:
        x, y, w, h = (float(v) for v in spec.split(","))
    except ValueError:
        raise PuppeteerError(f"--face {spec!r}: give four numbers x,y,w,h (the face box in the input's pixels, "
                             "e.g. 120,80,140,150)") from None
    if w <= 0 or h <= 0:
        raise PuppeteerError(f"--face {spec!r}: width and height must be positive")
    if x >= width or y >= height or x + w <= 0 or y + h <= 0:
        raise PuppeteerError(f"--face {spec!r}: the box lies outside the {width}×{height} picture")
    return Face(x, y, w, h, chin_y=y + h, source="given", landmarks=from_face_box(x, y, w))


def _on_white(rgba: np.ndarray) -> Image.Image:
    alpha = rgba[..., 3:4].astype(np.float32) / 255
    return Image.fromarray(np.rint(rgba[..., :3] * alpha + 255 * (1 - alpha)).astype(np.uint8))


def find_face(rgba: np.ndarray) -> Face | None:
    """The most likely face in an H×W×4 picture, or None when animeface finds none."""
    import animeface

    h, w = rgba.shape[:2]
    base = min(1.0, MAX_SIDE / max(h, w))
    scales = [base * z for z in ZOOMS if z == 1.0 or MIN_SIDE <= max(h, w) * base * z <= MAX_SIDE]
    for scale in scales:
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        resized = rgba if size == (w, h) else np.asarray(Image.fromarray(rgba).resize(size, Image.Resampling.LANCZOS))
        found = [f for f in animeface.detect(_on_white(resized)) if f.likelihood >= MIN_LIKELIHOOD]
        if found:
            best = max(found, key=lambda f: (f.likelihood, f.face.pos.width))
            sx, sy = w / size[0], h / size[1]
            box = best.face.pos
            centre = lambda part: ((part.pos.x + part.pos.width / 2) * sx, (part.pos.y + part.pos.height / 2) * sy)  # noqa: E731
            eyes = sorted([centre(best.left_eye), centre(best.right_eye)])
            landmarks = FaceLandmarks(eyes[0], eyes[1], centre(best.mouth), box.width * sx)
            return Face(box.x * sx, box.y * sy, box.width * sx, box.height * sy, chin_y=best.chin.pos.y * sy,
                        source="animeface", landmarks=landmarks, likelihood=float(best.likelihood))
    return None
