"""One render in progress: the canvas, the posed skeleton and the head's shape, shared by the part painters.

Head space: origin at the head centre, x to the image right, y up, z toward the viewer, in pixels. Flat 2-D
designs (eyes, mouth, bangs) are lifted onto an ellipsoid standing in for the face, so that a turn moves
near features more than far ones and squeezes the far side."""
import numpy as np

from ..pose import Pose
from .canvas import Canvas
from .character import CharacterSpec
from .posing import Skeleton

NECK_ROOT_Y = -62.0  # world Y of the neck root (image y = 190)


class Scene:
    def __init__(self, spec: CharacterSpec, pose: Pose):
        self.spec, self.pose = spec, pose
        self.r = r = spec.face.radius
        self.canvas = Canvas()
        self.skeleton = Skeleton(spec.face.centre_y, (0.0, -0.95 * r, -0.35 * r), NECK_ROOT_Y, pose)
        self.lw = spec.line_width
        self.cap_radius = r * (1 + spec.hair.volume)  # the hair's outer sphere
        # the face ellipsoid: semi-axes (a, b, c) around (0, -0.15 r, 0)
        self._a, self._b, self._c, self._cy = 1.0 * r, 1.3 * r, 0.9 * r, -0.15 * r

    def depth(self, points2: np.ndarray) -> np.ndarray:
        """z of the face surface under head-space (x, y) points (flattened near the rim, never 0)."""
        x, y = points2[:, 0] / self._a, (points2[:, 1] - self._cy) / self._b
        return self._c * np.sqrt(np.clip(1 - x * x - y * y, 0.04, None))

    def on_face(self, points2: np.ndarray, depth: float = 0.0) -> np.ndarray:
        """Head-space 2-D points on the face surface (plus `depth` toward the viewer) → image pixels."""
        points2 = np.asarray(points2, dtype=np.float64)
        return self.skeleton.head(np.column_stack([points2, self.depth(points2) + depth]))

    def at_depth(self, points2: np.ndarray, z) -> np.ndarray:
        """Head-space 2-D points at a given depth z (a number or one per point) → image pixels."""
        points2 = np.asarray(points2, dtype=np.float64)
        return self.skeleton.head(np.column_stack([points2, np.broadcast_to(z, (len(points2),))]))

    def world(self, points2: np.ndarray) -> np.ndarray:
        """Body points (world space, fixed) → image pixels."""
        return self.skeleton.body(np.asarray(points2, dtype=np.float64))

    def neck(self, points2: np.ndarray) -> np.ndarray:
        """Neck points (world space at rest) → image pixels, turned about the neck root."""
        return self.skeleton.neck(np.asarray(points2, dtype=np.float64))
