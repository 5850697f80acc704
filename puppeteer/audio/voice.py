"""Voice → mouth: how open the mouth is, from how loud the voice is (as a puppeteer's hand follows the words).

Every 10 ms hop of sound gives one value. The sound is band-passed to where vowels carry their energy (150 Hz–
1.5 kHz, so rumble and hiss count little), its level over the last 20 ms is compared with a noise gate a few dB
above the room's noise floor, and the opening follows the level above the gate. It opens within the hop that
brings the sound and closes over about 80 ms, as a speaking mouth does. Voice-activity detection (on by default)
keeps the mouth shut for sounds without a voice's pitch, such as a fan or a keyboard: a hop opens it only when the
last 40 ms are periodic at a speaking pitch, or within a moment after such a hop (so the consonants between vowels
keep it open)."""
import math
from dataclasses import dataclass

import numpy as np
from scipy import signal

HOP_S = 0.010  # one mouth value per 10 ms of sound
LEVEL_S = 0.020  # the level is the RMS over the last 20 ms
PITCH_S = 0.040  # voicing is judged on the last 40 ms (nearly three periods of the lowest pitch)
BAND_HZ = (150.0, 1500.0)  # measured best of 100-4000, 100-2000, 80-3000 and this at 10 dB SNR
PITCH_HZ = (70.0, 400.0)
NOISE_S = 1.0  # the noise floor is measured over one second
FLOOR_PERCENTILE = 50  # of the levels in that second: the median, so a word or two in it does not count
GATE_DB = 4.0  # default gate: this far above the noise floor
MIN_GATE_DBFS = -60.0  # however quiet the room (digital silence), the gate stays at least this high
SPAN_DB = 12.0  # from the gate to a fully open mouth, at gain 1
RELEASE_S = 0.033  # closing time constant: from fully open to below 0.1 within 80 ms
VOICING = 0.45  # normalised autocorrelation at the pitch period that counts as voiced
HANGOVER_S = 0.15  # after a voiced hop, unvoiced sound may keep the mouth open this long


@dataclass
class VoiceSettings:
    """What the user adjusts: the gate above the noise floor, the gain of the opening, voice detection."""

    gate_db: float = GATE_DB
    gain: float = 1.0
    vad: bool = True


@dataclass(frozen=True)
class VoiceReading:
    """One hop: the mouth value and what it came from (the app's level meter shows level and gate)."""

    mouth: float
    level_dbfs: float
    gate_dbfs: float
    voiced: bool


def dbfs(power: float) -> float:
    """Mean square → dB relative to a full-scale sine."""
    return 10.0 * math.log10(max(2.0 * power, 1e-12))


