"""The training loop for one stage: from scratch, fine-tuned from a .pt, or resumed from its own checkpoint;
one process or several under torchrun."""
import itertools
import math
import os
import random
import warnings
from contextlib import contextmanager, nullcontext
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import DataLoader, DistributedSampler

from ..checkpoints import FILES, bottleneck_blocks_of, load_network, load_state_dict, network_from_state, \
    read_description, width_of
from ..data.dataset import PoseDataset
from ..errors import TrainingError
from ..models import NETWORKS
from . import distributed
from .checkpointing import latest_checkpoint, list_checkpoints, read_checkpoint, rng_state, save_checkpoint, \
    set_rng_state
from .config import TrainConfig
from .initialisation import deepen, start_near_identity, widen
from .loading import device_batches
from .losses import TrainingLoss
from .metrics import display_space, psnr
from .monitor import Monitor
from .recolour import recolour_batch
from .stages import STAGES, Stage


def train(cfg: TrainConfig, on_progress=None) -> Path | None:
    """Train a new run into the empty (or new) folder cfg.out; returns the last checkpoint (None on ranks
    other than 0). `on_progress(step, total, validation)` is called at each logged step (validation None) and
    after each validation (its values), on rank 0."""
    cfg.check()
    if list_checkpoints(cfg.out):
        raise TrainingError(f"{cfg.out}: already holds a run's checkpoints; pass --resume to continue it, "
                            "or choose another --out")
    return _launch(cfg, None, on_progress)


def resume(run, overrides: dict | None = None, on_progress=None) -> Path | None:
    """Continue the run in folder `run` from its latest checkpoint, with its own config (plus `overrides`,
    e.g. more steps); returns the last checkpoint."""
    state = read_checkpoint(latest_checkpoint(run))
    saved = TrainConfig.from_dict(state["config"], f"{run} config")
    cfg = saved.updated(overrides or {}, "override")
    if cfg.stage != saved.stage:
        raise TrainingError(f"{run}: is a {saved.stage} run, not a {cfg.stage} one")
    return _launch(cfg.check(), state, on_progress)


def _launch(cfg: TrainConfig, state: dict | None, on_progress) -> Path | None:
    env = distributed.start(cfg.device)
    try:
        with _deterministic(cfg.deterministic, env.device):
            return _run(cfg, env, state, on_progress)
    finally:
        distributed.stop(env)


def _run(cfg: TrainConfig, env: distributed.Env, state: dict | None, on_progress) -> Path | None:
    _seed(cfg.seed + env.rank)
    stage = STAGES[cfg.stage]
    model = build_network(cfg, stage.network, env.device)
    frozen = load_frozen(cfg, stage, env.device)
    train_set, val_set = open_split(cfg, "train"), open_split(cfg, "val", required=False)
    per_epoch = steps_per_epoch(len(train_set), cfg, env.world)
    total = cfg.steps or cfg.epochs * per_epoch
    optimizer = torch.optim.Adam(model.parameters(), lr=cfg.lr, betas=cfg.betas)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_factor(cfg, total))
    loss_fn = TrainingLoss(cfg).to(env.device)
    step = 0
    if state is not None:
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        step = state["step"]
        _restore_rng(state["rng"], env)
    net = distributed.wrap(model, env)
    val_loader = _val_loader(val_set, cfg) if val_set is not None and env.main else None
    monitor = Monitor(cfg, env, total, step, on_progress)
    data = batches(train_set, cfg, env, step, per_epoch)
    last = None
    while step < total:
        parts = train_step(stage, net, frozen, next(data), loss_fn, optimizer, step, cfg, env.device)
        scheduler.step()
        step += 1
        monitor.step(step, parts, scheduler.get_last_lr()[0], log=step % cfg.log_every == 0 or step == total)
        if val_loader is not None and (step % cfg.val_every == 0 or step == total):
            monitor.validation(step, validate(stage, model, frozen, val_loader, loss_fn, step, cfg, env.device))
        if val_loader is not None and step % cfg.image_every == 0:
            monitor.images(step, example_columns(stage, model, frozen, val_loader, cfg, env.device))
        if step % cfg.checkpoint_every == 0 or step == total:
            last = _checkpoint(cfg, env, step, model, optimizer, scheduler)
    monitor.close()
    if not env.main:
        return None
    return last or latest_checkpoint(cfg.out)  # a finished run resumed writes nothing new


def build_network(cfg: TrainConfig, name: str, device) -> torch.nn.Module:
    """The network to train: from scratch starting near the identity, or the weights of cfg.init (fine-tuning),
    deepened when they have fewer bottleneck blocks than cfg asks for, widened when they have fewer channels."""
    size = cfg.network_size()
    if cfg.init:
        state = load_state_dict(cfg.init)
        wanted, trained = size["bottleneck_blocks"], bottleneck_blocks_of(state)
        if trained > wanted:
            raise TrainingError(f"{cfg.init}: has {trained} bottleneck blocks, more than the {wanted} asked for; set "
                                f"bottleneck_blocks to {trained} (a trained network can be deepened, not thinned)")
        trained_width = width_of(state) or size["width"]
        if trained_width > size["width"]:
            raise TrainingError(f"{cfg.init}: is {trained_width} channels wide, more than the {size['width']} asked "
                                f"for; set width to {trained_width} (a trained network can be widened, not narrowed)")
        network = network_from_state(name, state, {**size, "bottleneck_blocks": trained, "width": trained_width},
                                     cfg.init)
        if trained < wanted:
            if trained == 0:
                raise TrainingError(f"{cfg.init}: has no bottleneck blocks to deepen to {wanted}; start from "
                                    f"scratch or from a network that has some")
            network = deepen(network, wanted)
        if trained_width < size["width"]:
            network = widen(network, NETWORKS[name](**size))
    else:
        network = start_near_identity(NETWORKS[name](**size))
    return network.to(device).train().requires_grad_(True)


def load_frozen(cfg: TrainConfig, stage: Stage, device) -> dict:
    """The earlier stages that make this stage's inputs, from the checkpoint folder cfg.frozen."""
    needs = stage.needs(cfg.source)
    if not needs:
        return {}
    if not cfg.frozen:
        hint = " (or set source = \"dataset\" to start from the dataset's morphed images)" \
            if "face_morpher" in needs else ""
        raise TrainingError(f"the {cfg.stage} trains on the output of the frozen {' and '.join(needs)}: pass "
                            f"--frozen DIR, a folder holding {', '.join(FILES[n] for n in needs)}{hint}")
    description = read_description(cfg.frozen)
    if description.convention != cfg.convention:
        raise TrainingError(f"{cfg.frozen}: its networks use the {description.convention} convention, this run "
                            f"{cfg.convention}")
    return {name: load_network(name, Path(cfg.frozen) / FILES[name], description.sizes[name], device)
            for name in needs}


def open_split(cfg: TrainConfig, split: str, required: bool = True):
    if not required and not (Path(cfg.dataset) / split).is_dir():
        return None
    data = PoseDataset(cfg.dataset, split=split, convention=cfg.convention, on_error=cfg.on_data_error)
    return data if len(data) or required else None


def steps_per_epoch(samples: int, cfg: TrainConfig, world: int) -> int:
    steps = samples // world // cfg.batch_size
    if steps == 0:
        raise TrainingError(f"{cfg.dataset}: {samples} training samples are fewer than batch_size {cfg.batch_size} "
                            f"× {world} process(es)")
    return steps


def lr_factor(cfg: TrainConfig, total: int):
    """The scheduler's multiplier of cfg.lr at each step: linear warm-up, then constant or cosine to 0."""
    def factor(step: int) -> float:
        warm = min(1.0, (step + 1) / cfg.warmup_steps) if cfg.warmup_steps else 1.0
        if cfg.lr_schedule == "cosine":
            return warm * 0.5 * (1 + math.cos(math.pi * min(step, total) / total))
        return warm
    return factor


def batches(dataset, cfg: TrainConfig, env: distributed.Env, step: int, per_epoch: int):
    """This process's batches from `step` on, endlessly. The order depends only on the seed and the epoch
    (DistributedSampler's shuffle), so a resumed run gets exactly the batches the interrupted one would have."""
    epoch, skip = divmod(step, per_epoch)
    while True:
        sampler = DistributedSampler(dataset, num_replicas=env.world, rank=env.rank, shuffle=True, seed=cfg.seed,
                                     drop_last=True)
        sampler.set_epoch(epoch)
        indices = list(sampler)[skip * cfg.batch_size: per_epoch * cfg.batch_size]
        loader = DataLoader(dataset, batch_size=cfg.batch_size, sampler=indices, num_workers=cfg.workers,
                            drop_last=True, pin_memory=env.device.type == "cuda",
                            generator=torch.Generator().manual_seed(cfg.seed + epoch))
        yield from device_batches(loader, env.device)
        epoch, skip = epoch + 1, 0


def autocast(device, precision: str):
    if precision == "fp32":
        return nullcontext()
    return torch.autocast(torch.device(device).type, dtype=torch.bfloat16)


def add_noise(image: torch.Tensor, std: float) -> torch.Tensor:
    return image + std * torch.randn_like(image) if std else image


def at_rest(stage: Stage, batch: dict, fraction: float) -> dict:
    """The batch with its first `fraction` of samples (rounded) asked for no change: the stage's pose parameters
    0 and, as the target, the picture its input stands for. On the rig that is the exact truth (the rest pose is
    pose 0), and for pictures unlike the rig's it is the one answer known without a renderer."""
    count = round(fraction * batch["pose"].shape[0])
    if not count:
        return batch
    pose, target = batch["pose"].clone(), batch[stage.target].clone()
    pose[:count, stage.moves] = 0
    target[:count] = batch[stage.reference][:count]
    return {**batch, "pose": pose, stage.target: target}


