"""The voice mouth against its goals: latency (sound block in → mouth value out) ≤ 30 ms, CPU ≤ 2 % of one core,
and on a speech recording with noise mixed in at 10 dB SNR the mouth open (> 0.3) in ≥ 90 % of voiced 20 ms
frames and shut (< 0.1) in ≥ 95 % of silent ones.

    python benchmarks/voice.py [RECORDING.wav ...] [--json]
"""
import argparse
import json
import statistics
import sys
import threading
import time
from pathlib import Path

import numpy as np

from puppeteer.audio.evaluation import label_frames, score, with_noise
from puppeteer.audio.files import RATE, read_audio
from puppeteer.audio.live import BLOCK_S, VoiceSource
from puppeteer.audio.voice import VoiceMouth, VoiceSettings
from puppeteer.errors import PuppeteerError

SPEECH = Path(__file__).resolve().parent.parent / "tests" / "data" / "speech.wav"
NOISES = (("clean", None), ("pink 10 dB", "pink"), ("white 10 dB", "white"))


def accuracy(path: Path) -> list[dict]:
    clean = read_audio(path)
    labels = label_frames(clean, RATE)
    rows = []
    for name, kind in NOISES:
        sound = clean if kind is None else with_noise(clean, labels, 10, kind)
        for vad in (True, False):
            s = score(sound, RATE, labels, VoiceSettings(vad=vad))
            rows.append({"recording": path.name, "noise": name, "vad": vad, "voiced_open": round(s.voiced_open, 3),
                         "silent_shut": round(s.silent_shut, 3), "settled_shut": round(s.settled_shut, 3),
                         "voiced_frames": int(labels.voiced.sum()), "silent_frames": int(labels.silent.sum())})
    return rows


def processing(sound: np.ndarray) -> dict:
    """The meter alone on 10 ms blocks: time per block, and the share of one core it takes in real time."""
    meter, block = VoiceMouth(RATE), round(RATE * BLOCK_S)
    times = []
    cpu_started = time.process_time()
    for start in range(0, len(sound) - block, block):
        started = time.perf_counter()
        meter.feed(sound[start:start + block])
        times.append((time.perf_counter() - started) * 1000)
    cpu_s = time.process_time() - cpu_started
    return {"block_ms": round(BLOCK_S * 1000, 1), "median_ms": round(statistics.median(times), 3),
            "p99_ms": round(float(np.percentile(times, 99)), 3),
            "cpu_percent_of_one_core": round(100 * cpu_s / (len(times) * BLOCK_S), 2)}


class _Feeder:
    """Hands the sound over in 10 ms blocks at the real pace, as a sound card's callback does."""

    name, rate, finished = "the recording", RATE, False

    def __init__(self, sound):
        self.sound, self.closed = sound, False

    def open(self, deliver):
        block = round(RATE * BLOCK_S)

        def run():
            started = time.perf_counter()
            for i, start in enumerate(range(0, len(self.sound) - block, block)):
                time.sleep(max(0.0, started + i * BLOCK_S - time.perf_counter()))
                if self.closed:
                    return
                deliver(self.sound[start:start + block])
            self.finished = True
        threading.Thread(target=run, daemon=True).start()

    def close(self):
        self.closed = True


def live_latency(sound: np.ndarray) -> dict:
    """Through the voice thread: from a block's arrival to its mouth value handed on (the pipeline's set_voice)."""
    delays, ended = [], threading.Event()
    source = VoiceSource(_Feeder(sound), lambda r, arrived: delays.append(time.perf_counter() - arrived),
                         lambda message: ended.set())
    source.start()
    ended.wait(len(sound) / RATE + 5)
    source.stop()
    ms = np.array(delays) * 1000
    return {"median_ms": round(float(np.median(ms)), 3), "p99_ms": round(float(np.percentile(ms, 99)), 3),
            "max_ms": round(float(ms.max()), 3), "with_the_block_ms": round(float(np.percentile(ms, 99)) +
                                                                           BLOCK_S * 1000, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("recordings", nargs="*", type=Path, default=[SPEECH],
                        help="clean speech recordings (default: tests/data/speech.wav)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args()
    try:
        sound = read_audio(args.recordings[0])
        result = {"accuracy": [row for path in args.recordings for row in accuracy(path)],
                  "processing": processing(sound), "live": live_latency(sound[:RATE * 4])}
    except PuppeteerError as e:
        sys.exit(f"benchmarks/voice.py: error: {e}")
    if args.json:
        print(json.dumps(result, indent=2))
        return
    for row in result["accuracy"]:
        print(f"{row['recording']:18s} {row['noise']:12s} vad {'on ' if row['vad'] else 'off'}  voiced open "
              f"{row['voiced_open']:.3f}  silent shut {row['silent_shut']:.3f} (after the 80 ms closing "
              f"{row['settled_shut']:.3f})")
    p, lv = result["processing"], result["live"]
    print(f"per 10 ms block: {p['median_ms']} ms median, {p['p99_ms']} ms p99; CPU {p['cpu_percent_of_one_core']} "
          f"% of one core (goal ≤ 2 %)")
    print(f"block in → mouth out through the voice thread: {lv['median_ms']} ms median, {lv['p99_ms']} ms p99; "
          f"with the 10 ms block itself {lv['with_the_block_ms']} ms (goal ≤ 30 ms)")


if __name__ == "__main__":
    main()
