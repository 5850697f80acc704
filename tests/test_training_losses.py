"""Losses, the VGG16 backbone and the image metrics."""
import numpy as np
import pytest
import torch
from skimage.metrics import structural_similarity
from test_training import one_thread  # noqa: F401 (fixture)

from puppeteer.errors import TrainingError
from puppeteer.training.config import TrainConfig
from puppeteer.training.losses import PerceptualLoss, TrainingLoss, changed_pixel_weight, flow_total_variation, \
    l1_loss
from puppeteer.training.metrics import display_space, image_metrics, psnr, ssim
from puppeteer.training.vgg import VGG_FILE, load_vgg16_head, vgg16_head


def _image(seed: int, size: int = 32) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.rand(2, 4, size, size, generator=g) * 2 - 1


@pytest.mark.parametrize("variant", ["tha1", "ntut"])
def test_perceptual_loss_is_zero_for_identical_images_and_grows_with_distortion(variant):
    loss = PerceptualLoss(variant, "tha1", vgg="random")
    target = _image(0)
    noise = _image(1) - target
    values = [loss([target + k * noise], target).item() for k in (0.0, 0.1, 0.3, 1.0)]
    assert values[0] == 0
    assert values[1] < values[2] < values[3]


def test_perceptual_first_layer_is_built_once_and_identically():
    first = [PerceptualLoss("ntut", "tha1", vgg="random").head[0].weight for _ in range(2)]
    assert first[0].shape == (64, 4, 3, 3)
    assert torch.equal(first[0], first[1])
    assert torch.equal(first[0][:, 3], first[0][:, :3].mean(dim=1))  # alpha filter derived from the RGB ones
    loss = PerceptualLoss("ntut", "tha1", vgg="random")
    a, b = _image(2), _image(3)
    assert loss([a], b).item() == loss([a], b).item()
    assert not loss.head[0].weight.requires_grad


def test_perceptual_loss_trains_the_output_not_the_backbone():
    loss = PerceptualLoss("tha1", "tha1", vgg="random").train()
    output = _image(4).requires_grad_(True)
    loss([output], _image(5)).backward()
    assert output.grad.abs().sum() > 0
    assert all(p.grad is None for p in loss.parameters())
    assert not loss.head.training


def test_vgg_weights_load_by_torchvision_keys(tmp_path):
    state = {f"features.{k}": torch.randn_like(v) for k, v in vgg16_head().state_dict().items()}
    state["features.17.weight"] = torch.zeros(512, 256, 3, 3)  # the rest of VGG16 is ignored
    state["classifier.0.weight"] = torch.zeros(4, 4)
    torch.save(state, tmp_path / VGG_FILE)
    head = load_vgg16_head(str(tmp_path / VGG_FILE))
    assert torch.equal(head[14].weight, state["features.14.weight"])


def test_missing_vgg_weights_say_where_to_put_the_file(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    with pytest.raises(TrainingError) as e:
        PerceptualLoss("tha1", "tha1", vgg="auto")
    message = str(e.value)
    assert str(tmp_path / "torch" / "hub" / "checkpoints" / VGG_FILE) in message
    assert "download" in message and "--vgg random" in message
    with pytest.raises(TrainingError, match="not found"):
        load_vgg16_head(str(tmp_path / "nowhere.pth"))


def test_a_file_that_is_not_vgg16_is_named(tmp_path):
    torch.save({"features.0.weight": torch.zeros(3)}, tmp_path / "other.pth")
    with pytest.raises(TrainingError, match="other.pth: not VGG16 weights"):
        load_vgg16_head(str(tmp_path / "other.pth"))


def test_changed_pixel_weight_raises_the_l1_on_changed_pixels_only():
    reference = torch.zeros(1, 4, 4, 4)
    target = reference.clone()
    target[..., 0, 0] = 1  # one pixel of 16 changes
    weight = changed_pixel_weight(reference, target, extra=9.0)
    assert weight[0, 0, 0, 0] == 10 and weight.sum() == 25
    assert l1_loss(reference, target) == pytest.approx(1 / 16)
    assert l1_loss(reference, target, weight) == pytest.approx(10 / 25)


def test_flow_total_variation_is_zero_for_a_shift_and_counts_pixels():
    shift = torch.full((1, 9, 9, 2), 0.3)  # the whole picture moves as one: nothing to penalise
    assert flow_total_variation(shift) == 0
    ramp = torch.zeros(1, 9, 9, 2)
    ramp[..., 0] = torch.arange(9.0) * 2 / 8  # x offset grows one pixel per column (grid units: 2 / (W - 1))
    assert flow_total_variation(ramp) == pytest.approx(0.5 / 2)  # 1 px across columns, none down rows, both axes
    noise = torch.randn(1, 9, 9, 2, generator=torch.Generator().manual_seed(0)) * 0.1  # ~0.4 px of jitter
    assert flow_total_variation(noise) > flow_total_variation(ramp)  # costs more than a smooth 8 px stretch


def test_flow_smoothness_adds_the_weighted_total_variation_to_the_loss():
    outputs, target = [_image(0)], _image(1)
    flow = torch.randn(2, 32, 32, 2) * 0.05
    plain, _ = TrainingLoss(TrainConfig(stage="rotator"))(outputs, target, target, 0, flow=flow)
    smoothing = TrainingLoss(TrainConfig(stage="rotator", flow_smoothness=0.1))
    smooth, parts = smoothing(outputs, target, target, 0, flow=flow)
    assert smooth == pytest.approx(plain + 0.1 * flow_total_variation(flow))
    assert parts["flow_tv"] == pytest.approx(flow_total_variation(flow))


def test_display_space_inverts_the_tha1_encoding():
    from puppeteer.images import encode

    rgba = np.random.default_rng(0).integers(0, 256, (8, 8, 4), dtype=np.uint8)
    back = display_space(torch.from_numpy(encode(rgba, "tha1"))[None], "tha1")[0]
    assert np.allclose(back.numpy().transpose(1, 2, 0) * 255, rgba, atol=1e-3)


def test_ssim_matches_skimage_and_psnr_is_exact():
    a = (_image(6, 48)[:1] + 1) / 2
    b = (a + 0.1 * (_image(7, 48)[:1])).clamp(0, 1)
    expected = structural_similarity(a[0].numpy(), b[0].numpy(), channel_axis=0, data_range=1.0,
                                     gaussian_weights=True, sigma=1.5, use_sample_covariance=False)
    assert ssim(a, b).item() == pytest.approx(expected, abs=1e-5)
    assert ssim(a, a).item() == pytest.approx(1.0)
    mse = ((a - b) ** 2).mean().item()
    assert psnr(a, b).item() == pytest.approx(-10 * np.log10(mse), rel=1e-5)
    metrics = image_metrics(a, a, "ntut")
    assert metrics["psnr"].item() == 100 and metrics["l1"].item() == 0
