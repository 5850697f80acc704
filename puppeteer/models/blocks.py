"""Building blocks shared by the three THA v1 networks.

Every convolution is bias-free with zero padding, every norm is an affine InstanceNorm without running
statistics, exactly as in the original (reference README §3), so that original checkpoints load unchanged.
"""
import torch
from torch import nn
from torch.nn import functional as F


def conv7(in_channels: int, out_channels: int) -> nn.Conv2d:
    return nn.Conv2d(in_channels, out_channels, kernel_size=7, stride=1, padding=3, bias=False)


def conv3(in_channels: int, out_channels: int) -> nn.Conv2d:
    return nn.Conv2d(in_channels, out_channels, kernel_size=3, stride=1, padding=1, bias=False)


def instance_norm(channels: int) -> nn.InstanceNorm2d:
    return nn.InstanceNorm2d(channels, affine=True)


def conv7_block(in_channels: int, out_channels: int) -> nn.Sequential:
    return nn.Sequential(conv7(in_channels, out_channels), instance_norm(out_channels), nn.ReLU(inplace=True))


def down_block(in_channels: int, out_channels: int) -> nn.Sequential:
    """Halves height and width."""
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel_size=4, stride=2, padding=1, bias=False),
        instance_norm(out_channels),
        nn.ReLU(inplace=True),
    )


def up_block(in_channels: int, out_channels: int) -> nn.Sequential:
    """Doubles height and width."""
    return nn.Sequential(
        nn.ConvTranspose2d(in_channels, out_channels, kernel_size=4, stride=2, padding=1, bias=False),
        instance_norm(out_channels),
        nn.ReLU(inplace=True),
    )


class ResBlock(nn.Module):
    """x + IN(conv(ReLU(IN(conv(x))))); no activation after the sum."""

    def __init__(self, channels: int):
        super().__init__()
        self.conv1 = conv3(channels, channels)
        self.norm1 = instance_norm(channels)
        self.conv2 = conv3(channels, channels)
        self.norm2 = instance_norm(channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = torch.relu(self.norm1(self.conv1(x)))
        return x + self.norm2(self.conv2(y))


def pose_planes(pose: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """The N×P pose as constant N×P×H×W planes shaped like `like` (fed as real input channels: the pose
    only reaches THA v1 through the first convolution's zero padding, so it must not be folded into a bias)."""
    n, _, h, w = like.shape
    return pose.to(like.dtype)[:, :, None, None].expand(n, pose.shape[1], h, w)


DOWNSCALES = (1, 2, 4)


def check_downscale(downscale) -> int:
    if downscale not in DOWNSCALES or isinstance(downscale, bool):
        raise ValueError(f"downscale {downscale!r} must be one of {', '.join(map(str, DOWNSCALES))}")
    return int(downscale)


def shrink(image: torch.Tensor, downscale: int) -> torch.Tensor:
    """The picture a downscaled network works on: averaged over downscale×downscale squares."""
    return image if downscale == 1 else F.avg_pool2d(image, downscale)


def enlarge(maps: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """Maps predicted at a network's working size, enlarged (bilinear) to the picture's."""
    if maps.shape[-2:] == like.shape[-2:]:
        return maps
    return F.interpolate(maps, size=like.shape[-2:], mode="bilinear", align_corners=False)


def init_weights(module: nn.Module) -> None:
    """THA v1's initialisation: Kaiming normal (fan_in, gain √2) on every (transposed) convolution."""
    for m in module.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.kaiming_normal_(m.weight)


class EncoderDecoder(nn.Module):
    """The morpher's and rotator's trunk: Conv7Block, 3 downsamplings, residual blocks, 3 upsamplings."""

    def __init__(self, in_channels: int, width: int = 64, bottleneck_blocks: int = 6, downsamples: int = 3):
        super().__init__()
        layers = [conv7_block(in_channels, width)]
        c = width
        for _ in range(downsamples):
            layers.append(down_block(c, 2 * c))
            c *= 2
        layers += [ResBlock(c) for _ in range(bottleneck_blocks)]
        for _ in range(downsamples):
            layers.append(up_block(c, c // 2))
            c //= 2
        self.module_list = nn.ModuleList(layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self.module_list:
            x = layer(x)
        return x
