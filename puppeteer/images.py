"""Character pictures in and out: loading and validating PNGs, the two value conventions, brightness,
backgrounds and atomic, never-overwriting PNG writes.

Conventions (reference README §1 and §9):
  * ``tha1``: RGB sRGB → linear light, then ×2−1, so the networks see [-1, 1]; alpha is linear (×2−1 too).
  * ``ntut``: plain [0, 1] sRGB RGBA, as the NTUT fork's ``ToTensor`` gives.
Images are H×W×4 uint8 RGBA numpy arrays; network tensors are 4×H×W float32.
"""
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from .errors import ImageError
from .files import OutputExistsError, write_atomically

SIZE = 256
CONVENTIONS = ("tha1", "ntut")
BACKGROUNDS = {"green": (0, 255, 0), "black": (0, 0, 0), "white": (255, 255, 255), "blue": (0, 0, 255)}


def _srgb_to_linear(x: np.ndarray) -> np.ndarray:
    return np.where(x <= 0.04045, x / 12.92, ((x + 0.055) / 1.055) ** 2.4)


def _linear_to_srgb(x: np.ndarray) -> np.ndarray:
    return np.where(x <= 0.003130804953560372, 12.92 * x, 1.055 * np.power(x, 1 / 2.4) - 0.055)


# uint8 → network value, exactly as the reference computes it (float64 maths, then float32, then ×2−1).
_levels = np.arange(256) / 255.0
_ENCODE_LUT = {
    "tha1": (np.stack([_srgb_to_linear(_levels)] * 3 + [_levels]).astype(np.float32) * 2 - 1),
    "ntut": np.stack([_levels] * 4).astype(np.float32),
}


def check_convention(convention: str) -> str:
    if convention not in CONVENTIONS:
        raise ValueError(f"unknown value convention {convention!r}; use one of {', '.join(CONVENTIONS)}")
    return convention


def encode(rgba: np.ndarray, convention: str = "tha1") -> np.ndarray:
    """H×W×4 uint8 → 4×H×W float32 in the network's value convention."""
    lut = _ENCODE_LUT[check_convention(convention)]
    return np.stack([lut[c][rgba[..., c]] for c in range(4)])


def decode(chw: np.ndarray, convention: str = "tha1") -> np.ndarray:
    """4×H×W float network output → H×W×4 uint8 (RGB clipped; linear → sRGB for tha1; rounded)."""
    x = np.asarray(chw, dtype=np.float32)
    if check_convention(convention) == "tha1":
        x = (x + 1) / 2
        rgb = _linear_to_srgb(np.clip(x[:3], 0, 1))
        out = np.concatenate([rgb, x[3:4]])
    else:
        out = x
    return np.rint(np.clip(out, 0, 1) * 255).astype(np.uint8).transpose(1, 2, 0)


def _png_bit_depth(path: Path) -> int:
    with open(path, "rb") as f:
        head = f.read(25)
    if head[:8] == b"\x89PNG\r\n\x1a\n" and len(head) == 25:
        return head[24]
    return 8


def _read_16bit_png(path: Path) -> np.ndarray:
    import cv2  # only for 16-bit PNGs, which Pillow truncates

    raw = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if raw is None:
        raise ImageError(f"{path}: cannot decode this 16-bit PNG (the file may be damaged)")
    if raw.ndim == 2:
        raw = raw[..., None]
    if raw.shape[2] >= 3:
        raw = np.concatenate([raw[..., 2::-1], raw[..., 3:]], axis=2)  # BGR(A) → RGB(A)
    return np.rint(raw / 257.0).astype(np.uint8)


def _check_pixel_count(path: Path) -> None:
    """A picture larger than Pillow's decompression-bomb limit is refused before it is decoded: it would take
    gigabytes of memory, and below twice the limit Pillow only warns."""
    limit = Image.MAX_IMAGE_PIXELS
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            with Image.open(path) as im:  # reads the header only
                width, height = im.size
            if not limit or width * height <= limit:
                return
            size = f"{width}×{height} ({width * height / 1e6:.0f} megapixels)"
        except Image.DecompressionBombError:
            size = f"over {2 * limit / 1e6:.0f} megapixels"
        except (OSError, SyntaxError, ValueError):  # not a picture, or damaged: read_image says which
            return
    raise ImageError(f"{path}: the picture is {size}, more than the {limit / 1e6:.0f} megapixels this program "
                     "reads; shrink it first (a character is 256×256)")


