"""Shared fixtures: synthetic THA v1 weights (built once per run), tiny random checkpoints, a test character."""
import importlib.util
import json
import os
import shutil
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # tests never need a screen

import numpy as np
import pytest
import torch

from puppeteer import precision
from puppeteer.checkpoints import ModelDescription, save_networks
from puppeteer.models import NETWORKS

REFERENCE = Path(__file__).parent / "data" / "tha1_reference"
# PUPPETEER_TEST_CPU=native-bf16 or no-bf16 runs the suite as on that kind of CPU (bf16 runs on either; only
# where it is native is it fast): how the suite is checked on both kinds from one machine
SIMULATED_CPU = os.environ.get("PUPPETEER_TEST_CPU")
if SIMULATED_CPU not in (None, "", "native-bf16", "no-bf16"):
    raise pytest.UsageError(f"PUPPETEER_TEST_CPU={SIMULATED_CPU!r}: use native-bf16 or no-bf16")


@pytest.fixture(scope="session", autouse=True)
def simulated_cpu():
    """The CPU kind PUPPETEER_TEST_CPU asks for, else this machine's own."""
    with pytest.MonkeyPatch.context() as patch:
        if SIMULATED_CPU:
            patch.setattr(precision, "cpu_supports_bf16", lambda: SIMULATED_CPU == "native-bf16")
        yield precision.cpu_supports_bf16()


@pytest.fixture(autouse=True)
def precision_choices(tmp_path, monkeypatch):
    """Each test measures precision afresh, into its own cache file (never the user's)."""
    path = tmp_path / "precision-choices.json"
    monkeypatch.setattr(precision, "choices_file", lambda: path)
    return path


def load_reference_module(name: str):
    spec = importlib.util.spec_from_file_location(name, REFERENCE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(name, module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def make_weights():
    return load_reference_module("make_weights")


@pytest.fixture(scope="session")
def tha1_weights(tmp_path_factory, make_weights):
    """The reference's synthetic THA v1 checkpoints, legacy (pre-1.6) format, as the original files are."""
    folder = tmp_path_factory.mktemp("tha1_weights")
    manifest = make_weights.load_manifest()
    for net in NETWORKS:
        with open(folder / manifest["networks"][net]["checkpoint_file"], "wb") as f:
            torch.save(make_weights.build_state_dict(manifest, net), f, _use_new_zipfile_serialization=False)
    return folder


def write_tiny_checkpoints(folder, width=8, blocks=1, convention="tha1", seed=0) -> Path:
    """Random small networks with a model.json: fast stand-ins for tests that need any working model."""
    torch.manual_seed(seed)
    size = {"width": width, "bottleneck_blocks": blocks}
    modules = {name: cls(**size) for name, cls in NETWORKS.items()}
    save_networks(folder, modules, ModelDescription(convention=convention, sizes={n: dict(size) for n in NETWORKS}))
    return Path(folder)


def changed_copy(model, folder, network, **size) -> Path:
    """A copy of the checkpoint folder `model` whose model.json gives `network` these size keys."""
    shutil.copytree(model, folder)
    description = json.loads((folder / "model.json").read_text())
    description["networks"][network].update(size)
    (folder / "model.json").write_text(json.dumps(description))
    return Path(folder)


@pytest.fixture(scope="session")
def tiny_checkpoints(tmp_path_factory):
    return write_tiny_checkpoints(tmp_path_factory.mktemp("tiny_checkpoints"))


def make_character(seed=0) -> np.ndarray:
    """A 256×256 RGBA blob character: textured ellipse head over a body, transparent background; its head is where
    the template puts a head (its silhouette passes `check`)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:256, 0:256]
    head = ((x - 128) / 50) ** 2 + ((y - 142) / 58) ** 2 <= 1
    body = ((x - 128) / 90) ** 2 + ((y - 256) / 70) ** 2 <= 1
    alpha = head | body
    rgba = np.zeros((256, 256, 4), np.uint8)
    rgba[..., 0] = 200 + rng.integers(0, 40, (256, 256))
    rgba[..., 1] = np.where(head, 170, 60)
    rgba[..., 2] = np.where(head, 150, 200) - (y % 16 < 2) * 40
    rgba[..., 3] = alpha * 255
    rgba[~alpha] = 0
    return rgba


@pytest.fixture
def character_png(tmp_path):
    from PIL import Image

    path = tmp_path / "character.png"
    Image.fromarray(make_character()).save(path)
    return path
