"""THA v1 face morpher: closes the eyes and opens the mouth of the rest image (reference README §3)."""
import torch
from torch import nn

from .blocks import EncoderDecoder, conv7, init_weights, pose_planes


class FaceMorpher(nn.Module):
    """(image N×4×H×W in [-1,1], pose N×3 = left_eye, right_eye, mouth) → [output_image, alpha, color]."""

    def __init__(self, width: int = 64, bottleneck_blocks: int = 6, image_channels: int = 4, pose_size: int = 3):
        super().__init__()
        self.main_body = EncoderDecoder(image_channels + pose_size, width, bottleneck_blocks)
        self.color_change = nn.Sequential(conv7(width, image_channels), nn.Tanh())
        self.alpha_mask = nn.Sequential(conv7(width, image_channels), nn.Sigmoid())
        init_weights(self)

    def forward(self, image: torch.Tensor, pose: torch.Tensor) -> list[torch.Tensor]:
        y = self.main_body(torch.cat([image, pose_planes(pose, image)], dim=1))
        color = self.color_change(y)
        alpha = self.alpha_mask(y)
        output_image = alpha * image + (1 - alpha) * color
        return [output_image, alpha, color]
