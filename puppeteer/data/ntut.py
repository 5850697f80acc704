"""`puppeteer dataset import-ntut`: convert the NTUT fork's MMD renders (reference README §9) to this format.

How the fork's layout is read (its renamer and list-building scripts):
  * pictures MMD{i}_{j}.png and labels MMD{i}_{j}.txt, anywhere under SRC (the fork keeps them in parallel
    img/ and label/ trees, one folder per character); the renamed forms MMD{i}M_1{jj} (= j jj, 02..71) and
    MMD{i}R_2{kk} (= j kk + 70) are read too;
  * j = 0 is the rest picture; j = 2..71 are morph samples and j + 70 = 72..141 the rotate samples, and
    morph j and rotate j + 70 are one sample: the morph picture becomes `morphed`, the rotate picture `posed`
    (the renamer gives both the same number, which is what pairs them; the sample number here is j);
  * a label's first line is `le,re,mouth,rx,ry,rz` with the rotations in degrees; the pose is
    (rx/15, ry/15, rz/15, le, re, mouth), taken from the rotate label. The morph label must agree on le, re and
    mouth and have no rotation, otherwise the pair is reported and left out.
Every file that cannot be used is reported with the reason; the source is only ever read."""
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .. import images
from ..errors import DatasetError, ImageError, PoseError
from ..pose import DEGREES_PER_UNIT, Pose
from . import format as fmt
from .validate import picture_problem

REST = 0
MORPH = range(2, 72)
ROTATE_OFFSET = 70
_NAMES = [(re.compile(r"^MMD(\d+)_(\d+)$"), 0), (re.compile(r"^MMD(\d+)M_1(\d\d)$"), 0),
          (re.compile(r"^MMD(\d+)R_2(\d\d)$"), ROTATE_OFFSET)]
_ROTATION_TOLERANCE = 0.5  # degrees: a morph sample's rotation must be zero
_MORPH_TOLERANCE = 1e-4


@dataclass
class ImportReport:
    characters: dict = field(default_factory=lambda: {s: 0 for s in fmt.SPLITS})
    samples: int = 0
    problems: list = field(default_factory=list)  # files that could not be used, with why
    ignored: list = field(default_factory=list)   # files outside the fork's layout


def _parse_name(stem: str):
    for pattern, offset in _NAMES:
        m = pattern.match(stem)
        if m:
            return int(m.group(1)), int(m.group(2)) + offset
    return None


def scan(src: Path, report: ImportReport) -> dict[int, dict[int, dict[str, Path]]]:
    """character → j → {"png": path, "txt": path}, from the file names alone."""
    found: dict[int, dict[int, dict[str, Path]]] = {}
    for folder, dirs, files in os.walk(src):
        dirs.sort()
        for name in sorted(files):
            path = Path(folder) / name
            stem, ext = os.path.splitext(name)
            key = _parse_name(stem)
            if key is None or ext.lower() not in (".png", ".txt"):
                report.ignored.append(f"{path}: not a file of the fork's layout (MMD{{i}}_{{j}}.png/.txt)")
                continue
            slot = found.setdefault(key[0], {}).setdefault(key[1], {})
            kind = ext.lower()[1:]
            if kind in slot:
                report.problems.append(f"{path}: duplicate of {slot[kind]} (the same character and number); "
                                       "the first is used")
                continue
            slot[kind] = path
    return found


