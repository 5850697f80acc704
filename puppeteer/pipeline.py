"""The inference worker, free of Qt so that the app and `puppeteer bench` share it.

One thread renders the newest request (pose, brightness, character, model): requests overwrite each other, so
nothing queues up and a slow model never falls behind the face. A pose that moved less than a small dead-band
since the last rendered one (L1, the manual poser's measure) costs no inference, so a still face leaves the CPU
idle. It measures render fps and end-to-end latency: from the source frame's time to the rendered frame being
handed to the display callback, both on `time.perf_counter`'s clock.
"""
import atexit
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from .audio.mix import MOUTH_SOURCES, mix_mouth
from .images import apply_brightness, decode
from .pose import Pose

DEAD_BAND = 1e-3  # L1 pose change below which a frame is not re-rendered
EXIT_GRACE_S = 30.0  # at interpreter exit, how long a render still inside PyTorch may take to return
_started = weakref.WeakSet()  # pipelines whose worker may still run


@dataclass(frozen=True)
class Rendered:
    """One posed picture as handed to the display."""

    image: np.ndarray  # H×W×4 uint8
    pose: Pose
    brightness: float
    latency_s: float  # source frame time → hand-off
    render_s: float  # inference + decoding alone


@dataclass(frozen=True)
class PipelineStats:
    render_fps: float
    latency_ms: float | None  # median over recent frames
    latency_p90_ms: float | None
    render_ms: float | None
    rendered: int
    skipped: int


class _Recent:
    """Event times and durations over a sliding window, for rates and medians that follow the present."""

    def __init__(self, window_s: float = 2.0, keep: int = 120):
        self.window_s = window_s
        self.times = deque()
        self.latencies = deque(maxlen=keep)
        self.renders = deque(maxlen=keep)

    def add(self, now: float, latency_s: float, render_s: float) -> None:
        self.times.append(now)
        self.latencies.append(latency_s)
        self.renders.append(render_s)

    def rate(self, now: float) -> float:
        while self.times and now - self.times[0] > self.window_s:
            self.times.popleft()
        if len(self.times) < 2:
            return 0.0
        return (len(self.times) - 1) / max(now - self.times[0], 1e-9)


def _ms(values, q: float) -> float | None:
    return float(np.quantile(np.asarray(values), q) * 1000) if values else None


