"""How long a rendered frame takes to reach the outputs: to `/frame.png` for a client that was waiting, and to a
real browser's canvas (the page asks for the next frame right after drawing one, so that request's arrival is the
moment the canvas was painted). For `puppeteer bench` and `benchmarks/outputs.py`."""
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.request

import numpy as np

from .browser_source import BrowserSource
from .latest import LatestFrame

BROWSER_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run")


def find_browser() -> str | None:
    return next((path for name in ("chromium", "chromium-browser", "google-chrome")
                 if (path := shutil.which(name))), None)


def _stats(ms: list) -> dict:
    return {"median_ms": round(statistics.median(ms), 1), "p90_ms": round(float(np.percentile(ms, 90)), 1),
            "frames": len(ms)}


def render_thread_ms(frames: LatestFrame, picture: np.ndarray, count: int = 2000) -> float:
    """What the render thread spends per frame on the outputs: one publish()."""
    started = time.perf_counter()
    for _ in range(count):
        frames.publish(picture)
    return (time.perf_counter() - started) * 1000 / count


def png_latency(pictures: list, size: int = 512, count: int = 40) -> dict:
    """ms from publish() to the PNG received by a client that was waiting for it."""
    frames = LatestFrame(size)
    server = BrowserSource(frames, port=0).start()
    delays = []
    try:
        for i in range(count):
            number, got = frames.number, {}

            def wait():
                with urllib.request.urlopen(f"{server.url}frame.png?after={number}", timeout=5) as response:
                    response.read()
                    got["at"] = time.perf_counter()

            client = threading.Thread(target=wait)
            client.start()
            time.sleep(0.03)  # the client is waiting
            published = time.perf_counter()
            frames.publish(pictures[i % len(pictures)])
            client.join()
            delays.append((got["at"] - published) * 1000)
    finally:
        server.stop()
    return _stats(delays)


def canvas_latency(pictures: list, size: int = 512, seconds: float = 4.0, fps: float = 30.0,
                   browser: str | None = None) -> dict | None:
    """ms from publish() to the frame on a headless browser's canvas, while `fps` frames a second are published;
    None when no browser is installed."""
    browser = browser or find_browser()
    if browser is None:
        return None
    frames = LatestFrame(size)
    asked, published = {}, {}
    server = BrowserSource(frames, port=0, on_request=lambda after, at: asked.setdefault(after, at)).start()
    frames.publish(pictures[0])
    published[frames.number] = time.perf_counter()
    with tempfile.TemporaryDirectory() as profile:
        process = subprocess.Popen([browser, *BROWSER_FLAGS, f"--user-data-dir={profile}",
                                    f"--window-size={size},{size}", server.url],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 20
            while 1 not in asked and time.monotonic() < deadline:  # the page has drawn its first frame
                time.sleep(0.05)
            started = time.perf_counter()
            for i in range(1, int(seconds * fps)):
                time.sleep(max(0.0, started + i / fps - time.perf_counter()))
                frames.publish(pictures[i % len(pictures)])
                published[frames.number] = time.perf_counter()
            time.sleep(0.5)
        finally:
            process.terminate()
            process.wait(10)
            server.stop()
    delays = [(asked[n] - published[n]) * 1000 for n in published if n in asked and n > 1]
    shown = len(delays) / max(1, len(published) - 1)
    return {**_stats(delays), "share_drawn": round(shown, 3)} if delays else {"frames": 0}
