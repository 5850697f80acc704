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
from puppeteer.synth import RIG_VERSION, random_character, render

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
    assert info["evaluation"]["rig_version"] == RIG_VERSION  # measured on characters the rig draws today


def test_the_chain_is_closer_to_the_truth_than_the_rest_image_on_new_characters(poser):
    """A loose bound, in every fixed case (mean absolute error in 8-bit levels): an untrained or broken model
    fails it, and so did the first shipped model, whose noisy flow lost to the rest image on small turns."""
    output_errors, rest_errors = [], []
    for seed in HELD_OUT_SEEDS:
        spec = random_character(seed)
        rest = render(spec)
        for pose in POSES:
            truth = render(spec, pose).astype(np.float32)
            output_errors.append(np.abs(next(poser.render(rest, [pose])) - truth).mean())
            rest_errors.append(np.abs(rest - truth).mean())
    assert all(o < r for o, r in zip(output_errors, rest_errors)), (output_errors, rest_errors)


@pytest.mark.parametrize("pose, bound", [(Pose(left_eye=1.0, right_eye=1.0), 0.5), (Pose(mouth=1.0), 0.8)],
                         ids=["eyes closed", "mouth open"])
def test_closed_eyes_and_an_open_mouth_replace_what_was_there(poser, pose, bound):
    """On the pixels the pose changes, the output must be much closer to the truth than the rest image: a model
    that only darkens the eyes' outline (open eyes showing through a closed one, 0.77 of the rest image's error
    for the first shipped model) fails."""
    output_errors, rest_errors = [], []
    for seed in HELD_OUT_SEEDS:
        spec = random_character(seed)
        rest = render(spec)
        truth = render(spec, pose).astype(np.float32)
        changed = np.abs(rest - truth).max(axis=-1) > 0
        output_errors.append(np.abs(next(poser.render(rest, [pose])) - truth)[changed].mean())
        rest_errors.append(np.abs(rest - truth)[changed].mean())
    assert np.mean(output_errors) < bound * np.mean(rest_errors), (output_errors, rest_errors)


REAL_RENDERS = DEFAULT_CHECKPOINTS.parent / "assets" / "validation" / "godette"


@pytest.mark.parametrize("kind", ["eyes-mouth", "head", "random"])
def test_the_real_render_scores_in_model_json_are_what_the_model_does(kind):
    """Godette (a real 3-D model, rendered by `dataset render-3d`): model.json's figures are measured, not hoped
    for. Loosely: a turned head is drawn closer to the truth than the rest picture, by more than 1 dB; closing
    eyes and opening the mouth beat leaving the face alone, if only just (issue 23 asks for 1 dB)."""
    from puppeteer.training.evaluation import evaluate

    recorded = read_description(DEFAULT_CHECKPOINTS).info["evaluation_real_renders"]["results"][kind]
    results = evaluate(DEFAULT_CHECKPOINTS, REAL_RENDERS / kind, split="test")["results"]
    measured = {"chain": results["chain"]["final_image"], "fast chain": results["fast chain"]["resampled"],
                "identity (rest)": results["chain"]["identity (rest)"]}
    for row, scores in recorded.items():
        for metric, value in scores.items():
            assert measured[row][metric] == pytest.approx(value, abs=0.1), (row, metric)
    margin = 0 if kind == "eyes-mouth" else 1
    for row in ("chain", "fast chain"):
        assert measured[row]["psnr_face"] > measured["identity (rest)"]["psnr_face"] + margin, row


def test_render_uses_the_bundled_model_and_character_by_default(poser, tmp_path):
    out = tmp_path / "default.png"
    assert main(["render", "--pose", "0.3,-0.5,0.2,1,0,0.6", "--out", str(out), "--precision", "fp32",
                 "--device", "cpu"]) == 0
    expected = next(poser.render(np.asarray(Image.open(DEFAULT_CHARACTER)), [Pose(0.3, -0.5, 0.2, 1, 0, 0.6)]))
    assert np.abs(np.asarray(Image.open(out)).astype(int) - expected.astype(int)).max() <= 1