def read_image(path) -> np.ndarray:
    """Any picture → H×W×C uint8 (C = 1, 2, 3 or 4), with clear errors for missing or damaged files."""
    path = Path(path)
    if not path.exists():
        raise ImageError(f"{path}: file not found")
    if path.is_dir():
        raise ImageError(f"{path}: is a folder, not a picture")
    _check_pixel_count(path)
    if _png_bit_depth(path) == 16:
        return _read_16bit_png(path)
    try:
        with Image.open(path) as im:
            im.load()
            if im.mode == "P":
                im = im.convert("RGBA" if "transparency" in im.info else "RGB")
            elif im.mode in ("I;16", "I;16B", "I"):
                im = Image.fromarray(np.rint(np.asarray(im, dtype=np.float64) / 257).astype(np.uint8))
            elif im.mode not in ("L", "LA", "RGB", "RGBA"):
                im = im.convert("RGBA" if "A" in im.getbands() else "RGB")
            arr = np.asarray(im)
    except UnidentifiedImageError:
        raise ImageError(f"{path}: not a picture Pillow can read (is it really a PNG/JPEG/WebP?)") from None
    except (OSError, SyntaxError, ValueError) as e:
        raise ImageError(f"{path}: the picture is damaged or truncated ({e})") from None
    return arr if arr.ndim == 3 else arr[..., None]


def to_rgba(arr: np.ndarray, add_alpha: bool = False, path="picture") -> np.ndarray:
    """H×W×C uint8 → H×W×4. Without alpha it is an error unless `add_alpha` (then fully opaque)."""
    channels = arr.shape[2]
    if channels in (1, 3) and not add_alpha:
        kind = "greyscale" if channels == 1 else "RGB"
        raise ImageError(f"{path}: the picture is {kind} with no transparency. A character needs an RGBA PNG "
                         "whose background is fully transparent: run `puppeteer prepare` on it, or pass "
                         "--add-alpha to use it fully opaque")
    if channels in (1, 2):
        grey = arr[..., :1]
        alpha = arr[..., 1:2] if channels == 2 else np.full_like(grey, 255)
        return np.concatenate([grey, grey, grey, alpha], axis=2)
    if channels == 3:
        return np.concatenate([arr, np.full_like(arr[..., :1], 255)], axis=2)
    return np.ascontiguousarray(arr)


def clean_transparent(rgba: np.ndarray) -> np.ndarray:
    """Zero the RGB under alpha = 0: stray colour there changes the networks' output."""
    return rgba * (rgba[..., 3:] > 0)  # a new array: twice as fast as masked assignment, which counts in training


def load_character(path, add_alpha: bool = False) -> np.ndarray:
    """A 256×256 RGBA character → H×W×4 uint8 with RGB zeroed where transparent."""
    rgba = to_rgba(read_image(path), add_alpha, path)
    if rgba.shape[:2] != (SIZE, SIZE):
        h, w = rgba.shape[:2]
        raise ImageError(f"{path}: the picture is {w}×{h}; a character must be {SIZE}×{SIZE} with its face framed "
                         f"as THA v1's are. Run `puppeteer prepare {path} --out character.png` to fit it")
    return clean_transparent(rgba)


def apply_brightness(rgba: np.ndarray, amount: float) -> np.ndarray:
    """The NTUT fork's brightness: RGB × (1 + amount), clipped; alpha untouched. amount in [-0.3, 0.3]."""
    if amount == 0:
        return rgba
    out = rgba.copy()
    out[..., :3] = np.clip(np.rint(rgba[..., :3] * np.float32(1 + amount)), 0, 255)
    return out


def parse_background(spec: str):
    """'transparent' → None; 'green' and other names or '#rrggbb' → an (r, g, b) tuple."""
    spec = spec.strip().lower()
    if spec == "transparent":
        return None
    if spec in BACKGROUNDS:
        return BACKGROUNDS[spec]
    if spec.startswith("#") and len(spec) == 7:
        try:
            return tuple(int(spec[i:i + 2], 16) for i in (1, 3, 5))
        except ValueError:
            pass
    raise ImageError(f"background {spec!r} is not understood: use transparent, "
                     f"{', '.join(BACKGROUNDS)} or a colour like #33aa66")


def composite(rgba: np.ndarray, background) -> np.ndarray:
    """Put the character over a solid (r, g, b) background (None keeps transparency)."""
    if background is None:
        return rgba
    alpha = rgba[..., 3:4].astype(np.float32) / 255
    rgb = rgba[..., :3] * alpha + np.asarray(background, np.float32) * (1 - alpha)
    out = np.empty_like(rgba)
    out[..., :3] = np.rint(rgb)
    out[..., 3] = 255
    return out


def save_png(path, rgba: np.ndarray, overwrite: bool = False) -> Path:
    return write_atomically(Path(path), lambda tmp: Image.fromarray(rgba).save(tmp, format="PNG"), overwrite)


def save_new_numbered_png(folder, rgba: np.ndarray, stem: str = "snapshot") -> Path:
    """Save as folder/stem-0001.png, -0002.png, ...: the first free number; never overwrites."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    taken = [int(p.stem.rsplit("-", 1)[1]) for p in folder.glob(f"{stem}-*.png") if p.stem.rsplit("-", 1)[1].isdigit()]
    number = max(taken, default=0) + 1
    while True:
        try:
            return save_png(folder / f"{stem}-{number:04d}.png", rgba)
        except OutputExistsError:
            number += 1  # someone took that name meanwhile
