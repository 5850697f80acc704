"""Training throughput (images/s) per stage, precision and network size: whole training steps (frozen upstream
networks, loss, backward, Adam) on random 256×256 pictures.

    python benchmarks/training.py [--sizes 16x2,64x6] [--precision fp32 --precision bf16] [--steps 2] [--threads N]
                                  [--json]

The rotator and combiner include the perceptual loss (untrained VGG16: same cost as the real one) unless
--l1-only.
"""
import argparse
import json
import sys

import torch

from puppeteer.errors import PuppeteerError
from puppeteer.poser import resolve_device
from puppeteer.training.bench import training_throughput
from puppeteer.training.config import STAGES

PERCEPTUAL = {"morpher": 0.0, "rotator": 0.2, "combiner": 0.04}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="16x2,64x6", help="WIDTHxBLOCKS list (default 16x2,64x6)")
    parser.add_argument("--stage", choices=STAGES, action="append", help="only this stage (repeatable)")
    parser.add_argument("--precision", choices=["fp32", "bf16"], action="append", help="repeatable (default both)")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--steps", type=int, default=2, help="timed steps per case (default 2)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed steps first (default 1)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, help="CPU threads (default: PyTorch's choice)")
    parser.add_argument("--l1-only", action="store_true", help="no perceptual loss for the rotator and combiner")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args()
    try:
        device = resolve_device(args.device)
        sizes = [tuple(int(v) for v in s.split("x")) for s in args.sizes.split(",")]
    except (PuppeteerError, ValueError) as e:
        sys.exit(f"benchmarks/training.py: error: {e}")
    if args.threads:
        torch.set_num_threads(args.threads)
    results = []
    for width, blocks in sizes:
        for stage in args.stage or STAGES:
            for precision in args.precision or ["fp32", "bf16"]:
                perceptual = 0.0 if args.l1_only else PERCEPTUAL[stage]
                rate = training_throughput(stage, width, blocks, precision, args.batch_size, 256, args.steps,
                                           args.warmup, perceptual, device)
                results.append({"stage": stage, "width": width, "bottleneck_blocks": blocks,
                                "precision": precision, "batch_size": args.batch_size,
                                "perceptual": perceptual > 0, "images_per_s": rate})
                if not args.json:
                    loss = "L1 + perceptual" if perceptual else "L1"
                    print(f"{stage:<9} width {width:>2} blocks {blocks}  {precision}  {loss:<15} {rate:7.2f} images/s",
                          flush=True)
    if args.json:
        print(json.dumps({"device": str(device), "threads": torch.get_num_threads(), "results": results}, indent=2))


if __name__ == "__main__":
    main()
