"""`puppeteer dataset synth`: write a rig-rendered dataset, character by character, resumable."""
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from .. import images
from ..errors import DatasetError
from ..synth import HEAD_DENSITIES, RIG_VERSION
from ..synth.character import WIDENING
from . import format as fmt
from . import synthetic

# The dataset.json fields that decide the content; a resumed run must match them all.
_RECIPE = ("seed", "characters", "poses_per_character", "val_fraction", "test_fraction", "head_density", "rig",
           "variety", "widening")


def _recipe(seed, characters, poses, val_fraction, test_fraction, head_density, variety, widening) -> dict:
    if poses < 1:
        raise DatasetError(f"need at least one pose per character, got {poses}")
    if head_density not in HEAD_DENSITIES:
        raise DatasetError(f"head density must be one of {', '.join(HEAD_DENSITIES)}, not {head_density!r}")
    synthetic.check_variety(variety, widening)
    counts = fmt.split_counts(characters, val_fraction, test_fraction)
    return {"seed": seed, "characters": characters, "poses_per_character": poses, "val_fraction": val_fraction,
            "test_fraction": test_fraction, "head_density": head_density, "rig": RIG_VERSION, "splits": counts,
            "pose_sampling": {"left_eye, right_eye, mouth": "uniform [0, 1]",
                              "head_x, head_y, neck_z": "|x| = sqrt(u), random sign" if head_density == "linear"
                              else "uniform [-1, 1]"},
            "conventions": "head_x > 0 looks up; head_y > 0 turns toward the image left; neck_z > 0 tilts the "
                           "head top toward the image left; left_eye is the character's own, on the image right",
            # absent (as in datasets made before it existed) for the standard characters
            **({"variety": variety, "widening": widening} if variety != "standard" else {})}


def _save_missing(path: Path, render) -> None:
    """Resuming: files written before the interruption are complete (atomic writes) and identical, so keep them."""
    if not path.exists():
        images.save_png(path, render())


def _write_character(folder: Path, seed: int, index: int, poses: int, head_density: str, variety: str,
                     widening: int) -> int:
    """Render and save one character's files (those not there yet); returns the number of samples."""
    spec = synthetic.character_spec(seed, index, variety, widening)
    _save_missing(folder / fmt.REST, lambda: synthetic.render_rest(spec))
    samples = list(range(poses))
    labels = [synthetic.sample_pose_for(seed, index, s, head_density) for s in samples]
    for sample, pose in zip(samples, labels):
        paths = [folder / fmt.image_name(sample, kind) for kind in fmt.KINDS]
        if not all(p.exists() for p in paths):
            for path, rgba in zip(paths, synthetic.render_sample(spec, pose)):
                if not path.exists():
                    images.save_png(path, rgba)
    fmt.write_labels(folder / fmt.LABELS, samples, labels)  # last: it marks the character complete
    return poses


def _write_job(job: tuple) -> int:
    return _write_character(*job)


class _Silent:
    def __init__(self, total):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def update(self, n):
        pass


def synthesize(out, characters: int, poses: int, seed: int = 0, val_fraction: float = 0.05,
               test_fraction: float = 0.05, head_density: str = "linear", resume: bool = False,
               progress=None, workers: int = 1, variety: str = "standard", widening: int = WIDENING) -> dict:
    """Write the dataset; returns {"written": characters rendered now, "kept": complete ones found, "splits"}.
    `progress(total)`, e.g. tqdm, is called once the settings are checked and must return a context manager
    with update(n): it counts samples, kept ones included, a character at a time. `workers` > 1 renders
    characters in that many processes; the files are the same either way. `widening` draws a wide dataset as an
    earlier widening did, to make one again."""
    out = Path(out)
    if workers < 1:
        raise DatasetError(f"workers must be at least 1, got {workers}")
    recipe = _recipe(seed, characters, poses, val_fraction, test_fraction, head_density, variety, widening)
    fmt.start(out, "synth", recipe, _RECIPE, resume)
    jobs = []
    for index in range(characters):
        folder = out / fmt.split_of(index, recipe["splits"]) / synthetic.character_id(index)
        if not (folder / fmt.LABELS).exists():
            jobs.append((folder, seed, index, poses, head_density, variety, widening))
    with (progress or _Silent)(total=characters * poses) as bar:
        bar.update((characters - len(jobs)) * poses)
        if workers == 1:
            for job in jobs:
                bar.update(_write_job(job))
        else:
            with ProcessPoolExecutor(workers) as pool:
                for done in pool.map(_write_job, jobs):
                    bar.update(done)
    return {"written": len(jobs), "kept": characters - len(jobs), "splits": recipe["splits"]}
