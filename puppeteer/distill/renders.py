"""The teacher's renders, cached as a dataset (see data/format.py) the trainer reads: train/ holds the training
poses, val/ the held-out ones. Files are written atomically and kept, so a killed run re-renders only what is
missing; a character folder is complete once its poses.csv is written."""
import time
from pathlib import Path

from tqdm import tqdm

from .. import images
from ..data import format as fmt
from .poses import heldout_poses, training_poses

CHARACTER = "c00000"


def sample_paths(folder: Path, sample: int) -> list[Path]:
    return [folder / fmt.image_name(sample, kind) for kind in fmt.KINDS]


def render_split(teacher, folder: Path, poses: list) -> None:
    """Render the poses whose files are missing into `folder`."""
    images.save_png(folder / fmt.REST, teacher.character, overwrite=True)
    missing = [i for i in range(len(poses)) if not all(p.exists() for p in sample_paths(folder, i))]
    for i, pictures in zip(missing, tqdm(teacher.render([poses[i] for i in missing]), total=len(missing),
                                         desc=f"teacher {folder.parent.name}", unit="pose", dynamic_ncols=True)):
        for path, rgba in zip(sample_paths(folder, i), pictures):
            images.save_png(path, rgba, overwrite=True)
    fmt.write_labels(folder / fmt.LABELS, list(range(len(poses))), poses)


def time_teacher(teacher, samples: int = 4) -> float:
    """Seconds per pose of the teacher, on the first training poses (the first call's start-up included)."""
    started = time.perf_counter()
    for _ in teacher.render(training_poses(samples)):
        pass
    return (time.perf_counter() - started) / samples


def render_all(teacher, root: Path, poses: int, seed: int) -> None:
    """The training and held-out renders under `root`."""
    if not (root / fmt.INFO).exists():
        fmt.write_info(root, "distill", character=CHARACTER, teacher=teacher.description["text"])
    for split, chosen in (("train", training_poses(poses, seed)), ("val", heldout_poses())):
        render_split(teacher, root / split / CHARACTER, chosen)
