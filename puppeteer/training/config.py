"""Training settings: one flat set, read from a TOML file and overridden from the command line.

A file holds common keys at the top and optional ``[morpher]``, ``[rotator]``, ``[combiner]`` tables whose keys
apply to that stage only, so one file describes a whole recipe (see configs/). Every key is also a command-line
flag (``batch_size`` → ``--batch-size``).
"""
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path

from ..errors import TrainingError
from ..models import SIZE_OPTIONS
from .stages import STAGES as STAGE_DEFINITIONS

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

STAGES = tuple(STAGE_DEFINITIONS)  # morpher, rotator, combiner
CHOICES = {
    "stage": STAGES,
    "convention": ("tha1", "ntut"),
    "source": ("morpher", "dataset"),
    "lr_schedule": ("constant", "cosine"),
    "perceptual_variant": ("tha1", "ntut"),
    "precision": ("fp32", "bf16"),
    "on_data_error": ("stop", "skip"),
}


def _key(default, help: str):
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class TrainConfig:
    stage: str = _key("", "which network: morpher, rotator or combiner")
    dataset: str = _key("", "dataset folder (dataset.json, train/, val/)")
    out: str = _key("", "run folder: checkpoints/ and tensorboard/ go here")
    convention: str = _key("tha1", "value convention the network sees: tha1 ([-1,1] linear) or ntut ([0,1] sRGB)")
    width: int = _key(64, "channels of the first layer (THA v1: 64)")
    bottleneck_blocks: int = _key(6, "residual blocks in the bottleneck (THA v1: 6)")
    face_box: tuple = _key((), "morpher only: morph just this square of the picture, top,left,size (e.g. 64,64,128, "
                               "the face), and paste it back; empty: the whole picture (THA v1)")
    downscale: int = _key(1, "work on the pictures (the morpher: its face box) shrunk this many times (1, 2 or 4) "
                             "and enlarge the flow, masks and colours back: 1/downscale² of the work (THA v1: 1)")
    rest_anchor: bool = _key(False, "rotator only: take away the flow predicted at zero turn, so a head that does "
                                    "not turn is not moved at all (THA v1: false)")
    init: str = _key("", "start weights: empty = from scratch, else a .pt to fine-tune from (original THA v1, "
                         "NTUT fork, exported or training checkpoint); one with fewer bottleneck blocks is deepened, "
                         "one with fewer channels widened, computing at first exactly what it did")
    frozen: str = _key("", "checkpoint folder holding the frozen earlier stages")
    source: str = _key("morpher", "what the rotator/combiner chain starts from: the frozen morpher's output "
                                  "(morpher, as THA v1) or the dataset's morphed image (dataset)")
    batch_size: int = _key(8, "images per step and process")
    lr: float = _key(1e-4, "Adam learning rate")
    betas: tuple = _key((0.5, 0.999), "Adam betas, e.g. 0.5,0.999")
    lr_schedule: str = _key("constant", "constant or cosine (decays to 0 at the last step)")
    warmup_steps: int = _key(0, "linear learning-rate warm-up steps")
    steps: int = _key(0, "optimiser steps to train for (0: use epochs)")
    epochs: int = _key(0, "passes over the training split, used when steps is 0")
    l1_weight: float = _key(1.0, "weight of the L1 loss")
    changed_weight: float = _key(0.0, "extra L1 weight on pixels that differ between input and target (0: plain L1)")
    perceptual_weight: float = _key(0.0, "weight of the VGG16 perceptual loss (0: off)")
    perceptual_variant: str = _key("tha1", "tha1: VGG on RGB and on alpha×3; ntut: VGG with a 4-channel first layer")
    perceptual_layers: tuple = _key((1.0, 1.0, 1.0), "weights of relu1_2, relu2_2, relu3_3")
    perceptual_start: int = _key(0, "L1 only before this step, then L1 + perceptual")
    vgg: str = _key("auto", "VGG16 weights: auto (torch hub cache), a path to vgg16-397923af.pth, or random "
                            "(an untrained backbone; for tests)")
    flow_smoothness: float = _key(0.0, "rotator only: weight of the total variation of its predicted flow, in "
                                       "pixels (0: off); keeps turned heads' outlines clean")
    noise_std: float = _key(0.0, "std of Gaussian noise added to the network's input images while training")
    recolour: float = _key(0.0, "share of training samples recoloured (a hue turn of up to 34°, saturation ×0.4–1.2, "
                                "brightness ×0.75–1.15), input and target alike: colours come from the picture")
    rest_fraction: float = _key(0.0, "share of each batch shown at rest (the stage's pose parameters 0, the target "
                                     "its input): teaches it to leave a character alone when nothing moves")
    device: str = _key("auto", "auto, cpu, cuda or cuda:N (under torchrun each process takes its local GPU)")
    precision: str = _key("fp32", "fp32 or bf16 (autocast)")
    seed: int = _key(0, "seed for weights, data order and noise")
    deterministic: bool = _key(False, "deterministic kernels: resumed runs match uninterrupted ones bit for bit")
    workers: int = _key(2, "data-loading processes per training process")
    on_data_error: str = _key("stop", "a damaged or missing dataset file: stop the run, or skip it with a warning")
    log_every: int = _key(10, "steps between logged training losses")
    val_every: int = _key(500, "steps between validations (loss and PSNR on the val split)")
    val_batches: int = _key(4, "validation batches (0: the whole val split)")
    image_every: int = _key(1000, "steps between TensorBoard image grids")
    checkpoint_every: int = _key(1000, "steps between checkpoints (one is always written at the end)")
    keep_last: int = _key(3, "checkpoints kept in the run folder")

    def network_size(self) -> dict:
        """The trained network's size, as model.json records it."""
        size = {"width": self.width, "bottleneck_blocks": self.bottleneck_blocks}
        if self.face_box:
            size["face_box"] = [int(v) for v in self.face_box]
        if self.downscale != 1:
            size["downscale"] = self.downscale
        if self.rest_anchor:
            size["rest_anchor"] = True
        return size

    def to_dict(self) -> dict:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, data: dict, where: str = "config") -> "TrainConfig":
        return cls().updated(data, where)

    def updated(self, data: dict, where: str = "config") -> "TrainConfig":
        """A copy with `data`'s keys set, each checked against the key's type."""
        known = {f.name: f for f in fields(self)}
        values = {}
        for key, value in data.items():
            if key not in known:
                raise TrainingError(f"{where}: unknown setting {key!r}")
            values[key] = _typed(key, value, known[key].default, where)
        return replace(self, **values)

    def check(self) -> "TrainConfig":
        for key, allowed in CHOICES.items():
            if getattr(self, key) not in allowed:
                raise TrainingError(f"{key} = {getattr(self, key)!r}: use one of {', '.join(allowed)}")
        for key in ("dataset", "out"):
            if not getattr(self, key):
                raise TrainingError(f"no {key} given: set it in the config file or pass --{key} DIR")
        if self.steps <= 0 and self.epochs <= 0:
            raise TrainingError("set steps or epochs to a positive number")
        for key in ("width", "bottleneck_blocks", "batch_size", "log_every", "val_every", "image_every",
                    "checkpoint_every", "keep_last"):
            if getattr(self, key) < 1:
                raise TrainingError(f"{key} = {getattr(self, key)} must be at least 1")
        for f in fields(self):
            value = getattr(self, f.name)
            if _is_number(value) and value < 0:
                raise TrainingError(f"{f.name} = {value} must not be negative")
        if self.lr == 0:
            raise TrainingError("lr must be positive")
        if len(self.betas) != 2 or len(self.perceptual_layers) != 3:
            raise TrainingError("betas takes 2 numbers and perceptual_layers 3")
        for key in ("rest_fraction", "recolour"):
            if getattr(self, key) > 1:
                raise TrainingError(f"{key} = {getattr(self, key)} must be a share between 0 and 1")
        if self.flow_smoothness and self.stage != "rotator":
            raise TrainingError("flow_smoothness applies to the rotator only: set it in the config's [rotator] table")
        try:
            for key, (networks, check) in SIZE_OPTIONS.items():
                if getattr(self, key) == type(self).__dataclass_fields__[key].default:  # not set
                    continue
                stages = [name for name in STAGES if STAGE_DEFINITIONS[name].network in networks]
                if self.stage not in stages:
                    raise TrainingError(f"{key} applies to the {' and the '.join(stages)} only: set it in the "
                                        f"config's {' or '.join(f'[{name}]' for name in stages)} table")
                check(getattr(self, key), {"downscale": self.downscale})
        except ValueError as e:
            raise TrainingError(str(e)) from None
        return self


