"""THA v1 combiner: merges the rotator's two results and retouches them (a U-Net, reference README §3)."""
import torch
from torch import nn

from .blocks import (ResBlock, check_downscale, conv7, conv7_block, down_block, enlarge, init_weights, pose_planes,
                     shrink, up_block)


class UNet(nn.Module):
    """Down path B0..B3, residual bottleneck, up path with skips (decoder tensor first in each concat).

    `upsampling_modules[k]` produces the level-k output, so index 0 is the last layer applied: a Conv7Block at
    full resolution that does not upsample.
    """

    def __init__(self, in_channels: int, width: int = 64, bottleneck_blocks: int = 6, downsamples: int = 3):
        super().__init__()
        widths = [width * 2 ** i for i in range(downsamples + 1)]  # 64, 128, 256, 512
        self.downward_modules = nn.ModuleList(
            [conv7_block(in_channels, width)] + [down_block(widths[i], widths[i + 1]) for i in range(downsamples)])
        self.bottleneck_modules = nn.ModuleList([ResBlock(widths[-1]) for _ in range(bottleneck_blocks)])
        ups = [conv7_block(2 * width, width)]
        for i in range(1, downsamples + 1):
            in_channels_i = widths[i] if i == downsamples else 2 * widths[i]
            ups.append(up_block(in_channels_i, widths[i - 1]))
        self.upsampling_modules = nn.ModuleList(ups)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        skips = []
        for layer in self.downward_modules:
            x = layer(x)
            skips.append(x)
        for layer in self.bottleneck_modules:
            x = layer(x)
        top = len(self.upsampling_modules) - 1
        x = self.upsampling_modules[top](x)
        for level in range(top - 1, -1, -1):
            x = self.upsampling_modules[level](torch.cat([x, skips[level]], dim=1))
        return x


class Combiner(nn.Module):
    """(first_image, second_image N×4×H×W, pose N×3) →
    [final_image, combined_image, combine_alpha_mask, retouch_alpha_mask, retouch_color_change].

    With `downscale` d > 1 it decides on the pictures shrunk d times and its masks and colours are enlarged back,
    then blended with the full-size pictures, for 1/d² of the work (THA v1's weights: 1).
    """

    def __init__(self, width: int = 64, bottleneck_blocks: int = 6, image_channels: int = 4, pose_size: int = 3,
                 downscale: int = 1):
        super().__init__()
        self.downscale = check_downscale(downscale)
        self.main_body = UNet(2 * image_channels + pose_size, width, bottleneck_blocks)
        self.combine_alpha_mask = nn.Sequential(conv7(width, image_channels), nn.Sigmoid())
        self.retouch_alpha_mask = nn.Sequential(conv7(width, image_channels), nn.Sigmoid())
        self.retouch_color_change = nn.Sequential(conv7(width, image_channels), nn.Tanh())
        init_weights(self)

    def forward(self, first_image: torch.Tensor, second_image: torch.Tensor, pose: torch.Tensor) -> list[torch.Tensor]:
        first, second = shrink(first_image, self.downscale), shrink(second_image, self.downscale)
        y = self.main_body(torch.cat([first, second, pose_planes(pose, first)], dim=1))
        cam = enlarge(self.combine_alpha_mask(y), first_image)
        combined_image = cam * first_image + (1 - cam) * second_image
        ram = enlarge(self.retouch_alpha_mask(y), first_image)
        rcc = enlarge(self.retouch_color_change(y), first_image)
        final_image = ram * combined_image + (1 - ram) * rcc
        return [final_image, combined_image, cam, ram, rcc]
