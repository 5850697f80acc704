"""The training losses: L1 (optionally weighted up where the picture changes) and the VGG16 perceptual loss
in its two flavours, combined per step by `TrainingLoss`."""
import torch
from torch import nn

from .metrics import display_space
from .vgg import TAPS, load_vgg16_head

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
CHANGE_THRESHOLD = 1e-3  # network-space difference above which a pixel counts as changed


def l1_loss(output: torch.Tensor, target: torch.Tensor, weight: torch.Tensor | None = None) -> torch.Tensor:
    """Mean absolute error; with an N×1×H×W `weight`, its weighted mean."""
    diff = (output - target).abs()
    if weight is None:
        return diff.mean()
    return (diff * weight).sum() / (weight.sum() * diff.shape[1])


def flow_total_variation(flow: torch.Tensor) -> torch.Tensor:
    """Mean absolute difference between neighbouring flow vectors (N×H×W×2, in pixels): small for a flow that
    moves regions as wholes, as a turning head does, large for the per-pixel noise that frays its outline."""
    pixels = flow * (flow.shape[2] - 1) / 2  # grid units ([-1, 1] across the picture) to pixels
    return ((pixels[:, 1:] - pixels[:, :-1]).abs().mean() + (pixels[:, :, 1:] - pixels[:, :, :-1]).abs().mean()) / 2


def changed_pixel_weight(reference: torch.Tensor, target: torch.Tensor, extra: float) -> torch.Tensor:
    """1 everywhere, 1 + `extra` where the target differs from the dataset image the input stands for: the eyes,
    the mouth, the turned head are a small part of the picture but all of the task."""
    changed = (reference - target).abs().amax(dim=1, keepdim=True) > CHANGE_THRESHOLD
    return 1 + extra * changed.float()


def four_channel_conv(rgb: nn.Conv2d) -> nn.Conv2d:
    """VGG's first convolution taking RGBA: the pretrained RGB filters plus, for alpha, their mean over RGB, so
    alpha is seen like a grey picture. Deterministic, unlike the NTUT fork's re-randomised layer."""
    conv = nn.Conv2d(4, rgb.out_channels, kernel_size=3, padding=1)
    with torch.no_grad():
        conv.weight.copy_(torch.cat([rgb.weight, rgb.weight.mean(dim=1, keepdim=True)], dim=1))
        conv.bias.copy_(rgb.bias)
    return conv


class PerceptualLoss(nn.Module):
    """Σ_j w_j · mean |φ_j(output) − φ_j(target)| over VGG16's relu1_2, relu2_2 and relu3_3 (frozen).

    variant 'tha1' (the THA v1 write-up): the unmodified VGG on RGB and on alpha repeated ×3, the two summed.
    variant 'ntut' (the NTUT fork): one pass with a 4-channel first layer (see `four_channel_conv`).
    The write-up's λ_j = (1/5)·4·256²/(C_j H_j W_j) is, in these per-element means, a weight of 1/5 on each
    layer for the rotator and 1/25 for the combiner (configs/tha1.toml). VGG sees what it was trained on:
    sRGB in [0, 1], ImageNet-normalised.
    """

    def __init__(self, variant: str = "tha1", convention: str = "tha1", vgg: str = "auto",
                 layer_weights=(1.0, 1.0, 1.0)):
        super().__init__()
        self.variant, self.convention, self.layer_weights = variant, convention, tuple(layer_weights)
        head = load_vgg16_head(vgg)
        mean, std = IMAGENET_MEAN, IMAGENET_STD
        if variant == "ntut":
            head[0] = four_channel_conv(head[0])
            mean, std = mean + (sum(mean) / 3,), std + (sum(std) / 3,)
        self.head = head.eval().requires_grad_(False)
        self.register_buffer("mean", torch.tensor(mean).view(1, -1, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(std).view(1, -1, 1, 1), persistent=False)

    def train(self, mode: bool = True):
        return super().train(False)  # the backbone is frozen: always in eval mode

    def _vgg_inputs(self, x: torch.Tensor) -> list[torch.Tensor]:
        y = display_space(x, self.convention)
        if self.variant == "tha1":
            return [(y[:, :3] - self.mean) / self.std, (y[:, 3:].expand_as(y[:, :3]) - self.mean) / self.std]
        return [(y - self.mean) / self.std]

    def _features(self, x: torch.Tensor) -> list[torch.Tensor]:
        taps = []
        for i, layer in enumerate(self.head):
            x = layer(x)
            if i in TAPS:
                taps.append(x.float())
        return taps

    def forward(self, outputs: list[torch.Tensor], target: torch.Tensor) -> torch.Tensor:
        """Mean over `outputs` of the distance of each to `target` (whose features are computed once)."""
        with torch.no_grad():
            wanted = [self._features(t) for t in self._vgg_inputs(target)]
        total = 0
        for output in outputs:
            for x, target_taps in zip(self._vgg_inputs(output), wanted):
                for w, a, b in zip(self.layer_weights, self._features(x), target_taps):
                    total = total + w * (a - b).abs().mean()
        return total / len(outputs)


class TrainingLoss(nn.Module):
    """l1_weight · L1 (+ changed-pixel weighting) + perceptual_weight · perceptual from `perceptual_start` on,
    averaged over the stage's outputs (the rotator has two), + flow_smoothness · the flow's total variation."""

    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.perceptual = None
        if cfg.perceptual_weight > 0:
            self.perceptual = PerceptualLoss(cfg.perceptual_variant, cfg.convention, cfg.vgg, cfg.perceptual_layers)

    def forward(self, outputs: list[torch.Tensor], target: torch.Tensor, reference: torch.Tensor,
                step: int, flow: torch.Tensor | None = None) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        cfg = self.cfg
        weight = changed_pixel_weight(reference, target, cfg.changed_weight) if cfg.changed_weight else None
        l1 = sum(l1_loss(o.float(), target, weight) for o in outputs) / len(outputs)
        parts = {"l1": l1}
        loss = cfg.l1_weight * l1
        if self.perceptual is not None and step >= cfg.perceptual_start:
            parts["perceptual"] = self.perceptual(outputs, target)
            loss = loss + cfg.perceptual_weight * parts["perceptual"]
        if flow is not None and cfg.flow_smoothness:
            parts["flow_tv"] = flow_total_variation(flow.float())
            loss = loss + cfg.flow_smoothness * parts["flow_tv"]
        return loss, parts
