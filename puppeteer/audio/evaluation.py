"""How well the voice mouth follows a recording: 20 ms frames labelled voiced or silent by their energy on the
clean recording, then the mouth judged on the same recording with noise mixed in (the benchmark's goals: open,
> 0.3, in ≥ 90 % of voiced frames, shut, < 0.1, in ≥ 95 % of silent ones, at 10 dB SNR)."""
from dataclasses import dataclass

import numpy as np

from .voice import HOP_S, VoiceSettings, dbfs, mouth_track

FRAME_S = 0.020
VOICED_DB = 15.0  # a frame within this many dB of the recording's loud level (its 95th percentile) is voiced
SILENT_DB = 40.0  # one more than this below it is silent; frames in between are left out
OPEN, SHUT = 0.3, 0.1
CLOSING_S = 0.080  # the mouth closes over this long after the sound stops (voice.RELEASE_S)


@dataclass(frozen=True)
class Labels:
    voiced: np.ndarray  # bool per 20 ms frame
    silent: np.ndarray
    speech_power: float  # mean square of the voiced frames: the signal of the SNR


def label_frames(clean: np.ndarray, rate: int) -> Labels:
    n = round(rate * FRAME_S)
    frames = clean[:len(clean) // n * n].reshape(-1, n).astype(np.float64)
    power = np.mean(frames ** 2, axis=1)
    levels = np.array([dbfs(p) for p in power])
    loud = np.percentile(levels, 95)
    voiced = levels >= loud - VOICED_DB
    return Labels(voiced, levels < loud - SILENT_DB, float(power[voiced].mean()))


def noise(length: int, kind: str, seed: int = 0) -> np.ndarray:
    """White or pink (1/f: a fan, a room) unit-power noise."""
    rng = np.random.default_rng(seed)
    white = rng.standard_normal(length)
    if kind == "pink":
        spectrum = np.fft.rfft(white)
        spectrum /= np.sqrt(np.maximum(np.arange(len(spectrum)), 1))
        white = np.fft.irfft(spectrum, length)
    elif kind != "white":
        raise ValueError(f"noise {kind!r}: white or pink")
    return white / np.sqrt(np.mean(white ** 2))


def with_noise(clean: np.ndarray, labels: Labels, snr_db: float, kind: str = "pink", seed: int = 0) -> np.ndarray:
    scale = np.sqrt(labels.speech_power / 10 ** (snr_db / 10))
    return (clean + scale * noise(len(clean), kind, seed)).astype(np.float32)


@dataclass(frozen=True)
class Score:
    voiced_open: float  # share of voiced frames with the mouth open
    silent_shut: float  # share of silent frames with it shut
    settled_shut: float  # the same, leaving out each pause's first 80 ms, in which the mouth is still closing

    def meets_goals(self) -> bool:
        return self.voiced_open >= 0.90 and self.silent_shut >= 0.95


def score(sound: np.ndarray, rate: int, labels: Labels, settings: VoiceSettings | None = None) -> Score:
    """The mouth at the end of each 20 ms frame against the labels."""
    track = mouth_track(sound, rate, settings)
    per_frame = round(FRAME_S / HOP_S)
    at_frame_end = track[per_frame - 1::per_frame]
    count = min(len(at_frame_end), len(labels.voiced))
    mouth, voiced, silent = at_frame_end[:count], labels.voiced[:count], labels.silent[:count]
    closing = round(CLOSING_S / FRAME_S)
    since_sound = np.zeros(count, int)
    for i in range(1, count):
        since_sound[i] = since_sound[i - 1] + 1 if silent[i] else 0
    settled = silent & (since_sound >= closing)
    return Score(float((mouth[voiced] > OPEN).mean()), float((mouth[silent] < SHUT).mean()),
                 float((mouth[settled] < SHUT).mean()))
