"""The poser: morpher → rotator → combiner on a device at a precision, exactly as THA v1's demo chains them
(reference README §4), or, in fast mode, morpher → the rotator's resampling path alone."""
import os
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import nullcontext
from pathlib import Path

import numpy as np
import torch

from .checkpoints import Networks
from .errors import PuppeteerError
from .images import SIZE, decode, encode
from .pose import Pose

PRECISIONS = ("auto", "fp32", "bf16", "fp16")


def resolve_device(device: str | None = "auto") -> torch.device:
    if device in (None, "auto"):
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(device)
    except RuntimeError:
        raise PuppeteerError(f"device {device!r} is not understood: use auto, cpu, cuda or cuda:N") from None
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise PuppeteerError(f"device {device!r} asked for, but this PyTorch sees no CUDA GPU; use --device cpu")
    return dev


def fast_by_default(device: torch.device) -> bool:
    """Fast mode (no combiner) where the full chain cannot keep up with a face: on the CPU."""
    return device.type == "cpu"


def cpu_supports_bf16() -> bool:
    """True on CPUs with native bf16 maths (AVX-512-BF16 or AMX), where bf16 is faster than fp32."""
    return bool(torch.backends.mkldnn.is_available() and torch.ops.mkldnn._is_mkldnn_bf16_supported())


def resolve_precision(precision: str | None, device: torch.device) -> str:
    """'auto' → fp16 on CUDA, bf16 on CPUs with native bf16, else fp32. Unsupported choices are errors."""
    if precision not in PRECISIONS and precision is not None:
        raise PuppeteerError(f"precision {precision!r} is not one of {', '.join(PRECISIONS)}")
    if precision in (None, "auto"):
        if device.type == "cuda":
            return "fp16"
        return "bf16" if cpu_supports_bf16() else "fp32"
    if precision == "fp16" and device.type != "cuda":
        raise PuppeteerError("fp16 runs on CUDA only; on the CPU use bf16 or fp32")
    if precision == "bf16" and device.type == "cpu" and not cpu_supports_bf16():
        raise PuppeteerError("this CPU has no native bf16 (AVX-512-BF16/AMX); use --precision fp32")
    return precision


