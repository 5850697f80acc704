"""The fast inference paths give fp32's pixels within the stated error."""
import numpy as np
import torch

from conftest import make_character
from puppeteer import poser as poser_module
from puppeteer.bench import _levels_error, _naive_chain, random_networks
from puppeteer.checkpoints import load_networks
from puppeteer.images import encode
from puppeteer.pose import Pose
from puppeteer.poser import Poser

POSE = Pose(0.4, -0.6, 0.3, 0.7, 0.2, 0.8)


def _naive(networks):
    image = torch.from_numpy(encode(make_character(), "tha1"))[None]
    return _naive_chain(networks, image, torch.tensor([POSE.values()]))


def test_channels_last_path_matches_naive_fp32_on_the_reference_weights(tha1_weights):
    reference = _naive(load_networks(tha1_weights))
    poser = Poser(load_networks(tha1_weights), device="cpu", precision="fp32")
    out = poser.pose_image(poser.image_tensor(make_character()), poser.pose_tensor([POSE]))
    error = _levels_error(out, reference, "tha1")
    assert error["mean_levels"] <= 1 and error["max_levels"] <= 8, error


def test_compiled_path_matches_eager_and_is_used_once_ready():
    size = {"width": 8, "bottleneck_blocks": 1}
    reference = _naive(random_networks(size))
    poser = Poser(random_networks(size), device="cpu", precision="fp32")
    assert not poser.compiled
    ready = []
    poser.optimise_in_background(on_ready=ready.append).join()
    assert ready == [poser]
    assert poser.compiled, poser.compile_error
    assert poser.compile_seconds > 0
    out = poser.pose_image(poser.image_tensor(make_character()), poser.pose_tensor([POSE]))
    error = _levels_error(out, reference, "tha1")
    assert error["mean_levels"] <= 1 and error["max_levels"] <= 8, error
    poser.fast = True  # compiled too: switching modes never waits for a compiler
    assert poser._active_resampler is not poser._eager_resampler
    image = poser.image_tensor(make_character())
    fast = poser.pose_image(image, poser.pose_tensor([POSE]))
    assert _levels_error(fast, poser.chain(image, poser.pose_tensor([POSE]))[2], "tha1")["max_levels"] <= 1


def test_fast_mode_shows_the_rotators_resampled_picture_and_skips_the_rest(monkeypatch):
    poser = Poser(random_networks({"width": 8, "bottleneck_blocks": 1}), device="cpu", precision="fp32")
    image, pose6 = poser.image_tensor(make_character()), poser.pose_tensor([POSE, Pose(head_y=-1, mouth=1)])
    morphed, _, resampled, final = poser.chain(image, pose6)
    poser.fast = True
    called = []
    for module in (poser.combiner, poser.face_rotator.pumarola_color_change, poser.face_rotator.pumarola_alpha_mask):
        module.register_forward_hook(lambda *args: called.append(args[0]))
    fast = poser.pose_image(image, pose6)
    assert torch.equal(fast, resampled) and not torch.equal(fast, final)
    assert called == []  # neither the combiner nor the rotator's colour heads ran
    assert not torch.equal(morphed, fast)


def test_a_failing_compiler_leaves_the_eager_path_working(monkeypatch):
    def broken(networks):
        raise RuntimeError("no C++ compiler found")

    monkeypatch.setattr(poser_module, "compile_networks", broken)
    poser = Poser(random_networks({"width": 8, "bottleneck_blocks": 1}), device="cpu", precision="fp32")
    poser.optimise_in_background().join()
    assert not poser.compiled and "no C++ compiler" in poser.compile_error
    frames = list(poser.render(make_character(), [POSE]))
    assert frames[0].shape == (256, 256, 4)
    poser.fast = True
    assert next(poser.render(make_character(), [POSE])).shape == (256, 256, 4)


def test_batches_of_poses_match_single_renders():
    poser = Poser(random_networks({"width": 8, "bottleneck_blocks": 1}), device="cpu", precision="fp32")
    poses = [POSE, Pose(), Pose(head_y=-1, mouth=1)]
    single = list(poser.render(make_character(), poses, batch_size=1))
    batched = list(poser.render(make_character(), poses, batch_size=3))
    for a, b in zip(single, batched):
        assert np.abs(a.astype(int) - b.astype(int)).max() <= 1
