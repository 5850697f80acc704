"""The bundled default model in checkpoint/: it loads, its description matches its tensors, it poses characters
the training never saw better than doing nothing, and `render` and the app use it when no model is named."""
import json

import numpy as np
import pytest
from PIL import Image

from puppeteer.checkpoints import FILES, load_networks, load_state_dict, read_description
from puppeteer.cli import main
from puppeteer.models import NETWORKS
from puppeteer.paths import DEFAULT_CHARACTER, DEFAULT_CHECKPOINTS
from puppeteer.pose import Pose
from puppeteer.poser import Poser
from puppeteer.synth import random_character, render

# Rig seeds no training set uses (datasets derive each character's seed by hashing the dataset seed and index).
HELD_OUT_SEEDS = (9001, 9002, 9003)
POSES = (Pose(0.6, -0.8, 0.4, 1.0, 0.0, 0.8), Pose(-0.7, 0.9, -0.5, 0.0, 1.0, 0.3), Pose(0.0, 0.5, 0.0, 0.5, 0.5, 1.0))
MAX_MEGABYTES = 20


@pytest.fixture(scope="module")
def poser():
    return Poser(load_networks(DEFAULT_CHECKPOINTS), device="cpu", precision="fp32")


def test_the_shipped_tensors_are_the_networks_the_description_names():
    description = read_description(DEFAULT_CHECKPOINTS)
    for name, file in FILES.items():
        state = load_state_dict(DEFAULT_CHECKPOINTS / file)
        expected = NETWORKS[name](**description.sizes[name]).state_dict()
        assert {k: v.shape for k, v in state.items()} == {k: v.shape for k, v in expected.items()}, name
    total = sum(p.stat().st_size for p in DEFAULT_CHECKPOINTS.iterdir())
    assert total <= MAX_MEGABYTES * 2 ** 20
    info = json.loads((DEFAULT_CHECKPOINTS / "model.json").read_text())
    assert info["convention"] == "tha1" and info["license"] and info["training_data"]
    chain = info["evaluation"]["results"]["chain"]
    assert chain["final_image"]["psnr"] > chain["identity (rest)"]["psnr"]  # what it claims of itself


def test_the_chain_is_closer_to_the_truth_than_the_rest_image_on_new_characters(poser):
    """A loose bound, over all the fixed cases together (mean absolute error in 8-bit levels): an untrained or
    broken model fails it. (The current model still loses to the rest image on small turns of some characters.)"""
    output_errors, rest_errors = [], []
    for seed in HELD_OUT_SEEDS:
        spec = random_character(seed)
        rest = render(spec)
        for pose in POSES:
            truth = render(spec, pose).astype(np.float32)
            output_errors.append(np.abs(next(poser.render(rest, [pose])) - truth).mean())
            rest_errors.append(np.abs(rest - truth).mean())
    assert np.mean(output_errors) < np.mean(rest_errors), (output_errors, rest_errors)


def test_render_uses_the_bundled_model_and_character_by_default(poser, tmp_path):
    out = tmp_path / "default.png"
    assert main(["render", "--pose", "0.3,-0.5,0.2,1,0,0.6", "--out", str(out), "--precision", "fp32",
                 "--device", "cpu"]) == 0
    expected = next(poser.render(np.asarray(Image.open(DEFAULT_CHARACTER)), [Pose(0.3, -0.5, 0.2, 1, 0, 0.6)]))
    assert np.abs(np.asarray(Image.open(out)).astype(int) - expected.astype(int)).max() <= 1
