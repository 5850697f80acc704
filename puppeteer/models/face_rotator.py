"""THA v1 two-algorithm face rotator: turns the head by two means at once, a colour change (Pumarola et al.)
and a resampling of the input along a predicted flow (Zhou et al.); the combiner merges both."""
import torch
from torch import nn
from torch.nn import functional as F

from .blocks import EncoderDecoder, check_downscale, conv7, enlarge, init_weights, pose_planes, shrink


class TwoAlgoFaceRotator(nn.Module):
    """(image N×4×H×W, pose N×3 = head_x, head_y, neck_z) →
    [color_changed, resampled, color_change, alpha_mask, grid_change (NHWC), grid (NHWC)].

    With `downscale` d > 1 the network sees the picture shrunk d times (as THA3's half-resolution rotator does)
    and its maps are enlarged back: a turn's flow is smooth, so it loses little, and the resampled picture is
    still drawn from the full-size input, sharp, for 1/d² of the work. THA v1's weights work at full size (1).

    With `rest_anchor` the flow it predicts for the same picture at zero turn is taken away from the flow it
    predicts for the pose: a head that does not turn is then not moved at all (a flow off by a fraction of a pixel
    blurs every line of a picture unlike its training data), and small turns stay smooth. It costs a second pass of
    the main body; THA v1's weights were trained without it.
    """

    def __init__(self, width: int = 64, bottleneck_blocks: int = 6, image_channels: int = 4, pose_size: int = 3,
                 downscale: int = 1, rest_anchor: bool = False):
        super().__init__()
        self.downscale = check_downscale(downscale)
        self.rest_anchor = check_rest_anchor(rest_anchor)
        self.main_body = EncoderDecoder(image_channels + pose_size, width, bottleneck_blocks)
        self.pumarola_color_change = nn.Sequential(conv7(width, image_channels), nn.Tanh())
        self.pumarola_alpha_mask = nn.Sequential(conv7(width, image_channels), nn.Sigmoid())
        self.zhou_grid_change = conv7(width, 2)
        init_weights(self)

    def forward(self, image: torch.Tensor, pose: torch.Tensor) -> list[torch.Tensor]:
        y, y_rest = self.features_and_rest(image, pose)
        color_change = enlarge(self.pumarola_color_change(y), image)
        alpha_mask = enlarge(self.pumarola_alpha_mask(y), image)
        color_changed = alpha_mask * image + (1 - alpha_mask) * color_change
        resampled, grid_change, grid = self.warp(image, y, y_rest)
        return [color_changed, resampled, color_change, alpha_mask, grid_change, grid]

    def resample(self, image: torch.Tensor, pose: torch.Tensor) -> torch.Tensor:
        """The resampling path alone, the colour heads skipped: what a chain without the combiner shows."""
        return self.warp(image, *self.features_and_rest(image, pose))[0]

    def features(self, image: torch.Tensor, pose: torch.Tensor) -> torch.Tensor:
        image = shrink(image, self.downscale)
        return self.main_body(torch.cat([image, pose_planes(pose, image)], dim=1))

    def features_and_rest(self, image: torch.Tensor, pose: torch.Tensor) -> tuple:
        """The main body's features for the pose and, with `rest_anchor`, for zero turn (else None), the two in
        one batch: on a CPU that costs a third less than two passes."""
        if not self.rest_anchor:
            return self.features(image, pose), None
        both = self.features(torch.cat([image, image]), torch.cat([pose, torch.zeros_like(pose)]))
        return both[:len(pose)], both[len(pose):]

    def warp(self, image: torch.Tensor, features: torch.Tensor, rest_features: torch.Tensor | None = None
             ) -> list[torch.Tensor]:
        """[resampled, grid_change (NHWC), grid (NHWC)]: the input moved along the predicted flow, less the flow
        predicted at rest when `rest_features` are given."""
        grid_change = self.zhou_grid_change(features)
        if rest_features is not None:
            grid_change = grid_change - self.zhou_grid_change(rest_features)
        return resample_along(image, grid_change)


def check_rest_anchor(rest_anchor) -> bool:
    if not isinstance(rest_anchor, bool):
        raise ValueError(f"rest_anchor {rest_anchor!r} must be true or false")
    return rest_anchor


@torch.compiler.disable  # ATen's CPU grid_sample is ~4× faster than what torch.compile's inductor makes of it
def resample_along(image: torch.Tensor, grid_change: torch.Tensor) -> list[torch.Tensor]:
    """The image resampled (bilinear) at each pixel's position plus its offset; the offsets, N×2×h×w at the
    network's working size, enlarged to the image's."""
    h, w = image.shape[-2:]
    grid_change = enlarge(grid_change, image).permute(0, 2, 3, 1)  # N×H×W×2: x, y offsets
    xs, ys = torch.linspace(-1, 1, w, device=image.device), torch.linspace(-1, 1, h, device=image.device)
    identity = torch.stack([xs.expand(h, w), ys[:, None].expand(h, w)], dim=-1)  # each pixel's own position
    grid = identity.to(grid_change.dtype) + grid_change
    resampled = F.grid_sample(image, grid.to(image.dtype), mode="bilinear", padding_mode="border",
                              align_corners=True)
    return [resampled, grid_change, grid]
