"""Dataset format round trip: `dataset synth` on disk, PoseDataset reading it, SynthPoseDataset rendering the
same items on the fly; resuming; bad files under both error policies."""
import json

import numpy as np
import pytest
import torch

from puppeteer.cli import main
from puppeteer.data import format as fmt
from puppeteer.data.dataset import PoseDataset, SynthPoseDataset
from puppeteer.data.synthesize import synthesize
from puppeteer.errors import DatasetError
from puppeteer.pose import Pose
from puppeteer.synth.character import WIDENING

SETTINGS = dict(characters=3, poses=2, seed=7, val_fraction=0.3, test_fraction=0.3)


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    root = tmp_path_factory.mktemp("synth") / "ds"
    result = synthesize(root, **SETTINGS)
    assert result == {"written": 3, "kept": 0, "splits": {"train": 1, "val": 1, "test": 1}}
    return root


def _files(root):
    return {p.relative_to(root): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_layout_on_disk(written):
    info = json.loads((written / fmt.INFO).read_text())
    assert info["format"] == fmt.FORMAT and info["version"] == 1 and info["image_size"] == 256
    assert info["source"] == "synth" and info["seed"] == 7
    folder = written / "train" / "c00000"
    assert sorted(p.name for p in folder.iterdir()) == [
        "00000_morphed.png", "00000_posed.png", "00001_morphed.png", "00001_posed.png", "poses.csv", "rest.png"]
    assert (folder / "poses.csv").read_text().splitlines()[0] == "sample,head_x,head_y,neck_z,left_eye,right_eye,mouth"
    assert [p.name for p in (written / "test").iterdir()] == ["c00002"]


@pytest.mark.parametrize("convention", ["tha1", "ntut"])
def test_written_and_read_back_gives_the_same_tensors(written, convention):
    for split in fmt.SPLITS:
        disk = PoseDataset(written, split, convention)
        live = SynthPoseDataset(seed=7, characters=3, poses_per_character=2, split=split, convention=convention,
                                val_fraction=0.3, test_fraction=0.3)
        assert len(disk) == len(live) == 2
        for i in range(len(disk)):
            a, b = disk[i], live[i]
            assert a["character"] == b["character"]
            for key in ("rest", "morphed", "posed", "pose"):
                assert a[key].dtype == torch.float32
                assert torch.equal(a[key], b[key]), (split, i, key)
            assert a["rest"].shape == (4, 256, 256) and a["pose"].shape == (6,)
            low = -1.0 if convention == "tha1" else 0.0
            assert a["posed"].min() == low and a["posed"].max() <= 1.0
            # morphed has the pose's eyes and mouth only; the head values appear in posed
            assert not torch.equal(a["morphed"], a["posed"])


def test_synth_is_deterministic_per_seed_and_index():
    a = SynthPoseDataset(seed=3, characters=20, poses_per_character=4)
    b = SynthPoseDataset(seed=3, characters=20, poses_per_character=4)
    for i in (0, 5, 17, len(a) - 1):
        assert torch.equal(a[i]["posed"], b[i]["posed"]) and torch.equal(a[i]["pose"], b[i]["pose"])
    assert not torch.equal(a[0]["pose"], SynthPoseDataset(seed=4, characters=20, poses_per_character=4)[0]["pose"])
    assert len(a) == 18 * 4 and a[len(a) - 1]["character"] == "c00017"  # 1 val and 1 test character left out
    assert SynthPoseDataset(seed=3, characters=20, poses_per_character=4, split="test")[0]["character"] == "c00019"
    with pytest.raises(IndexError):
        a[len(a)]


def test_refuses_a_non_empty_folder_and_resumes(tmp_path, written):
    out = tmp_path / "ds"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with pytest.raises(DatasetError, match="not an empty folder"):
        synthesize(out, **SETTINGS)
    assert (out / "notes.txt").read_text() == "mine"

    out = tmp_path / "resumed"
    synthesize(out, **SETTINGS)
    # an interrupted run: the last character has some files but no poses.csv yet
    last = out / "test" / "c00002"
    (last / fmt.LABELS).unlink()
    (last / "00001_posed.png").unlink()
    result = synthesize(out, **SETTINGS, resume=True)
    assert result["written"] == 1 and result["kept"] == 2
    assert _files(out) == _files(written)
    with pytest.raises(DatasetError, match="poses_per_character is 2"):
        synthesize(out, **{**SETTINGS, "poses": 3}, resume=True)


def test_the_wide_variety_is_recorded_and_resumed_as_such(tmp_path, written):
    out = tmp_path / "wide"
    synthesize(out, **SETTINGS, variety="wide")
    assert fmt.read_info(out)["variety"] == "wide" and "variety" not in fmt.read_info(written)
    assert fmt.read_info(out)["widening"] == WIDENING and "widening" not in fmt.read_info(written)
    rests = [(root / "val" / "c00001" / fmt.REST).read_bytes() for root in (out, written)]
    assert rests[0] != rests[1]  # character 1 of seed 7 is one of the widened half
    with pytest.raises(DatasetError, match="variety is 'wide' but this run asks for None"):
        synthesize(out, **SETTINGS, resume=True)
    assert synthesize(out, **SETTINGS, variety="wide", resume=True)["kept"] == 3
    info = {**fmt.read_info(out), "widening": WIDENING - 1}  # made by an earlier widening: its characters differ
    (out / fmt.INFO).write_text(json.dumps(info))
    with pytest.raises(DatasetError, match=f"widening is {WIDENING - 1} but this run asks for {WIDENING}"):
        synthesize(out, **SETTINGS, variety="wide", resume=True)
    assert synthesize(out, **SETTINGS, variety="wide", widening=WIDENING - 1, resume=True)["kept"] == 3
    with pytest.raises(DatasetError, match="widening must be one of"):
        synthesize(tmp_path / "none", **SETTINGS, variety="wide", widening=1)
    loader = SynthPoseDataset(seed=7, characters=3, poses_per_character=2, split="val", val_fraction=0.3,
                              test_fraction=0.3, variety="wide")
    assert torch.equal(loader[0]["rest"], PoseDataset(out, "val")[0]["rest"])  # the loader draws the same


def test_command_line(tmp_path, capsys):
    out = tmp_path / "cli"
    args = ["dataset", "synth", "--out", str(out), "--characters", "2", "--poses", "1", "--seed", "1"]
    assert main(args) == 0
    assert "2 characters rendered" in capsys.readouterr().out
    assert main(args) == 2
    assert "pass --resume" in capsys.readouterr().err
    assert main(args + ["--resume"]) == 0
    assert "2 already complete" in capsys.readouterr().out


def test_bad_files_stop_or_are_skipped_and_counted(tmp_path):
    root = tmp_path / "ds"
    synthesize(root, characters=2, poses=2, seed=1, val_fraction=0, test_fraction=0)
    broken = root / "train" / "c00000" / "00001_posed.png"
    broken.write_bytes(b"not a png at all")
    bad_labels = root / "train" / "c00001" / fmt.LABELS
    bad_labels.write_text(bad_labels.read_text().replace("\n1,", "\n1,7", 1))  # head_x out of range

    with pytest.raises(DatasetError, match="c00001.*poses.csv, line 3"):
        PoseDataset(root)
    bad_labels.write_text(bad_labels.read_text().replace("\n1,7", "\n1,", 1))
    stop = PoseDataset(root)
    with pytest.raises(DatasetError, match=str(broken)):
        stop[1]

    skip = PoseDataset(root, on_error="skip")
    assert len(skip) == 4
    with pytest.warns(UserWarning, match=str(broken)):
        item = skip[1]
    assert skip.skipped == 1
    assert item["character"] == "c00001"  # the next good sample
    skip[1]
    assert skip.skipped == 1  # a known bad sample is not counted twice

    bad_labels.write_text("sample,head_x\n")
    with pytest.warns(UserWarning, match="poses.csv: the header"):
        partial = PoseDataset(root, on_error="skip")
    assert len(partial) == 2 and partial.skipped == 1


def test_not_a_dataset(tmp_path):
    with pytest.raises(DatasetError, match="dataset folder not found"):
        PoseDataset(tmp_path / "nothing")
    with pytest.raises(DatasetError, match="dataset.json: missing"):
        PoseDataset(tmp_path)
    (tmp_path / "dataset.json").write_text('{"format": "something-else"}')
    with pytest.raises(DatasetError, match="not a talking-head-puppeteer-dataset"):
        PoseDataset(tmp_path)


def test_worker_processes_write_the_same_files(tmp_path, written):
    out = tmp_path / "parallel"
    assert synthesize(out, **SETTINGS, workers=2)["written"] == 3
    assert _files(out) == _files(written)


def test_labels_round_trip_exactly_even_from_numpy_floats(tmp_path):  # numpy 2's repr is "np.float64(...)"
    poses = [Pose(*np.random.default_rng(0).uniform(-1, 1, 3), 0.1, np.float32(0.7), 1 / 3)]
    fmt.write_labels(tmp_path / fmt.LABELS, [5], poses)
    assert fmt.read_labels(tmp_path / fmt.LABELS) == [(5, Pose(*map(float, poses[0].values())))]
