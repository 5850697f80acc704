"""Where the rig's points land for a pose: the 2.5-D skeleton.

World space is in final-image pixels with the origin at the image centre, X to the image right, Y up and Z toward
the viewer; the projection is orthographic, image = (128 + X, 128 − Y). The head's parts are 3-D points in head
space (origin at the head centre); the neck is posed in world space; the body does not move.

Pose conventions (reference README §2; the same as the tracker's, under which the original THA v1 puppeteer of
§6 makes the character the user's mirror image):
  * head_x > 0 tilts the head up (the face's front moves up), about the neck-tip joint;
  * head_y > 0 turns the face toward the image left (the character's own right), about the neck-tip joint;
  * neck_z > 0 tilts the head top toward the image left, about the neck-root joint, neck included;
each ±1 is ±15°. left_eye is the character's own left eye, on the image right."""
import numpy as np

from ..pose import DEGREES_PER_UNIT, Pose

CENTRE = 128.0


def _rx(a):
    c, s = np.cos(a), np.sin(a)
    return np.array([[1, 0, 0], [0, c, s], [0, -s, c]])


def _ry(a):
    c, s = np.cos(a), np.sin(a)
    return np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]])


def _rz(a):
    c, s = np.cos(a), np.sin(a)
    return np.array([[c, s, 0], [-s, c, 0], [0, 0, 1]])


class Skeleton:
    """The rig's joints for one character and pose; maps points to image pixels."""

    def __init__(self, head_centre_y: float, neck_tip, neck_root_y: float, pose: Pose):
        """head_centre_y, neck_root_y: world Y of the head centre and of the neck root (at X = Z = 0);
        neck_tip: the neck-tip joint in head space."""
        pitch, yaw, roll = (np.radians(v * DEGREES_PER_UNIT) for v in (pose.head_x, -pose.head_y, -pose.neck_z))
        self._neck = _rz(roll)
        self._root = np.array([0.0, neck_root_y, 0.0])
        tip = np.asarray(neck_tip, dtype=np.float64)
        turn = _ry(yaw) @ _rx(pitch)
        # world = Rz·(centre + tip + turn·(p − tip) − root) + root = A·p + b; image = (128 + X, 128 − Y)
        head_a = self._neck @ turn
        head_b = self._neck @ (np.array([0.0, head_centre_y, 0.0]) + tip - turn @ tip - self._root) + self._root
        self._head = (head_a[:2].T * (1, -1), head_b[:2] * (1, -1) + CENTRE)
        neck = self._neck[:2, :2].T * (1, -1)
        self._neck2 = (neck, (self._root[:2] - self._root[:2] @ neck.T * (1, -1)) * (1, -1) + CENTRE)

    def head(self, points3: np.ndarray) -> np.ndarray:
        """Head-space N×3 → image N×2."""
        m, t = self._head
        return points3 @ m + t

    def neck(self, world2: np.ndarray) -> np.ndarray:
        """World N×2 (rest position, Z = 0) → image N×2, turned with the neck root."""
        m, t = self._neck2
        return world2 @ m + t

    @staticmethod
    def body(world2: np.ndarray) -> np.ndarray:
        return world2 * (1, -1) + (CENTRE, CENTRE)
