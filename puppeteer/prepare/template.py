"""Where THA v1 expects things in its 256×256 picture (reference README §1), and where `prepare` puts them.

The networks were trained on pictures whose head lies inside the centre 128×128 box, so this box is the one
geometric requirement. Within it, `prepare` places the head from the top of the hair to the chin between
HEAD_TOP and CHIN, centred on the face, which leaves a small margin on every side for the networks to turn it."""
from ..images import SIZE

BOX = (64, 64, 192, 192)  # left, top, right, bottom of the centre box, in template pixels
HEAD_TOP = 70
CHIN = 178
HEAD_MAX_WIDTH = 120  # a wide head (big hair) is shrunk until it fits this across
CENTRE_X = SIZE / 2
HEAD_MIDDLE_Y = (HEAD_TOP + CHIN) / 2
TOLERANCE = 4  # `check` lets the head stick out of the box by this many pixels (anti-aliased hair tips)


def head_fits_box(left: float, top: float, right: float, bottom: float) -> list:
    """The sides of the box that the head rectangle crosses (empty when it fits), in words."""
    x0, y0, x1, y1 = BOX
    sides = []
    if top < y0 - TOLERANCE:
        sides.append(f"its top is at y={top:.0f}, above the box (y={y0})")
    if bottom > y1 + TOLERANCE:
        sides.append(f"the chin is at y={bottom:.0f}, below the box (y={y1})")
    if left < x0 - TOLERANCE:
        sides.append(f"it reaches x={left:.0f}, left of the box (x={x0})")
    if right > x1 + TOLERANCE:
        sides.append(f"it reaches x={right:.0f}, right of the box (x={x1})")
    return sides
