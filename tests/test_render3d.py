"""`puppeteer dataset render-3d` on Godette (assets/3d/, CC BY 3.0) in a real headless Chromium: the framing, the
directions of the eyes and the head, repeatable pixels, resuming, and one-line errors for bad models."""
import json
import shutil
import struct
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from puppeteer.cli import main
from puppeteer.data.validate import validate
from puppeteer.pose import Pose
from puppeteer.prepare.checks import check_picture
from puppeteer.render3d import rig as rig_module
from puppeteer.render3d.browser import Browser, find_browser

GODETTE = Path(__file__).parent.parent / "assets" / "3d" / "Godette_vrm_v4.vrm"
BROWSER = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
needs_browser = pytest.mark.skipif(BROWSER is None, reason="no Chromium here (Debian: apt-get install chromium); "
                                                           ".ci/run installs it")


@pytest.fixture(scope="module")
def godette():
    with Browser(GODETTE) as browser:
        rig, face = rig_module.prepare_rig(GODETTE, browser)
        yield browser, rig, face


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    out = tmp_path_factory.mktemp("render3d") / "godette"
    assert main(["dataset", "render-3d", str(GODETTE), "--out", str(out), "--poses", "3", "--split", "test"]) == 0
    return out


def changed(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.abs(a.astype(np.int16) - b).max(axis=-1) > rig_module.CHANGED


@needs_browser
def test_the_rest_render_fits_the_template_and_passes_check(dataset):
    from puppeteer.images import load_character

    rest = load_character(dataset / "test" / "Godette_vrm_v4" / "rest.png")
    failed = [f.text for f in check_picture(rest).findings if f.status == "fail"]
    assert not failed
    assert rest[0, 0, 3] == 0 and rest[..., 3].mean() > 20  # a transparent background around the character
    report = validate(dataset)
    assert not report.problems, report.problems
    info = json.loads((dataset / "dataset.json").read_text())
    character = info["characters"]["Godette_vrm_v4"]
    assert character["expressions"] == {"left_eye": "blinkLeft", "right_eye": "blinkRight", "mouth": "aa"}
    assert info["models"][0]["file"] == GODETTE.name and len(info["models"][0]["sha256"]) == 64


@needs_browser
def test_the_fitted_face_sits_on_the_template(godette):
    from puppeteer import template

    _, _, face = godette
    assert abs(face.eye_distance - template.EYE_DISTANCE) < 1.5
    assert abs(face.eye_midpoint[0] - template.EYE_X) < 1.5 and abs(face.eye_midpoint[1] - template.EYE_Y) < 1.5


@needs_browser
def test_closing_an_eye_changes_only_that_eyes_side(godette):
    browser, rig, _ = godette
    rest = rig.render(browser, Pose())
    for name, side in (("left_eye", "right"), ("right_eye", "left")):  # the character's left eye: the image's right
        moved = changed(rest, rig.render(browser, Pose(**{name: 1.0})))
        xs = np.nonzero(moved)[1]
        assert len(xs) > 100, name
        on_its_side = (xs >= 128) if side == "right" else (xs < 128)
        assert on_its_side.mean() > 0.99, name  # Godette's blinks also move one pixel of the mouth


@needs_browser
def test_an_eye_closes_gradually_even_where_the_model_makes_its_blink_binary(godette):
    browser, rig, _ = godette  # Godette's Blink_L and Blink_R are binary: three-vrm would snap them at 0.5
    rest, closed = rig.render(browser, Pose()), rig.render(browser, Pose(left_eye=1.0))
    for weight in (0.3, 0.7):
        half = rig.render(browser, Pose(left_eye=weight))
        assert changed(rest, half).sum() > 50 and changed(closed, half).sum() > 50, weight


@needs_browser
def test_each_head_parameter_moves_the_face_as_the_rig_does(godette):
    browser, rig, face = godette
    up = rig_module.landmarks(rig, browser, (1.0, 0.0, 0.0))
    left = rig_module.landmarks(rig, browser, (0.0, 1.0, 0.0))
    tilted = rig_module.landmarks(rig, browser, (0.0, 0.0, 1.0))
    assert up.eye_midpoint[1] < face.eye_midpoint[1] - 2           # head_x > 0 looks up
    assert left.eye_midpoint[0] < face.eye_midpoint[0] - 2         # head_y > 0 turns toward the image's left
    assert tilted.right_eye[1] < tilted.left_eye[1] - 2            # neck_z > 0: the head's top to the image's left


@needs_browser
def test_a_bone_turning_the_wrong_way_is_found_and_flipped(monkeypatch):
    monkeypatch.setitem(rig_module.SIGNS["vrm0"], "head_y", 1.0)  # as if the model's bone axis were the other way
    with Browser(GODETTE) as browser:
        rig, _ = rig_module.prepare_rig(GODETTE, browser)
    assert rig.signs == {"head_x": 1.0, "head_y": -1.0, "neck_z": -1.0}
    assert any("head_y" in note for note in rig.notes)


@needs_browser
def test_the_same_pose_gives_the_same_pixels_and_a_resumed_run_the_same_files(godette, dataset, tmp_path):
    browser, rig, _ = godette
    pose = Pose(0.4, -0.7, 0.2, 0.3, 0.8, 0.5)
    first = rig.render(browser, pose)
    rig.render(browser, replace(pose, head_y=0.9, mouth=1.0))  # something else in between
    assert np.array_equal(first, rig.render(browser, pose))
    copy = tmp_path / "copy"
    shutil.copytree(dataset, copy)
    folder = copy / "test" / "Godette_vrm_v4"
    (folder / "poses.csv").unlink()  # as if killed before the character was finished
    (folder / "00001_posed.png").unlink()
    assert main(["dataset", "render-3d", str(GODETTE), "--out", str(copy), "--poses", "3", "--split", "test",
                 "--resume"]) == 0
    original = dataset / "test" / "Godette_vrm_v4"
    for name in ("00001_posed.png", "poses.csv", "rest.png"):
        assert (folder / name).read_bytes() == (original / name).read_bytes(), name


@needs_browser
def test_an_mmd_model_is_posed_by_its_japanese_morphs_and_bones(tmp_path):
    from pmx import write_pmx

    model = tmp_path / "models" / "tiny.pmx"
    model.parent.mkdir()
    write_pmx(model)
    out = tmp_path / "mmd"
    assert main(["dataset", "render-3d", str(model), "--out", str(out), "--poses", "2"]) == 0
    assert not validate(out).problems
    character = json.loads((out / "dataset.json").read_text())["characters"]["tiny"]
    assert character["expressions"] == {"left_eye": "ウィンク", "right_eye": "ウィンク右", "mouth": "あ"}
    assert character["notes"] == []  # the MMD signs needed no flip
    with Browser(model) as browser:
        rig, face = rig_module.prepare_rig(model, browser)
        rest = rig.render(browser, Pose())
        xs = np.nonzero(changed(rest, rig.render(browser, Pose(left_eye=1.0))))[1]
        assert len(xs) > 50 and (xs > 128).all()  # ウィンク shuts the character's left eye, on the image right
        tilted = rig_module.landmarks(rig, browser, (0.0, 0.0, 1.0))
    assert tilted.right_eye[1] < tilted.left_eye[1] - 2
    bare = tmp_path / "models" / "bare.pmx"
    write_pmx(bare, morphs=False)
    assert main(["dataset", "render-3d", str(bare), "--out", str(tmp_path / "bare")]) == 2
    headless = tmp_path / "models" / "headless.pmx"
    write_pmx(headless, head="帽子")
    with pytest.raises(rig_module.RenderError, match=r"headless.pmx: the model has no head bone \(VRM \"head\""):
        with Browser(headless) as browser:
            rig_module.prepare_rig(headless, browser)


@needs_browser
def test_a_full_disk_stops_with_one_line_and_resumes(tmp_path, monkeypatch, capsys):
    import errno

    from puppeteer import images

    real_save, saved = images.save_png, []

    def filling_up(path, rgba, overwrite=False):
        if len(saved) == 2:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        saved.append(path)
        return real_save(path, rgba, overwrite)

    monkeypatch.setattr(images, "save_png", filling_up)
    out = tmp_path / "full"
    arguments = ["dataset", "render-3d", str(GODETTE), "--out", str(out), "--poses", "2"]
    assert main(arguments) == 2
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip() and "render-3d:" not in line]
    assert len(lines) == 1 and "No space left on device" in lines[0] and "--resume" in lines[0], lines
    monkeypatch.setattr(images, "save_png", real_save)
    assert main([*arguments, "--resume"]) == 0
    assert not validate(out).problems


