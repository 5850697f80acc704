"""The dataset layout on disk, shared by every writer, reader and checker:

    DIR/dataset.json                                 {"format": FORMAT, "version": 1, "image_size": 256,
                                                      "source": "synth" | "ntut", ...free fields}
    DIR/{train,val,test}/{character}/rest.png        rest pose: facing forward, eyes open, mouth closed
    DIR/{split}/{character}/poses.csv                sample,head_x,head_y,neck_z,left_eye,right_eye,mouth
    DIR/{split}/{character}/{sample:05d}_morphed.png only eyes and mouth of the pose applied
    DIR/{split}/{character}/{sample:05d}_posed.png   all six parameters applied

Images are 256×256 RGBA PNGs with a fully transparent background. A character folder is complete once its
poses.csv exists: writers write it last."""
import csv
import json
import math
from pathlib import Path

from ..errors import DatasetError, PoseError
from ..files import write_atomically
from ..pose import NAMES, Pose

FORMAT = "talking-head-puppeteer-dataset"
VERSION = 1
IMAGE_SIZE = 256
SPLITS = ("train", "val", "test")
INFO = "dataset.json"
REST = "rest.png"
LABELS = "poses.csv"
KINDS = ("morphed", "posed")


def image_name(sample: int, kind: str) -> str:
    return f"{sample:05d}_{kind}.png"


def write_info(root: Path, source: str, **fields) -> dict:
    info = {"format": FORMAT, "version": VERSION, "image_size": IMAGE_SIZE, "source": source, **fields}
    write_atomically(Path(root) / INFO, lambda tmp: Path(tmp).write_text(json.dumps(info, indent=2) + "\n"))
    return info


def start(out: Path, source: str, recipe: dict, keys: tuple, resume: bool) -> dict:
    """A writer's first step: a new dataset in an empty `out` (dataset.json from `recipe`), or, resuming, the one
    there when it was made by the same `source` with the same values of `keys`. Returns dataset.json's content."""
    out = Path(out)
    if resume:
        info = read_info(out)
        if info.get("source") != source:
            raise DatasetError(f"{out}: not a {source} dataset (source {info.get('source')!r}); cannot resume")
        for key in keys:
            if info.get(key) != recipe.get(key):
                raise DatasetError(f"{out / INFO}: {key} is {info.get(key)!r} but this run asks for "
                                   f"{recipe.get(key)!r}; resume with the same settings or use a new folder")
        return info
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise DatasetError(f"{out}: not an empty folder; choose a new one, or pass --resume to continue "
                           "an interrupted run")
    out.mkdir(parents=True, exist_ok=True)
    return write_info(out, source, **recipe)


def read_info(root) -> dict:
    """dataset.json, checked: a clear error when the folder is not a dataset of this format."""
    path = Path(root) / INFO
    if not Path(root).is_dir():
        raise DatasetError(f"{root}: dataset folder not found")
    try:
        info = json.loads(path.read_text())
    except FileNotFoundError:
        raise DatasetError(f"{path}: missing; {root} is not a dataset made by `puppeteer dataset`") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise DatasetError(f"{path}: cannot read ({e})") from None
    if not isinstance(info, dict) or info.get("format") != FORMAT:
        raise DatasetError(f"{path}: not a {FORMAT} description (\"format\" is {info.get('format')!r})"
                           if isinstance(info, dict) else f"{path}: not a JSON object")
    if info.get("version") != VERSION:
        raise DatasetError(f"{path}: dataset version {info.get('version')!r}; this program reads version {VERSION}")
    if info.get("image_size") != IMAGE_SIZE:
        raise DatasetError(f"{path}: image_size {info.get('image_size')!r}; only {IMAGE_SIZE} is supported")
    return info


def write_labels(path: Path, samples: list[int], poses: list[Pose]) -> None:
    def write(tmp):
        with open(tmp, "w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["sample", *NAMES])
            for sample, pose in zip(samples, poses):
                writer.writerow([sample, *(repr(float(v)) for v in pose.values())])  # exact round trip
    write_atomically(path, write)


def read_labels(path: Path) -> list[tuple[int, Pose]]:
    """(sample number, pose) for each row of a poses.csv; any problem is a DatasetError naming the line."""
    try:
        with open(path, newline="") as f:
            rows = list(csv.reader(f))
    except FileNotFoundError:
        raise DatasetError(f"{path}: missing (the character folder is incomplete)") from None
    except (OSError, UnicodeDecodeError) as e:
        raise DatasetError(f"{path}: cannot read ({e})") from None
    expected = ["sample", *NAMES]
    if not rows or [h.strip() for h in rows[0]] != expected:
        raise DatasetError(f"{path}: the header must be {','.join(expected)}")
    labels, seen = [], set()
    for line_no, row in enumerate(rows[1:], start=2):
        try:
            sample = int(row[0])
            pose = Pose.from_values(row[1:])
            pose.check_ranges()
        except (ValueError, IndexError, PoseError) as e:
            raise DatasetError(f"{path}, line {line_no}: {e}") from None
        if sample < 0 or sample in seen:
            raise DatasetError(f"{path}, line {line_no}: sample number {sample} is negative or repeated")
        seen.add(sample)
        labels.append((sample, pose))
    if not labels:
        raise DatasetError(f"{path}: no samples after the header")
    return labels


def split_counts(characters: int, val_fraction: float, test_fraction: float) -> dict[str, int]:
    """How many characters go to each split: val and test get ceil(fraction × N) each (at least one when their
    fraction is above zero) while train keeps at least one."""
    for name, f in (("val fraction", val_fraction), ("test fraction", test_fraction)):
        if not 0 <= f < 1:
            raise DatasetError(f"the {name} must be in [0, 1), got {f}")
    if characters < 1:
        raise DatasetError(f"need at least one character, got {characters}")
    val, test = (math.ceil(characters * f - 1e-9) for f in (val_fraction, test_fraction))
    while val + test > characters - 1 and (val or test):
        if test >= val:
            test -= 1
        else:
            val -= 1
    return {"train": characters - val - test, "val": val, "test": test}


def split_of(index: int, counts: dict[str, int]) -> str:
    """Characters are numbered train first, then val, then test."""
    for split in SPLITS:
        if index < counts[split]:
            return split
        index -= counts[split]
    raise IndexError("character index beyond the dataset")


def character_folders(root, split: str) -> list[Path]:
    if split not in SPLITS:
        raise DatasetError(f"unknown split {split!r}; use one of {', '.join(SPLITS)}")
    folder = Path(root) / split
    return sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []
