"""Face-tracking time per frame at 640×480 and 1280×720 for each estimator.

    python benchmarks/tracking.py [--frames 100] [--image face.jpg] [--json]
"""
import argparse
import json
import sys

from puppeteer.errors import PuppeteerError
from puppeteer.tracking.bench import SIZES, time_tracking
from puppeteer.tracking.estimators import ESTIMATORS
from puppeteer.tracking.sources import read_image


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=100, help="timed frames per case (default 100)")
    parser.add_argument("--warmup", type=int, default=10, help="untimed frames first (default 10)")
    parser.add_argument("--image", help="a picture of a face (default: scikit-image's astronaut photo)")
    parser.add_argument("--estimator", choices=list(ESTIMATORS), action="append",
                        help="only this estimator (repeatable; default: all)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args()
    try:
        results = time_tracking(tuple(args.estimator or ESTIMATORS), SIZES, args.frames, args.warmup,
                                read_image(args.image) if args.image else None)
    except PuppeteerError as e:
        sys.exit(f"benchmarks/tracking.py: error: {e}")
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"{'estimator':<12}{'frame':>11}{'ms/frame':>10}{'fps':>8}{'CPU ms/frame':>14}{'face found':>12}")
    for name, by_size in results.items():
        for size, r in by_size.items():
            print(f"{name:<12}{size:>11}{r['ms_per_frame']:>10.2f}{r['fps']:>8.1f}{r['cpu_ms_per_frame']:>14.2f}"
                  f"{r['face_found']:>12.0%}")


if __name__ == "__main__":
    main()
