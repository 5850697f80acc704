"""Training checkpoints (everything a run needs to continue exactly) and their export to inference weights.

A run folder holds ``checkpoints/step-NNNNNNNN.pt``, each written atomically, the last `keep_last` kept. One holds
the model, optimiser and scheduler states, the step, every process's RNG states and the config; the data order is
a function of the seed and the step, so nothing else is needed to resume. Checkpoints are read with
``weights_only=True`` like every other file here.
"""
import random
from pathlib import Path

import numpy as np
import torch

from ..checkpoints import DESCRIPTION_FILE, FILES, read_description, save_state_dict, write_description
from ..errors import TrainingError
from ..files import write_atomically
from .config import TrainConfig
from .stages import STAGES

FORMAT = "talking-head-puppeteer-training"


def rng_state() -> dict:
    """This process's torch, CUDA, numpy and Python RNG states, as plain tensors and numbers."""
    _, keys, pos, has_gauss, cached = np.random.get_state()
    return {"torch": torch.get_rng_state(),
            "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
            "numpy": [torch.from_numpy(keys.astype(np.int64)), int(pos), int(has_gauss), float(cached)],
            "python": random.getstate()}


def set_rng_state(state: dict) -> None:
    torch.set_rng_state(state["torch"])
    if state["cuda"] and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])
    keys, pos, has_gauss, cached = state["numpy"]
    np.random.set_state(("MT19937", keys.numpy().astype(np.uint32), pos, has_gauss, cached))
    random.setstate(state["python"])


def checkpoint_folder(run) -> Path:
    return Path(run) / "checkpoints"


def list_checkpoints(run) -> list[Path]:
    """The run's checkpoints, oldest first."""
    return sorted(checkpoint_folder(run).glob("step-*.pt"))


def save_checkpoint(run, state: dict, keep_last: int) -> Path:
    path = checkpoint_folder(run) / f"step-{state['step']:08d}.pt"
    write_atomically(path, lambda tmp: torch.save({"format": FORMAT, **state}, tmp))
    for old in list_checkpoints(run)[:-keep_last]:
        old.unlink()
    return path


def read_checkpoint(path) -> dict:
    path = Path(path)
    if not path.is_file():
        raise TrainingError(f"{path}: training checkpoint not found")
    try:
        data = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # PyTorch reports damaged files with many exception types
        raise TrainingError(f"{path}: cannot read the training checkpoint ({str(e).splitlines()[0][:120]})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise TrainingError(f"{path}: not a training checkpoint (a plain network file? use it as init instead)")
    return data


def latest_checkpoint(run) -> Path:
    found = list_checkpoints(run)
    if not found:
        raise TrainingError(f"{checkpoint_folder(run)}: no training checkpoints (step-*.pt) to continue from")
    return found[-1]


def export(source, folder, overwrite: bool = False) -> Path:
    """Write the network of a run (its latest checkpoint) or of one checkpoint file into `folder` as a plain
    original-format state_dict, and merge its size and convention into the folder's model.json, so that a
    folder filled stage by stage becomes a model the poser loads."""
    source, folder = Path(source), Path(folder)
    checkpoint = read_checkpoint(latest_checkpoint(source) if source.is_dir() else source)
    cfg = TrainConfig.from_dict(checkpoint["config"], str(source))
    name = STAGES[cfg.stage].network
    target = folder / FILES[name]
    if target.exists() and not overwrite:
        raise TrainingError(f"{target}: already exists; export to another folder or pass --overwrite")
    description = read_description(folder)
    if (folder / DESCRIPTION_FILE).exists() and description.convention != cfg.convention:
        raise TrainingError(f"{folder / DESCRIPTION_FILE}: the folder's networks use the {description.convention} "
                            f"convention but this {cfg.stage} was trained with {cfg.convention}")
    description.convention = cfg.convention
    description.sizes[name] = cfg.network_size()
    description.info.setdefault("trained", {})[name] = {"steps": checkpoint["step"], "dataset": cfg.dataset}
    save_state_dict(checkpoint["model"], target, overwrite=overwrite)
    write_description(folder, description)
    return target
