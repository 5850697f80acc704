"""From a face measurement to the six THA v1 pose values: head angles, eye closure, mouth opening.

Everything here is in terms of the picture as it is given (the camera's own view, not mirrored): `as_seen()`
returns the pose that makes the character look like the face in that picture. Mirroring is one more step,
`mirrored()`, because the character normally copies the user's mirror image (see README, "Face tracking").

Sign conventions. With mirroring on, these reproduce the original THA v1 puppeteer's signs exactly (reference
README §6: looking down gives head_x < 0, turning toward one's own left head_y > 0, tilting the head's top toward
one's right shoulder neck_z < 0, and the eye on the camera picture's left drives left_eye). Read as a mirror
image, which is how that puppeteer behaves for the eyes and the tilt, they say:
* head_x > 0: the head tilts up (README §2).
* head_y > 0: the face turns toward the screen's left (the character's own right).
* neck_z > 0: the top of the head leans toward the screen's left (counter-clockwise on screen).
* left_eye is the character's own left eye, drawn on the screen's right; right_eye is on the screen's left.
Each angle is degrees / 15, clamped to [-1, 1]."""
import math
from dataclasses import dataclass

import numpy as np

from ..pose import DEGREES_PER_UNIT, Pose


@dataclass(frozen=True)
class Thresholds:
    """Raw estimator signals mapped linearly onto [0, 1]: eye_open → 0 and eye_closed → 1 (left_eye, right_eye),
    mouth_closed → 0 and mouth_open → 1 (mouth). Either end may be the larger number (an eye aspect ratio
    shrinks as the eye closes; a blink score grows)."""

    eye_open: float
    eye_closed: float
    mouth_closed: float
    mouth_open: float


def ramp(x: float, zero: float, one: float) -> float:
    return min(max((x - zero) / (one - zero), 0.0), 1.0)


def head_angles(rotation: np.ndarray) -> np.ndarray:
    """(up, toward the picture's left, counter-clockwise) in degrees, from R = Rz(roll)·Ry(yaw)·Rx(pitch): the
    same order as THA v1's neck-root tilt applied after the head's own turn and nod, and as the original
    puppeteer's decomposition."""
    r = rotation
    pitch_down = math.atan2(r[2, 1], r[2, 2])
    yaw_right = math.asin(max(-1.0, min(1.0, -r[2, 0])))
    roll_ccw = math.atan2(r[1, 0], r[0, 0])
    return np.degrees([-pitch_down, -yaw_right, roll_ccw])


def as_seen(angles_deg, eyes, mouth: float, eye_thresholds: tuple[Thresholds, Thresholds],
            mouth_thresholds: Thresholds) -> Pose:
    """The pose that looks like the face in the picture. `eyes` and `eye_thresholds` are ordered (picture's
    left, picture's right); the eye on the picture's right is shown on the screen's right: left_eye."""
    up, left, ccw = (max(-1.0, min(1.0, a / DEGREES_PER_UNIT)) for a in angles_deg)
    (t_left, t_right), t = eye_thresholds, mouth_thresholds
    return Pose(head_x=up, head_y=left, neck_z=ccw,
                left_eye=ramp(eyes[1], t_right.eye_open, t_right.eye_closed),
                right_eye=ramp(eyes[0], t_left.eye_open, t_left.eye_closed),
                mouth=ramp(mouth, t.mouth_closed, t.mouth_open))


def mirrored(pose: Pose) -> Pose:
    """The pose of the mirror image: turn and tilt change side, and so do the eyes; nodding and mouth don't."""
    return Pose(pose.head_x, -pose.head_y, -pose.neck_z, pose.right_eye, pose.left_eye, pose.mouth)
