"""`dataset validate` finds each kind of planted problem and names the file."""
import shutil

import numpy as np
import pytest
from PIL import Image

from puppeteer.cli import main
from puppeteer.data import format as fmt
from puppeteer.data.synthesize import synthesize
from puppeteer.data.validate import validate
from puppeteer.errors import DatasetError


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    root = tmp_path_factory.mktemp("validate") / "ds"
    synthesize(root, characters=2, poses=2, seed=3, val_fraction=0, test_fraction=0)
    return root


def _copy(src, dst):
    shutil.copytree(src, dst)
    return dst


def _edit_png(path, change):
    rgba = np.asarray(Image.open(path)).copy()
    Image.fromarray(change(rgba)).save(path)


def _stray_colour(rgba):
    rgba[0, 0, :3] = 5
    return rgba


def _opaque_corner(rgba):
    rgba[0, 0] = 255
    return rgba


PLANTS = {
    "missing": lambda d: (d / "train/c00000/00000_posed.png").unlink(),
    "damaged": lambda d: (d / "train/c00000/00001_posed.png").write_bytes(b"garbage"),
    "size": lambda d: Image.new("RGBA", (128, 128)).save(d / "train/c00000/rest.png"),
    "mode": lambda d: Image.open(d / "train/c00001/rest.png").convert("RGB").save(d / "train/c00001/rest.png"),
    "stray": lambda d: _edit_png(d / "train/c00001/00000_morphed.png", _stray_colour),
    "corner": lambda d: _edit_png(d / "train/c00001/00001_morphed.png", _opaque_corner),
    "range": lambda d: (d / "train/c00000/poses.csv").write_text(
        "sample,head_x,head_y,neck_z,left_eye,right_eye,mouth\n0,0,0,0,1.5,0,0\n"),
    "header": lambda d: (d / "train/c00001/poses.csv").write_text("sample,a,b\n0,1,2\n"),
    "extra": lambda d: (d / "train/c00001/00009_posed.png").write_bytes(b""),
    "loose": lambda d: (d / "notes.txt").write_text("x"),
}
EXPECT = {
    "missing": "c00000/00000_posed.png: missing",
    "damaged": "c00000/00001_posed.png: ",
    "size": "c00000/rest.png: is 128×128",
    "mode": "c00001/rest.png: has 3 channel(s)",
    "stray": "c00001/00000_morphed.png: 3 colour value(s) under fully transparent",
    "corner": "c00001/00001_morphed.png: the top corners are not transparent",
    "range": "c00000/poses.csv, line 2: pose value left_eye=1.5",
    "header": "c00001/poses.csv: the header must be",
    "extra": "c00001/00009_posed.png: not part of the dataset",
    "loose": "notes.txt: unexpected",
}


def test_a_clean_dataset_passes(clean, capsys):
    report = validate(clean)
    assert report.problems == []
    assert report.characters == {"train": 2, "val": 0, "test": 0} and report.samples["train"] == 4
    assert main(["dataset", "validate", str(clean)]) == 0
    assert "no problems" in capsys.readouterr().out


@pytest.mark.parametrize("kind", sorted(PLANTS))
def test_each_planted_problem_is_found(clean, tmp_path, kind):
    root = _copy(clean, tmp_path / "ds")
    PLANTS[kind](root)
    problems = validate(root).problems
    assert len(problems) == 1, problems
    assert EXPECT[kind] in problems[0] and str(root) in problems[0]


def test_the_command_fails_on_problems(clean, tmp_path, capsys):
    root = _copy(clean, tmp_path / "ds")
    PLANTS["missing"](root)
    PLANTS["mode"](root)
    assert main(["dataset", "validate", str(root)]) == 1
    out = capsys.readouterr().out
    assert "2 problem(s)" in out and "00000_posed.png: missing" in out
    (root / fmt.INFO).unlink()
    assert main(["dataset", "validate", str(root)]) == 2
    with pytest.raises(DatasetError):
        validate(root)
