"""Turning a picture without transparency into RGBA by removing a plain background.

Flood fill from the borders: every pixel close to the border colour and connected to the border becomes
transparent. The ring of pixels along the cut gets partial alpha from how far its colour is from the
background, with the background's share taken back out of its colour, so the edge is soft rather than jagged
and has no halo of the old background. A background that is not one plain colour cannot be told apart from the
character this way, so that is an error which explains how to make a transparent PNG instead."""
import numpy as np

from ..errors import ImageError
from ..images import to_rgba

TOLERANCE = 28  # largest per-channel difference from the border colour still counted as background
SOFT = 96  # colour distance over which an edge pixel goes from transparent to opaque
BORDER = 2  # pixels of frame used to judge the background
PLAIN_SHARE = 0.6  # this share of the frame must be the border colour (the rest: the body cut by the edge)
MIN_LEFT = 0.01  # the character must keep at least this share of the picture

HOW_TO = ("make the background transparent yourself: in GIMP add an alpha channel (Layer → Transparency → Add "
          "Alpha Channel), select the background (Fuzzy Select or Foreground Select) and delete it, then File → "
          "Export As… a .png; Krita, Photoshop or a background-removal tool work too. Then run prepare on that PNG")


class BackgroundError(ImageError):
    pass


def has_transparency(picture: np.ndarray) -> bool:
    """Whether the picture's alpha (if any) is used: a fully opaque alpha channel says nothing."""
    return picture.shape[2] in (2, 4) and bool((picture[..., -1] < 255).any())


def _frame(image: np.ndarray) -> np.ndarray:
    b = BORDER
    return np.concatenate([image[:b].reshape(-1, image.shape[-1]), image[-b:].reshape(-1, image.shape[-1]),
                           image[b:-b, :b].reshape(-1, image.shape[-1]), image[b:-b, -b:].reshape(-1, image.shape[-1])])


def remove_plain_background(picture: np.ndarray, path="picture") -> np.ndarray:
    """H×W×C without transparency → H×W×4 with the plain background transparent (ImageError if not plain)."""
    import cv2

    rgb = to_rgba(picture, add_alpha=True)[..., :3].astype(np.int16)
    frame = _frame(rgb)
    colour = np.median(frame, axis=0)
    plain = (np.abs(frame - colour).max(axis=1) <= TOLERANCE).mean()
    if plain < PLAIN_SHARE:
        raise BackgroundError(f"{path}: the picture has no transparency and its background is not one plain colour "
                              f"(only {plain:.0%} of its border matches), so the character cannot be cut out "
                              f"automatically; {HOW_TO}")
    distance = np.abs(rgb - colour).max(axis=2)
    _, labels = cv2.connectedComponents((distance <= TOLERANCE).astype(np.uint8), connectivity=8)
    touching = np.unique(_frame(labels[..., None])[:, 0])
    background = np.isin(labels, touching[touching > 0])
    if (~background).mean() < MIN_LEFT:
        raise BackgroundError(f"{path}: removing the plain background left almost nothing; is the character "
                              "there? If it is drawn in the background colour, " + HOW_TO)

    ring = cv2.dilate(background.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool) & ~background
    alpha = np.where(background, 0.0, 1.0)
    alpha[ring] = np.clip(distance[ring] / SOFT, 0.0, 1.0)
    colour_out = rgb.astype(np.float32)
    a = np.maximum(alpha[ring], 1e-3)[:, None]
    colour_out[ring] = np.clip((rgb[ring] - (1 - a) * colour) / a, 0, 255)
    rgba = np.concatenate([colour_out, alpha[..., None] * 255], axis=2)
    rgba = np.rint(rgba).astype(np.uint8)
    rgba[background] = 0
    return rgba
