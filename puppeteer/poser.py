"""The poser: morpher → rotator → combiner on a device at a precision, exactly as THA v1's demo chains them
(reference README §4)."""
from collections.abc import Iterator, Sequence
from contextlib import nullcontext

import numpy as np
import torch

from .checkpoints import Networks
from .errors import PuppeteerError
from .images import decode, encode
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
    """Turns a character (H×W×4 uint8) and poses into posed pictures. No autograd; batches of poses."""

    def __init__(self, networks: Networks, device="auto", precision="fp32"):
        self.device = resolve_device(device) if not isinstance(device, torch.device) else device
        self.precision = resolve_precision(precision, self.device)
        self.networks = networks
        self.convention = networks.description.convention
        self.face_morpher = networks.face_morpher.to(self.device)
        self.face_rotator = networks.two_algo_face_rotator.to(self.device)
        self.combiner = networks.combiner.to(self.device)

    def _autocast(self):
        if self.precision == "fp32":
            return nullcontext()
        dtype = torch.bfloat16 if self.precision == "bf16" else torch.float16
        return torch.autocast(self.device.type, dtype=dtype)

    def image_tensor(self, rgba: np.ndarray) -> torch.Tensor:
        """H×W×4 uint8 → 1×4×H×W on the device, in the model's value convention."""
        return torch.from_numpy(encode(rgba, self.convention)).unsqueeze(0).to(self.device)

    def pose_tensor(self, poses: Sequence[Pose]) -> torch.Tensor:
        return torch.tensor([p.values() for p in poses], dtype=torch.float32, device=self.device)

    @torch.inference_mode()
    def chain(self, image: torch.Tensor, pose6: torch.Tensor) -> list[torch.Tensor]:
        """[morphed, color_changed, resampled, final] for N images (or one, broadcast) and N×6 poses."""
        image = image.expand(pose6.shape[0], -1, -1, -1)
        with self._autocast():
            morphed = self.face_morpher(image, pose6[:, 3:6])[0]
            rotated = self.face_rotator(morphed, pose6[:, 0:3])
            final = self.combiner(rotated[0], rotated[1], pose6[:, 0:3])[0]
        return [t.float() for t in (morphed, rotated[0], rotated[1], final)]

    def pose_image(self, image: torch.Tensor, pose6: torch.Tensor) -> torch.Tensor:
        return self.chain(image, pose6)[3]

    def render(self, rgba: np.ndarray, poses: Sequence[Pose], batch_size: int = 1) -> Iterator[np.ndarray]:
        """Yield one H×W×4 uint8 picture per pose."""
        image = self.image_tensor(rgba)
        for start in range(0, len(poses), batch_size):
            finals = self.pose_image(image, self.pose_tensor(poses[start:start + batch_size]))
            for final in finals.cpu().numpy():
                yield decode(final, self.convention)
