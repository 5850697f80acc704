"""Colour augmentation: some samples' pictures get one random colour transform (a hue turn, a saturation and a
brightness change), the same for the input and the target. A network trained on the rig's palette paints the rig's
peach skin over any character's closing eye; recoloured samples make it take colours from the picture instead."""
import math

import torch

HUE, SATURATION, BRIGHTNESS = 0.6, (0.4, 1.2), (0.75, 1.15)  # radians either way; factors
IMAGES = ("rest", "morphed", "posed")


def random_matrices(count: int) -> torch.Tensor:
    """count×3×3 colour matrices, from the global torch RNG (so runs resume reproducibly)."""
    u = torch.rand(count, 3, dtype=torch.float64)
    angle = (2 * u[:, 0] - 1) * HUE
    saturation = SATURATION[0] + (SATURATION[1] - SATURATION[0]) * u[:, 1]
    brightness = BRIGHTNESS[0] + (BRIGHTNESS[1] - BRIGHTNESS[0]) * u[:, 2]
    axis = torch.full((3,), 1 / math.sqrt(3), dtype=torch.float64)  # the grey axis: a turn about it keeps greys grey
    cross = torch.tensor([[0, -1, 1], [1, 0, -1], [-1, 1, 0]], dtype=torch.float64) / math.sqrt(3)
    eye, along = torch.eye(3, dtype=torch.float64), torch.outer(axis, axis)
    cos, sin = angle.cos()[:, None, None], angle.sin()[:, None, None]
    turn = cos * eye + sin * cross + (1 - cos) * along
    grey = torch.full((3, 3), 1 / 3, dtype=torch.float64)
    s = saturation[:, None, None]
    return (brightness[:, None, None] * (s * eye + (1 - s) * grey) @ turn).float()


def recolour(image: torch.Tensor, matrices: torch.Tensor, convention: str) -> torch.Tensor:
    """N×4×H×W pictures in the network's convention with each sample's RGB transformed, clipped to the value
    range; alpha is kept."""
    low = -1.0 if convention == "tha1" else 0.0
    unit = (image[:, :3] - low) / (1 - low)
    rgb = torch.einsum("nij,njhw->nihw", matrices.to(image), unit).clamp(0, 1)
    return torch.cat([rgb * (1 - low) + low, image[:, 3:]], dim=1)


def recolour_batch(batch: dict, fraction: float, convention: str) -> dict:
    """The batch with about `fraction` of its samples recoloured (each picture of a sample alike)."""
    if not fraction:
        return batch
    n = batch["rest"].shape[0]
    chosen = torch.rand(n) < fraction
    matrices = torch.where(chosen[:, None, None], random_matrices(n), torch.eye(3))
    return {**batch, **{name: recolour(batch[name], matrices, convention) for name in IMAGES if name in batch}}
