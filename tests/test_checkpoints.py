"""Checkpoint loading: original formats, the description file, and a one-line error for every kind of bad file."""
import json
import os
import pickle
import re
import shutil

import pytest
import torch

from conftest import changed_copy, write_tiny_checkpoints
from puppeteer.checkpoints import (FILES, ModelDescription, load_network, load_networks, load_state_dict,
                                   save_networks, THA1_SIZE)
from puppeteer.cli import main
from puppeteer.errors import CheckpointError
from puppeteer.models import NETWORKS
from puppeteer.poser import Poser


def test_original_files_load_strictly_with_manifest_keys(tha1_weights, make_weights):
    manifest = make_weights.load_manifest()
    for name in NETWORKS:
        net = load_network(name, tha1_weights / FILES[name], THA1_SIZE)
        keys = [(k, list(v.shape)) for k, v in net.state_dict().items()]
        assert keys == [(k, s) for k, s, _ in manifest["networks"][name]["keys"]]
        assert sum(v.numel() for v in net.state_dict().values()) == manifest["networks"][name]["num_params"]


def test_cuda_storage_locations_are_mapped_to_the_cpu(tmp_path, monkeypatch):
    state = {"w": torch.arange(6.0)}
    monkeypatch.setattr(torch.serialization, "location_tag", lambda storage: "cuda:0")
    torch.save(state, tmp_path / "gpu.pt", _use_new_zipfile_serialization=False)
    monkeypatch.undo()
    assert torch.equal(load_state_dict(tmp_path / "gpu.pt", "cpu")["w"], state["w"])


def _outputs(folder, pose=(0.3, -0.5, 0.2, 1.0, 0.0, 0.6)):
    poser = Poser(load_networks(folder), device="cpu", precision="fp32")
    image = torch.rand(1, 4, 64, 64) * 2 - 1
    return poser.chain(image, torch.tensor([pose]))


def test_legacy_zip_and_resaved_copies_give_identical_outputs(tmp_path, tiny_checkpoints):
    legacy, resaved = tmp_path / "legacy", tmp_path / "resaved"
    legacy.mkdir()
    shutil.copy(tiny_checkpoints / "model.json", legacy)
    for name, file in FILES.items():
        with open(legacy / file, "wb") as f:
            torch.save(load_state_dict(tiny_checkpoints / file), f, _use_new_zipfile_serialization=False)
    nets = load_networks(tiny_checkpoints)
    save_networks(resaved, {n: getattr(nets, n) for n in NETWORKS}, nets.description)
    torch.manual_seed(0)
    reference = _outputs(tiny_checkpoints)
    for folder in (legacy, resaved):
        torch.manual_seed(0)
        for a, b in zip(reference, _outputs(folder)):
            assert torch.equal(a, b)


def test_saving_never_overwrites_an_existing_export(tmp_path, tiny_checkpoints):
    nets = load_networks(tiny_checkpoints)
    modules = {n: getattr(nets, n) for n in NETWORKS}
    save_networks(tmp_path, modules, nets.description)
    before = (tmp_path / "combiner.pt").read_bytes()
    with pytest.raises(Exception, match="already exists"):
        save_networks(tmp_path, modules, nets.description)
    assert (tmp_path / "combiner.pt").read_bytes() == before


class _RunsCode:
    def __reduce__(self):
        return (os.system, ("touch PWNED",))