def _without_expressions(source: Path, target: Path) -> Path:
    """A copy of a VRM 0.x file whose blend shape groups (its expressions) are gone."""
    data = source.read_bytes()
    length = struct.unpack("<I", data[12:16])[0]
    gltf = json.loads(data[20:20 + length])
    gltf["extensions"]["VRM"]["blendShapeMaster"]["blendShapeGroups"] = []
    chunk = json.dumps(gltf).encode()
    chunk += b" " * (-len(chunk) % 4)
    rest = data[20 + length:]
    body = struct.pack("<I4s", len(chunk), b"JSON") + chunk + rest
    target.write_bytes(struct.pack("<4sII", b"glTF", 2, 12 + len(body)) + body)
    return target


@needs_browser
def test_bad_models_get_one_line_each(tmp_path, capsys):
    def error(*arguments):
        out = tmp_path / f"out{len(list(tmp_path.iterdir()))}"
        assert main(["dataset", "render-3d", *map(str, arguments), "--out", str(out), "--poses", "1"]) == 2
        err = capsys.readouterr().err
        lines = [line for line in err.splitlines() if line.strip() and "render-3d:" not in line]  # not the bar
        assert len(lines) == 1, err
        return lines[0]

    bare = _without_expressions(GODETTE, tmp_path / "bare.vrm")
    err = error(bare)
    assert "bare.vrm: no expression for left_eye (looked for blinkLeft or blink_l)" in err and "--map" in err
    broken = tmp_path / "broken.vrm"
    broken.write_bytes(b"not a model")
    assert "broken.vrm: cannot load the model (" in error(broken)
    notes = tmp_path / "notes.txt"
    notes.write_text("mine")
    assert "notes.txt: not a model this command reads" in error(notes)
    no_webgl = tmp_path / "chromium-without-webgl"
    no_webgl.write_text(f'#!/bin/sh\nexec {BROWSER} --disable-3d-apis "$@"\n')
    no_webgl.chmod(0o755)
    assert "no WebGL" in error(GODETTE, "--browser", no_webgl)
    assert "--browser /no/such/chromium: not found" in error(GODETTE, "--browser", "/no/such/chromium")
    assert "--map" in error(GODETTE, "--map", "eyes=Blink")


