"""`puppeteer bench`: posing, tracking and end-to-end speed on this machine, as a table and optionally JSON."""


SMOKE_SIZE = {"width": 8, "bottleneck_blocks": 1}


def register(subparsers) -> None:
    p = subparsers.add_parser("bench", help="measure posing, tracking and end-to-end speed",
                              description="Time the full THA v1 and the lite model (naive eager fp32 and each "
                                          "optimised path, per network and chained, with their output error "
                                          "against fp32), face tracking, and the webcam-to-screen latency. "
                                          "Needs no weights: random ones time the same.")
    p.add_argument("--variants", default="tha1,lite", help="comma-separated: tha1, lite (default both)")
    p.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:N")
    p.add_argument("--checkpoints", metavar="FOLDER", help="time the lite variant at this model's sizes (its "
                                                            "model.json); default: the bundled model's")
    p.add_argument("--no-compile", action="store_true", help="skip the torch.compile paths (they take minutes)")
    p.add_argument("--reps", type=int, default=10, help="timed runs per measurement (default 10)")
    p.add_argument("--threads", type=int, help="torch CPU threads (default: PyTorch's choice)")
    p.add_argument("--fast", action="store_true", help="a quick smoke run: lite only (width 8 unless --checkpoints "
                                                        "is given), few repetitions")
    p.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    p.add_argument("--overwrite", action="store_true", help="replace an existing --json file")
    p.set_defaults(run=run)


def run(args) -> int:
    import json
    from pathlib import Path

    import torch

    from ..bench import VARIANTS, run_bench
    from ..checkpoints import DEFAULT_FOLDER, DESCRIPTION_FILE, read_description
    from ..errors import PuppeteerError
    from ..files import write_atomically

    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    unknown = [v for v in variants if v not in VARIANTS]
    if unknown:
        raise PuppeteerError(f"unknown variant(s) {', '.join(unknown)}; use {', '.join(VARIANTS)}")
    if args.json and Path(args.json).exists() and not args.overwrite:
        raise PuppeteerError(f"{args.json}: already exists; choose another name or pass --overwrite")
    if args.threads:
        torch.set_num_threads(args.threads)
    folder = Path(args.checkpoints) if args.checkpoints else DEFAULT_FOLDER
    described = (folder / DESCRIPTION_FILE).is_file()
    if args.checkpoints and not described:
        raise PuppeteerError(f"{folder}: no {DESCRIPTION_FILE} here to read the model's sizes from")
    lite_size = read_description(folder).sizes if described else None
    report = {}

    def write_json(note: str = "") -> None:
        text = json.dumps(report, indent=2) + "\n"
        write_atomically(args.json, lambda tmp: Path(tmp).write_text(text), overwrite=args.overwrite)
        print(f"wrote {args.json}{note}")

    try:
        if args.fast:
            run_bench(["lite"], args.device, compile_=False, warmup=1, reps=2, tracking_frames=3, e2e_seconds=3.0,
                      outputs_seconds=1.5,
                      lite_size=lite_size if args.checkpoints else SMOKE_SIZE, report=report)
        else:
            run_bench(variants, args.device, compile_=not args.no_compile, reps=max(1, args.reps),
                      lite_size=lite_size, report=report)
    except (PuppeteerError, KeyboardInterrupt) as e:
        if args.json and report.get("variants"):  # keep what was measured before the failure
            report["incomplete"] = str(e) or "interrupted"
            write_json(" (incomplete: what was measured before the failure)")
        raise
    print()
    print(format_table(report))
    if args.json:
        write_json()
    return 0


def format_table(report: dict) -> str:
    m = report["machine"]
    peaks = ", ".join(f"{p} {rate:.0f}" for p, rate in m["peak_gflops"].items())
    lines = [f"device {m['device']} · CPU {m['cpu']} ({m['cpu_capability']}) · native bf16 {m['native_bf16']} · "
             f"torch threads {m['torch_threads']} · peak GFLOP/s {peaks}",
             f"{'variant':8} {'path':18} {'chain ms (p90)':>16} {'speed-up':>9} {'err mean/max':>13} "
             f"{'GFLOP/s':>8}  per network ms"]
    for name, variant in report["variants"].items():
        for label, path in variant["paths"].items():
            if "error" in path:
                lines.append(f"{name:8} {label:18} {'unavailable: ' + path['error'][:60]}")
                continue
            chain = f"{path['chain']['median_ms']:.1f} ({path['chain']['p90_ms']:.1f})"
            speed = f"{path.get('speedup', 1.0):.2f}×"
            err = path.get("error_vs_fp32")
            err = f"{err['mean_levels']:.3f}/{err['max_levels']}" if err else "-"
            nets = " / ".join(f"{v['median_ms']:.1f}" for v in path.get("networks", {}).values())
            lines.append(f"{name:8} {label:18} {chain:>16} {speed:>9} {err:>13} {path['gflops']:>8.0f}  {nets}")
    for estimator, sizes in report.get("tracking", {}).items():
        lines.append(f"tracking {estimator}: " + ", ".join(f"{k} {v['ms_per_frame']} ms" for k, v in sizes.items()))
    e2e = report.get("end_to_end")
    if e2e:
        compiled = (", compiled" if e2e.get("compiled") else "") + (", fast" if e2e.get("fast") else "")
        lines.append(f"end to end ({e2e['variant']}, {e2e['precision']}{compiled}): "
                     f"latency {e2e['latency_median_ms']} ms "
                     f"median, {e2e['latency_p90_ms']} ms p90; render {e2e['render_fps']} fps")
    for name, variant in report["variants"].items():
        if "auto_precision" in variant:
            auto = variant["auto_precision"]
            lines.append(f"{name} precision auto (random weights): {auto['precision']}, {auto['reason']}")
    if e2e:
        lines.append(f"end to end precision: {e2e['precision']}, {e2e['precision_reason']}")
    for goal in report.get("goals", []):
        verdict = "met" if goal["met"] else "missed"
        lines.append(f"goal {goal['goal']}: {verdict} (best {goal['best']})")
        if "rates" in goal:
            lines.append(f"  rates: {goal['rates']}")
        if "why" in goal:
            lines.append(f"  why: {goal['why']}")
    return "\n".join(lines)
