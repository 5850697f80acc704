"""A supersampled drawing surface: opaque polygons drawn with Pillow at SCALE× and box-filtered down, which gives
anti-aliased edges, an exactly (0,0,0,0) background and the same bytes every time.

The surface is premultiplied RGBa, so the down-sampling averages colour weighted by coverage (no dark fringes);
`finish` un-premultiplies once at the final size.

The rig's own geometry puts a face where its painters were drawn (eyes at y ≈ 129.5, 36 px apart); every point
and line width passes through one framing on its way to the canvas, which lands that face on THA v1's template
(`puppeteer.template`): larger by ZOOM about the picture's centre, then moved down."""
from contextlib import contextmanager

import numpy as np
from PIL import Image, ImageChops, ImageDraw

from .. import template

SCALE = 4
NATIVE_EYE_Y = 129.5  # medians over the rig's first 40 characters, measured with animeface before the framing
NATIVE_FACE_SCALE = 0.89  # template.FaceLandmarks.scale of those faces
ZOOM = 1 / NATIVE_FACE_SCALE
CENTRE = 128.0
SHIFT_Y = template.EYE_Y - (CENTRE + ZOOM * (NATIVE_EYE_Y - CENTRE))


def frame(points: np.ndarray) -> np.ndarray:
    """Rig pixels → template pixels."""
    return (np.asarray(points, dtype=np.float64) - CENTRE) * ZOOM + (CENTRE, CENTRE + SHIFT_Y)


def _rgba(color) -> tuple:
    return (int(color[0]), int(color[1]), int(color[2]), 255)


class Canvas:
    """Coordinates are in final-image pixels (x right, y down) and may be fractional."""

    def __init__(self, size: int = 256, scale: int = SCALE):
        self.size, self.scale = size, scale
        self._image = Image.new("RGBa", (size * scale, size * scale), (0, 0, 0, 0))
        self._draw = ImageDraw.Draw(self._image)
        self._origin = np.zeros(2)

    def _pixels(self, points: np.ndarray) -> np.ndarray:
        """Rig pixels → this surface's supersampled pixels."""
        return frame(points) * self.scale - self._origin

    def _xy(self, points: np.ndarray) -> list:
        return self._pixels(points).ravel().tolist()

    def fill(self, points: np.ndarray, color) -> None:
        """An opaque polygon."""
        if len(points) >= 3:
            self._draw.polygon(self._xy(points), fill=_rgba(color))

    def line(self, points: np.ndarray, color, width: float, closed: bool = False) -> None:
        """A constant-width polyline (outlines); use geometry.stroke for tapered lines. The segments are short,
        so their joints need no rounding at this scale; open lines get round caps."""
        if len(points) < 2:
            return
        if closed:
            points = np.concatenate([points, points[:1]])
        w = max(1, int(round(width * ZOOM * self.scale)))
        self._draw.line(self._xy(points), fill=_rgba(color), width=w)
        if not closed:
            r = w / 2
            for x, y in self._pixels(np.asarray(points)[[0, -1]]):
                self._draw.ellipse((x - r, y - r, x + r, y + r), fill=_rgba(color))

    def shape(self, points: np.ndarray, color, outline=None, width: float = 0.0) -> None:
        """A filled polygon with an optional outline centred on its edge."""
        self.fill(points, color)
        if outline is not None and width > 0:
            self.line(points, outline, width, closed=True)

    @contextmanager
    def clip(self, region: np.ndarray, bounds: np.ndarray | None = None):
        """Draw into a temporary layer that is kept only inside the polygon `region` (eye whites under the lids,
        the inside of a mouth, shading on hair). `bounds`: points that the drawing stays within, which makes a
        small layer when the region is large."""
        if len(region) < 3:
            yield _Discard()
            return
        scaled = self._pixels(region)
        extent = scaled if bounds is None else self._pixels(bounds)
        limit = self.size * self.scale
        x0, y0 = np.maximum(np.floor(np.maximum(scaled.min(axis=0), extent.min(axis=0))).astype(int) - 1, 0)
        x1, y1 = np.minimum(np.ceil(np.minimum(scaled.max(axis=0), extent.max(axis=0))).astype(int) + 2, limit)
        if x1 <= x0 or y1 <= y0:
            yield _Discard()
            return
        layer = Canvas.__new__(Canvas)
        layer.size, layer.scale = self.size, self.scale
        layer._image = Image.new("RGBa", (x1 - x0, y1 - y0), (0, 0, 0, 0))
        layer._draw = ImageDraw.Draw(layer._image)
        layer._origin = self._origin + (x0, y0)
        yield layer
        mask = Image.new("L", layer._image.size, 0)
        ImageDraw.Draw(mask).polygon((scaled - (x0, y0)).ravel().tolist(), fill=255)
        mask = ImageChops.multiply(mask, layer._image.getchannel("a"))
        self._image.paste(layer._image, (x0, y0), mask)

    def finish(self) -> np.ndarray:
        """The final size×size×4 uint8 straight-alpha RGBA picture. Uncovered pixels average to premultiplied
        zero, so the background comes out exactly (0,0,0,0)."""
        return np.array(self._image.reduce(self.scale).convert("RGBA"))


class _Discard:
    """Stands in for an empty clip layer: drawing into it does nothing."""

    def fill(self, *args, **kwargs):
        pass

    line = shape = fill
