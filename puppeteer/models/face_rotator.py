"""THA v1 two-algorithm face rotator: turns the head by two means at once, a colour change (Pumarola et al.)
and a resampling of the input along a predicted flow (Zhou et al.); the combiner merges both."""
import torch
from torch import nn
from torch.nn import functional as F

from .blocks import EncoderDecoder, conv7, init_weights, pose_planes


class TwoAlgoFaceRotator(nn.Module):
    """(image N×4×H×W, pose N×3 = head_x, head_y, neck_z) →
    [color_changed, resampled, color_change, alpha_mask, grid_change (NHWC), grid (NHWC)]."""

    def __init__(self, width: int = 64, bottleneck_blocks: int = 6, image_channels: int = 4, pose_size: int = 3):
        super().__init__()
        self.main_body = EncoderDecoder(image_channels + pose_size, width, bottleneck_blocks)
        self.pumarola_color_change = nn.Sequential(conv7(width, image_channels), nn.Tanh())
        self.pumarola_alpha_mask = nn.Sequential(conv7(width, image_channels), nn.Sigmoid())
        self.zhou_grid_change = conv7(width, 2)
        init_weights(self)

    def forward(self, image: torch.Tensor, pose: torch.Tensor) -> list[torch.Tensor]:
        n, c, h, w = image.shape
        y = self.main_body(torch.cat([image, pose_planes(pose, image)], dim=1))

        color_change = self.pumarola_color_change(y)
        alpha_mask = self.pumarola_alpha_mask(y)
        color_changed = alpha_mask * image + (1 - alpha_mask) * color_change

        grid_change = self.zhou_grid_change(y).permute(0, 2, 3, 1)  # N×H×W×2: x offset, then y offset
        identity = torch.tensor([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], device=image.device).expand(n, 2, 3)
        base_grid = F.affine_grid(identity, [n, c, h, w], align_corners=True)
        grid = base_grid.to(grid_change.dtype) + grid_change
        resampled = F.grid_sample(image, grid.to(image.dtype), mode="bilinear", padding_mode="border",
                                  align_corners=True)
        return [color_changed, resampled, color_change, alpha_mask, grid_change, grid]
