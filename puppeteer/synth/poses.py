"""Random poses as THA v1 was trained on them (reference README §8): eyes and mouth uniform in [0, 1]; head values
with a density growing linearly with |x| toward ±1 (|x| = √u), or uniform."""
import numpy as np

from ..pose import Pose

HEAD_DENSITIES = ("linear", "uniform")


def sample_pose(rng: np.random.Generator, head_density: str = "linear") -> Pose:
    if head_density not in HEAD_DENSITIES:
        raise ValueError(f"head_density must be one of {', '.join(HEAD_DENSITIES)}, not {head_density!r}")
    u = rng.random(6)
    sign = np.where(rng.random(3) < 0.5, -1.0, 1.0)
    magnitude = np.sqrt(u[:3]) if head_density == "linear" else u[:3]
    return Pose(*(float(v) for v in sign * magnitude), *(float(v) for v in u[3:]))
