"""Sound from a file (WAV, FLAC, OGG, MP3, or a video's own sound track), through PyAV's bundled FFmpeg."""
from pathlib import Path

import numpy as np

from ..errors import AudioError

RATE = 16000  # what the voice meter needs, and small


def read_audio(path, rate: int = RATE) -> np.ndarray:
    """The file's sound as mono float32 samples in [-1, 1] at `rate` Hz."""
    import av

    path = Path(path)
    if not path.is_file():
        raise AudioError(f"{path}: no such sound file")
    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                raise AudioError(f"{path}: has no sound track")
            stream = container.streams.audio[0]
            resampler = av.AudioResampler(format="flt", layout="mono", rate=rate)
            chunks = []
            for frame in container.decode(stream):
                chunks += [f.to_ndarray().reshape(-1) for f in resampler.resample(frame)]
            chunks += [f.to_ndarray().reshape(-1) for f in resampler.resample(None)]
    except AudioError:
        raise
    except (av.FFmpegError, UnicodeDecodeError) as e:
        raise AudioError(f"{path}: cannot be read as sound ({e})") from None
    samples = np.concatenate(chunks) if chunks else np.zeros(0, np.float32)
    if len(samples) == 0:
        raise AudioError(f"{path}: the sound track is empty")
    return samples.astype(np.float32, copy=False)
