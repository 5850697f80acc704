"""THA v1 face morpher: closes the eyes and opens the mouth of the rest image (reference README §3)."""
import torch
from torch import nn

from .blocks import EncoderDecoder, check_downscale, conv7, enlarge, init_weights, pose_planes, shrink


def check_face_box(box, image_size: int = 256, downscale: int = 1) -> list[int]:
    """[top, left, size] of a square inside the picture whose side the network's 3 halvings (after shrinking it
    `downscale` times) divide; else ValueError saying what is wrong."""
    if not isinstance(box, (list, tuple)) or len(box) != 3 or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and float(v).is_integer() for v in box):
        raise ValueError(f"face_box {box!r} must be three whole numbers: top, left, size")
    top, left, size = (int(v) for v in box)
    step = 8 * downscale
    if size < step or size % step or top < 0 or left < 0 or top + size > image_size or left + size > image_size:
        raise ValueError(f"face_box {[top, left, size]} must be a square inside the {image_size}×{image_size} "
                         f"picture whose size is a multiple of {step}" + (f" (8 × downscale {downscale})"
                                                                          if downscale > 1 else ""))
    return [top, left, size]


class FaceMorpher(nn.Module):
    """(image N×4×H×W in [-1,1], pose N×3 = left_eye, right_eye, mouth) → [output_image, alpha, color].

    With `face_box` = (top, left, size) it morphs only that square and pastes it back (as THA2 does): the eyes
    and mouth lie inside the face, so a model trained this way costs a fraction of the whole picture's work.
    Its alpha and color then cover the box. THA v1's weights morph the whole picture (no box).
    With `downscale` d > 1 it decides on the picture (or box) shrunk d times and its alpha and color are enlarged
    back and blended with the full-size picture, for 1/d² of the work (THA v1's weights: 1).
    """

    def __init__(self, width: int = 64, bottleneck_blocks: int = 6, image_channels: int = 4, pose_size: int = 3,
                 face_box=None, downscale: int = 1):
        super().__init__()
        self.downscale = check_downscale(downscale)
        self.face_box = check_face_box(face_box, downscale=self.downscale) if face_box else None
        self.main_body = EncoderDecoder(image_channels + pose_size, width, bottleneck_blocks)
        self.color_change = nn.Sequential(conv7(width, image_channels), nn.Tanh())
        self.alpha_mask = nn.Sequential(conv7(width, image_channels), nn.Sigmoid())
        init_weights(self)

    def forward(self, image: torch.Tensor, pose: torch.Tensor) -> list[torch.Tensor]:
        if self.face_box is None:
            return self.morph(image, pose)
        top, left, size = self.face_box
        box = (..., slice(top, top + size), slice(left, left + size))
        output_box, alpha, color = self.morph(image[box], pose)
        output_image = image.clone()
        output_image[box] = output_box
        return [output_image, alpha, color]

    def morph(self, image: torch.Tensor, pose: torch.Tensor) -> list[torch.Tensor]:
        small = shrink(image, self.downscale)
        y = self.main_body(torch.cat([small, pose_planes(pose, small)], dim=1))
        color = enlarge(self.color_change(y), image)
        alpha = enlarge(self.alpha_mask(y), image)
        output_image = alpha * image + (1 - alpha) * color
        return [output_image, alpha, color]
