"""`dataset render-3d` against its goal of ≥ 10 frames a second at 256×256: the steady rate of posed renders of one
model (each a pose, a render, the pixels back to Python and un-premultiplied), the time to start the browser and
load the model, and the time to frame it (fitting the camera, checking the bones).

    python benchmarks/render3d.py [MODEL] [--frames 100] [--json]
"""
import argparse
import json
import time
from pathlib import Path

import numpy as np

from puppeteer.data.synthetic import sample_pose_for
from puppeteer.render3d.browser import Browser
from puppeteer.render3d.rig import prepare_rig

GODETTE = Path(__file__).resolve().parent.parent / "assets" / "3d" / "Godette_vrm_v4.vrm"
GOAL_FPS = 10.0


def measure(model: Path, frames: int) -> dict:
    started = time.perf_counter()
    with Browser(model) as browser:
        rig, _ = prepare_rig(model, browser)
        framed = time.perf_counter()
        poses = [sample_pose_for(0, 0, i) for i in range(frames)]
        rig.render(browser, poses[0])  # warm: the first frames after framing are not the steady rate
        times = []
        for pose in poses:
            t = time.perf_counter()
            rig.render(browser, pose)
            times.append(time.perf_counter() - t)
    return {"model": model.name, "frames": frames, "start_and_frame_s": round(framed - started, 2),
            "median_ms": round(1000 * float(np.median(times)), 1), "fps": round(frames / sum(times), 1),
            "goal_fps": GOAL_FPS}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", type=Path, default=GODETTE)
    parser.add_argument("--frames", type=int, default=100)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    result = measure(args.model, args.frames)
    if args.json:
        print(json.dumps(result))
    else:
        verdict = "meets" if result["fps"] >= GOAL_FPS else "misses"
        print(f"{result['model']}: {result['fps']} frames/s ({result['median_ms']} ms median over "
              f"{result['frames']} posed renders; {verdict} the goal of {GOAL_FPS:g}); start and framing "
              f"{result['start_and_frame_s']} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
