"""A picture for people: the prepared character over a checkerboard (so transparency shows), enlarged, with the
template's centre box in red and where the head was judged to be in cyan. The CLI saves it; the dialog shows it."""
import numpy as np
from PIL import Image, ImageDraw

from ..images import SIZE
from .template import BOX

ZOOM = 2
BOX_COLOUR = (230, 30, 30)
HEAD_COLOUR = (0, 190, 230)


def _checkerboard(size: int, square: int = 16) -> np.ndarray:
    y, x = np.mgrid[0:size, 0:size] // square
    return np.where(((x + y) % 2 == 0)[..., None], 205, 245).astype(np.float32).repeat(3, axis=2)


def draw_preview(rgba: np.ndarray, head_rect=None) -> np.ndarray:
    """256×256 RGBA → (256·ZOOM)² RGB uint8; `head_rect` = (left, top, right, chin) in template pixels."""
    alpha = rgba[..., 3:4].astype(np.float32) / 255
    flat = rgba[..., :3] * alpha + _checkerboard(SIZE) * (1 - alpha)
    big = Image.fromarray(np.rint(flat).astype(np.uint8)).resize((SIZE * ZOOM,) * 2,
                                                                       Image.Resampling.BILINEAR)
    draw = ImageDraw.Draw(big)
    draw.rectangle([v * ZOOM for v in BOX], outline=BOX_COLOUR, width=2)
    if head_rect is not None:
        draw.rectangle([v * ZOOM for v in head_rect], outline=HEAD_COLOUR, width=1)
    return np.asarray(big)
