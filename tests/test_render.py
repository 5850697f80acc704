"""`puppeteer render`: the same pixels as the reference pipeline, every output kind, and no overwriting."""
import json
import shutil

import numpy as np
import pytest
import torch
from PIL import Image

from puppeteer import poser as poser_module
from puppeteer import precision
from puppeteer.checkpoints import FILES, THA1_SIZE, load_network, load_networks
from puppeteer.cli import main
from puppeteer.cli.render import MEASURED_FROM_POSES
from puppeteer.images import decode
from puppeteer.pose import Pose
from puppeteer.poser import Poser
from puppeteer.precision import Measurement
from test_images import _reference_encode

POSE = (0.4, -0.7, 0.3, 1.0, 0.2, 0.8)


def _reference_pipeline(weights, png, convention):
    """Load → networks → convert, as reference README §1/§4 (tha1) and §9 (ntut: ToTensor / ToPILImage)."""
    rgba = np.asarray(Image.open(png))
    x = _reference_encode(rgba) if convention == "tha1" else (rgba / 255.0).astype(np.float32).transpose(2, 0, 1)
    nets = {n: load_network(n, weights / FILES[n], THA1_SIZE) for n in FILES}
    pose = torch.tensor([POSE])
    with torch.no_grad():
        morphed = nets["face_morpher"](torch.from_numpy(x)[None], pose[:, 3:6])[0]
        rotated = nets["two_algo_face_rotator"](morphed, pose[:, 0:3])
        y = nets["combiner"](rotated[0], rotated[1], pose[:, 0:3])[0][0].double().numpy()
    if convention == "ntut":
        return np.floor(np.clip(y, 0, 1) * 255).transpose(1, 2, 0)
    y = (y + 1) / 2
    rgb = np.clip(y[:3], 0, 1)
    rgb = np.where(rgb <= 0.003130804953560372, rgb * 12.92, 1.055 * rgb ** (1 / 2.4) - 0.055)
    return np.rint(np.clip(np.concatenate([rgb, y[3:]]), 0, 1) * 255).transpose(1, 2, 0)


@pytest.mark.parametrize("convention", ["tha1", "ntut"])
def test_render_matches_reference_pipeline(convention, tha1_weights, tmp_path, character_png):
    weights = tmp_path / "weights"
    shutil.copytree(tha1_weights, weights)
    (weights / "model.json").write_text(json.dumps({"convention": convention}))
    out = tmp_path / "out.png"
    assert main(["render", "--checkpoints", str(weights), "--character", str(character_png), "--out", str(out),
                 "--pose", ",".join(map(str, POSE)), "--precision", "fp32", "--device", "cpu"]) == 0
    got = np.asarray(Image.open(out)).astype(int)
    want = _reference_pipeline(weights, character_png, convention)
    assert got.shape == (256, 256, 4)
    assert np.abs(got - want).max() <= 1


def _render(tiny, character, out, *extra):
    return main(["render", "--checkpoints", str(tiny), "--character", str(character), "--out", str(out),
                 "--precision", "fp32", *extra])


@pytest.fixture
def pose_csv(tmp_path):
    path = tmp_path / "poses.csv"
    path.write_text("frame,head_x,head_y,neck_z,left_eye,right_eye,mouth\n"
                    + "".join(f"{i},{i / 5 - 0.4},0,0,{i / 4},0,{i / 4}\n" for i in range(5)))
    return path


def test_render_a_pose_sequence_to_pngs_mp4_and_gif(tiny_checkpoints, character_png, pose_csv, tmp_path):
    assert _render(tiny_checkpoints, character_png, tmp_path / "frames", "--poses", str(pose_csv)) == 0
    frames = sorted((tmp_path / "frames").glob("*.png"))
    assert [f.name for f in frames] == [f"{i:05d}.png" for i in range(5)]
    assert not np.array_equal(np.asarray(Image.open(frames[0])), np.asarray(Image.open(frames[4])))

    assert _render(tiny_checkpoints, character_png, tmp_path / "a.gif", "--poses", str(pose_csv), "--fps", "10") == 0
    gif = Image.open(tmp_path / "a.gif")
    assert gif.n_frames == 5 and gif.info["duration"] == 100

    import cv2

    assert _render(tiny_checkpoints, character_png, tmp_path / "a.mp4", "--poses", str(pose_csv),
                   "--background", "green") == 0
    video = cv2.VideoCapture(str(tmp_path / "a.mp4"))
    count = 0
    while video.read()[0]:
        count += 1
    assert count == 5


