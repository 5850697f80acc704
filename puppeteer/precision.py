"""Which precision the poser runs at, and why.

An explicit choice is checked against the device. `auto` is fp16 on CUDA and fp32 on a CPU without native bf16.
On a CPU with native bf16 (AVX-512-BF16 or AMX) it is decided by measurement, since the CPU flag alone does not
say whether bf16 pays for a model: bf16 is kept only when it renders the path in use (eager or compiled, fast or
full) at least 10 % faster than fp32 and its pictures stay within 0.5 levels on average and 16 at most of
fp32's on the current character. The choice is remembered per machine, model and path in the cache folder.
"""
import hashlib
import json
import os
import platform
import statistics
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch

from .errors import PuppeteerError
from .files import write_atomically
from .pose import Pose

PRECISIONS = ("auto", "fp32", "bf16", "fp16")
MIN_SPEEDUP = 1.10  # bf16 must be this many times as fast as fp32
MAX_MEAN_LEVELS, MAX_LEVELS = 0.5, 16.0  # and this close to fp32's pictures, in 8-bit levels
# the poses bf16 is compared on: the neutral one, a mixed one and every parameter at an extreme
COMPARED_POSES = (Pose(), Pose(0.4, -0.6, 0.3, 0.7, 0.2, 0.8), Pose(-1.0, 1.0, -1.0, 1.0, 1.0, 1.0))


def cpu_supports_bf16() -> bool:
    """True on CPUs with native bf16 maths (AVX-512-BF16 or AMX); elsewhere bf16 is emulated and slow."""
    return bool(torch.backends.mkldnn.is_available() and torch.ops.mkldnn._is_mkldnn_bf16_supported())


def resolve_precision(precision: str | None, device: torch.device) -> str:
    """The precision to start with: an explicit one, checked; for 'auto' fp16 on CUDA, else fp32 (which a
    measurement may later replace by bf16: `Poser.choose_precision`)."""
    if precision not in PRECISIONS and precision is not None:
        raise PuppeteerError(f"precision {precision!r} is not one of {', '.join(PRECISIONS)}")
    if precision in (None, "auto"):
        return "fp16" if device.type == "cuda" else "fp32"
    if precision == "fp16" and device.type != "cuda":
        raise PuppeteerError("fp16 runs on CUDA only; on the CPU use bf16 or fp32")
    if precision == "bf16" and device.type == "cpu" and not cpu_supports_bf16():
        raise PuppeteerError("this CPU has no native bf16 (AVX-512-BF16/AMX); use --precision fp32")
    return precision


@dataclass(frozen=True)
class Choice:
    precision: str
    reason: str
    measured: bool = False  # False while `auto` still waits for its measurement


def first_choice(precision: str | None, device: torch.device) -> Choice:
    """What runs before any measurement."""
    start = resolve_precision(precision, device)
    if precision not in (None, "auto"):
        return Choice(start, "as asked", True)
    if device.type == "cuda":
        return Choice(start, "automatic: fp16 on CUDA", True)
    if not cpu_supports_bf16():
        return Choice(start, f"automatic: this CPU ({torch.backends.cpu.get_cpu_capability()}) has no native "
                             "bf16, so fp32", True)
    return Choice(start, "automatic: fp32, as bf16 is not yet measured for this model here", False)


@dataclass(frozen=True)
class Measurement:
    fp32_ms: float
    bf16_ms: float
    mean_levels: float  # bf16's pictures against fp32's
    max_levels: int


def decide(m: Measurement) -> Choice:
    speedup = m.fp32_ms / m.bf16_ms
    timings = f"{m.bf16_ms:.1f} against fp32's {m.fp32_ms:.1f} ms"
    if speedup < MIN_SPEEDUP:
        return Choice("fp32", f"measured: bf16 is not {MIN_SPEEDUP - 1:.0%} faster ({timings}), so fp32", True)
    if m.mean_levels > MAX_MEAN_LEVELS or m.max_levels > MAX_LEVELS:
        return Choice("fp32", f"measured: bf16 is {speedup:.2f}× as fast ({timings}) but its pictures differ from "
                              f"fp32's by {m.mean_levels:.2f} levels on average and {m.max_levels} at most "
                              f"(allowed {MAX_MEAN_LEVELS:g} and {MAX_LEVELS:g}), so fp32", True)
    return Choice("bf16", f"measured: bf16 is {speedup:.2f}× as fast ({timings}) and within {m.max_levels} "
                          "levels of fp32's pictures", True)


def levels_apart(a: np.ndarray, b: np.ndarray) -> tuple[float, int]:
    """Mean and largest difference of two uint8 pictures, in levels."""
    diff = np.abs(a.astype(np.int16) - b.astype(np.int16))
    return float(diff.mean()), int(diff.max())


def measure(render, frame, frames: int = 6) -> Measurement:
    """Compare `render(precision, pose)` (→ a uint8 picture) at fp32 and bf16 on `COMPARED_POSES`, then time
    `frame(precision)` (one frame of the networks) alternately at each, so that a busy machine slows both alike.
    The comparison comes first: the first calls of each precision may compile, and are not timed."""
    outputs = {p: np.stack([render(p, pose) for pose in COMPARED_POSES]) for p in ("fp32", "bf16")}
    times = {"fp32": [], "bf16": []}
    for _ in range(frames):
        for p in times:
            started = time.perf_counter()
            frame(p)
            times[p].append((time.perf_counter() - started) * 1000)
    mean, largest = levels_apart(outputs["fp32"], outputs["bf16"])
    return Measurement(round(statistics.median(times["fp32"]), 2), round(statistics.median(times["bf16"]), 2),
                       round(mean, 3), largest)


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_key() -> str:
    return (f"{cpu_name()} | {torch.backends.cpu.get_cpu_capability()} | {torch.get_num_threads()} threads | "
            f"torch {torch.__version__}")


def model_key(networks) -> str:
    """The model's convention, sizes and a fingerprint of its weights (a retrained model is measured anew)."""
    digest = hashlib.sha256()
    for module in (networks.face_morpher, networks.two_algo_face_rotator, networks.combiner):
        sums = [float(t.detach().double().sum()) for t in module.state_dict().values()]
        digest.update(np.array(sums).tobytes())
    sizes = json.dumps(networks.description.sizes, sort_keys=True)
    return f"{networks.description.convention} {sizes} {digest.hexdigest()[:16]}"


def choices_file() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or (Path.home() / ".cache")
    return Path(base) / "talking-head-puppeteer" / "precision.json"


class ChoiceCache:
    """Measured choices in a small JSON file; a missing or damaged file is an empty cache."""

    def __init__(self, path: Path | None = None):
        self.path = path or choices_file()

    def _read(self) -> dict:
        try:
            data = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def get(self, key: str) -> Choice | None:
        entry = self._read().get(key)
        try:
            return Choice(entry["precision"], entry["reason"], True)
        except (TypeError, KeyError):
            return None

    def put(self, key: str, choice: Choice, measurement: Measurement) -> None:
        data = self._read()
        data[key] = {"precision": choice.precision, "reason": choice.reason, **asdict(measurement)}
        text = json.dumps(data, indent=1, ensure_ascii=False)
        try:
            write_atomically(self.path, lambda tmp: Path(tmp).write_text(text), overwrite=True)
        except OSError:  # an unwritable cache only means measuring again next time
            pass