class Poser:
    """Turns a character (H×W×4 uint8) and poses into posed pictures. No autograd; batches of poses.

    The fast path: weights moved to the device once, channels_last tensors (what oneDNN and cuDNN convolve
    fastest), `inference_mode`, and optionally `compile_in_background()`, which builds a torch.compile'd chain
    (inductor, frozen weights) while the eager one keeps rendering, and switches over when it is ready.

    `fast` (settable at any time) skips the combiner and the rotator's colour path, and shows the rotator's
    resampled picture: on a CPU about 2.5× the frame rate, for a little less cleanly drawn turned heads.
    """

    def __init__(self, networks: Networks, device="auto", precision="fp32", fast: bool = False):
        self.device = resolve_device(device) if not isinstance(device, torch.device) else device
        self.precision = resolve_precision(precision, self.device)
        self.networks = networks
        self.convention = networks.description.convention
        modules = (networks.face_morpher, networks.two_algo_face_rotator, networks.combiner)
        self._eager = tuple(m.to(self.device, memory_format=torch.channels_last) for m in modules)
        self.face_morpher, self.face_rotator, self.combiner = self._eager
        self._eager_resampler = Resampler(self.face_rotator)
        self._active, self._active_resampler = self._eager, self._eager_resampler
        self.fast = fast
        self.compile_seconds = None  # set once the compiled chain is in use
        self.compile_error = None

    def precision_context(self):
        """Autocast for bf16/fp16; nothing for fp32."""
        if self.precision == "fp32":
            return nullcontext()
        dtype = torch.bfloat16 if self.precision == "bf16" else torch.float16
        return torch.autocast(self.device.type, dtype=dtype)

    @property
    def active_networks(self) -> tuple:
        """(morpher, rotator, combiner) as `chain` runs them: compiled once ready, else eager."""
        return self._active

    @property
    def compiled(self) -> bool:
        return self._active is not self._eager

    def compile_in_background(self, on_ready=None) -> threading.Thread:
        """Compile the chain on a thread; until it is done `chain` stays eager. A missing compiler (no C++
        toolchain, unsupported platform) leaves the eager path in use and the reason in `compile_error`."""
        def work():
            started = time.perf_counter()
            try:
                *compiled, resampler = compile_networks((*self._eager, self._eager_resampler))
                image, pose6 = self.image_tensor(np.zeros((SIZE, SIZE, 4), np.uint8)), self.pose_tensor([Pose()])
                self._run(compiled, image, pose6)  # the first calls compile: both modes, so either is ready
                self._run_fast(compiled[0], resampler, image, pose6)
            except Exception as e:  # the compiler's failures are many and varied; eager still works
                self.compile_error = f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"
            else:
                self.compile_seconds = time.perf_counter() - started
                self._active, self._active_resampler = tuple(compiled), resampler
            if on_ready is not None:
                on_ready(self)

        thread = threading.Thread(target=work, name="compile", daemon=True)
        thread.start()
        return thread

    def image_tensor(self, rgba: np.ndarray) -> torch.Tensor:
        """H×W×4 uint8 → 1×4×H×W on the device, in the model's value convention."""
        x = torch.from_numpy(encode(rgba, self.convention)).unsqueeze(0)
        return x.to(self.device).contiguous(memory_format=torch.channels_last)

    def pose_tensor(self, poses: Sequence[Pose]) -> torch.Tensor:
        return torch.tensor([p.values() for p in poses], dtype=torch.float32, device=self.device)

    @torch.inference_mode()
    def _run(self, networks, image, pose6):
        morpher, rotator, combiner = networks
        image = image.expand(pose6.shape[0], -1, -1, -1)
        with self.precision_context():
            morphed = morpher(image, pose6[:, 3:6])[0]
            rotated = rotator(morphed, pose6[:, 0:3])
            final = combiner(rotated[0], rotated[1], pose6[:, 0:3])[0]
        return [t.float() for t in (morphed, rotated[0], rotated[1], final)]

    @torch.inference_mode()
    def _run_fast(self, morpher, resampler, image, pose6):
        image = image.expand(pose6.shape[0], -1, -1, -1)
        with self.precision_context():
            return resampler(morpher(image, pose6[:, 3:6])[0], pose6[:, 0:3]).float()

    def chain(self, image: torch.Tensor, pose6: torch.Tensor) -> list[torch.Tensor]:
        """[morphed, color_changed, resampled, final] for N images (or one, broadcast) and N×6 poses."""
        return self._run(self._active, image, pose6)

    def pose_image(self, image: torch.Tensor, pose6: torch.Tensor) -> torch.Tensor:
        """The posed pictures: the combiner's, or in fast mode the rotator's resampled ones."""
        if self.fast:
            return self._run_fast(self._active[0], self._active_resampler, image, pose6)
        return self.chain(image, pose6)[3]

    def render(self, rgba: np.ndarray, poses: Sequence[Pose], batch_size: int = 1) -> Iterator[np.ndarray]:
        """Yield one H×W×4 uint8 picture per pose."""
        image = self.image_tensor(rgba)
        for start in range(0, len(poses), batch_size):
            finals = self.pose_image(image, self.pose_tensor(poses[start:start + batch_size]))
            for final in finals.cpu().numpy():
                yield decode(final, self.convention)


class Resampler(torch.nn.Module):
    """The rotator's resampling path as a module of its own, so that torch.compile builds it like a network."""

    def __init__(self, rotator):
        super().__init__()
        self.rotator = rotator

    def forward(self, image: torch.Tensor, pose: torch.Tensor) -> torch.Tensor:
        return self.rotator.resample(image, pose)


def compile_networks(networks):
    """torch.compile each network with inductor's weight freezing (constant-folds and pre-packs the
    convolution weights for oneDNN). Compiled kernels are cached on disk (see `inductor_cache_dir`), so later
    runs start much faster."""
    import torch._inductor.config as inductor_config

    os.environ.setdefault("TORCHINDUCTOR_CACHE_DIR", str(inductor_cache_dir()))
    inductor_config.freezing = True
    return tuple(torch.compile(m, dynamic=False) for m in networks)


def inductor_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or (Path.home() / ".cache")
    return Path(base) / "talking-head-puppeteer" / "inductor"
