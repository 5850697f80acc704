"""Loaders for the training pipeline. Both give the same items:

    {"rest", "morphed", "posed": float32 4×256×256 in the chosen value convention (puppeteer.images.encode),
     "pose": float32 [6] in Pose order, "character": the character folder's name}
"""
import warnings
from pathlib import Path

import torch

from .. import images
from ..errors import DatasetError, PuppeteerError
from . import format as fmt
from . import synthetic

ON_ERROR = ("stop", "skip")


def _item(rest, morphed, posed, pose, character: str, convention: str) -> dict:
    encode = lambda rgba: torch.from_numpy(images.encode(rgba, convention))  # noqa: E731
    return {"rest": encode(rest), "morphed": encode(morphed), "posed": encode(posed),
            "pose": torch.tensor(pose.values(), dtype=torch.float32), "character": character}


class PoseDataset(torch.utils.data.Dataset):
    """A dataset folder (see format.py), one split. With on_error="stop" a bad file raises DatasetError naming
    it; with "skip" it is reported (a warning naming the file), counted in `skipped` and the next good sample
    is returned instead. Problems found while indexing (a character's poses.csv) follow the same rule."""

    def __init__(self, root, split: str = "train", convention: str = "tha1", on_error: str = "stop"):
        if on_error not in ON_ERROR:
            raise ValueError(f"on_error must be one of {', '.join(ON_ERROR)}, not {on_error!r}")
        self.root, self.split, self.on_error = Path(root), split, on_error
        self.convention = images.check_convention(convention)
        self.info = fmt.read_info(self.root)
        self.skipped = 0
        self._bad: set[int] = set()
        self._samples = []  # (character folder, sample number, pose)
        for folder in fmt.character_folders(self.root, split):
            try:
                labels = fmt.read_labels(folder / fmt.LABELS)
            except DatasetError as e:
                self._report(e)
                continue
            self._samples += [(folder, sample, pose) for sample, pose in labels]

    def _report(self, error: DatasetError) -> None:
        if self.on_error == "stop":
            raise error
        self.skipped += 1
        warnings.warn(f"skipping: {error}", stacklevel=3)

    def __len__(self) -> int:
        return len(self._samples)

    def _load(self, i: int) -> dict:
        folder, sample, pose = self._samples[i]
        pictures = [folder / fmt.REST] + [folder / fmt.image_name(sample, kind) for kind in fmt.KINDS]
        try:
            rest, morphed, posed = (images.load_character(p) for p in pictures)
        except PuppeteerError as e:
            raise DatasetError(str(e)) from None
        return _item(rest, morphed, posed, pose, folder.name, self.convention)

    def __getitem__(self, i: int) -> dict:
        if not -len(self) <= i < len(self):
            raise IndexError(f"sample {i} of {len(self)}")
        i %= len(self)
        for j in [k % len(self) for k in range(i, i + len(self))]:
            if j in self._bad:
                continue
            try:
                return self._load(j)
            except DatasetError as e:
                self._report(e)
                self._bad.add(j)
        raise DatasetError(f"{self.root / self.split}: no readable sample left")


class SynthPoseDataset(torch.utils.data.Dataset):
    """Rendered on the fly by the rig. Deterministic per (seed, index), and item for item the same as the
    dataset `puppeteer dataset synth` writes with the same arguments: `characters` counts all splits, and
    this split holds its share of them."""

    def __init__(self, seed: int = 0, characters: int = 100, poses_per_character: int = 50, split: str = "train",
                 convention: str = "tha1", val_fraction: float = 0.05, test_fraction: float = 0.05,
                 head_density: str = "linear", variety: str = "standard"):
        if split not in fmt.SPLITS:
            raise DatasetError(f"unknown split {split!r}; use one of {', '.join(fmt.SPLITS)}")
        if poses_per_character < 1:
            raise DatasetError(f"poses_per_character must be at least 1, got {poses_per_character}")
        self.seed, self.poses_per_character, self.head_density = seed, poses_per_character, head_density
        self.variety = variety
        self.convention = images.check_convention(convention)
        counts = fmt.split_counts(characters, val_fraction, test_fraction)
        first = sum(counts[s] for s in fmt.SPLITS[:fmt.SPLITS.index(split)])
        self.characters = list(range(first, first + counts[split]))
        self._rest_cache: dict[int, tuple] = {}  # a plain dict, so the dataset pickles for spawned workers

    def _rest(self, index: int):
        if index not in self._rest_cache:
            if len(self._rest_cache) >= 128:  # 32 MB; a character's rest costs one render (~8 ms)
                self._rest_cache.clear()
            spec = synthetic.character_spec(self.seed, index, self.variety)
            self._rest_cache[index] = (spec, synthetic.render_rest(spec))
        return self._rest_cache[index]

    def __len__(self) -> int:
        return len(self.characters) * self.poses_per_character

    def __getitem__(self, i: int) -> dict:
        if not -len(self) <= i < len(self):
            raise IndexError(f"sample {i} of {len(self)}")
        index, sample = divmod(i % len(self), self.poses_per_character)
        index = self.characters[index]
        spec, rest = self._rest(index)
        pose = synthetic.sample_pose_for(self.seed, index, sample, self.head_density)
        morphed, posed = synthetic.render_sample(spec, pose)
        return _item(rest, morphed, posed, pose, synthetic.character_id(index), self.convention)
