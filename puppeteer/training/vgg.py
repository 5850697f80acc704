"""VGG16's first three blocks (up to relu3_3) with ImageNet weights: the perceptual losses' backbone.

The layers are laid out as torchvision's ``vgg16().features[:16]``, so the standard ``vgg16-397923af.pth`` loads
by key (``features.N.weight``) without torchvision. The weights cannot be downloaded by this program; they are read
from a path the user gives or from the PyTorch hub cache.
"""
from pathlib import Path

import torch
from torch import nn

from ..errors import TrainingError

VGG_FILE = "vgg16-397923af.pth"
VGG_URL = f"https://download.pytorch.org/models/{VGG_FILE}"
TAPS = (3, 8, 15)  # relu1_2, relu2_2, relu3_3
_LAYOUT = (64, 64, "pool", 128, 128, "pool", 256, 256, 256)


def vgg16_head() -> nn.Sequential:
    """features[0:16] of torchvision's VGG16: conv/ReLU pairs and max-pools."""
    layers, channels = [], 3
    for v in _LAYOUT:
        if v == "pool":
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
        else:
            layers += [nn.Conv2d(channels, v, kernel_size=3, padding=1), nn.ReLU(inplace=True)]
            channels = v
    return nn.Sequential(*layers)


def default_vgg_path() -> Path:
    return Path(torch.hub.get_dir()) / "checkpoints" / VGG_FILE


def load_vgg16_head(spec: str = "auto") -> nn.Sequential:
    """The frozen backbone. `spec`: 'auto' (hub cache), a file path, or 'random' (fixed-seed untrained weights)."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)  # 'random' is the same backbone every time, and never touches the caller's RNG
        head = vgg16_head()
    if spec != "random":
        path = default_vgg_path() if spec == "auto" else Path(spec)
        head.load_state_dict(_read_features(path, head))
    return head.eval().requires_grad_(False)


def _read_features(path: Path, head: nn.Sequential) -> dict:
    if not path.is_file():
        raise TrainingError(
            f"{path}: VGG16 ImageNet weights not found. The perceptual loss needs them: download {VGG_URL} on a "
            f"machine with internet access and copy it to {default_vgg_path()} (or pass --vgg PATH). "
            "--vgg random uses an untrained backbone, for tests only")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
        wanted = {k: state[f"features.{k}"] for k in head.state_dict()}
    except KeyError as e:
        raise TrainingError(f"{path}: not VGG16 weights (no {e.args[0]!r})") from None
    except Exception as e:  # PyTorch reports damaged files with many exception types
        raise TrainingError(f"{path}: cannot read the VGG16 weights ({str(e).splitlines()[0][:120]})") from None
    for key, tensor in head.state_dict().items():
        if wanted[key].shape != tensor.shape:
            raise TrainingError(f"{path}: features.{key} has shape {tuple(wanted[key].shape)}, "
                                f"expected {tuple(tensor.shape)}: not VGG16 weights")
    return wanted