class RenderPipeline:
    """Renders the newest request on a background thread and calls `on_frame(Rendered)` from that thread.

    `on_error(message)` hears about a render that failed (the worker keeps going). After `stop()` no callback
    is made, even if a render was still running when it returned.
    """

    def __init__(self, on_frame: Callable[[Rendered], None], on_error: Callable[[str], None] | None = None,
                 dead_band: float = DEAD_BAND, clock: Callable[[], float] = time.perf_counter):
        self.on_frame = on_frame
        self.on_error = on_error
        self.dead_band = dead_band
        self.clock = clock
        self._cond = threading.Condition()
        self._deliver = threading.Lock()  # held while a callback runs, so stop() can wait for it
        self._poser = None
        self._character = None
        self._brightness = 0.0
        self._pose = Pose()
        self._voice = None  # the voice's mouth value, None without a voice
        self._mouth_source = "camera"
        self._source_time = clock()
        self._version = 0  # bumped by anything but the pose: it forces a render and a new input image
        self._pending = False
        self._busy = False
        self._stopping = False
        self._thread = None
        self._recent = _Recent()
        self.rendered = 0
        self.skipped = 0

    # --- requests (any thread) -------------------------------------------------------------------------------

    def _change(self, **fields) -> None:
        with self._cond:
            for name, value in fields.items():
                setattr(self, f"_{name}", value)
            self._source_time = self.clock()  # the re-render's latency counts from this change
            self._version += 1
            self._pending = True
            self._cond.notify_all()

    def set_poser(self, poser) -> None:
        self._change(poser=poser)

    def set_character(self, rgba: np.ndarray) -> None:
        self._change(character=rgba)

    def set_brightness(self, amount: float) -> None:
        self._change(brightness=float(amount))

    def submit(self, pose: Pose, source_time: float | None = None) -> None:
        """Ask for `pose`; `source_time` is when its camera frame was taken (default: now)."""
        with self._cond:
            self._pose = pose
            self._source_time = self.clock() if source_time is None else source_time
            self._pending = True
            self._cond.notify_all()

    def set_mouth_source(self, source: str) -> None:
        """"camera", "voice" or "both": which mouth the rendered pose has (see `audio.mix`)."""
        if source not in MOUTH_SOURCES:
            raise ValueError(f"mouth source {source!r}: use one of {', '.join(MOUTH_SOURCES)}")
        with self._cond:
            self._mouth_source = source
            self._pending = True
            self._cond.notify_all()

    def set_voice(self, mouth: float | None, source_time: float | None = None) -> None:
        """The voice's newest mouth value (None: the voice is gone, the camera's mouth shows again); `source_time`
        is when its sound arrived. It re-renders only when the voice is shown."""
        with self._cond:
            changed = (mouth is None) != (self._voice is None) or abs((mouth or 0) - (self._voice or 0)) > 1e-3
            self._voice = mouth
            if changed and self._mouth_source != "camera":
                self._source_time = self.clock() if source_time is None else source_time
                self._pending = True
                self._cond.notify_all()

    # --- thread ----------------------------------------------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="render", daemon=True)
        self._thread.start()
        _started.add(self)

    def stop(self, timeout: float = 1.0) -> bool:
        """Stop the worker; True if it ended within `timeout` (a render in flight is abandoned, never shown)."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        with self._deliver:  # a callback in progress finishes; none starts after this
            pass
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def wait_until_idle(self, timeout: float = 10.0) -> bool:
        """Block until every request so far is rendered or skipped (for tests and benchmarks)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while (self._pending or self._busy) and not self._stopping:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
        return True

    def stats(self) -> PipelineStats:
        with self._cond:
            recent = self._recent
            return PipelineStats(recent.rate(self.clock()), _ms(recent.latencies, 0.5), _ms(recent.latencies, 0.9),
                                 _ms(recent.renders, 0.5), self.rendered, self.skipped)

    def _run(self) -> None:
        last_pose, last_version = None, None
        image, image_version = None, None
        while True:
            with self._cond:
                while not self._pending and not self._stopping:
                    self._cond.wait()
                if self._stopping:
                    return
                self._pending = False
                poser, character, brightness = self._poser, self._character, self._brightness
                pose = mix_mouth(self._pose, self._voice, self._mouth_source)
                source_time, version = self._source_time, self._version
                if poser is None or character is None:
                    self._cond.notify_all()
                    continue
                if version == last_version and pose.distance(last_pose) <= self.dead_band:
                    self.skipped += 1
                    self._cond.notify_all()
                    continue
                self._busy = True
            try:
                start = self.clock()
                if image_version != version:
                    image, image_version = poser.image_tensor(apply_brightness(character, brightness)), version
                final = poser.pose_image(image, poser.pose_tensor([pose]))[0]
                picture = decode(final.cpu().numpy(), poser.convention)
                result, failure = Rendered(picture, pose, brightness, 0.0, self.clock() - start), None
                last_pose, last_version = pose, version
            except Exception as e:  # a failing model must not kill the worker silently
                result, failure = None, f"rendering failed: {e}"
            with self._deliver:
                if self._stopping:
                    return
                if failure is not None:
                    if self.on_error is not None:
                        self.on_error(failure)
                else:
                    handoff = self.clock()
                    result = replace(result, latency_s=handoff - source_time)
                    with self._cond:
                        self.rendered += 1
                        self._recent.add(handoff, result.latency_s, result.render_s)
                    self.on_frame(result)
            with self._cond:
                self._busy = False
                self._cond.notify_all()


@atexit.register
def _stop_at_exit() -> None:
    """Tearing the interpreter down while a render is inside PyTorch aborts the process ("terminate called without
    an active exception"), so at exit every worker is stopped and a render in flight may finish (unseen)."""
    deadline = time.monotonic() + EXIT_GRACE_S
    for pipeline in list(_started):
        pipeline.stop(timeout=max(0.0, deadline - time.monotonic()))
