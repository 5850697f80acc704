"""Finding, validating, loading and saving the three networks' weights and their description file.

A checkpoint folder holds ``face_morpher.pt``, ``two_algo_face_rotator.pt`` and ``combiner.pt`` (plain
state_dicts, the original THA v1 format: legacy or zip ``torch.save``) and optionally ``model.json``, which says
the variant's widths and the value convention. Without it THA v1's defaults apply. Files are read with
``torch.load(weights_only=True)``: a checkpoint can never run code.
"""
import json
import pickle
import warnings
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import torch
from torch import nn

from .errors import CheckpointError
from .files import write_atomically
from .images import CONVENTIONS
from .models import NETWORKS, SIZE_OPTIONS
from .paths import DEFAULT_CHECKPOINTS

DESCRIPTION_FILE = "model.json"
FILES = {name: f"{name}.pt" for name in NETWORKS}
THA1_SIZE = {"width": 64, "bottleneck_blocks": 6}
DEFAULT_FOLDER = DEFAULT_CHECKPOINTS


@dataclass
class ModelDescription:
    """What model.json says: per-network sizes, value convention, and free-form facts (source, license...)."""

    convention: str = "tha1"
    sizes: dict = field(default_factory=lambda: {name: dict(THA1_SIZE) for name in NETWORKS})
    info: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"convention": self.convention, "networks": self.sizes, **self.info}

    @classmethod
    def from_json(cls, data: dict, path) -> "ModelDescription":
        if not isinstance(data, dict):
            raise CheckpointError(f"{path}: must hold a JSON object")
        data = dict(data)
        convention = data.pop("convention", "tha1")
        if convention not in CONVENTIONS:
            raise CheckpointError(f"{path}: convention {convention!r} is unknown; use {' or '.join(CONVENTIONS)}")
        default = {k: data.pop(k) for k in list(THA1_SIZE) if k in data}
        per_network = data.pop("networks", {}) or {}
        sizes = {}
        for name in NETWORKS:
            size = {**THA1_SIZE, **default, **per_network.get(name, {})}
            options = {k: size.pop(k) for k, (owners, _) in SIZE_OPTIONS.items() if name in owners and k in size}
            for key, value in size.items():
                if key not in THA1_SIZE or not isinstance(value, int) or value < 1:
                    raise CheckpointError(f"{path}: {name}.{key} = {value!r} is not a valid size "
                                          f"(expected positive integers for {', '.join(THA1_SIZE)}; "
                                          f"{_options_text()})")
            for key, value in options.items():
                size[key] = _checked(SIZE_OPTIONS[key][1], value, size, f"{path}: {name}.")
            sizes[name] = size
        return cls(convention, sizes, data)


def _options_text() -> str:
    """'downscale for face_morpher, two_algo_face_rotator, combiner only; face_box for face_morpher only'."""
    return "; ".join(f"{key} for {', '.join(owners)} only" for key, (owners, _) in SIZE_OPTIONS.items())


def _checked(check, value, size: dict, where: str):
    """check(value, size), its ValueError turned into a CheckpointError that says where."""
    try:
        return check(value, size)
    except ValueError as e:
        raise CheckpointError(f"{where}{e}") from None


def read_description(folder) -> ModelDescription:
    path = Path(folder) / DESCRIPTION_FILE
    if not path.exists():
        return ModelDescription()
    try:
        data = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise CheckpointError(f"{path}: cannot read the description file ({e})") from None
    return ModelDescription.from_json(data, path)


def write_description(folder, description: ModelDescription, overwrite: bool = True) -> Path:
    path = Path(folder) / DESCRIPTION_FILE
    text = json.dumps(description.to_json(), indent=2) + "\n"
    return write_atomically(path, lambda tmp: Path(tmp).write_text(text), overwrite)


def _check_container(path: Path) -> None:
    """Tell a damaged or foreign file from a checkpoint before unpickling: PyTorch's own errors are cryptic."""
    with open(path, "rb") as f:
        head = f.read(4)
    if head.startswith(b"PK\x03\x04"):
        if not zipfile.is_zipfile(path):
            raise CheckpointError(f"{path}: the file is truncated or damaged (its zip directory is missing)")
    elif not (head[:1] == b"\x80" and 2 <= head[1] <= 5):
        raise CheckpointError(f"{path}: not a PyTorch checkpoint (expected a .pt file saved by torch.save)")


