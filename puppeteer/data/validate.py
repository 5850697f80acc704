"""`puppeteer dataset validate`: check a dataset folder file by file and list every problem found."""
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .. import images
from ..errors import DatasetError, ImageError
from . import format as fmt


@dataclass
class Report:
    characters: dict = field(default_factory=lambda: {s: 0 for s in fmt.SPLITS})
    samples: dict = field(default_factory=lambda: {s: 0 for s in fmt.SPLITS})
    problems: list = field(default_factory=list)  # "path: what is wrong"

    def add(self, path, message: str) -> None:
        self.problems.append(f"{path}: {message}")


def picture_problem(arr: np.ndarray, stray_colour_ok: bool = False) -> str | None:
    """Why a picture (H×W×C uint8) is not a valid dataset image, or None: wrong size or mode, or a background
    that is not exactly transparent (colour under transparent pixels is allowed with `stray_colour_ok`)."""
    h, w, channels = arr.shape
    if (h, w) != (fmt.IMAGE_SIZE, fmt.IMAGE_SIZE):
        return f"is {w}×{h}, expected {fmt.IMAGE_SIZE}×{fmt.IMAGE_SIZE}"
    if channels != 4:
        return f"has {channels} channel(s); it must be RGBA"
    alpha = arr[..., 3]
    if alpha[0, 0] != 0 or alpha[0, -1] != 0:
        return "the top corners are not transparent: the background must be fully transparent"
    stray = 0 if stray_colour_ok else np.count_nonzero(arr[..., :3][alpha == 0])
    if stray:
        return f"{stray} colour value(s) under fully transparent pixels; the background must be exactly (0,0,0,0)"
    return None


def image_problem(path: Path) -> str | None:
    """Why a picture file is not a valid dataset image (unreadable included), or None."""
    try:
        return picture_problem(images.read_image(path))
    except ImageError as e:
        return str(e).removeprefix(f"{path}: ")


def _check_image(report: Report, path: Path) -> None:
    if not path.exists():
        report.add(path, "missing")
        return
    problem = image_problem(path)
    if problem:
        report.add(path, problem)


def _check_character(report: Report, folder: Path, split: str) -> None:
    report.characters[split] += 1
    _check_image(report, folder / fmt.REST)
    try:
        labels = fmt.read_labels(folder / fmt.LABELS)
    except DatasetError as e:
        report.problems.append(str(e))
        for picture in sorted(folder.glob("*_*.png")):  # unlabelled now, but still worth checking
            _check_image(report, picture)
        return
    expected = {fmt.REST, fmt.LABELS}
    for sample, _ in labels:
        report.samples[split] += 1
        for kind in fmt.KINDS:
            name = fmt.image_name(sample, kind)
            expected.add(name)
            _check_image(report, folder / name)
    for extra in sorted(p for p in folder.iterdir() if p.name not in expected):
        report.add(extra, "not part of the dataset (no label in poses.csv names it)")


def validate(root, progress=None) -> Report:
    """Check everything; DatasetError only when the folder is not a dataset at all (no valid dataset.json)."""
    root = Path(root)
    fmt.read_info(root)
    report = Report()
    folders = [(split, f) for split in fmt.SPLITS for f in fmt.character_folders(root, split)]
    for extra in sorted(p for p in root.iterdir() if p.name not in (*fmt.SPLITS, fmt.INFO)):
        report.add(extra, f"unexpected; a dataset holds only {fmt.INFO} and the folders {', '.join(fmt.SPLITS)}")
    for split in fmt.SPLITS:
        loose = [p for p in (root / split).iterdir() if not p.is_dir()] if (root / split).is_dir() else []
        for p in sorted(loose):
            report.add(p, "unexpected file; a split folder holds only character folders")
    if not folders:  # a dataset with only val or test characters is an evaluation set: fine
        report.add(root, f"no characters in any split ({', '.join(fmt.SPLITS)})")
    items = folders if progress is None else progress(folders)
    for split, folder in items:
        _check_character(report, folder, split)
    return report
