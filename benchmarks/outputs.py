"""The outputs beyond the window against their goals: streaming adds ≤ 3 ms to the render thread per frame, a
rendered frame is at /frame.png within ≤ 33 ms on localhost, and 30 fps reach two browser clients at once; and
the time to a real browser's canvas (headless Chromium, when installed).

    python benchmarks/outputs.py [--size 512] [--seconds 5] [--json]
"""
import argparse
import json
import sys
import threading
import time
import urllib.request
from pathlib import Path

import numpy as np

from puppeteer.images import load_character
from puppeteer.output.browser_source import BrowserSource
from puppeteer.output.latency import canvas_latency, png_latency, render_thread_ms
from puppeteer.output.latest import LatestFrame

CHARACTER = Path(__file__).resolve().parent.parent / "assets" / "characters" / "default.png"


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
        rates = two_clients(frames, server.url, characters, args.seconds)
    finally:
        server.stop()
    canvas = canvas_latency(characters, args.size, args.seconds)
    result = {"size": args.size, "render_thread_ms_per_frame": round(render_thread_ms(LatestFrame(), base), 4),
              "publish_to_png": png_latency(characters, args.size), "two_clients_fps": rates,
              "publish_to_canvas": canvas or "no browser installed"}
    if args.json:
        print(json.dumps(result, indent=2))
        return
    png = result["publish_to_png"]
    print(f"output {args.size}×{args.size}: the render thread spends {result['render_thread_ms_per_frame'] * 1000:.1f}"
          " µs a frame on the outputs (goal ≤ 3 ms)")
    print(f"rendered → at /frame.png: {png['median_ms']} ms median, {png['p90_ms']} ms p90 (goal ≤ 33 ms)")
    print(f"two clients at 30 fps published: {rates[0]} and {rates[1]} fps received (goal 30)")
    if canvas and canvas.get("frames"):
        print(f"rendered → on a headless Chromium's canvas: {canvas['median_ms']} ms median, {canvas['p90_ms']} ms "
              f"p90, {canvas['share_drawn']:.0%} of the frames drawn")


if __name__ == "__main__":
    sys.exit(main())
