"""`puppeteer evaluate`: per-stage, chain and identity-baseline metrics as a table and a JSON report."""
import json
import shutil

import numpy as np
import pytest
from PIL import Image

from conftest import write_tiny_checkpoints
from test_training import one_thread, write_dataset  # noqa: F401 (fixture)

from puppeteer.cli import main
from puppeteer.data import format as fmt


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    return write_dataset(tmp_path_factory.mktemp("dataset"), characters=(("test", 1),), poses=2, seed=1)


def _png_psnr(a, b) -> float:
    a, b = (np.asarray(Image.open(p), dtype=np.float64) / 255 for p in (a, b))
    return -10 * np.log10(np.mean((a - b) ** 2))


def test_evaluate_reports_each_stage_the_chain_and_the_identity_baseline(dataset, tmp_path, capsys):
    model = write_tiny_checkpoints(tmp_path / "model", width=4, blocks=1)
    report_file = tmp_path / "report.json"
    args = ["evaluate", "--checkpoints", str(model), "--dataset", str(dataset), "--json", str(report_file),
            "--batch-size", "2"]
    assert main(args) == 0
    table = capsys.readouterr().out
    report = json.loads(report_file.read_text())
    assert report["split"] == "test" and report["samples"] == 2
    results = report["results"]
    assert list(results) == ["morpher", "rotator", "combiner", "chain", "fast chain"]
    assert list(results["fast chain"]) == ["resampled", "identity (rest)"]
    assert set(results["rotator"]) == {"color_changed", "resampled", "identity (morphed)"}
    assert set(results["chain"]["final_image"]) == {"l1", "psnr", "ssim", "psnr_face"}
    folder = dataset / "test" / "c00000"
    expected = np.mean([_png_psnr(folder / fmt.REST, folder / fmt.image_name(i, "morphed")) for i in range(2)])
    assert results["morpher"]["identity (rest)"]["psnr"] == pytest.approx(expected, abs=1e-3)
    assert all(name in table for name in ("chain", "final_image", "identity (rest)", "SSIM"))
    assert main(args) == 2  # the report is never silently replaced
    assert "already exists" in capsys.readouterr().err


def test_evaluate_measures_the_stages_a_partial_folder_has(dataset, tmp_path):
    full = write_tiny_checkpoints(tmp_path / "full", width=4, blocks=1)
    partial = tmp_path / "partial"
    partial.mkdir()
    for name in ("face_morpher.pt", "model.json"):
        shutil.copy(full / name, partial / name)
    report_file = tmp_path / "report.json"
    assert main(["evaluate", "--checkpoints", str(partial), "--dataset", str(dataset), "--json", str(report_file),
                 "--limit", "1"]) == 0
    report = json.loads(report_file.read_text())
    assert list(report["results"]) == ["morpher"] and report["samples"] == 1


def test_evaluate_draws_input_truth_and_chain_output_side_by_side(dataset, tmp_path, capsys):
    from puppeteer.synth.showcase import tile

    model = write_tiny_checkpoints(tmp_path / "model", width=4, blocks=1)
    sheet = tmp_path / "sheet.png"
    args = ["evaluate", "--checkpoints", str(model), "--dataset", str(dataset), "--json", str(tmp_path / "r.json"),
            "--sheet", str(sheet), "--sheet-rows", "2"]
    assert main(args) == 0
    picture = np.asarray(Image.open(sheet))
    assert picture.shape == (2 * 160, 3 * 160, 3)
    folder = dataset / "test" / "c00000"
    truth = tile(np.asarray(Image.open(folder / fmt.image_name(1, "posed"))), 160)
    assert np.abs(picture[160:, 160:320].astype(int) - truth).max() <= 1  # second row, second column, no caption
    assert not np.array_equal(picture[160:, 320:], truth)  # an untrained chain's output is not the truth
    partial = tmp_path / "partial"
    partial.mkdir()
    for name in ("face_morpher.pt", "model.json"):
        shutil.copy(model / name, partial / name)
    assert main(["evaluate", "--checkpoints", str(partial), "--dataset", str(dataset), "--json",
                 str(tmp_path / "p.json"), "--sheet", str(tmp_path / "p.png")]) == 2
    assert "needs all of" in capsys.readouterr().err


def test_evaluate_runs_each_network_once_per_input_and_scores_the_chain_as_run_alone(dataset, tmp_path,
                                                                                    monkeypatch):
    """The rows share work (the chain and the fast chain morph and turn the same pictures), and sharing it changes
    no number: the chain's PSNR is the one the three networks give when run one after the other."""
    import torch
    from torch.utils.data import DataLoader

    from puppeteer.data.dataset import PoseDataset
    from puppeteer.training import evaluation
    from puppeteer.training.metrics import image_metrics

    model = write_tiny_checkpoints(tmp_path / "model", width=4, blocks=1)
    load, calls = evaluation._load, {}

    def counted(name, network):
        def run(*inputs):
            calls[name] = calls.get(name, 0) + 1
            return network(*inputs)
        return run

    def counting_load(folder, device):
        description, networks = load(folder, device)
        return description, {name: counted(name, network) for name, network in networks.items()}

    monkeypatch.setattr(evaluation, "_load", counting_load)
    report = evaluation.evaluate(model, dataset, batch_size=2)
    # one batch: the morpher on the rest image; the rotator on the dataset's morphed image and on the morpher's;
    # the combiner behind each of those
    assert calls == {"face_morpher": 1, "two_algo_face_rotator": 2, "combiner": 2}

    description, networks = load(model, "cpu")
    batch = next(iter(DataLoader(PoseDataset(dataset, split="test", convention=description.convention),
                                 batch_size=2)))
    with torch.no_grad():
        morphed = networks["face_morpher"](batch["rest"], batch["pose"][:, 3:6])[0]
        rotated = networks["two_algo_face_rotator"](morphed, batch["pose"][:, 0:3])
        final = networks["combiner"](rotated[0], rotated[1], batch["pose"][:, 0:3])[0]
    expected = image_metrics(final, batch["posed"], description.convention)["psnr"].mean().item()
    assert report["results"]["chain"]["final_image"]["psnr"] == pytest.approx(expected, abs=1e-4)