def _bad_checkpoint(folder, kind, tha1_weights=None):
    """Make `folder` a copy of tiny checkpoints with one defect of the given kind; return the expected message."""
    morpher = folder / "face_morpher.pt"
    if kind == "missing":
        morpher.unlink()
        return "face_morpher.pt: checkpoint file not found"
    if kind == "not a checkpoint":
        morpher.write_text("this is a text file\n")
        return "not a PyTorch checkpoint"
    if kind == "truncated zip":
        morpher.write_bytes(morpher.read_bytes()[:5000])
        return "truncated or damaged"
    if kind == "truncated legacy":
        state = load_state_dict(morpher)
        with open(morpher, "wb") as f:
            torch.save(state, f, _use_new_zipfile_serialization=False)
        morpher.write_bytes(morpher.read_bytes()[:-100])
        return "truncated or damaged"
    if kind == "runs code":
        with open(morpher, "wb") as f:
            pickle.dump({"weight": _RunsCode()}, f)
        return "refused"
    if kind == "code inside zip":
        torch.save({"weight": _RunsCode()}, morpher)
        return "refused"
    if kind == "wrong network":
        shutil.copy(folder / "combiner.pt", morpher)
        return "missing key(s), first 'main_body.module_list.0.0.weight'"
    if kind == "wrong shapes":
        state = load_state_dict(morpher)
        state["color_change.0.weight"] = torch.zeros(3, 8, 7, 7)
        torch.save(state, morpher)
        return "color_change.0.weight has shape (3, 8, 7, 7), expected (4, 8, 7, 7)"
    if kind == "width mismatch":
        desc = json.loads((folder / "model.json").read_text())
        desc["networks"]["face_morpher"]["width"] = 16
        (folder / "model.json").write_text(json.dumps(desc))
        return "width 8 in the file but 16 in the description"
    if kind == "bad face box":
        desc = json.loads((folder / "model.json").read_text())
        desc["networks"]["face_morpher"]["face_box"] = [200, 64, 128]
        (folder / "model.json").write_text(json.dumps(desc))
        return "model.json: face_morpher.face_box [200, 64, 128] must be a square inside the 256×256 picture"
    if kind == "face box of text":
        desc = json.loads((folder / "model.json").read_text())
        desc["networks"]["face_morpher"]["face_box"] = [64, 64, "128"]
        (folder / "model.json").write_text(json.dumps(desc))
        return "model.json: face_morpher.face_box [64, 64, '128'] must be three whole numbers"
    if kind == "bad downscale":
        desc = json.loads((folder / "model.json").read_text())
        desc["networks"]["two_algo_face_rotator"]["downscale"] = 3
        (folder / "model.json").write_text(json.dumps(desc))
        return "model.json: two_algo_face_rotator.downscale 3 must be one of 1, 2, 4"
    if kind == "rest anchor of text":
        desc = json.loads((folder / "model.json").read_text())
        desc["networks"]["two_algo_face_rotator"]["rest_anchor"] = "yes"
        (folder / "model.json").write_text(json.dumps(desc))
        return "model.json: two_algo_face_rotator.rest_anchor 'yes' must be true or false"
    if kind == "face box too small to downscale":
        desc = json.loads((folder / "model.json").read_text())
        desc["networks"]["face_morpher"].update(face_box=[64, 64, 72], downscale=2)
        (folder / "model.json").write_text(json.dumps(desc))
        return "model.json: face_morpher.face_box [64, 64, 72] must be a square inside the 256×256 picture whose " \
               "size is a multiple of 16 (8 × downscale 2)"
    if kind == "bad description":
        (folder / "model.json").write_text("{not json")
        return "model.json: cannot read the description file"
    raise AssertionError(kind)


KINDS = ["missing", "not a checkpoint", "truncated zip", "truncated legacy", "runs code", "code inside zip",
         "wrong network", "wrong shapes", "width mismatch", "bad face box", "face box of text", "bad downscale",
         "rest anchor of text", "face box too small to downscale", "bad description"]


@pytest.mark.parametrize("kind", KINDS)
def test_each_bad_checkpoint_gives_its_one_line_error(kind, tmp_path, monkeypatch, capsys, character_png):
    folder = write_tiny_checkpoints(tmp_path / "ckpt")
    expected = _bad_checkpoint(folder, kind)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CheckpointError, match=re.escape(expected)):
        load_networks(folder)
    code = main(["render", "--checkpoints", str(folder), "--character", str(character_png),
                 "--pose", "0,0,0,0,0,0", "--out", str(tmp_path / "out.png"), "--precision", "fp32"])
    err = capsys.readouterr().err
    assert code != 0
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert expected in err
    assert not (tmp_path / "PWNED").exists()
    assert not (tmp_path / "out.png").exists()


def test_missing_folder_and_description_defaults(tmp_path):
    with pytest.raises(CheckpointError, match="checkpoint folder not found"):
        load_networks(tmp_path / "nowhere")
    assert ModelDescription().sizes["combiner"] == THA1_SIZE
    assert ModelDescription().convention == "tha1"


def test_a_face_box_in_the_description_morphs_only_that_square(tmp_path, tiny_checkpoints):
    folder = changed_copy(tiny_checkpoints, tmp_path / "boxed", "face_morpher", face_box=[64, 32, 128])
    whole, boxed = load_networks(tiny_checkpoints).face_morpher, load_networks(folder).face_morpher
    assert boxed.face_box == [64, 32, 128]
    image, pose = torch.rand(1, 4, 256, 256) * 2 - 1, torch.tensor([[1.0, 0.5, 1.0]])
    with torch.no_grad():
        output = boxed(image, pose)[0]
        expected_box = whole(image[..., 64:192, 32:160], pose)[0]
    torch.testing.assert_close(output[..., 64:192, 32:160], expected_box)
    outside = torch.ones(256, 256, dtype=torch.bool)
    outside[64:192, 32:160] = False
    assert torch.equal(output[..., outside], image[..., outside])


