"""Recording what is shown: a video at a steady frame rate and the pose track CSV beside it, `take-0001.*`,
`take-0002.*`, ... in a folder, never overwriting, written as it goes.

A thread of its own takes the newest frame at every tick of the frame rate (repeating a frame when rendering is
slower, skipping when it is faster), so the video keeps the wall clock's time and the renderer never waits for
the encoder. Kinds: `mp4` (H.264 over the chosen background; fragmented, so a crash leaves a playable file up to
the last second), `webm` (VP9 with its alpha channel, for editors that keep transparency) or `png` (a folder of
RGBA pictures). The CSV is flushed every frame. A disk that fills or a folder that cannot be written stops the
recording with a message; what was written stays."""
import csv
import os
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..errors import PuppeteerError
from ..images import composite, parse_background
from ..pose import NAMES
from .latest import LatestFrame, ticks
from .size import enlarge

KINDS = ("mp4", "webm", "png")


def next_take(folder: Path, kind: str) -> Path:
    """The first free take-NNNN name in `folder` (its video or picture folder and CSV both new), reserved."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise PuppeteerError(f"{folder}: cannot make the recordings folder ({e.strerror})") from None
    for number in range(1, 100000):
        stem = folder / f"take-{number:04d}"
        target = stem if kind == "png" else stem.with_suffix(f".{kind}")
        try:
            fd = os.open(stem.with_suffix(".csv"), os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            continue
        except OSError as e:
            raise PuppeteerError(f"{folder}: cannot write recordings there ({e.strerror}); choose another "
                                 "folder") from None
        os.close(fd)
        if target.exists():
            continue  # a video of that number without its CSV: keep it, take the next number
        return stem
    raise PuppeteerError(f"{folder}: no free take number left")


class _Video:
    """Frames → an .mp4 (H.264, yuv420p, over the background) or a .webm (VP9 with alpha) through PyAV."""

    def __init__(self, path: Path, kind: str, size: int, fps: float):
        import av

        options = {"flush_packets": "1"}  # each packet reaches the file at once, not a buffer that a crash loses
        if kind == "mp4":
            options["movflags"] = "frag_keyframe+empty_moov+default_base_moof"
        self.container = av.open(str(path), "w", options=options)
        codec, pixels = ("libx264", "yuv420p") if kind == "mp4" else ("libvpx-vp9", "yuva420p")
        self.stream = self.container.add_stream(codec, rate=round(fps))
        self.stream.width = self.stream.height = size
        self.stream.pix_fmt = pixels
        # a keyframe (and an mp4 fragment) every second; no look-ahead, so frames reach the file as they come
        fast = {"tune": "zerolatency", "preset": "veryfast"} if kind == "mp4" else {"deadline": "realtime",
                                                                                     "cpu-used": "8"}
        self.stream.options = {"g": str(round(fps))} | fast
        self.alpha = kind == "webm"

    def write(self, rgba: np.ndarray) -> None:
        import av

        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgba if self.alpha else rgba[..., :3]),
                                           format="rgba" if self.alpha else "rgb24")
        for packet in self.stream.encode(frame):
            self.container.mux(packet)

    def close(self) -> None:
        for packet in self.stream.encode(None):
            self.container.mux(packet)
        self.container.close()


class Recorder:
    """Records `frames` (published with their pose) into `folder` until stop(). `on_error(message)` hears of a
    failure (the recording then ends, keeping what it wrote); `start()` raises PuppeteerError in words."""

    def __init__(self, frames: LatestFrame, folder, kind: str = "mp4", fps: float = 30.0, size: int = 256,
                 background=None, on_error: Callable[[str], None] | None = None):
        if kind not in KINDS:
            raise PuppeteerError(f"recording kind {kind!r}: use one of {', '.join(KINDS)}")
        self.frames, self.folder, self.kind, self.fps, self.size = frames, Path(folder), kind, fps, size
        self.background, self.on_error = background or parse_background("green"), on_error
        self.written = 0
        self.error: str | None = None
        self.stem: Path | None = None
        self._stopping = threading.Event()
        self._thread = None

    @property
    def path(self) -> Path | None:
        """The video file (or picture folder) being written."""
        if self.stem is None:
            return None
        return self.stem if self.kind == "png" else self.stem.with_suffix(f".{self.kind}")

    def start(self) -> "Recorder":
        self.stem = next_take(self.folder, self.kind)
        try:
            video = None if self.kind == "png" else _Video(self.path, self.kind, self.size, self.fps)
            if self.kind == "png":
                self.path.mkdir()
        except OSError as e:
            raise PuppeteerError(f"{self.path}: cannot be written ({e})") from None
        self._thread = threading.Thread(target=self._run, args=(video,), name="recorder", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(10)

    def _run(self, video) -> None:
        try:
            with open(self.stem.with_suffix(".csv"), "w", newline="") as f:
                table = csv.writer(f)
                table.writerow(["frame", "time_s", *NAMES])
                for frame, pose in ticks(self.frames, self.fps, self._stopping):
                    self._write(video, frame)
                    table.writerow([self.written, f"{self.written / self.fps:.3f}",
                                    *(f"{v:.6g}" for v in pose.values())])
                    f.flush()
                    self.written += 1
        except Exception as e:  # a full disk, a vanished folder, an encoder failure: keep what was written
            self.error = f"recording stopped: {self.path}: {e}"
            if self.on_error is not None:
                self.on_error(self.error)
        finally:
            if video is not None:
                try:
                    video.close()
                except Exception:  # the disk is full: what was muxed so far stays playable (fragments)
                    pass

    def _write(self, video, frame: np.ndarray) -> None:
        picture = enlarge(frame, self.size)
        if self.kind == "png":
            from PIL import Image

            Image.fromarray(picture).save(self.path / f"{self.written:05d}.png", compress_level=1)
        elif self.kind == "mp4":
            video.write(composite(picture, self.background))
        else:
            video.write(picture)
