"""The poses a student learns from and the fixed ones it is scored on. Both come from RNG streams of their own,
so neither can meet the poses `puppeteer dataset synth` draws (the user's own check of a rig character)."""
import itertools

import numpy as np

from ..pose import Pose
from ..synth import sample_pose

STREAM = 20_191_130  # distillation's own RNG stream, apart from the dataset's [seed, index, 1, sample]
HELDOUT_POSES = 48


def extreme_poses() -> list[Pose]:
    """The neutral pose, each eye shut alone, then every corner and edge of the head's range, once with the face
    at rest and once with eyes shut and mouth open: the poses random sampling reaches least often."""
    poses = [Pose(), Pose(left_eye=1.0), Pose(right_eye=1.0), Pose(mouth=1.0)]
    for head in itertools.product((-1.0, 0.0, 1.0), repeat=3):
        if any(head):
            poses += [Pose(*head), Pose(*head, 1.0, 1.0, 1.0)]
    return poses


def training_poses(count: int, seed: int = 0) -> list[Pose]:
    """`count` poses: the extremes first, the rest drawn as THA v1 sampled them (head density growing toward ±1)."""
    extremes = extreme_poses()[:count]
    rng = np.random.default_rng([STREAM, seed, 0])
    return extremes + [sample_pose(rng) for _ in range(count - len(extremes))]


def heldout_poses(count: int = HELDOUT_POSES) -> list[Pose]:
    """The same poses for every character and run: scores of different runs compare."""
    rng = np.random.default_rng([STREAM, 1])
    return [sample_pose(rng) for _ in range(count)]