def test_a_downscaled_rotator_sees_a_smaller_picture_and_resamples_the_full_size_one(tmp_path, tiny_checkpoints):
    folder = changed_copy(tiny_checkpoints, tmp_path / "half", "two_algo_face_rotator", downscale=2)
    full, half = load_networks(tiny_checkpoints).two_algo_face_rotator, load_networks(folder).two_algo_face_rotator
    assert half.downscale == 2
    image, pose = torch.rand(1, 4, 256, 256) * 2 - 1, torch.tensor([[0.5, -0.8, 0.2]])
    with torch.no_grad():
        outputs = half(image, pose)
        small = full(torch.nn.functional.avg_pool2d(image, 2), pose)  # the same weights on the shrunk picture
    assert [tuple(o.shape) for o in outputs] == [(1, 4, 256, 256)] * 4 + [(1, 256, 256, 2)] * 2
    enlarged = torch.nn.functional.interpolate(small[4].permute(0, 3, 1, 2), size=(256, 256), mode="bilinear")
    torch.testing.assert_close(outputs[4], enlarged.permute(0, 2, 3, 1))  # the flow, enlarged
    resampled = torch.nn.functional.grid_sample(image, outputs[5], align_corners=True, padding_mode="border")
    torch.testing.assert_close(outputs[1], resampled)  # drawn from the full-size picture


def test_a_rest_anchored_rotator_moves_nothing_at_zero_turn_and_the_rest_by_the_difference(tmp_path, tiny_checkpoints):
    folder = changed_copy(tiny_checkpoints, tmp_path / "anchored", "two_algo_face_rotator", rest_anchor=True)
    plain, anchored = load_networks(tiny_checkpoints).two_algo_face_rotator, load_networks(folder).two_algo_face_rotator
    assert anchored.rest_anchor and not plain.rest_anchor
    torch.nn.init.normal_(plain.zhou_grid_change.weight, std=0.05)  # a flow that is not 0 at rest
    anchored.load_state_dict(plain.state_dict())
    image, zero, pose = torch.rand(1, 4, 256, 256) * 2 - 1, torch.zeros(1, 3), torch.tensor([[0.5, -0.8, 0.2]])
    with torch.no_grad():
        assert (plain(image, zero)[1] - image).abs().max() > 0.01  # the plain one moves a head that does not turn
        # exact up to grid_sample's arithmetic at the pixel centres
        torch.testing.assert_close(anchored(image, zero)[1], image, atol=1e-4, rtol=0)
        torch.testing.assert_close(anchored.resample(image, zero), image, atol=1e-4, rtol=0)
        expected = plain(image, pose)[4] - plain(image, zero)[4]
        torch.testing.assert_close(anchored(image, pose)[4], expected)
        torch.testing.assert_close(anchored(image, pose)[0], plain(image, pose)[0])  # the colour path is its own


def test_a_downscaled_morpher_blends_the_full_size_box_with_enlarged_alpha_and_colour(tmp_path, tiny_checkpoints):
    folder = changed_copy(tiny_checkpoints, tmp_path / "half", "face_morpher", face_box=[64, 32, 128], downscale=2)
    whole, half = load_networks(tiny_checkpoints).face_morpher, load_networks(folder).face_morpher
    image, pose = torch.rand(1, 4, 256, 256) * 2 - 1, torch.tensor([[1.0, 0.5, 1.0]])
    box = image[..., 64:192, 32:160]
    with torch.no_grad():
        output, alpha, color = half(image, pose)
        small = whole(torch.nn.functional.avg_pool2d(box, 2), pose)  # the same weights on the shrunk box
    enlarge = lambda m: torch.nn.functional.interpolate(m, size=(128, 128), mode="bilinear")
    torch.testing.assert_close(alpha, enlarge(small[1]))
    torch.testing.assert_close(color, enlarge(small[2]))
    torch.testing.assert_close(output[..., 64:192, 32:160], alpha * box + (1 - alpha) * color)  # the full-size box
    outside = torch.ones(256, 256, dtype=torch.bool)
    outside[64:192, 32:160] = False
    assert torch.equal(output[..., outside], image[..., outside])


def test_a_downscaled_combiner_blends_full_size_pictures_with_enlarged_masks(tmp_path, tiny_checkpoints):
    folder = changed_copy(tiny_checkpoints, tmp_path / "half", "combiner", downscale=2)
    full, half = load_networks(tiny_checkpoints).combiner, load_networks(folder).combiner
    first, second = torch.rand(1, 4, 256, 256) * 2 - 1, torch.rand(1, 4, 256, 256) * 2 - 1
    pose = torch.tensor([[0.5, -0.8, 0.2]])
    with torch.no_grad():
        final, combined, *maps = half(first, second, pose)
        small = full(torch.nn.functional.avg_pool2d(first, 2), torch.nn.functional.avg_pool2d(second, 2), pose)
    for enlarged, map_ in zip(maps, small[2:]):
        torch.testing.assert_close(enlarged, torch.nn.functional.interpolate(map_, size=(256, 256), mode="bilinear"))
    cam, ram, rcc = maps
    torch.testing.assert_close(combined, cam * first + (1 - cam) * second)  # the full-size pictures, blended
    torch.testing.assert_close(final, ram * combined + (1 - ram) * rcc)
