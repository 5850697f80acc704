"""`puppeteer bench`: how fast posing, tracking and the whole webcam-to-screen path run on this machine.

Every optimised path is timed in the same run as the naive one (eager fp32, contiguous tensors: how the original
demo runs), and its output is compared with fp32 in 8-bit levels. Weights are random, drawn like the reference
checkpoints (N(0, 0.05²) per tensor), since timings do not depend on their values.
"""
import math
import os
import statistics
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

import numpy as np
import torch

from .checkpoints import ModelDescription, Networks
from .images import decode, encode, load_character
from .models import NETWORKS, SIZE_OPTIONS
from .paths import DEFAULT_CHARACTER
from .pose import Pose
from . import precision as precisions
from .poser import Poser, Resampler, fast_by_default, resolve_device
from .video import write_video

VARIANTS = {"tha1": {"width": 64, "bottleneck_blocks": 6}, "lite": {"width": 16, "bottleneck_blocks": 2}}
BENCH_POSE = Pose(0.4, -0.6, 0.3, 0.7, 0.2, 0.8)


def per_network(size: dict) -> dict:
    """A size per network name: `size` itself if it is one (as model.json's), else `size` for all three (its
    face_box for the morpher only)."""
    if set(size) == set(NETWORKS):
        return size
    return {name: {k: v for k, v in size.items() if k not in SIZE_OPTIONS or name in SIZE_OPTIONS[k][0]}
            for name in NETWORKS}


def describe_size(size: dict) -> str:
    """'width 16, bottleneck_blocks 2', or one such text per network where they differ."""
    texts = {name: ", ".join(f"{k} {v}" for k, v in net.items()) for name, net in per_network(size).items()}
    if len(set(texts.values())) == 1:
        return next(iter(texts.values()))
    return "; ".join(f"{name}: {text}" for name, text in texts.items())


def random_networks(size: dict, seed: int = 1234) -> Networks:
    """Networks of `size` (one for all, or one per network, see `per_network`) with weights drawn as the
    reference's synthetic checkpoints are."""
    sizes = per_network(size)
    modules = {}
    for name, cls in NETWORKS.items():
        module = cls(**sizes[name]).eval().requires_grad_(False)
        for i, tensor in enumerate(module.state_dict().values()):
            torch.manual_seed(seed + i)
            tensor.copy_(torch.randn(tensor.shape) * 0.05)
        modules[name] = module
    return Networks(**modules, description=ModelDescription(sizes=sizes), folder=None)


def multiply_accumulates(module: torch.nn.Module, *inputs) -> int:
    """Multiply-accumulates of one forward pass through `module`'s (transposed) convolutions: nearly all of a
    poser network's arithmetic, so the frame time no CPU can beat is 2 × this / its FLOP rate."""
    total = 0

    def count(layer, args, out):
        nonlocal total
        taps = layer.in_channels // layer.groups * layer.kernel_size[0] * layer.kernel_size[1]
        if isinstance(layer, torch.nn.ConvTranspose2d):  # every input pixel is spread over k×k outputs
            total += args[0].numel() // layer.in_channels * layer.out_channels * taps
        else:
            total += out.numel() * taps

    convs = [m for m in module.modules() if isinstance(m, (torch.nn.Conv2d, torch.nn.ConvTranspose2d))]
    hooks = [m.register_forward_hook(count) for m in convs]
    try:
        with torch.no_grad():
            module(*inputs)
    finally:
        for hook in hooks:
            hook.remove()
    return total


def _timings(fn, warmup: int, reps: int) -> dict:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(reps):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return {"median_ms": round(statistics.median(times), 2), "p90_ms": round(_p90(times), 2)}


