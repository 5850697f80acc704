"""`dataset import-ntut` on a small tree in the fork's layout, with a broken picture and unpaired files."""
import hashlib

import numpy as np
import pytest
from PIL import Image

from puppeteer.cli import main
from puppeteer.data import format as fmt
from puppeteer.data.dataset import PoseDataset
from puppeteer.data.ntut import import_ntut
from puppeteer.data.validate import validate
from puppeteer.errors import DatasetError
from puppeteer.pose import Pose
from puppeteer.synth import random_character, render


def _picture(path, seed, pose=Pose()):
    path.parent.mkdir(parents=True, exist_ok=True)
    rgba = render(random_character(seed), pose).copy()
    rgba[:8, :8, :3] = 90  # stray colour under the transparent corner: the import cleans it
    Image.fromarray(rgba).save(path)


def _label(path, values):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(",".join(str(v) for v in values) + "\n")


@pytest.fixture
def tree(tmp_path):
    """img/ and label/ trees as the fork keeps them: MMD1 (original and renamed names, a broken rotate picture,
    an unpaired morph sample, an extra j=1), MMD2 (one good sample), MMD3 (no rest picture)."""
    src = tmp_path / "fork"
    img, lab = src / "img", src / "label"
    _picture(img / "MMD1" / "MMD1_0.png", 1)
    _picture(img / "MMD1" / "MMD1_2.png", 1, Pose(left_eye=0.5, mouth=0.25))
    _label(lab / "MMD1" / "MMD1_2.txt", [0.5, 0, 0.25, 0, 0, 0])
    _picture(img / "MMD1" / "MMD1_72.png", 1, Pose(-0.6, 0.4, 0.2, 0.5, 0, 0.25))
    _label(lab / "MMD1" / "MMD1_72.txt", [0.5, 0, 0.25, -9, 6, 3])
    _picture(img / "MMD1" / "MMD1M_103.png", 1, Pose(right_eye=1.0))  # renamed: j = 3 and 73
    _label(lab / "MMD1" / "MMD1M_103.txt", [0, 1, 0, 0, 0, 0])
    _picture(img / "MMD1" / "MMD1R_203.png", 1, Pose(0.2, 0, 0, 0, 1, 0))
    _label(lab / "MMD1" / "MMD1R_203.txt", [0, 1, 0, 3, 0, 0])
    _picture(img / "MMD1" / "MMD1_4.png", 1)
    _label(lab / "MMD1" / "MMD1_4.txt", [0, 0, 1, 0, 0, 0])
    (img / "MMD1" / "MMD1_74.png").write_bytes(b"\x89PNG\r\n\x1a\n broken")
    _label(lab / "MMD1" / "MMD1_74.txt", [0, 0, 1, 15, 0, 0])
    _picture(img / "MMD1" / "MMD1_5.png", 1)
    _label(lab / "MMD1" / "MMD1_5.txt", [0, 0, 0.5, 0, 0, 0])
    _picture(img / "MMD1" / "MMD1_1.png", 1)
    _picture(img / "MMD2" / "MMD2_0.png", 2)
    _picture(img / "MMD2" / "MMD2_10.png", 2, Pose(mouth=1.0))
    _label(lab / "MMD2" / "MMD2_10.txt", [0, 0, 1, 0, 0, 0])
    _picture(img / "MMD2" / "MMD2_80.png", 2, Pose(0, -1, 0, 0, 0, 1))
    _label(lab / "MMD2" / "MMD2_80.txt", [0, 0, 1, 0, -15, 0])
    _picture(img / "MMD3" / "MMD3_6.png", 3)
    (src / "notes.txt").write_text("not a sample")
    return src


def _snapshot(root):
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


def test_import_converts_good_samples_and_reports_bad_ones(tree, tmp_path):
    before = _snapshot(tree)
    dst = tmp_path / "converted"
    report = import_ntut(tree, dst, val_fraction=0, test_fraction=0)
    assert _snapshot(tree) == before, "the source must never change"

    problems = "\n".join(report.problems)
    assert "MMD1_74.png: not a picture" in problems
    assert "MMD1_5.png: unpaired" in problems and "MMD1_75.png" in problems
    assert "MMD3: no rest picture" in problems
    ignored = "\n".join(report.ignored)
    assert "MMD1_1.png: number 1 is outside" in ignored and "notes.txt" in ignored
    assert report.characters == {"train": 2, "val": 0, "test": 0} and report.samples == 3

    folder = dst / "train" / "MMD1"
    assert sorted(p.name for p in folder.iterdir()) == [
        "00002_morphed.png", "00002_posed.png", "00003_morphed.png", "00003_posed.png", "poses.csv", "rest.png"]
    labels = dict(fmt.read_labels(folder / fmt.LABELS))
    assert labels[2] == Pose(-9 / 15, 6 / 15, 3 / 15, 0.5, 0.0, 0.25)
    assert labels[3] == Pose(0.2, 0, 0, 0, 1, 0)
    converted = np.asarray(Image.open(folder / "00002_posed.png"))
    source = np.asarray(Image.open(tree / "img" / "MMD1" / "MMD1_72.png")).copy()
    source[source[..., 3] == 0] = 0
    assert (converted == source).all()

    assert validate(dst).problems == []
    data = PoseDataset(dst, convention="ntut")
    assert len(data) == 3 and {data[i]["character"] for i in range(3)} == {"MMD1", "MMD2"}


def test_dry_run_writes_nothing_and_the_command_reports(tree, tmp_path, capsys):
    dst = tmp_path / "never"
    report = import_ntut(tree, dst, dry_run=True)
    assert not dst.exists() and report.samples == 3
    assert main(["dataset", "import-ntut", str(tree), str(dst), "--dry-run"]) == 1
    captured = capsys.readouterr()
    assert "would import" in captured.out and "3 samples" in captured.out
    assert "problem: " in captured.err and "MMD1_74.png" in captured.err
    assert not dst.exists()


def test_refuses_unsafe_destinations(tree, tmp_path):
    with pytest.raises(DatasetError, match="inside the source"):
        import_ntut(tree, tree / "out")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    with pytest.raises(DatasetError, match="not an empty folder"):
        import_ntut(tree, tmp_path / "full")
    with pytest.raises(DatasetError, match="no usable character"):
        import_ntut(tree / "label", tmp_path / "empty")
