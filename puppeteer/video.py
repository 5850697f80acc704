"""Writing rendered frames as an .mp4 (OpenCV, with sound muxed in by PyAV) or an animated .gif (Pillow),
atomically."""
import os
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

from .errors import PuppeteerError
from .files import write_atomically

AUDIO_RATE = 48000  # the sound track's rate in an .mp4


def write_video(path, frames, fps: float, overwrite: bool = False, audio=None) -> Path:
    """Write an iterable of H×W×4 (opaque) uint8 frames; the suffix picks the format. `audio` (mono float
    samples at AUDIO_RATE, an .mp4 only) becomes the sound track, cut or padded with silence to the video's
    length so that picture and sound end together."""
    path = Path(path)
    suffix = path.suffix.lower()
    if audio is not None and suffix != ".mp4":
        raise PuppeteerError(f"{path}: only an .mp4 carries sound; give a name ending in .mp4")
    if suffix == ".gif":
        return write_atomically(path, lambda tmp: _write_gif(tmp, frames, fps), overwrite)
    if suffix == ".mp4":
        if audio is None:
            return write_atomically(path, lambda tmp: _write_mp4(tmp, frames, fps), overwrite)
        return write_atomically(path, lambda tmp: _write_mp4_with_sound(tmp, frames, fps, audio), overwrite)
    raise PuppeteerError(f"{path}: unsupported video format; use .mp4 or .gif")


def _write_gif(tmp, frames, fps):
    pictures = [Image.fromarray(np.ascontiguousarray(f[..., :3])) for f in frames]
    pictures[0].save(tmp, format="GIF", save_all=True, append_images=pictures[1:],
                     duration=max(20, round(1000 / fps)), loop=0)


def _write_mp4(tmp, frames, fps):
    import cv2

    writer, count = None, 0
    try:
        for frame in frames:
            if writer is None:
                h, w = frame.shape[:2]
                writer = cv2.VideoWriter(str(tmp), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
                if not writer.isOpened():
                    raise PuppeteerError(f"{tmp}: OpenCV cannot write mp4 video here")
            writer.write(np.ascontiguousarray(frame[..., 2::-1]))
            count += 1
    finally:
        if writer is not None:
            writer.release()
    return count


def _write_mp4_with_sound(tmp, frames, fps, audio):
    fd, silent = tempfile.mkstemp(prefix=".tmp-picture-", suffix=".mp4", dir=Path(tmp).parent)
    os.close(fd)
    try:
        count = _write_mp4(silent, frames, fps)
        _mux(silent, audio, count / fps, tmp)
    finally:
        os.unlink(silent)


def _mux(picture, audio, seconds: float, out) -> None:
    """Copy the picture's video stream (no re-encoding) and encode `audio` (AAC) beside it, `seconds` long."""
    import av

    samples = np.zeros(round(seconds * AUDIO_RATE), np.float32)
    samples[:min(len(samples), len(audio))] = audio[:len(samples)]
    with av.open(str(picture)) as source, av.open(str(out), "w", format="mp4") as target:
        video_in = source.streams.video[0]
        video_out = target.add_stream_from_template(video_in)
        sound = target.add_stream("aac", rate=AUDIO_RATE, layout="mono")
        for packet in source.demux(video_in):
            if packet.dts is not None:
                packet.stream = video_out
                target.mux(packet)
        block = 1024  # AAC's frame size
        for start in range(0, len(samples), block):
            frame = av.AudioFrame.from_ndarray(samples[None, start:start + block], format="flt", layout="mono")
            frame.rate, frame.pts = AUDIO_RATE, start
            target.mux(sound.encode(frame))
        target.mux(sound.encode(None))