class VoiceMouth:
    """Feed it mono float samples in [-1, 1] at `rate` in blocks of any size; each completed 10 ms hop gives a
    `VoiceReading`. The noise floor is measured over the first second (or the second after `measure_noise()`),
    and lowered whenever a later second is quieter; `floor_dbfs` fixes it instead (for files: `file_floor`)."""

    def __init__(self, rate: int, settings: VoiceSettings | None = None, floor_dbfs: float | None = None):
        if rate < 8000:
            raise ValueError(f"sample rate {rate} Hz is too low for a voice (8000 Hz or more)")
        self.rate = rate
        self.settings = settings or VoiceSettings()
        self.hop = round(rate * HOP_S)
        self._level_n = round(rate * LEVEL_S)
        self._pitch_n = round(rate * PITCH_S)
        self._lags = (round(rate / PITCH_HZ[1]), round(rate / PITCH_HZ[0]))
        self._sos = signal.butter(2, BAND_HZ, btype="bandpass", fs=rate, output="sos")
        self._state = np.zeros((len(self._sos), 2))  # the filter starts from silence
        self._recent = np.zeros(self._pitch_n, np.float32)  # the band-passed sound, newest last
        self._pending = np.zeros(0, np.float32)
        self.floor_dbfs = floor_dbfs
        self._fixed_floor = floor_dbfs is not None
        self._second: list[float] = []  # levels of the second being measured
        self._hangover = 0
        self.mouth = 0.0
        self._release = math.exp(-HOP_S / RELEASE_S)

    @property
    def gate_dbfs(self) -> float:
        floor = self.floor_dbfs if self.floor_dbfs is not None else 0.0  # shut until the floor is known
        return max(floor + self.settings.gate_db, MIN_GATE_DBFS)

    def measure_noise(self) -> None:
        """Take the coming second as the room's noise floor (the user keeps quiet: Set neutral)."""
        self.floor_dbfs, self._fixed_floor, self._second = None, False, []

    def feed(self, samples: np.ndarray) -> list[VoiceReading]:
        samples = np.asarray(samples, np.float32).reshape(-1)
        self._pending = np.concatenate([self._pending, samples])
        n = len(self._pending) // self.hop * self.hop
        if n == 0:
            return []
        filtered, self._state = signal.sosfilt(self._sos, self._pending[:n], zi=self._state)
        self._pending = self._pending[n:]
        readings = []
        for start in range(0, n, self.hop):
            self._recent = np.concatenate([self._recent[self.hop:], filtered[start:start + self.hop]])
            readings.append(self._read_hop())
        return readings

    def _read_hop(self) -> VoiceReading:
        level = dbfs(float(np.mean(np.square(self._recent[-self._level_n:], dtype=np.float64))))
        self._measure_floor(level)
        voiced = self._voiced() if self.settings.vad else True
        if voiced:
            self._hangover = round(HANGOVER_S / HOP_S)
        elif self._hangover:
            self._hangover -= 1
        gate = self.gate_dbfs
        opening = 0.0
        if voiced or self._hangover:
            opening = min(1.0, max(0.0, self.settings.gain * (level - gate) / SPAN_DB))
        self.mouth = max(opening, self.mouth * self._release)  # opens at once, closes smoothly
        if self.mouth < 1e-3:
            self.mouth = 0.0
        return VoiceReading(self.mouth, level, gate, voiced)

    def _measure_floor(self, level: float) -> None:
        if self._fixed_floor:
            return
        self._second.append(level)
        if len(self._second) * HOP_S >= NOISE_S:
            measured = float(np.percentile(self._second, FLOOR_PERCENTILE))
            self.floor_dbfs = measured if self.floor_dbfs is None else min(self.floor_dbfs, measured)
            self._second = []

    def _voiced(self) -> bool:
        """Periodic at a speaking pitch: the peak over the pitch lags of the autocorrelation, normalised by the
        energies of the two overlapping parts, so that a voice just starting (the window's older part still
        silent) counts as soon as it has lasted a period or two."""
        x = self._recent.astype(np.float64)
        n = len(x)
        spectrum = np.fft.rfft(x, 2 * n)
        autocorrelation = np.fft.irfft(spectrum * np.conj(spectrum))[:n]
        low, high = self._lags
        lags = np.arange(low, min(high, n // 2) + 1)
        cumulative = np.concatenate([[0.0], np.cumsum(x * x)])
        earlier, later = cumulative[n - lags], cumulative[n] - cumulative[lags]
        overlap = np.sqrt(earlier * later)
        usable = overlap > 1e-12
        if not usable.any():
            return False
        return float((autocorrelation[lags][usable] / overlap[usable]).max()) >= VOICING


def file_floor(samples: np.ndarray, rate: int) -> float:
    """A recording's noise floor: the quietest second's (sliding by a tenth of a second) floor percentile."""
    probe = VoiceMouth(rate, VoiceSettings(vad=False), floor_dbfs=0.0)
    levels = np.array([r.level_dbfs for r in probe.feed(samples)])
    per_second = round(NOISE_S / HOP_S)
    if len(levels) <= per_second:
        return float(np.percentile(levels, FLOOR_PERCENTILE)) if len(levels) else MIN_GATE_DBFS
    windows = np.lib.stride_tricks.sliding_window_view(levels, per_second)[::10]
    return float(np.percentile(windows, FLOOR_PERCENTILE, axis=1).min())


def mouth_track(samples: np.ndarray, rate: int, settings: VoiceSettings | None = None) -> np.ndarray:
    """The mouth every 10 ms over a whole recording (value i covers the sound up to (i + 1) × 10 ms)."""
    meter = VoiceMouth(rate, settings, floor_dbfs=file_floor(samples, rate))
    return np.array([r.mouth for r in meter.feed(samples)], np.float32)


def mouth_at(track: np.ndarray, times_s) -> np.ndarray:
    """The mouth of a `mouth_track` at each time: the value of the last hop heard by then (shut after the end)."""
    index = np.floor(np.asarray(times_s, np.float64) / HOP_S + 1e-6).astype(int) - 1
    inside = (index >= 0) & (index < len(track))
    return np.where(inside, track[np.clip(index, 0, max(len(track) - 1, 0))] if len(track) else 0.0, 0.0)
