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
from .images import SIZE, decode, encode, load_character
from .paths import DEFAULT_CHARACTER
from .pose import Pose
from .precision import (COMPARED_POSES, Choice, ChoiceCache, Measurement, decide, first_choice, machine_key,
                        measure, model_key)


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


class Poser:
    """Turns a character (H×W×4 uint8) and poses into posed pictures. No autograd; batches of poses.

    The fast path: weights moved to the device once, channels_last tensors (what oneDNN and cuDNN convolve
    fastest), `inference_mode`, and optionally `optimise_in_background()`, which builds a torch.compile'd chain
    (inductor, frozen weights) while the eager one keeps rendering, switches over when it is ready, and for
    precision `auto` measures whether bf16 pays (see `puppeteer.precision`).

    `fast` (settable at any time) skips the combiner and the rotator's colour path, and shows the rotator's
    resampled picture: on a CPU about 2.5× the frame rate, for a little less cleanly drawn turned heads.
    Each path (eager or compiled, fast or full) has its own precision choice, since bf16 pays on some only.
    """

    def __init__(self, networks: Networks, device="auto", precision="fp32", fast: bool = False):
        self.device = resolve_device(device) if not isinstance(device, torch.device) else device
        self._first_choice = first_choice(precision, self.device)
        self._choices = {}  # (compiled, fast) → Choice, once known
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
        self._model_key = None

    # --- precision ---------------------------------------------------------------------------------------------

    def choice(self, fast: bool | None = None) -> Choice:
        """The precision the path in use runs at (fast or full: `fast`, default the current mode), and why."""
        return self._choices.get((self.compiled, self.fast if fast is None else fast), self._first_choice)

    @property
    def precision(self) -> str:
        return self.choice().precision

    def precision_context(self, precision: str | None = None):
        """Autocast for bf16/fp16; nothing for fp32."""
        precision = precision or self.precision
        if precision == "fp32":
            return nullcontext()
        dtype = torch.bfloat16 if precision == "bf16" else torch.float16
        return torch.autocast(self.device.type, dtype=dtype)

    def _cache_key(self, compiled: bool, fast: bool) -> str:
        if self._model_key is None:
            self._model_key = model_key(self.networks)
        return (f"{machine_key()} || {self._model_key} || {'compiled' if compiled else 'eager'} "
                f"{'fast' if fast else 'full'}")

    def choose_precision(self, character: np.ndarray | None = None, modes=None, measure_missing: bool = True) -> None:
        """For precision `auto` on a CPU with native bf16: each mode's remembered choice for the path in use, else
        (with `measure_missing`) a measurement on `character` (default: the bundled one), remembered."""
        if self._first_choice.measured:
            return
        cache = ChoiceCache()
        compiled = self.compiled
        for fast in (self.fast, not self.fast) if modes is None else modes:
            key = self._cache_key(compiled, fast)
            choice = cache.get(key)
            if choice is None and measure_missing:
                if character is None:
                    character = load_character(DEFAULT_CHARACTER)
                measurement = self._measure(fast, character)
                choice = decide(measurement)
                cache.put(key, choice, measurement)
            if choice is not None:
                self._choices[(compiled, fast)] = choice

    def _measure(self, fast: bool, character: np.ndarray) -> Measurement:
        """bf16 against fp32 on the path in use, one pose at a time as the app renders (`measure`)."""
        image = self.image_tensor(character)
        timed_pose = self.pose_tensor([COMPARED_POSES[1]])

        def render(precision: str, pose: Pose) -> np.ndarray:
            out = self._pose_image(image, self.pose_tensor([pose]), fast, precision)
            return decode(out[0].cpu().numpy(), self.convention)

        def frame(precision: str) -> None:
            self._pose_image(image, timed_pose, fast, precision).cpu()

        return measure(render, frame)

    # --- compiling -----------------------------------------------------------------------------------------------

    @property
    def active_networks(self) -> tuple:
        """(morpher, rotator, combiner) as `chain` runs them: compiled once ready, else eager."""
        return self._active

    @property
    def compiled(self) -> bool:
        return self._active is not self._eager

    def optimise_in_background(self, compile: bool = True, character=None, on_ready=None) -> threading.Thread:
        """On a thread: compile the chain (with `compile`), then settle precision `auto` (see `choose_precision`;
        `character` is a function giving the character to measure on, or None). Until the compiled chain is
        ready `chain` stays eager. A missing compiler (no C++ toolchain, unsupported platform) leaves the eager
        path in use and the reason in `compile_error`."""
        def work():
            if compile:
                self._compile()
            try:
                self.choose_precision(character() if character else None)
            except Exception as e:  # a failed measurement leaves the safe fp32 running
                self._first_choice = Choice("fp32", f"automatic: fp32 (measuring bf16 failed: {e})", True)
            if on_ready is not None:
                on_ready(self)

        thread = threading.Thread(target=work, name="optimise", daemon=True)
        thread.start()
        return thread

    def _compile(self) -> None:
        started = time.perf_counter()
        try:
            *compiled, resampler = compile_networks((*self._eager, self._eager_resampler))
            image, pose6 = self.image_tensor(np.zeros((SIZE, SIZE, 4), np.uint8)), self.pose_tensor([Pose()])
            for fast in (False, True):  # the first calls compile: both modes, so either is ready
                remembered = None if self._first_choice.measured else ChoiceCache().get(self._cache_key(True, fast))
                if remembered is not None:  # compile only the precision that will run
                    self._choices[(True, fast)] = remembered
                precision = (remembered or self._first_choice).precision
                if fast:
                    self._run_fast(compiled[0], resampler, image, pose6, precision)
                else:
                    self._run(compiled, image, pose6, precision)
        except Exception as e:  # the compiler's failures are many and varied; eager still works
            self.compile_error = f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"
        else:
            self.compile_seconds = time.perf_counter() - started
            self._active, self._active_resampler = tuple(compiled), resampler

    # --- rendering -----------------------------------------------------------------------------------------------

    def image_tensor(self, rgba: np.ndarray) -> torch.Tensor:
        """H×W×4 uint8 → 1×4×H×W on the device, in the model's value convention."""
        x = torch.from_numpy(encode(rgba, self.convention)).unsqueeze(0)
        return x.to(self.device).contiguous(memory_format=torch.channels_last)

    def pose_tensor(self, poses: Sequence[Pose]) -> torch.Tensor:
        return torch.tensor([p.values() for p in poses], dtype=torch.float32, device=self.device)

    @torch.inference_mode()
    def _run(self, networks, image, pose6, precision):
        morpher, rotator, combiner = networks
        image = image.expand(pose6.shape[0], -1, -1, -1)
        with self.precision_context(precision):
            morphed = morpher(image, pose6[:, 3:6])[0]
            rotated = rotator(morphed, pose6[:, 0:3])
            final = combiner(rotated[0], rotated[1], pose6[:, 0:3])[0]
        return [t.float() for t in (morphed, rotated[0], rotated[1], final)]

    @torch.inference_mode()
    def _run_fast(self, morpher, resampler, image, pose6, precision):
        image = image.expand(pose6.shape[0], -1, -1, -1)
        with self.precision_context(precision):
            return resampler(morpher(image, pose6[:, 3:6])[0], pose6[:, 0:3]).float()

    def chain(self, image: torch.Tensor, pose6: torch.Tensor) -> list[torch.Tensor]:
        """[morphed, color_changed, resampled, final] for N images (or one, broadcast) and N×6 poses."""
        return self._run(self._active, image, pose6, self.choice(fast=False).precision)

    def _pose_image(self, image, pose6, fast: bool, precision: str) -> torch.Tensor:
        if fast:
            return self._run_fast(self._active[0], self._active_resampler, image, pose6, precision)
        return self._run(self._active, image, pose6, precision)[3]

    def pose_image(self, image: torch.Tensor, pose6: torch.Tensor) -> torch.Tensor:
        """The posed pictures: the combiner's, or in fast mode the rotator's resampled ones."""
        return self._pose_image(image, pose6, self.fast, self.precision)

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