def load_state_dict(path, device="cpu") -> dict:
    """A plain state_dict from an original THA v1, NTUT or puppeteer file, mapped onto `device`."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path}: checkpoint file not found")
    if path.stat().st_size == 0:
        raise CheckpointError(f"{path}: the file is empty (an interrupted download or copy?)")
    _check_container(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pickle-protocol notes are noise to a user
            data = torch.load(path, map_location=device, weights_only=True)
    except pickle.UnpicklingError:
        raise CheckpointError(f"{path}: refused: this file holds objects other than plain tensors, and loading "
                              "it could run code; only weights-only checkpoints are loaded") from None
    except Exception as e:  # PyTorch reports damaged files with many exception types
        message = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise CheckpointError(f"{path}: the file is truncated or damaged ({message[:120]})") from None
    if isinstance(data, Mapping) and isinstance(data.get("model"), Mapping):
        data = data["model"]  # a training checkpoint: its model weights
    if not isinstance(data, Mapping) or not all(isinstance(v, torch.Tensor) for v in data.values()):
        raise CheckpointError(f"{path}: holds a {type(data).__name__}, not a state_dict of tensors")
    return {k.removeprefix("module."): v for k, v in data.items()}


def width_of(state: Mapping) -> int | None:
    for key in ("main_body.module_list.0.0.weight", "main_body.downward_modules.0.0.weight"):
        if key in state:
            return int(state[key].shape[0])
    return None


def bottleneck_blocks_of(state: Mapping) -> int:
    """How many residual blocks the saved network's bottleneck has."""
    return sum(key.endswith(".conv1.weight") for key in state)


def load_network(name: str, path, size: dict, device="cpu") -> nn.Module:
    """Build network `name` with `size` and load `path` into it strictly; every mismatch is one line."""
    return network_from_state(name, load_state_dict(path, device), size, path, device)


def network_from_state(name: str, state: Mapping, size: dict, path, device="cpu") -> nn.Module:
    """Network `name` with `size`, holding `state` (read from `path`, which errors name), checked strictly."""
    network = NETWORKS[name](**size)
    expected = network.state_dict()
    found_width = width_of(state)
    if found_width is not None and found_width != size["width"]:
        raise CheckpointError(f"{path}: width {found_width} in the file but {size['width']} in the description "
                              f"({DESCRIPTION_FILE}); fix the description's width for {name}")
    missing = [k for k in expected if k not in state]
    unexpected = [k for k in state if k not in expected]
    if missing or unexpected:
        parts = []
        if missing:
            parts.append(f"{len(missing)} missing key(s), first {missing[0]!r}")
        if unexpected:
            parts.append(f"{len(unexpected)} unexpected key(s), first {unexpected[0]!r}")
        raise CheckpointError(f"{path}: not a {NETWORKS[name].__name__} checkpoint: {'; '.join(parts)} "
                              f"(is it another network's file, or a different number of blocks?)")
    for key, tensor in expected.items():
        if state[key].shape != tensor.shape:
            raise CheckpointError(f"{path}: {key} has shape {tuple(state[key].shape)}, expected "
                                  f"{tuple(tensor.shape)}")
    network.load_state_dict({k: v.float() for k, v in state.items()}, strict=True)
    return network.to(device).eval().requires_grad_(False)


@dataclass
class Networks:
    face_morpher: nn.Module
    two_algo_face_rotator: nn.Module
    combiner: nn.Module
    description: ModelDescription
    folder: Path


def load_networks(folder=DEFAULT_FOLDER, device="cpu") -> Networks:
    """The three networks from a checkpoint folder, each checked against its description."""
    folder = Path(folder)
    if not folder.is_dir():
        raise CheckpointError(f"{folder}: checkpoint folder not found; it must hold "
                              f"{', '.join(FILES.values())} (see README, 'Checkpoints')")
    description = read_description(folder)
    nets = {name: load_network(name, folder / file, description.sizes[name], device) for name, file in FILES.items()}
    return Networks(**nets, description=description, folder=folder)


def save_state_dict(state: Mapping, path, overwrite: bool = False) -> Path:
    """A plain float32 state_dict in PyTorch's zip format, loadable like the original files."""
    plain = {k: v.detach().float().cpu().contiguous() for k, v in state.items()}
    return write_atomically(path, lambda tmp: torch.save(plain, tmp), overwrite)


def save_networks(folder, modules: Mapping[str, nn.Module], description: ModelDescription,
                  overwrite: bool = False) -> None:
    """Export the three networks and model.json into `folder`."""
    for name, module in modules.items():
        save_state_dict(module.state_dict(), Path(folder) / FILES[name], overwrite)
    write_description(folder, description, overwrite)