def train_step(stage: Stage, net, frozen: dict, batch: dict, loss_fn: TrainingLoss, optimizer, step: int,
               cfg: TrainConfig, device) -> dict:
    """One optimiser step; returns the loss and its parts (tensors, not yet synchronised)."""
    batch = at_rest(stage, recolour_batch(batch, cfg.recolour, cfg.convention), cfg.rest_fraction)
    with autocast(device, cfg.precision):
        with torch.no_grad():
            images, pose = stage.inputs(batch, frozen, cfg.source)
        results = net(*[add_noise(x.float(), cfg.noise_std) for x in images], pose)
        loss, parts = loss_fn(stage.compared(results), batch[stage.target], batch[stage.reference], step,
                              flow=stage.flow_of(results))
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    return {"loss": loss.detach(), **{k: v.detach() for k, v in parts.items()}}


@torch.no_grad()
def validate(stage: Stage, model, frozen: dict, loader, loss_fn: TrainingLoss, step: int, cfg: TrainConfig,
             device) -> dict:
    """Mean loss, its parts and each output's PSNR (display space) over the first cfg.val_batches batches."""
    sums, count = {}, 0
    for batch in _first(loader, cfg.val_batches, device):
        _, results = predict(stage, model, frozen, batch, cfg, device)
        outputs = stage.compared(results)
        loss, parts = loss_fn(outputs, batch[stage.target], batch[stage.reference], step, flow=stage.flow_of(results))
        n = batch[stage.target].shape[0]
        target = display_space(batch[stage.target], cfg.convention)
        values = {"loss": loss.item() * n, **{k: v.item() * n for k, v in parts.items()}}
        for name, output in zip(stage.outputs, outputs):
            values[f"psnr_{name}"] = psnr(display_space(output.float(), cfg.convention), target).sum().item()
        for key, value in values.items():
            sums[key] = sums.get(key, 0.0) + value
        count += n
    return {k: v / count for k, v in sums.items()}


@torch.no_grad()
def example_columns(stage: Stage, model, frozen: dict, loader, cfg: TrainConfig, device) -> list:
    """Inputs, outputs and target of the first validation batch, for the image grid."""
    batch = next(_first(loader, 1, device))
    images, results = predict(stage, model, frozen, batch, cfg, device)
    return [*images, *stage.compared(results), batch[stage.target]]


def predict(stage: Stage, model, frozen: dict, batch: dict, cfg: TrainConfig, device) -> tuple[list, list]:
    """The stage's input images and all of the network's results for a batch, without noise."""
    with autocast(device, cfg.precision):
        images, pose = stage.inputs(batch, frozen, cfg.source)
        return images, model(*images, pose)


def _first(loader, n: int, device):
    return itertools.islice(device_batches(loader, device), n or None)


def _val_loader(dataset, cfg: TrainConfig) -> DataLoader:
    """In order; with its own generator, so that its workers' seeds are not drawn from the training RNG."""
    return DataLoader(dataset, batch_size=cfg.batch_size, shuffle=False, num_workers=cfg.workers,
                      generator=torch.Generator().manual_seed(cfg.seed))


def _checkpoint(cfg, env, step, model, optimizer, scheduler) -> Path | None:
    rngs = distributed.gather(rng_state(), env)  # every process's, so each resumes its own noise
    if not env.main:
        return None
    return save_checkpoint(cfg.out, {"step": step, "stage": cfg.stage, "config": cfg.to_dict(),
                                     "model": model.state_dict(), "optimizer": optimizer.state_dict(),
                                     "scheduler": scheduler.state_dict(), "rng": rngs}, cfg.keep_last)


def _restore_rng(states: list, env) -> None:
    if len(states) != env.world:
        warnings.warn(f"the run was saved by {len(states)} process(es) and continues with {env.world}: "
                      "the data order and noise differ from an uninterrupted run")
    set_rng_state(states[env.rank % len(states)])


def _seed(seed: int) -> None:
    torch.manual_seed(seed)
    np.random.seed(seed)
    random.seed(seed)


@contextmanager
def _deterministic(on: bool, device):
    """Deterministic kernels (or cuDNN's autotuner when off) for the run, then the caller's settings back.
    On GPUs a few kernels (grid_sample's backward) have no deterministic version: they warn and run anyway."""
    before = (torch.are_deterministic_algorithms_enabled(), torch.is_deterministic_algorithms_warn_only_enabled(),
              torch.backends.cudnn.benchmark)
    if on and device.type == "cuda":
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")  # cuBLAS needs it for reproducible GEMMs
    torch.use_deterministic_algorithms(on, warn_only=True)
    torch.backends.cudnn.benchmark = not on
    try:
        yield
    finally:
        torch.use_deterministic_algorithms(before[0], warn_only=before[1])
        torch.backends.cudnn.benchmark = before[2]
