"""Writing rendered frames as an .mp4 (OpenCV) or an animated .gif (Pillow), atomically."""
from pathlib import Path

import numpy as np
from PIL import Image

from .errors import PuppeteerError
from .files import write_atomically


def write_video(path, frames, fps: float, overwrite: bool = False) -> Path:
    """Write an iterable of H×W×4 (opaque) uint8 frames; the suffix picks the format."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".gif":
        return write_atomically(path, lambda tmp: _write_gif(tmp, frames, fps), overwrite)
    if suffix == ".mp4":
        return write_atomically(path, lambda tmp: _write_mp4(tmp, frames, fps), overwrite)
    raise PuppeteerError(f"{path}: unsupported video format; use .mp4 or .gif")


def _write_gif(tmp, frames, fps):
    pictures = [Image.fromarray(np.ascontiguousarray(f[..., :3])) for f in frames]
    pictures[0].save(tmp, format="GIF", save_all=True, append_images=pictures[1:],
                     duration=max(20, round(1000 / fps)), loop=0)


def _write_mp4(tmp, frames, fps):
    import cv2

    writer = None
    try:
        for frame in frames:
            if writer is None:
                h, w = frame.shape[:2]
                writer = cv2.VideoWriter(str(tmp), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
                if not writer.isOpened():
                    raise PuppeteerError(f"{tmp}: OpenCV cannot write mp4 video here")
            writer.write(np.ascontiguousarray(frame[..., 2::-1]))
    finally:
        if writer is not None:
            writer.release()
