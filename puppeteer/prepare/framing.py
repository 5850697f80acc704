"""Scaling and placing a picture in the 256×256 template: a framing maps picture pixels to template pixels as
out = in × scale + (dx, dy). It is proposed from the face (its eyes and mouth onto the template's), nudged by the
user, then applied."""
import math
from dataclasses import dataclass, replace

import numpy as np
from PIL import Image

from .. import template
from ..images import SIZE, clean_transparent
from .head import Head

FACE_MIDDLE = (template.EYE_X, (template.EYE_Y + template.MOUTH_Y) / 2)  # zooming keeps this point still


@dataclass(frozen=True)
class Framing:
    scale: float
    dx: float
    dy: float

    def map_point(self, x: float, y: float) -> tuple:
        return x * self.scale + self.dx, y * self.scale + self.dy

    def map_head(self, head: Head) -> tuple:
        """The head's rectangle (left, top, right, chin) in template pixels."""
        return (*self.map_point(head.left, head.top), *self.map_point(head.right, head.chin))

    def map_face(self, head: Head) -> template.FaceLandmarks:
        """The head's eyes and mouth in template pixels."""
        return head.landmarks.mapped(self.scale, self.dx, self.dy)

    def nudged(self, zoom: float = 1.0, right: float = 0.0, down: float = 0.0) -> "Framing":
        """Zoomed about the template's face (so the face stays put), then moved by template pixels."""
        cx, cy = FACE_MIDDLE
        return replace(self, scale=self.scale * zoom, dx=cx - (cx - self.dx) * zoom + right,
                       dy=cy - (cy - self.dy) * zoom + down)


def propose(head: Head) -> Framing:
    """The face's eyes on the template's eye line, its size THA v1's (the hair goes where it goes)."""
    return Framing(*template.fit(head.landmarks))


def apply(rgba: np.ndarray, framing: Framing) -> np.ndarray:
    """The 256×256 RGBA template picture: the framed part of `rgba` resampled (Lanczos on premultiplied colour,
    so no dark fringes), transparent elsewhere, RGB zeroed under alpha 0."""
    h, w = rgba.shape[:2]
    s, dx, dy = framing.scale, framing.dx, framing.dy
    # The template pixels the picture covers, whole pixels only; the source box is the exact preimage of those.
    x0, y0 = max(0, math.ceil(dx)), max(0, math.ceil(dy))
    x1, y1 = min(SIZE, math.floor(w * s + dx)), min(SIZE, math.floor(h * s + dy))
    out = np.zeros((SIZE, SIZE, 4), np.uint8)
    if x1 <= x0 or y1 <= y0:
        return out
    box = tuple(min(max(v, 0.0), limit) for v, limit in
                zip(((x0 - dx) / s, (y0 - dy) / s, (x1 - dx) / s, (y1 - dy) / s), (w, h, w, h)))
    part = Image.fromarray(rgba).resize((x1 - x0, y1 - y0), Image.Resampling.LANCZOS, box=box,
                                                 reducing_gap=3.0)
    out[y0:y1, x0:x1] = np.asarray(part)
    return clean_transparent(out)