def read_label(path: Path) -> tuple[float, ...]:
    """le, re, mouth, rx, ry, rz from a label file's first line."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise DatasetError(f"{path}: cannot read the label ({e})") from None
    lines = [line for line in text.splitlines() if line.strip()]
    try:
        values = tuple(float(v) for v in lines[0].split(","))
    except (IndexError, ValueError):
        values = ()
    if len(values) != 6 or not all(np.isfinite(values)):
        raise DatasetError(f"{path}: the label must be one line le,re,mouth,rx,ry,rz (six numbers, "
                           f"rotations in degrees), got {lines[0][:60] if lines else 'nothing'!r}")
    return values


def _sample_pose(morph_txt: Path, rotate_txt: Path) -> Pose:
    morph, rotate = read_label(morph_txt), read_label(rotate_txt)
    if max(abs(v) for v in morph[3:]) > _ROTATION_TOLERANCE:
        raise DatasetError(f"{morph_txt}: a morph sample's label has a head rotation {morph[3:]}; expected 0")
    if max(abs(a - b) for a, b in zip(morph[:3], rotate[:3])) > _MORPH_TOLERANCE:
        raise DatasetError(f"{rotate_txt}: eyes and mouth {rotate[:3]} differ from its morph partner "
                           f"{morph_txt.name} {morph[:3]}, so the two pictures are not one sample")
    pose = Pose(*(v / DEGREES_PER_UNIT for v in rotate[3:]), *rotate[:3])
    try:
        pose.check_ranges()
    except PoseError as e:
        raise DatasetError(f"{rotate_txt}: {e} (rotations are degrees / 15)") from None
    return pose


def _load(path: Path) -> np.ndarray:
    """A usable picture, with any colour under transparent pixels cleaned away."""
    try:
        arr = images.read_image(path)
    except ImageError as e:
        raise DatasetError(str(e)) from None
    problem = picture_problem(arr, stray_colour_ok=True)
    if problem:
        raise DatasetError(f"{path}: {problem}")
    return images.clean_transparent(arr)


def _plan_character(i: int, entries: dict, report: ImportReport):
    """(rest path, [(sample, morph png, rotate png, pose)]) for one character, reporting what is unusable."""
    name = f"MMD{i}"
    files = lambda j: sorted(entries.get(j, {}).values())  # noqa: E731
    used = {REST} | set(MORPH) | {j + ROTATE_OFFSET for j in MORPH}
    for j in sorted(set(entries) - used):
        for path in files(j):
            report.ignored.append(f"{path}: number {j} is outside the fork's layout (rest 0, morph 2–71, "
                                  "rotate 72–141)")
    rest = entries.get(REST, {}).get("png")
    if rest is None:
        others = sum(len(v) for j, v in entries.items() if j != REST)
        report.problems.append(f"{name}: no rest picture {name}_0.png; its {others} other file(s) are skipped")
        return None
    samples = []
    for j in MORPH:
        morph, rotate = entries.get(j, {}), entries.get(j + ROTATE_OFFSET, {})
        missing = [f"{name}_{n}.{kind}" for n, slot in ((j, morph), (j + ROTATE_OFFSET, rotate))
                   for kind in ("png", "txt") if kind not in slot]
        if missing:
            for path in files(j) + files(j + ROTATE_OFFSET):
                report.problems.append(f"{path}: unpaired, sample {j} lacks {', '.join(missing)}")
            continue
        try:
            samples.append((j, morph["png"], rotate["png"], _sample_pose(morph["txt"], rotate["txt"])))
        except DatasetError as e:
            report.problems.append(str(e))
    return rest, samples


def _convert_character(dst: Path | None, split: str, name: str, rest_path: Path, samples, report: ImportReport):
    """Read every picture of a character; write the good samples (unless dst is None: a dry run)."""
    try:
        rest = _load(rest_path)
    except DatasetError as e:
        report.problems.append(f"{e}; the character {name} is skipped")
        return
    good = []
    for sample, morph_path, rotate_path, pose in samples:
        try:
            good.append((sample, _load(morph_path), _load(rotate_path), pose))
        except DatasetError as e:
            report.problems.append(str(e))
    if not good:
        report.problems.append(f"{name}: no usable sample; the character is skipped")
        return
    report.characters[split] += 1
    report.samples += len(good)
    if dst is None:
        return
    folder = dst / split / name
    images.save_png(folder / fmt.REST, rest)
    for sample, morphed, posed, _ in good:
        images.save_png(folder / fmt.image_name(sample, "morphed"), morphed)
        images.save_png(folder / fmt.image_name(sample, "posed"), posed)
    fmt.write_labels(folder / fmt.LABELS, [s[0] for s in good], [s[3] for s in good])


def import_ntut(src, dst, dry_run: bool = False, val_fraction: float = 0.05, test_fraction: float = 0.05,
                seed: int = 0, progress=None) -> ImportReport:
    """Convert SRC into a new dataset at DST (nothing is written on a dry run). Characters are split at random
    (by `seed`) into train/val/test. `progress(iterable, total)` may wrap the per-character loop."""
    src, dst = Path(src), Path(dst)
    if not src.is_dir():
        raise DatasetError(f"{src}: source folder not found")
    if not dry_run and dst.exists() and (not dst.is_dir() or any(dst.iterdir())):
        raise DatasetError(f"{dst}: not an empty folder; choose a new one")
    if not dry_run and dst.resolve().is_relative_to(src.resolve()):
        raise DatasetError(f"{dst}: inside the source folder {src}; choose a folder outside it")
    report = ImportReport()
    plans = {}
    for i, entries in sorted(scan(src, report).items()):
        plan = _plan_character(i, entries, report)
        if plan is not None and plan[1]:
            plans[i] = plan
        elif plan is not None:
            report.problems.append(f"MMD{i}: no complete sample (morph j with rotate j+70, both with labels); "
                                   "the character is skipped")
    if not plans:
        raise DatasetError(f"{src}: no usable character found ({len(report.problems)} problem(s), "
                           f"{len(report.ignored)} file(s) outside the layout)")
    counts = fmt.split_counts(len(plans), val_fraction, test_fraction)
    order = [sorted(plans)[k] for k in np.random.default_rng(seed).permutation(len(plans))]
    splits = {i: fmt.split_of(n, counts) for n, i in enumerate(order)}
    if not dry_run:
        dst.mkdir(parents=True, exist_ok=True)
    items = sorted(plans.items())
    for i, (rest, samples) in (items if progress is None else progress(items, len(items))):
        _convert_character(None if dry_run else dst, splits[i], f"MMD{i}", rest, samples, report)
    if not dry_run:
        fmt.write_info(dst, "ntut", source_folder=str(src.resolve()), seed=seed, val_fraction=val_fraction,
                       test_fraction=test_fraction, splits=report.characters, samples=report.samples,
                       problems=len(report.problems),
                       layout="rest MMD{i}_0; sample j (2..71): morphed MMD{i}_{j}, posed MMD{i}_{j+70}; "
                              "pose from the posed label le,re,mouth,rx,ry,rz as (rx/15, ry/15, rz/15, le, re, "
                              "mouth); the fork trained on plain [0,1] sRGB (convention 'ntut')")
    return report
