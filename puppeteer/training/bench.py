"""Training throughput: images/s of complete training steps (frozen upstream networks, loss, backward, Adam)
on random pictures, so the number measures the networks and not the disk."""
import time

import torch

from ..models import NETWORKS
from .config import TrainConfig
from .losses import TrainingLoss
from .stages import STAGES
from .trainer import build_network, train_step


def random_batch(batch_size: int, size: int, device) -> dict:
    def image():
        return torch.rand(batch_size, 4, size, size, device=device) * 2 - 1

    return {"rest": image(), "morphed": image(), "posed": image(), "pose": torch.rand(batch_size, 6, device=device)}


def training_throughput(stage: str, width: int = 64, bottleneck_blocks: int = 6, precision: str = "fp32",
                        batch_size: int = 8, size: int = 256, steps: int = 3, warmup: int = 1,
                        perceptual_weight: float = 0.0, device="cpu") -> float:
    """Images/s over `steps` timed training steps, after `warmup` untimed ones."""
    cfg = TrainConfig(stage=stage, width=width, bottleneck_blocks=bottleneck_blocks, precision=precision,
                      batch_size=batch_size, perceptual_weight=perceptual_weight, vgg="random", noise_std=0.01)
    frozen = {"width": width, "bottleneck_blocks": bottleneck_blocks}
    return batch_size / seconds_per_step(cfg, frozen, size, steps, warmup, device)


def seconds_per_step(cfg: TrainConfig, frozen_size: dict, size: int = 256, steps: int = 3, warmup: int = 1,
                     device="cpu") -> float:
    """Seconds per training step of `cfg`'s stage and network size, its frozen upstream networks of
    `frozen_size`, on random pictures."""
    definition = STAGES[cfg.stage]
    model = build_network(cfg.updated({"init": ""}), definition.network, device)
    frozen = {name: NETWORKS[name](**frozen_size).to(device).eval().requires_grad_(False)
              for name in definition.needs(cfg.source)}
    loss_fn = TrainingLoss(cfg).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=cfg.lr, betas=cfg.betas)
    batch = random_batch(cfg.batch_size, size, device)
    for step in range(warmup):
        train_step(definition, model, frozen, batch, loss_fn, optimizer, step, cfg, device)
    start = time.perf_counter()
    for step in range(steps):
        parts = train_step(definition, model, frozen, batch, loss_fn, optimizer, step, cfg, device)
    parts["loss"].item()  # wait for the device
    return (time.perf_counter() - start) / steps