def _p90(values) -> float:
    """Nearest-rank 90th percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


def _levels_error(out: torch.Tensor, ref: torch.Tensor, convention: str) -> dict:
    a = decode(out[0].float().cpu().numpy(), convention).astype(np.int16)
    b = decode(ref[0].float().cpu().numpy(), convention).astype(np.int16)
    diff = np.abs(a - b)
    return {"max_levels": int(diff.max()), "mean_levels": round(float(diff.mean()), 4)}


def _naive_chain(networks: Networks, image: torch.Tensor, pose6: torch.Tensor, fast: bool = False) -> torch.Tensor:
    """The original demo's way: eager fp32 on contiguous tensors (fast: stopping at the rotator's resampling)."""
    with torch.no_grad():
        morphed = networks.face_morpher(image, pose6[:, 3:6])[0]
        rotated = networks.two_algo_face_rotator(morphed, pose6[:, 0:3])
        if fast:
            return rotated[1]
        return networks.combiner(rotated[0], rotated[1], pose6[:, 0:3])[0]


def _per_network(nets, image, pose6, precision_context, warmup, reps, memory_format) -> dict:
    image = image.contiguous(memory_format=memory_format)
    morpher, rotator, combiner = nets
    calls = {
        "face_morpher": lambda: morpher(image, pose6[:, 3:6]),
        "two_algo_face_rotator": lambda: rotator(image, pose6[:, 0:3]),
        "combiner": lambda: combiner(image, image, pose6[:, 0:3]),
    }
    out = {}
    with torch.inference_mode(), precision_context():
        for name, call in calls.items():
            out[name] = _timings(call, warmup, reps)
    return out


def optimised_paths(device: torch.device, compile_: bool) -> list[tuple[str, str, bool, bool]]:
    """(label, precision, compiled, fast) for every path worth timing on this device: each precision, compiled
    or not, then the fastest of them in fast mode (no combiner)."""
    paths = [("fp32", "fp32", False, False)]
    if device.type == "cuda":
        paths.append(("fp16", "fp16", False, False))
    elif precisions.cpu_supports_bf16():
        paths.append(("bf16", "bf16", False, False))
    if compile_:
        paths += [(f"{label}+compile", precision, True, False) for label, precision, _, _ in list(paths)]
    label, precision, compiled, _ = paths[-1]
    return paths + [(f"{label} fast", precision, compiled, True)]


def bench_variant(size: dict, device: torch.device, compile_: bool, warmup: int, reps: int, log=print) -> dict:
    """Naive and optimised timings for one model size, per network and for the chain."""
    networks = random_networks(size)
    character = _bench_character()
    image = torch.from_numpy(encode(character, "tha1"))[None].to(device)
    pose6 = torch.tensor([BENCH_POSE.values()], device=device)
    for module in (networks.face_morpher, networks.two_algo_face_rotator, networks.combiner):
        module.to(device)
    gmac = {name: multiply_accumulates(module, *args) / 1e9 for name, module, args in (
        ("face_morpher", networks.face_morpher, (image, pose6[:, 3:6])),
        ("two_algo_face_rotator", networks.two_algo_face_rotator, (image, pose6[:, 0:3])),
        ("combiner", networks.combiner, (image, image, pose6[:, 0:3])),
        ("resampling", Resampler(networks.two_algo_face_rotator), (image, pose6[:, 0:3])))}
    gmac["chain"] = gmac["face_morpher"] + gmac["two_algo_face_rotator"] + gmac["combiner"]
    gmac["fast"] = gmac["face_morpher"] + gmac.pop("resampling")
    gmac = {k: round(v, 3) for k, v in gmac.items()}
    result = {"size": size, "gmac": gmac, "paths": {}}
    log(f"  {gmac['chain']:.2f} GMAC per frame")

    naive_nets = (networks.face_morpher, networks.two_algo_face_rotator, networks.combiner)
    reference = {fast: _naive_chain(networks, image, pose6, fast) for fast in (False, True)}
    chain = _timings(lambda: _naive_chain(networks, image, pose6), warmup, reps)
    per_net = _per_network(naive_nets, image, pose6, nullcontext, warmup, reps, torch.contiguous_format)
    result["paths"]["naive"] = {"precision": "fp32", "chain": chain, "networks": per_net,
                                "gflops": _gflops(gmac["chain"], chain)}
    log(f"  naive fp32: {chain['median_ms']:.1f} ms")
    naive_ms = chain["median_ms"]

    for label, precision, compiled, fast in optimised_paths(device, compile_):
        poser = Poser(networks, device=device, precision=precision, fast=fast)
        entry = {"precision": precision, "compiled": compiled, "fast": fast}
        if compiled:
            poser.optimise_in_background().join()
            if not poser.compiled:
                log(f"  {label}: compiler unavailable ({poser.compile_error})")
                result["paths"][label] = {**entry, "error": poser.compile_error}
                continue
            entry["compile_s"] = round(poser.compile_seconds, 1)
        x = poser.image_tensor(character)
        out = poser.pose_image(x, pose6)
        entry["chain"] = _timings(lambda: poser.pose_image(x, pose6), warmup, reps)
        entry["speedup"] = round(naive_ms / entry["chain"]["median_ms"], 2)
        entry["gflops"] = _gflops(gmac["fast" if fast else "chain"], entry["chain"])
        entry["error_vs_fp32"] = _levels_error(out, reference[fast], "tha1")
        if not compiled and not fast:
            entry["networks"] = _per_network(poser.active_networks, x, pose6, poser.precision_context, warmup, reps,
                                             torch.channels_last)
        result["paths"][label] = entry
        log(f"  {label}: {entry['chain']['median_ms']:.1f} ms ({entry['speedup']}× naive), "
            f"error {entry['error_vs_fp32']['mean_levels']:.3f} mean / "
            f"{entry['error_vs_fp32']['max_levels']} max levels")
    if "bf16" in result["paths"]:
        result["auto_precision"] = _auto_precision(result["paths"])
        log(f"  auto precision (on these random weights): {result['auto_precision']['precision']}, "
            f"{result['auto_precision']['reason']}")
    return result


def _auto_precision(paths: dict) -> dict:
    """What `--precision auto` decides from these timings: compiled against compiled where both ran."""
    compiled = all("chain" in paths.get(f"{p}+compile", {}) for p in ("fp32", "bf16"))
    fp32, bf16 = (paths[f"{p}+compile" if compiled else p] for p in ("fp32", "bf16"))
    error = bf16["error_vs_fp32"]
    choice = precisions.decide(precisions.Measurement(fp32["chain"]["median_ms"], bf16["chain"]["median_ms"],
                                                      error["mean_levels"], error["max_levels"]))
    return {"precision": choice.precision, "reason": choice.reason}


def _gflops(gmac: float, timing: dict) -> float:
    """The FLOP rate (2 per multiply-accumulate) a path ran at."""
    return round(2 * gmac / timing["median_ms"] * 1000, 1)


PEAK_LAYERS = ((64, 128), (128, 64), (512, 32))  # (channels, size) of 3×3 convolutions like the posers'


def peak_gflops(device: torch.device, precision: str, reps: int = 7) -> float:
    """The best FLOP rate this machine reaches on a plain 3×3 convolution at `precision`: what a poser network
    could reach at most, so a missed goal says whether the code or the machine falls short."""
    best = 0.0
    context = nullcontext() if precision == "fp32" else torch.autocast(
        device.type, dtype=torch.bfloat16 if precision == "bf16" else torch.float16)
    for channels, size in PEAK_LAYERS:
        conv = torch.nn.Conv2d(channels, channels, 3, padding=1).to(device, memory_format=torch.channels_last)
        x = torch.randn(1, channels, size, size, device=device).contiguous(memory_format=torch.channels_last)
        with torch.inference_mode(), context:
            timing = _timings(lambda: _synchronised(conv(x)), warmup=2, reps=reps)
        best = max(best, 2 * size * size * channels * channels * 9 / timing["median_ms"] / 1e6)
    return round(best, 1)


def _synchronised(tensor: torch.Tensor) -> torch.Tensor:
    if tensor.is_cuda:
        torch.cuda.synchronize()
    return tensor


def _bench_character() -> np.ndarray:
    if DEFAULT_CHARACTER.exists():
        return load_character(DEFAULT_CHARACTER)
    rng = np.random.default_rng(0)
    rgba = rng.integers(0, 256, (256, 256, 4), dtype=np.uint8)
    rgba[..., 3] = 255
    return rgba


def bench_end_to_end(poser: Poser, seconds: float, log=print) -> dict:
    """Latency from a frame read off a video source to the rendered frame handed to the display, with tracking
    and rendering on their own threads as in the app."""
    import cv2

    from .pipeline import RenderPipeline
    from .tracking import FaceTracker, TrackingLoop, open_source
    from .tracking.bench import letterbox, sample_face
    from .tracking.calibration import Calibration

    with tempfile.TemporaryDirectory() as tmp:
        video = Path(tmp) / "face.mp4"
        face = letterbox(sample_face(), 640, 480)
        tilts = (cv2.getRotationMatrix2D((320, 240), 12 * np.sin(i / 8), 1.0) for i in range(int(30 * seconds) + 30))
        write_video(video, (cv2.warpAffine(face, m, (640, 480)) for m in tilts), fps=30)

        latencies = []
        pipeline = RenderPipeline(lambda r: latencies.append(r.latency_s * 1000), clock=time.monotonic)
        pipeline.set_poser(poser)
        pipeline.set_character(_bench_character())
        tracker = FaceTracker(calibration=Calibration())
        source = open_source(str(video), realtime=True)
        loop = TrackingLoop(source, tracker, lambda frame, result: pipeline.submit(result.pose, frame.captured_at))
        pipeline.start()
        loop.start()
        time.sleep(seconds)
        loop.stop()
        tracking_fps = loop.tracking_fps
        stats = pipeline.stats()
        pipeline.stop()
        tracker.close()
    lat = latencies[1:] or [float("nan")]  # the first frame waits for the tracker's start-up
    result = {"latency_median_ms": round(statistics.median(lat), 1), "latency_p90_ms": round(_p90(lat), 1),
              "render_fps": round(stats.render_fps, 1), "tracking_fps": round(tracking_fps, 1),
              "frames_rendered": stats.rendered, "skipped_by_dead_band": stats.skipped}
    log(f"  end to end: {result['latency_median_ms']} ms median, {result['latency_p90_ms']} ms p90, "
        f"render {result['render_fps']} fps, tracking {result['tracking_fps']} fps")
    return result


def machine_info(device: torch.device) -> dict:
    return {"device": str(device), "cpu": precisions.cpu_name(),
            "cpu_capability": torch.backends.cpu.get_cpu_capability(), "native_bf16": precisions.cpu_supports_bf16(),
            "torch_threads": torch.get_num_threads(), "cpu_count": os.cpu_count(), "torch": torch.__version__,
            "cuda": torch.cuda.get_device_name(0) if device.type == "cuda" else None}


GOALS_MS = {"tha1": 200.0, "lite": 16.0}  # issue 8's targets on a 2-core CPU
GOAL_SPEEDUP, GOAL_LATENCY_MS, GOAL_TRACKING_MS = 5.0, 50.0, 10.0
GOAL_OUTPUT_MS, GOAL_RENDER_THREAD_MS = 33.0, 3.0  # issue 21: ≤ 1 frame to /frame.png, ≤ 3 ms on the render thread


def check_goals(report: dict) -> list[dict]:
    """Each speed goal with the best measured figure, whether it is met, and why not where the machine says why."""
    goals = []
    for name, variant in report["variants"].items():
        timed = {label: p for label, p in variant["paths"].items()
                 if label != "naive" and "chain" in p and not p.get("fast")}  # the goal is the whole chain
        if not timed:
            continue
        label, best = min(timed.items(), key=lambda item: item[1]["chain"]["median_ms"])
        ms = best["chain"]["median_ms"]
        goal = {"goal": f"{name} chain ≤ {GOALS_MS[name]:g} ms", "best": f"{ms:.1f} ms ({label})",
                "met": ms <= GOALS_MS[name]}
        fast = [p["chain"]["median_ms"] for p in variant["paths"].values() if p.get("fast") and "chain" in p]
        if fast:  # what the app shows on a CPU, beside the goal it does not count for
            goal["best"] += f"; fast rendering (no combiner): {min(fast):.1f} ms"
        needed = 2 * variant["gmac"]["chain"] / GOALS_MS[name] * 1000
        peak_precision, peak = max(report["machine"]["peak_gflops"].items(), key=lambda item: item[1])
        goal["rates"] = (f"{best['gflops']:.0f} GFLOP/s reached; {name} in {GOALS_MS[name]:g} ms would need "
                         f"{needed:.0f}; this machine's peak is {peak:.0f} ({peak_precision} convolution)")
        if not goal["met"]:
            short = ("the code is short, not the machine" if needed <= peak else
                     f"the machine is short: even at its peak a frame would take "
                     f"{2 * variant['gmac']['chain'] / peak * 1000:.0f} ms")
            goal["why"] = (f"its {variant['gmac']['chain']:.2f} GMAC a frame need {needed:.0f} GFLOP/s to fit "
                           f"{GOALS_MS[name]:g} ms; the best path ran at {best['gflops']:.0f} GFLOP/s "
                           f"({needed / best['gflops']:.1f}× short) and this machine's peak is {peak:.0f}: {short}")
        goals.append(goal)
        if name == "tha1":
            goals.append({"goal": f"tha1 ≥ {GOAL_SPEEDUP:g}× naive", "best": f"{best['speedup']}× ({label})",
                          "met": best["speedup"] >= GOAL_SPEEDUP})
    if "end_to_end" in report:
        ms = report["end_to_end"]["latency_median_ms"]
        goals.append({"goal": f"end-to-end latency ≤ {GOAL_LATENCY_MS:g} ms", "best": f"{ms} ms",
                      "met": ms <= GOAL_LATENCY_MS})
    outputs = report.get("outputs")
    if outputs:
        goals.append({"goal": f"render thread ≤ {GOAL_RENDER_THREAD_MS:g} ms a frame for the outputs",
                      "best": f"{outputs['render_thread_ms']} ms", "met": outputs["render_thread_ms"] <= 3.0})
        ms = outputs["png"]["median_ms"]
        goals.append({"goal": f"rendered → /frame.png ≤ {GOAL_OUTPUT_MS:g} ms ({outputs['size']} px)",
                      "best": f"{ms} ms", "met": ms <= GOAL_OUTPUT_MS})
    landmarker = report.get("tracking", {}).get("landmarker", {}).get("640x480")
    if landmarker:
        ms = landmarker["ms_per_frame"]
        goals.append({"goal": f"tracking ≤ {GOAL_TRACKING_MS:g} ms at 640×480", "best": f"{ms} ms",
                      "met": ms <= GOAL_TRACKING_MS})
    machine = report["machine"]
    if machine["device"] == "cpu" and not machine["native_bf16"]:
        for goal in goals:
            if not goal["met"] and not goal["goal"].startswith("tracking"):  # MediaPipe does not use torch
                no_bf16 = (f"this CPU ({machine['cpu_capability']}) has no native bf16 (AVX-512-BF16/AMX), so fp32 "
                           "is its fastest precision; the goals assume bf16 on such a CPU or a GPU")
                goal["why"] = f"{goal['why']}; {no_bf16}" if "why" in goal else no_bf16
    return goals


def peak_precisions(device: torch.device) -> list[str]:
    if device.type == "cuda":
        return ["fp32", "fp16"]
    return ["fp32", "bf16"] if precisions.cpu_supports_bf16() else ["fp32"]


def bench_outputs(size: int = 512, frames: int = 40, canvas_seconds: float = 4.0, log=print) -> dict:
    """The browser source's costs: on the render thread, to /frame.png, and to a real browser's canvas."""
    from .output.latency import canvas_latency, png_latency, render_thread_ms
    from .output.latest import LatestFrame

    character = _bench_character()
    pictures = [np.roll(character, shift, axis=1) for shift in range(0, 30, 3)]  # frames that differ
    result = {"size": size, "render_thread_ms": round(render_thread_ms(LatestFrame(size), character), 4),
              "png": png_latency(pictures, size, frames)}
    canvas = canvas_latency(pictures, size, canvas_seconds)
    result["canvas"] = canvas if canvas is not None else "no browser installed (Debian: apt install chromium)"
    drawn = (f"{canvas['median_ms']} ms median, {canvas['p90_ms']} ms p90, {canvas['share_drawn']:.0%} of the "
             "frames drawn" if canvas and canvas.get("frames") else "not measured: " + str(result["canvas"]))
    log(f"outputs at {size} px: render thread {result['render_thread_ms'] * 1000:.1f} µs a frame; to /frame.png "
        f"{result['png']['median_ms']} ms median ({result['png']['p90_ms']} p90); to a browser's canvas {drawn}")
    return result


def run_bench(variants=("tha1", "lite"), device="auto", compile_=True, warmup=2, reps=10, tracking_frames=60,
              e2e_seconds=10.0, lite_size=None, log=print, report=None, outputs_seconds=4.0) -> dict:
    """Every measurement, filled into `report` (a new dict by default) as it is made, so that what was measured
    is there even when a later part fails."""
    device = resolve_device(device)
    report = {} if report is None else report
    report.update({"machine": machine_info(device), "variants": {}})
    report["machine"]["peak_gflops"] = {p: peak_gflops(device, p) for p in peak_precisions(device)}
    log("peak " + ", ".join(f"{p} {rate:.0f} GFLOP/s" for p, rate in report["machine"]["peak_gflops"].items())
        + " (3×3 convolutions)")
    for name in variants:
        size = lite_size if (name == "lite" and lite_size) else VARIANTS[name]
        log(f"{name} ({describe_size(size)}) on {device}:")
        report["variants"][name] = bench_variant(size, device, compile_, warmup, reps, log)
    if tracking_frames:
        from .tracking.bench import time_tracking

        report["tracking"] = time_tracking(sizes=((640, 480), (1280, 720)), frames=tracking_frames,
                                           warmup=min(10, tracking_frames))
        for estimator, sizes in report["tracking"].items():
            log(f"tracking {estimator}: " + ", ".join(f"{k} {v['ms_per_frame']} ms" for k, v in sizes.items()))
    if e2e_seconds:
        size = lite_size or VARIANTS["lite"]
        poser = Poser(random_networks(size), device=device, precision="auto", fast=fast_by_default(device))
        # as the app runs once its compiled chain is ready and its precision measured
        poser.optimise_in_background(compile_, character=_bench_character).join()
        choice = poser.choice()
        log(f"end to end (lite, {choice.precision}{', compiled' if poser.compiled else ''}"
            f"{', fast' if poser.fast else ''}, as the app runs it; precision {choice.reason}):")
        report["end_to_end"] = {"variant": "lite", "precision": choice.precision,
                                "precision_reason": choice.reason, "compiled": poser.compiled, "fast": poser.fast,
                                **bench_end_to_end(poser, e2e_seconds, log)}
    if outputs_seconds:
        report["outputs"] = bench_outputs(canvas_seconds=outputs_seconds, log=log)
    report["goals"] = check_goals(report)
    return report
