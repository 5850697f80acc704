"""The character template: where THA v1's weights expect the face in the 256×256 picture, and how big.

Measured with the animeface detector on THA v1's five sample characters (the original demo's `waifu_0*_256.png`):
eye centres at y 142–151 with 40–43 px between them, the mouth at y 172–177, the face box 80–88 px wide; the hair
reaches well outside the centre 128×128 box (its top at y ≈ 50, its sides at x ≈ 3–33 and 223–230). So THA v1's
"head roughly inside the centre 128×128 box" means the face: the hair is free. Every part of this project meets
here: `check` judges a character's face against it, `prepare` places and scales a picture by its face so that it
lands on it, the rig renders its characters on it, and the bundled model is trained on those."""
import statistics
from dataclasses import dataclass

SIZE = 256
BOX = (64, 64, 192, 192)  # THA v1's centre box (left, top, right, bottom): the face lies inside it
EYE_X = 128.0  # the midpoint between the eye centres: the face's centre line
EYE_Y = 146.5  # the eye line
EYE_DISTANCE = 41.5  # between the eye centres
MOUTH_Y = 174.5  # the mouth's centre
FACE_WIDTH = 84.0  # animeface's face box, cheek to cheek
EYES_TO_MOUTH = MOUTH_Y - EYE_Y
POSITION_TOLERANCE = 10.0  # `check`: the eyes' midpoint may be this many pixels off, across or down
SCALE_TOLERANCE = 0.2  # `check`: the face may be this much larger or smaller (the rig's faces span 0.93–1.16)
# Without a face (the silhouette alone): the top of the hair and the head's width as `prepare.head` measures them
# on a silhouette, as the rig's characters have them in the template (medians over 40); only a guess for other art.
HEAD_TOP = 84.0
HEAD_WIDTH = 98.5


@dataclass(frozen=True)
class FaceLandmarks:
    """Eye and mouth centres in picture pixels; the eyes as seen (left = on the picture's left); the face box's
    width when a detector gave one."""

    left_eye: tuple
    right_eye: tuple
    mouth: tuple
    face_width: float | None = None

    @property
    def eye_midpoint(self) -> tuple:
        return ((self.left_eye[0] + self.right_eye[0]) / 2, (self.left_eye[1] + self.right_eye[1]) / 2)

    @property
    def eye_distance(self) -> float:
        return ((self.right_eye[0] - self.left_eye[0]) ** 2 + (self.right_eye[1] - self.left_eye[1]) ** 2) ** 0.5

    @property
    def scale(self) -> float:
        """The face's size against the template's: the median of its eye spacing's, eye-to-mouth height's and
        face width's ratios to THA v1's (faces differ in their proportions, and a wide-open mouth or a detector's
        coarse box would throw one of them off; without a face box, the mean of the other two)."""
        ratios = [self.eye_distance / EYE_DISTANCE, (self.mouth[1] - self.eye_midpoint[1]) / EYES_TO_MOUTH]
        if self.face_width is not None:
            ratios.append(self.face_width / FACE_WIDTH)
        return statistics.median(ratios)

    def mapped(self, scale: float, dx: float, dy: float) -> "FaceLandmarks":
        move = lambda p: (p[0] * scale + dx, p[1] * scale + dy)  # noqa: E731
        width = None if self.face_width is None else self.face_width * scale
        return FaceLandmarks(move(self.left_eye), move(self.right_eye), move(self.mouth), width)


def fit(landmarks: FaceLandmarks) -> tuple:
    """(scale, dx, dy) that brings the face onto the template: out = in × scale + (dx, dy)."""
    scale = 1.0 / landmarks.scale
    x, y = landmarks.eye_midpoint
    return scale, EYE_X - x * scale, EYE_Y - y * scale


def misfit(landmarks: FaceLandmarks, tolerance: float = 1.0) -> list:
    """How a face in a 256×256 picture misses the template, in words (empty when it fits); `tolerance` widens the
    allowance (a guess from the silhouette is allowed more)."""
    x, y = landmarks.eye_midpoint
    scale = landmarks.scale
    problems = []
    if abs(scale - 1) > SCALE_TOLERANCE * tolerance:
        problems.append(f"the face is {'larger' if scale > 1 else 'smaller'} than THA v1's ({scale:.0%} of its size; "
                        f"{1 - SCALE_TOLERANCE * tolerance:.0%}–{1 + SCALE_TOLERANCE * tolerance:.0%} fits)")
    if abs(y - EYE_Y) > POSITION_TOLERANCE * tolerance:
        problems.append(f"the eyes are at y={y:.0f}, {abs(y - EYE_Y):.0f} px {'above' if y < EYE_Y else 'below'} "
                        f"THA v1's eye line (y={EYE_Y:.0f})")
    if abs(x - EYE_X) > POSITION_TOLERANCE * tolerance:
        problems.append(f"the face's centre is at x={x:.0f}, {abs(x - EYE_X):.0f} px "
                        f"{'left' if x < EYE_X else 'right'} of the middle (x={EYE_X:.0f})")
    return problems


def from_face_box(x: float, y: float, w: float) -> FaceLandmarks:
    """Eyes and mouth inside an animeface-style face box (brows to chin, cheek to cheek), in THA v1's proportions:
    for `--face x,y,w,h`, which gives a box and no features."""
    half = 0.247 * w
    eye_y, mouth_y = y + 0.375 * w, y + 0.708 * w
    return FaceLandmarks((x + w / 2 - half, eye_y), (x + w / 2 + half, eye_y), (x + w / 2, mouth_y), w)


def from_head(top: float, left: float, right: float) -> FaceLandmarks:
    """A guess at the face from the head's silhouette (the top of the hair, its width)."""
    scale = (right - left) / HEAD_WIDTH
    centre = (left + right) / 2
    eye_y = top + (EYE_Y - HEAD_TOP) * scale
    half = EYE_DISTANCE / 2 * scale
    return FaceLandmarks((centre - half, eye_y), (centre + half, eye_y), (centre, eye_y + EYES_TO_MOUTH * scale))


TEMPLATE_FACE = FaceLandmarks((EYE_X - EYE_DISTANCE / 2, EYE_Y), (EYE_X + EYE_DISTANCE / 2, EYE_Y), (EYE_X, MOUTH_Y))
