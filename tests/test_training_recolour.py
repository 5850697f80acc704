"""Colour augmentation: one random colour transform per sample, the same for all its pictures, alpha kept."""
import math

import pytest
import torch

from puppeteer.training import recolour as rc


def test_the_matrices_keep_greys_grey_and_stay_in_their_ranges():
    torch.manual_seed(0)
    matrices = rc.random_matrices(500)
    grey = matrices @ torch.ones(3)
    assert torch.allclose(grey, grey[:, :1].expand(-1, 3), atol=1e-5)  # white stays a grey, only lighter or darker
    assert rc.BRIGHTNESS[0] - 1e-5 <= grey.min() and grey.max() <= rc.BRIGHTNESS[1] + 1e-5
    assert grey.std() > 0.08  # brightness does vary
    red = matrices @ torch.tensor([1.0, 0.0, 0.0])
    assert red.std(dim=0).min() > 0.05  # and so do hue and saturation


def test_a_turn_by_nothing_with_no_saturation_or_brightness_change_is_the_identity(monkeypatch):
    monkeypatch.setattr(rc, "HUE", 0.0)
    monkeypatch.setattr(rc, "SATURATION", (1.0, 1.0))
    monkeypatch.setattr(rc, "BRIGHTNESS", (1.0, 1.0))
    assert torch.allclose(rc.random_matrices(3), torch.eye(3).expand(3, 3, 3), atol=1e-6)
    monkeypatch.setattr(rc, "HUE", 2 * math.pi / 3)  # a third of a full turn either way: red to green or blue
    turned = rc.random_matrices(50) @ torch.tensor([1.0, 0.0, 0.0])
    assert turned[:, 1:].max() > 0.5


@pytest.mark.parametrize("convention, low", [("tha1", -1.0), ("ntut", 0.0)])
def test_recolouring_keeps_alpha_and_the_value_range(convention, low):
    torch.manual_seed(1)
    image = low + (1 - low) * torch.rand(4, 4, 8, 8)
    out = rc.recolour(image, rc.random_matrices(4), convention)
    assert torch.equal(out[:, 3], image[:, 3])
    assert out.min() >= low and out.max() <= 1 and not torch.allclose(out[:, :3], image[:, :3])
    assert torch.allclose(rc.recolour(image, torch.eye(3).expand(4, 3, 3), convention), image, atol=1e-6)


def test_a_sample_s_pictures_are_recoloured_alike_and_only_the_chosen_share():
    torch.manual_seed(2)
    same = torch.rand(64, 4, 4, 4) * 2 - 1
    batch = {"rest": same, "morphed": same.clone(), "posed": same.clone(), "pose": torch.rand(64, 6)}
    out = rc.recolour_batch(batch, 0.5, "tha1")
    assert torch.equal(out["rest"], out["morphed"]) and torch.equal(out["rest"], out["posed"])
    assert out["pose"] is batch["pose"] and torch.equal(batch["rest"], same)  # the batch itself is left alone
    changed = (out["rest"] != same).flatten(1).any(1).float().mean().item()
    assert 0.3 < changed < 0.7
    assert rc.recolour_batch(batch, 0.0, "tha1") is batch