@pytest.mark.parametrize("native", [True, False], ids=["native-bf16", "no-bf16"])
def test_a_long_render_measures_the_automatic_precision_and_says_so(tiny_checkpoints, character_png, tmp_path,
                                                                   capsys, monkeypatch, native):
    monkeypatch.setattr(precision, "cpu_supports_bf16", lambda: native)
    measured = []
    monkeypatch.setattr(poser_module, "measure", lambda render, frame: measured.append(1) or
                        Measurement(fp32_ms=30.0, bf16_ms=10.0, mean_levels=0.1, max_levels=2))
    csv = tmp_path / "poses.csv"
    csv.write_text("head_x,head_y,neck_z,left_eye,right_eye,mouth\n" + "0,0.5,0,0,0,1\n" * MEASURED_FROM_POSES)
    args = ["render", "--checkpoints", str(tiny_checkpoints), "--character", str(character_png), "--fast"]
    assert main([*args, "--poses", str(csv), "--out", str(tmp_path / "clip.mp4")]) == 0
    out = capsys.readouterr().out
    if native:
        assert "precision bf16, measured: bf16 is 3.00× as fast" in out and measured == [1]
        assert "(1 pose" not in out and "cpu, bf16, fast)" in out
    else:
        assert "precision fp32, automatic: this CPU" in out and "no native bf16" in out and measured == []
    # a one-pose render takes the remembered choice (or fp32) and never measures
    assert main([*args, "--pose", "0,0,0,0,0,0", "--out", str(tmp_path / "one.png")]) == 0
    assert measured == ([1] if native else [])
    assert f"precision {'bf16' if native else 'fp32'}" in capsys.readouterr().out


def test_background_is_composited(tiny_checkpoints, character_png, tmp_path):
    assert _render(tiny_checkpoints, character_png, tmp_path / "g.png", "--pose", "0,0,0,0,0,0",
                   "--background", "#00ff00") == 0
    out = np.asarray(Image.open(tmp_path / "g.png"))
    assert (out[..., 3] == 255).all()


def test_fast_renders_the_rotators_resampled_picture(tiny_checkpoints, character_png, tmp_path):
    assert _render(tiny_checkpoints, character_png, tmp_path / "fast.png", "--pose", "0.4,-0.8,0.2,1,0,0.5",
                   "--fast", "--device", "cpu") == 0  # the same device as the reference below
    poser = Poser(load_networks(tiny_checkpoints), device="cpu", precision="fp32")
    image = poser.image_tensor(np.asarray(Image.open(character_png)))
    resampled = poser.chain(image, poser.pose_tensor([Pose(0.4, -0.8, 0.2, 1, 0, 0.5)]))[2]
    expected = decode(resampled[0].numpy(), poser.convention)
    assert np.abs(np.asarray(Image.open(tmp_path / "fast.png")).astype(int) - expected.astype(int)).max() <= 1


def test_never_overwrites_without_flag(tiny_checkpoints, character_png, tmp_path, capsys):
    out = tmp_path / "o.png"
    out.write_bytes(b"user's file")
    assert _render(tiny_checkpoints, character_png, out, "--pose", "0,0,0,0,0,0") == 2
    assert "already exists" in capsys.readouterr().err and out.read_bytes() == b"user's file"
    assert _render(tiny_checkpoints, character_png, out, "--pose", "0,0,0,0,0,0", "--overwrite") == 0
    assert np.asarray(Image.open(out)).shape == (256, 256, 4)


@pytest.mark.parametrize("args,message", [
    (["--pose", "0,0,0"], "6 values"),
    (["--pose", "0,0,0,0,0,0", "--background", "plaid"], "not understood"),
    (["--pose", "0,0,0,0,0,0", "--device", "cuda"], "no CUDA GPU"),
])
def test_bad_arguments_are_explained(tiny_checkpoints, character_png, tmp_path, capsys, monkeypatch, args, message):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)  # the CUDA case as on a machine without one
    assert _render(tiny_checkpoints, character_png, tmp_path / "x.png", *args) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
