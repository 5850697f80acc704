"""A picture for people: the prepared character over a checkerboard (so transparency shows), enlarged, with the
template's face guide in red (THA v1's centre box, eye line, eyes and mouth) and the face as found in cyan. The CLI
saves it; the dialog shows it."""
import numpy as np
from PIL import Image, ImageDraw

from .. import template
from ..images import SIZE

ZOOM = 2
BOX_COLOUR = (230, 30, 30)
HEAD_COLOUR = (0, 190, 230)
MARK = 5  # half the size of a feature's cross, in template pixels


def _checkerboard(size: int, square: int = 16) -> np.ndarray:
    y, x = np.mgrid[0:size, 0:size] // square
    return np.where(((x + y) % 2 == 0)[..., None], 205, 245).astype(np.float32).repeat(3, axis=2)


def _crosses(draw, landmarks: template.FaceLandmarks, colour, width: int) -> None:
    for x, y in (landmarks.left_eye, landmarks.right_eye, landmarks.mouth):
        draw.line([((x - MARK) * ZOOM, y * ZOOM), ((x + MARK) * ZOOM, y * ZOOM)], fill=colour, width=width)
        draw.line([(x * ZOOM, (y - MARK) * ZOOM), (x * ZOOM, (y + MARK) * ZOOM)], fill=colour, width=width)


def draw_preview(rgba: np.ndarray, face: template.FaceLandmarks | None = None) -> np.ndarray:
    """256×256 RGBA → (256·ZOOM)² RGB uint8; `face`: where the character's eyes and mouth are, in template pixels."""
    alpha = rgba[..., 3:4].astype(np.float32) / 255
    flat = rgba[..., :3] * alpha + _checkerboard(SIZE) * (1 - alpha)
    big = Image.fromarray(np.rint(flat).astype(np.uint8)).resize((SIZE * ZOOM,) * 2,
                                                                       Image.Resampling.BILINEAR)
    draw = ImageDraw.Draw(big)
    draw.rectangle([v * ZOOM for v in template.BOX], outline=BOX_COLOUR, width=2)
    draw.line([(template.BOX[0] * ZOOM, template.EYE_Y * ZOOM), (template.BOX[2] * ZOOM, template.EYE_Y * ZOOM)],
              fill=BOX_COLOUR, width=1)
    _crosses(draw, template.TEMPLATE_FACE, BOX_COLOUR, 2)
    if face is not None:
        _crosses(draw, face, HEAD_COLOUR, 2)
    return np.asarray(big)
