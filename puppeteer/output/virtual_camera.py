"""A virtual camera for Zoom, Discord, Teams and OBS, through `pyvirtualcam` (GPL-2.0, so an optional extra:
`pip install -e ".[virtualcam]"`). Virtual cameras carry no transparency, so the character is sent over a colour
(green by default), except through Unity Capture on Windows, which takes RGBA. A thread of its own sends the
newest frame at the camera's frame rate; the renderer never waits for it."""
import threading

import numpy as np

from ..errors import PuppeteerError
from ..images import composite, parse_background
from .latest import LatestFrame, ticks
from .size import enlarge

HOW_TO_GET_ONE = ("Linux: sudo apt install v4l2loopback-dkms, then sudo modprobe v4l2loopback devices=1 "
                  "exclusive_caps=1 card_label=puppeteer; Windows and macOS: install OBS Studio and start its "
                  "virtual camera once")


def _pyvirtualcam():
    try:
        import pyvirtualcam
    except ImportError:
        raise PuppeteerError('the virtual camera needs pyvirtualcam: pip install -e ".[virtualcam]"') from None
    return pyvirtualcam


class VirtualCamera:
    """Sends `frames` to a virtual camera until stop(); `start()` raises PuppeteerError in words (no device)."""

    def __init__(self, frames: LatestFrame, size: int = 512, fps: float = 30.0, background=None,
                 backend: str | None = None, device: str | None = None):
        self.frames, self.size, self.fps = frames, size, fps
        self.background = background or parse_background("green")
        self.backend, self.device = backend, device
        self.sent = 0
        self.error: str | None = None
        self._camera = None
        self._rgba = False
        self._stopping = threading.Event()
        self._thread = None

    @property
    def name(self) -> str:
        return self._camera.device if self._camera is not None else "no virtual camera"

    def start(self) -> "VirtualCamera":
        pyvirtualcam = _pyvirtualcam()
        rgba = self.backend == "unitycapture"  # the one that keeps alpha
        fmt = pyvirtualcam.PixelFormat.RGBA if rgba else pyvirtualcam.PixelFormat.RGB
        try:
            self._camera = pyvirtualcam.Camera(self.size, self.size, self.fps, fmt=fmt, backend=self.backend,
                                               device=self.device)
        except RuntimeError as e:
            reason = str(e).strip().splitlines()[0] if str(e).strip() else "none found"
            raise PuppeteerError(f"no virtual camera could be opened ({reason}). {HOW_TO_GET_ONE}") from None
        self._rgba = rgba
        self._thread = threading.Thread(target=self._run, name="virtual camera", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(2)
        if self._camera is not None:
            self._camera.close()
            self._camera = None

    def _run(self) -> None:
        try:
            for frame, _ in ticks(self.frames, self.fps, self._stopping):
                picture = enlarge(frame, self.size)
                picture = picture if self._rgba else composite(picture, self.background)[..., :3]
                self._camera.send(np.ascontiguousarray(picture))
                self.sent += 1
        except Exception as e:  # the device went away, the driver failed: say so, the rest goes on
            self.error = f"the virtual camera stopped: {e}"
