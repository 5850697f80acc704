"""Live sound → mouth values, on a thread of its own: the microphone (or a sound file played in real time) fills
a queue from the sound card's callback; the voice thread turns each block into mouth values and hands the newest
on. Rendering never waits for it. A device that stops delivering (unplugged) ends the source with a message."""
import queue
import threading
import time
from collections.abc import Callable

import numpy as np

from ..errors import AudioError
from .files import RATE, read_audio
from .voice import HOP_S, VoiceMouth, VoiceReading, VoiceSettings

SILENT_DEVICE_S = 0.5  # no sound block for this long: the device is gone
BLOCK_S = HOP_S  # the sound card hands over one hop at a time


def _sounddevice():
    try:
        import sounddevice
    except OSError:  # the Python package is there, the PortAudio library is not
        raise AudioError("no sound system for the microphone: PortAudio is missing (Debian/Ubuntu: "
                         "sudo apt install libportaudio2)") from None
    return sounddevice


def input_devices() -> list[tuple[int, str]]:
    """(index, name) of every device that can record; empty when there is no sound system or none."""
    try:
        sd = _sounddevice()
        return [(i, d["name"]) for i, d in enumerate(sd.query_devices()) if d["max_input_channels"] > 0]
    except Exception:  # no PortAudio, no ALSA, a broken driver: nothing to offer
        return []


class Microphone:
    """A sound card input through PortAudio (`sounddevice`); `device` is an index or name, None the default.
    The rate is 16 kHz when the device opens at it, else the device's own."""

    def __init__(self, device: int | str | None = None):
        self.device = device
        self.rate = RATE
        self.name = "the default microphone" if device is None else f"microphone {device}"
        self.finished = False  # a microphone never ends by itself
        self._stream = None

    def open(self, deliver: Callable[[np.ndarray], None]) -> None:
        sd = _sounddevice()
        if not input_devices():
            raise AudioError("no microphone found; plug one in, or drive the mouth with the camera")
        callback = lambda data, frames, when, status: deliver(data[:, 0].copy())  # noqa: E731
        last_error = None
        for rate in self._rates(sd):
            try:
                self._stream = sd.InputStream(device=self.device, channels=1, samplerate=rate, dtype="float32",
                                              blocksize=round(rate * BLOCK_S), latency="low", callback=callback)
                self._stream.start()
                self.rate = int(rate)
                return
            except Exception as e:  # PortAudioError or ValueError: try the device's own rate next
                last_error = e
        raise AudioError(f"cannot open {self.name}: {last_error}; choose another input device") from None

    def _rates(self, sd) -> list[float]:
        try:
            own = sd.query_devices(self.device, "input")["default_samplerate"]
        except Exception as e:
            raise AudioError(f"{self.name}: no such input device ({e}); choose one from the list") from None
        return [RATE] if own == RATE else [RATE, own]

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close(ignore_errors=True)
            self._stream = None


class SoundFilePlayer:
    """A sound file played in real time as if it were a microphone (for trying the voice mouth on a recording,
    and for tests). Its sound is not played aloud."""

    def __init__(self, path):
        self.name = str(path)
        self.rate = RATE
        self._samples = read_audio(path, RATE)
        self.finished = False  # set when the whole file has been delivered
        self._stop = threading.Event()
        self._thread = None

    def open(self, deliver: Callable[[np.ndarray], None]) -> None:
        block = round(self.rate * BLOCK_S)

        def play():
            started = time.monotonic()
            for i, start in enumerate(range(0, len(self._samples), block)):
                if self._stop.wait(max(0.0, started + (i + 1) * BLOCK_S - time.monotonic())):
                    return
                deliver(self._samples[start:start + block])
            self.finished = True

        self._thread = threading.Thread(target=play, name=f"play {self.name}", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(1.0)


class VoiceSource:
    """Runs `VoiceMouth` on the blocks of `device` (a `Microphone` or `SoundFilePlayer`) in its own thread and
    calls `on_reading(reading, time)` for each hop (time: `clock()` when its block arrived). When the device falls
    silent or fails, `on_lost(message)` is called once and the source ends; start() raises AudioError in words."""

    def __init__(self, device, on_reading: Callable[[VoiceReading, float], None],
                 on_lost: Callable[[str], None] | None = None, settings: VoiceSettings | None = None,
                 clock: Callable[[], float] = time.perf_counter):
        self.device, self.on_reading, self.on_lost = device, on_reading, on_lost
        self.settings = settings or VoiceSettings()
        self.clock = clock
        self.meter: VoiceMouth | None = None
        self.error: str | None = None
        self.busy_s = 0.0  # time spent turning blocks into mouth values
        self.blocks = 0
        self._blocks = queue.Queue()
        self._stopping = threading.Event()
        self._thread = None

    def start(self) -> None:
        self.device.open(lambda block: self._blocks.put((block, self.clock())))
        self.meter = VoiceMouth(self.device.rate, self.settings)
        self._thread = threading.Thread(target=self._run, name="voice", daemon=True)
        self._thread.start()

    def measure_noise(self) -> None:
        if self.meter is not None:
            self.meter.measure_noise()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(1.0)
        self.device.close()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        try:
            while not self._stopping.is_set():
                try:
                    block, arrived = self._blocks.get(timeout=SILENT_DEVICE_S)
                except queue.Empty:
                    if not self._stopping.is_set():
                        self._lose(f"{self.device.name} ended" if self.device.finished else
                                   f"{self.device.name} stopped sending sound (unplugged?)")
                    return
                started = time.perf_counter()
                readings = self.meter.feed(block)
                self.busy_s += time.perf_counter() - started
                self.blocks += 1
                for reading in readings:
                    self.on_reading(reading, arrived)
        except Exception as e:  # a failing callback must not vanish with the thread
            self._lose(f"the voice mouth failed: {type(e).__name__}: {e}")

    def _lose(self, message: str) -> None:
        self.error = message
        self.device.close()
        if self.on_lost is not None:
            self.on_lost(message)
