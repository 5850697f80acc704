"""Start a network from scratch as (nearly) the identity: it returns its input until it learns what to change.

From THA v1's random initialisation every network first has to learn to copy the ~98 % of pixels that do not
change, which on a CPU costs most of the training time (a width-16 morpher was still below the identity after
600 steps). Here the alpha heads start near 1 (keep the input), the colour heads near -1 (transparent black,
what the pictures hold under alpha 0, so the background stays exact) and the flow at 0. The heads have no bias,
so these values come from equal weights over the trunk's last features, which are ReLUs of instance-normalised
values: each has mean 1/√(2π), whatever the picture.

The morpher, which must paint skin over a closing eye, starts less saturated: there a near-1 alpha deadlocks
learning (the colour learns only where alpha lets it through, and alpha opens only where the colour is already
right: a first morpher drew the closed eyelid's line over the open eye and never more). Its alpha starts at 0.88
and its colour unsaturated (mid-grey, half transparent), so both learn everywhere from the first step; its
held-out PSNR went from +0.8 dB over the identity after 2,800 steps to +9.6 dB. The same start for the
combiner's retouch left a faint haze over the background after 350 steps (SSIM 0.55 instead of 0.91), so the
combiner and the rotator's colour path keep the saturated start.
"""
import math

import torch
from torch import nn

from ..models import Combiner, FaceMorpher, TwoAlgoFaceRotator
from ..models.blocks import ResBlock, init_weights
from ..models.combiner import UNet

START_LOGIT = 5.0  # sigmoid(5) ≈ 0.993: the input almost exactly (Adam steps do not shrink with the slope)
PAINTING_ALPHA_LOGIT = 2.0  # sigmoid(2) ≈ 0.88: mostly the input, while the colour still gets 12 % of the gradient
RELU_OF_NORMAL_MEAN = 1 / math.sqrt(2 * math.pi)


def start_near_identity(network: nn.Module) -> nn.Module:
    if isinstance(network, FaceMorpher):
        _start_at(network.alpha_mask[0], PAINTING_ALPHA_LOGIT)
        _start_at(network.color_change[0], 0.0)
    elif isinstance(network, TwoAlgoFaceRotator):
        _start_at(network.pumarola_alpha_mask[0], START_LOGIT)
        _start_at(network.pumarola_color_change[0], -START_LOGIT)
        _start_at(network.zhou_grid_change, 0.0)
    elif isinstance(network, Combiner):
        _start_at(network.combine_alpha_mask[0], 0.0)  # an even blend of the two rotations to begin with
        _start_at(network.retouch_alpha_mask[0], START_LOGIT)
        _start_at(network.retouch_color_change[0], -START_LOGIT)
    return network


def _start_at(conv: nn.Conv2d, logit: float) -> None:
    """Equal weights whose output is `logit` on average (before the head's sigmoid or tanh)."""
    taps = conv.in_channels * conv.kernel_size[0] * conv.kernel_size[1]
    nn.init.constant_(conv.weight, logit / (taps * RELU_OF_NORMAL_MEAN))


def deepen(network: nn.Module, blocks: int) -> nn.Module:
    """`network` (with at least one) with `blocks` residual blocks in its bottleneck. The added ones follow the
    trained ones and start as the identity (their last norm's scale is 0), so the deeper network computes exactly
    what the trained one did and training goes on from there instead of starting over."""
    layers = next(m for m in network.main_body.children()
                  if isinstance(m, nn.ModuleList) and any(isinstance(x, ResBlock) for x in m))
    last = max(i for i, m in enumerate(layers) if isinstance(m, ResBlock))
    trained = sum(isinstance(m, ResBlock) for m in layers)
    for i in range(blocks - trained):
        block = ResBlock(layers[last].conv1.in_channels)
        init_weights(block)
        nn.init.zeros_(block.norm2.weight)
        layers.insert(last + 1 + i, block)
    return network


@torch.no_grad()
def widen(trained: nn.Module, wide: nn.Module) -> nn.Module:
    """`wide` (a wider network of the same kind, freshly initialised) holding `trained`'s weights in its first
    channels. The added channels compute from the start (random weights, norms at their usual 1 and 0) but feed
    nothing into the trained ones yet: those weights start at 0. So the wider network computes what the trained
    one did, and the gradient reaches the zero weights at once. (Silencing the added channels instead, with norm
    scales of 0, keeps them silent for good: the ReLU after the norm passes no gradient at exactly 0.)"""
    modules = dict(wide.named_modules())
    state = wide.state_dict()
    for key, narrow in trained.state_dict().items():
        inputs = 0 if isinstance(modules[key.rpartition(".")[0]], nn.ConvTranspose2d) else 1  # weight dimension
        for target, part in _concatenated_halves(wide, key, state[key], narrow, inputs):
            target[tuple(slice(0, n) for n in part.shape)] = part
            if part.dim() == 4:  # a convolution: the added inputs reach no trained output yet
                index = [slice(None)] * 4
                index[1 - inputs], index[inputs] = slice(0, part.shape[1 - inputs]), slice(part.shape[inputs], None)
                target[tuple(index)] = 0
    wide.load_state_dict(state)
    return wide


def _concatenated_halves(wide: nn.Module, key: str, target: torch.Tensor, narrow: torch.Tensor, inputs: int) -> list:
    """[(part of the wide tensor, part of the narrow one)]: the whole tensors, except where a U-Net layer takes
    [decoder, skip] concatenated, whose two halves of input channels (dimension `inputs`) each keep their place."""
    body = getattr(wide, "main_body", None)
    concatenated = [f"main_body.upsampling_modules.{level}.0.weight"
                    for level in range(len(body.upsampling_modules) - 1)] if isinstance(body, UNet) else []
    if key in concatenated:
        return list(zip(target.chunk(2, inputs), narrow.chunk(2, inputs)))
    return [(target, narrow)]
