"""What a student learns from: the rig (exact renders of one of its characters: ground truth) or any checkpoint
folder run as a full chain. A teacher gives, per pose, the morphed picture (eyes and mouth only) and the posed one."""
import hashlib
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from ..pose import Pose

BATCH = 4  # poses per teacher call: enough to fill a CPU's cores, small enough for THA v1 sizes on a laptop GPU


def character_sha256(rgba: np.ndarray) -> str:
    """The character's identity: a hash of its pixels (not of its file, which may be re-saved unchanged)."""
    return hashlib.sha256(np.ascontiguousarray(rgba, dtype=np.uint8).tobytes()).hexdigest()


class RigTeacher:
    """The first character of `puppeteer dataset synth --seed SEED` (its c00000/rest.png), rendered exactly."""

    def __init__(self, seed: int):
        from ..data import synthetic
        from ..synth import RIG_VERSION

        self.seed, self._synthetic = seed, synthetic
        self._spec = synthetic.character_spec(seed, 0)
        self.character = synthetic.render_rest(self._spec)
        self.description = {"kind": "rig", "seed": seed, "rig_version": RIG_VERSION,
                            "text": f"the rig: character 0 of `puppeteer dataset synth --seed {seed}`"}

    def render(self, poses: Sequence[Pose]) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        for pose in poses:
            yield self._synthetic.render_sample(self._spec, pose)


class CheckpointTeacher:
    """A checkpoint folder (THA v1's files, the NTUT fork's, a trained or the bundled model) as its full chain:
    morpher → rotator → combiner, at fp32 on `device` (CUDA when present)."""

    def __init__(self, folder, character: np.ndarray, device="auto"):
        from ..checkpoints import load_networks
        from ..poser import Poser
        from ..precision import model_key

        self.character = character
        networks = load_networks(folder)
        self._poser = Poser(networks, device=device, precision="fp32", fast=False)
        self._image = self._poser.image_tensor(character)
        info = networks.description.info
        self.description = {"kind": "checkpoint", "folder": str(Path(folder).resolve()),
                            "name": info.get("name", Path(folder).name), "weights": model_key(networks),
                            "device": str(self._poser.device), "text": f"the model in {folder}"}

    def render(self, poses: Sequence[Pose]) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        from ..images import decode

        convention = self._poser.convention
        for start in range(0, len(poses), BATCH):
            morphed, _, _, final = self._poser.chain(self._image, self._poser.pose_tensor(poses[start:start + BATCH]))
            for m, f in zip(morphed.cpu().numpy(), final.cpu().numpy()):
                yield decode(m, convention), decode(f, convention)
