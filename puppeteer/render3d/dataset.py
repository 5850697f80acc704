"""`puppeteer dataset render-3d`: each VRM or MMD model becomes one character of a dataset in the project's format
(rest, morphed = eyes and mouth only, posed = all six), in THA v1's poses and sampling and the template's framing.
A character is complete once its poses.csv exists, so a killed run resumes model by model."""
import hashlib
import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .. import images
from ..data import format as fmt
from ..data.synthetic import sample_pose_for
from ..errors import DatasetError
from ..files import write_atomically
from ..pose import Pose
from .browser import Browser
from .rig import model_format, prepare_rig

# the dataset.json fields a resumed run must repeat
_RECIPE = ("seed", "poses_per_character", "pose_kind", "split", "models", "map", "expression_weights")
# what the poses move: THA v1's random poses, or one part alone (validation sets that tell the morpher's errors from
# the rotator's)
POSE_KINDS = ("random", "eyes-mouth", "head")


def sample_pose(kind: str, seed: int, index: int, sample: int) -> Pose:
    pose = sample_pose_for(seed, index, sample)
    if kind == "eyes-mouth":
        return Pose(0.0, 0.0, 0.0, *pose.morph)
    if kind == "head":
        return Pose(pose.head_x, pose.head_y, pose.neck_z)
    return pose


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def character_ids(models: list[Path]) -> list[str]:
    """Folder names from the file names (letters, digits, - and _), numbered where two would meet."""
    ids, seen = [], {}
    for path in models:
        base = re.sub(r"[^A-Za-z0-9_-]+", "_", path.stem).strip("_") or "model"
        seen[base] = seen.get(base, 0) + 1
        ids.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
    return ids


def _recipe(models: list[Path], poses: int, seed: int, split: str, mapping: dict, kind: str) -> dict:
    if kind not in POSE_KINDS:
        raise DatasetError(f"--pose-kind must be one of {', '.join(POSE_KINDS)}, not {kind!r}")
    if poses < 1:
        raise DatasetError(f"need at least one pose per model, got {poses}")
    if split not in fmt.SPLITS:
        raise DatasetError(f"--split must be one of {', '.join(fmt.SPLITS)}, not {split!r}")
    for path in models:
        if not path.is_file():
            raise DatasetError(f"{path}: model file not found")
        model_format(path)
    return {"seed": seed, "poses_per_character": poses, "pose_kind": kind, "split": split, "map": mapping,
            "models": [{"file": path.name, "sha256": _sha256(path)} for path in models],
            "pose_sampling": {"left_eye, right_eye, mouth": "uniform [0, 1]" if kind != "head" else "0",
                              "head_x, head_y, neck_z": "|x| = sqrt(u), random sign" if kind != "eyes-mouth"
                              else "0"},
            "expression_weights": "continuous (binary VRM expressions too)",
            "renderer": "three.js 0.171.0 + @pixiv/three-vrm 3.5.5 in headless Chromium (SwiftShader)"}


def render_character(path: Path, folder: Path, index: int, poses: int, seed: int, mapping: dict,
                     browser: str | None = None, on_sample=None, kind: str = "random") -> dict:
    """Frame the model, then write its rest picture and samples (those not there yet) and last its poses.csv;
    returns how it was posed (expressions, bone signs, camera, landmarks)."""
    labels = [sample_pose(kind, seed, index, sample) for sample in range(poses)]
    jobs = [(folder / fmt.REST, Pose())] + [
        (folder / fmt.image_name(sample, part), shown) for sample, pose in enumerate(labels)
        for part, shown in (("morphed", Pose(0.0, 0.0, 0.0, *pose.morph)), ("posed", pose))]
    with Browser(path, browser) as page, ThreadPoolExecutor(1) as saver:  # PNG encoding beside the next render
        rig, face = prepare_rig(path, page, mapping)
        saved = []
        for number, (target, shown) in enumerate(jobs):
            if not target.exists():
                saved.append(saver.submit(images.save_png, target, rig.render(page, shown)))
            if on_sample and number and number % 2 == 0:  # a sample is done with its posed picture
                on_sample()
        for future in saved:
            future.result()  # an error writing (a full disk) surfaces here, before poses.csv
    fmt.write_labels(folder / fmt.LABELS, list(range(poses)), labels)  # last: it marks the character complete
    return {**rig.describe(), "landmarks": {"left_eye": face.left_eye, "right_eye": face.right_eye,
                                            "mouth": face.mouth}}


def render_models(models, out, poses: int = 24, seed: int = 0, split: str = "train", mapping: dict | None = None,
                  browser: str | None = None, resume: bool = False, progress=None, echo=print,
                  kind: str = "random") -> dict:
    """Render every model into `out`; returns {"written": models rendered now, "kept": complete ones found}.
    `progress(total)` (e.g. tqdm) counts samples, as `dataset synth` does."""
    models, out, mapping = [Path(m) for m in models], Path(out), mapping or {}
    recipe = _recipe(models, poses, seed, split, mapping, kind)
    info = fmt.start(out, "render-3d", {**recipe, "characters": {}}, _RECIPE, resume)
    written = kept = 0
    total = len(models) * poses
    bar = progress(total=total) if progress else None
    try:
        for index, (path, name) in enumerate(zip(models, character_ids(models))):
            folder = out / split / name
            if (folder / fmt.LABELS).exists():
                kept += 1
                if bar:
                    bar.update(poses)
                continue
            try:
                rig = render_character(path, folder, index, poses, seed, mapping, browser,
                                       on_sample=(lambda: bar.update(1)) if bar else None, kind=kind)
            except OSError as e:  # a full disk, a folder that cannot be written
                raise DatasetError(f"{e.filename or folder}: {e.strerror or e}; what was written is kept: fix it "
                                   "and continue with --resume") from None
            for note in rig["notes"]:
                echo(f"{path.name}: {note}")
            info["characters"][name] = {"model": path.name, **rig}
            write_atomically(out / fmt.INFO, lambda tmp: Path(tmp).write_text(json.dumps(info, indent=2) + "\n"),
                             overwrite=True)
            written += 1
    finally:
        if bar:
            bar.close()
    return {"written": written, "kept": kept}