def test_a_missing_browser_names_what_to_install(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(rig_module.RenderError, match="apt-get install chromium"):
        find_browser()


def test_pose_kinds_move_one_part_alone_from_the_same_draws():
    from puppeteer.render3d.dataset import sample_pose

    full = sample_pose("random", 0, 0, 5)
    assert sample_pose("eyes-mouth", 0, 0, 5) == Pose(0.0, 0.0, 0.0, *full.morph)
    assert sample_pose("head", 0, 0, 5) == Pose(full.head_x, full.head_y, full.neck_z)
    assert any(full.morph) and any((full.head_x, full.head_y, full.neck_z))


def test_a_page_that_went_away_gets_no_traceback(tmp_path):
    """Closing the browser can cut the page's last request: answering it must not print socketserver's traceback
    over the user's terminal (it once broke the one-line errors above)."""
    from puppeteer.render3d.browser import _Channel, _handler

    class Gone:
        def write(self, data):
            raise BrokenPipeError(32, "Broken pipe")

    handler_class = _handler(_Channel(), tmp_path, "token")
    handler = handler_class.__new__(handler_class)  # no socket: only the answering part is under test
    handler.wfile, handler.request_version, handler.requestline, handler.command = Gone(), "HTTP/1.1", "GET", "GET"
    handler._send(b"{}", "application/json")  # returns quietly
