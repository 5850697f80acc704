"""The outputs beyond the window against their goals: streaming adds ≤ 3 ms to the render thread per frame, a
rendered frame is at /frame.png within ≤ 33 ms on localhost, and 30 fps reach two browser clients at once.

    python benchmarks/outputs.py [--size 512] [--seconds 5] [--json]
"""
import argparse
import json
import statistics
import sys
import threading
import time
import urllib.request
from pathlib import Path

import numpy as np

from puppeteer.images import load_character
from puppeteer.output.browser_source import BrowserSource
from puppeteer.output.latest import LatestFrame

CHARACTER = Path(__file__).resolve().parent.parent / "assets" / "characters" / "default.png"


def render_thread_cost(frames: LatestFrame, character: np.ndarray, count: int = 2000) -> float:
    """ms per publish(): all the render thread does for the outputs."""
    started = time.perf_counter()
    for _ in range(count):
        frames.publish(character)
    return (time.perf_counter() - started) * 1000 / count


def latency(frames: LatestFrame, url: str, characters: list, count: int = 60) -> list:
    """ms from publish() to the PNG received by a client that was waiting for it."""
    results = []
    for i in range(count):
        number = frames.number
        got = {}

        def wait():
            with urllib.request.urlopen(f"{url}frame.png?after={number}", timeout=5) as response:
                response.read()
                got["at"] = time.perf_counter()

        client = threading.Thread(target=wait)
        client.start()
        time.sleep(0.03)  # the client is waiting
        published = time.perf_counter()
        frames.publish(characters[i % len(characters)])
        client.join()
        results.append((got["at"] - published) * 1000)
    return results


def two_clients(frames: LatestFrame, url: str, characters: list, seconds: float, fps: float = 30.0) -> list:
    """Frames per second each of two page-like clients receives while frames are published at `fps`."""
    received = [0, 0]
    stop = threading.Event()

    def client(k):
        after = frames.number
        while not stop.is_set():
            with urllib.request.urlopen(f"{url}frame.png?after={after}", timeout=5) as response:
                response.read()
                new = int(response.headers["X-Frame"])
            if new > after:
                received[k] += 1
            after = new

    threads = [threading.Thread(target=client, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    started = time.perf_counter()
    for i in range(int(seconds * fps)):
        time.sleep(max(0.0, started + i / fps - time.perf_counter()))
        frames.publish(characters[i % len(characters)])
    elapsed = time.perf_counter() - started
    stop.set()
    frames.publish(characters[0])  # wakes the waiting clients
    for t in threads:
        t.join()
    return [round(r / elapsed, 1) for r in received]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=512, choices=[256, 512, 1024])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    base = load_character(CHARACTER)
    characters = [np.roll(base, shift, axis=1) for shift in range(0, 30, 3)]  # frames that differ
    frames = LatestFrame(args.size)
    server = BrowserSource(frames, port=0).start()
    try:
        cost = render_thread_cost(frames, base)
        delays = latency(frames, server.url, characters)
        rates = two_clients(frames, server.url, characters, args.seconds)
    finally:
        server.stop()
    result = {"size": args.size, "render_thread_ms_per_frame": round(cost, 4),
              "publish_to_png_ms": {"median": round(statistics.median(delays), 1),
                                    "p90": round(float(np.percentile(delays, 90)), 1)},
              "two_clients_fps": rates}
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"output {args.size}×{args.size}: the render thread spends {cost * 1000:.1f} µs a frame on the outputs "
          f"(goal ≤ 3 ms)")
    print(f"rendered → at /frame.png: {result['publish_to_png_ms']['median']} ms median, "
          f"{result['publish_to_png_ms']['p90']} ms p90 (goal ≤ 33 ms)")
    print(f"two clients at 30 fps published: {rates[0]} and {rates[1]} fps received (goal 30)")


if __name__ == "__main__":
    sys.exit(main())