def _typed(key: str, value, default, where: str):
    kind = type(default)
    if kind is tuple and isinstance(value, (list, tuple)) and all(_is_number(v) for v in value):
        return tuple(float(v) for v in value)
    if kind is float and _is_number(value):
        return float(value)
    if type(value) is kind:
        return value
    raise TrainingError(f"{where}: {key} = {value!r} should be {_KIND_NAMES[kind]}")


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


_KIND_NAMES = {int: "an integer", float: "a number", str: "a string", bool: "true or false",
               tuple: "a list of numbers"}


def parse_flag(key: str, text: str):
    """A command-line value for `key`, converted to the key's type."""
    kind = type(TrainConfig.__dataclass_fields__[key].default)
    try:
        if kind is tuple:
            return [float(v) for v in text.split(",")]
        if kind is bool:
            return {"true": True, "false": False}[text.lower()]
        return kind(text)
    except (ValueError, KeyError):
        raise TrainingError(f"--{key.replace('_', '-')} {text}: should be {_KIND_NAMES[kind]}") from None


def read_config(path, stage: str) -> TrainConfig:
    """The file's common keys, then its table for `stage`."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise TrainingError(f"{path}: config file not found") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise TrainingError(f"{path}: cannot read the config file ({e})") from None
    common = {k: v for k, v in data.items() if k not in STAGES}
    if "stage" in common:
        raise TrainingError(f"{path}: the stage is chosen on the command line, not in the file")
    for name in STAGES:
        if name in data and not isinstance(data[name], dict):
            raise TrainingError(f"{path}: [{name}] must be a table")
    return TrainConfig(stage=stage).updated(common, str(path)).updated(data.get(stage, {}), f"{path} [{stage}]")
