"""Output sizes: the 256×256 frame enlarged for a stream, a camera or a recording. Lanczos on premultiplied colour,
so the soft edges keep their colour instead of darkening (a fringe that shows against a light background)."""
import numpy as np
from PIL import Image

SIZES = (256, 512, 1024)


def enlarge(rgba: np.ndarray, size: int) -> np.ndarray:
    """H×W×4 uint8 → size×size×4 (the frame itself when it already is that size)."""
    if rgba.shape[0] == size and rgba.shape[1] == size:
        return rgba
    premultiplied = Image.fromarray(np.ascontiguousarray(rgba)).convert("RGBa")
    return np.asarray(premultiplied.resize((size, size), Image.Resampling.LANCZOS).convert("RGBA"))
