"""What a running training shows: a progress bar with the loss and images/s, TensorBoard scalars and image
grids (input | output | target). Only rank 0 shows or writes anything."""
import json
import time
from pathlib import Path

import torch
from tqdm import tqdm

from .metrics import display_space

GRID_SAMPLES = 4


class Monitor:
    def __init__(self, cfg, env, total_steps: int, step: int, on_progress=None):
        self.main, self.total, self.on_progress = env.main, total_steps, on_progress
        self.shown = {}  # the progress bar's figures: the latest loss, images/s and validation PSNR
        self.images_per_step = cfg.batch_size * env.world
        self.convention = cfg.convention
        self.bar = tqdm(total=total_steps, initial=step, disable=not self.main, unit="step",
                        desc=f"train {cfg.stage}", dynamic_ncols=True)
        self.writer = None
        if self.main:
            from torch.utils.tensorboard import SummaryWriter  # slow import; rank 0 only

            self.writer = SummaryWriter(str(Path(cfg.out) / "tensorboard"))
            self.writer.add_text("config", f"```\n{json.dumps(cfg.to_dict(), indent=2)}\n```", step)
        self.clock, self.steps_timed = time.perf_counter(), 0

    def step(self, step: int, parts: dict, lr: float, log: bool) -> None:
        """Count a finished step; when `log`, show and record its losses and the images/s since the last log."""
        self.bar.update(1)
        self.steps_timed += 1
        if not (log and self.main):
            return
        now = time.perf_counter()
        rate = self.steps_timed * self.images_per_step / max(now - self.clock, 1e-9)
        self.clock, self.steps_timed = now, 0
        values = {k: v.item() for k, v in parts.items()}
        self.shown.update(loss=f"{values['loss']:.4f}", img_s=f"{rate:.1f}")
        self.bar.set_postfix(self.shown)
        if self.on_progress is not None:
            self.on_progress(step, self.total, None)
        for key, value in values.items():
            self.writer.add_scalar(f"train/{key}", value, step)
        self.writer.add_scalar("train/lr", lr, step)
        self.writer.add_scalar("train/images_per_s", rate, step)

    def validation(self, step: int, values: dict) -> None:
        if not self.main:
            return
        for key, value in values.items():
            self.writer.add_scalar(f"val/{key}", value, step)
        self.bar.write(f"step {step}: " + ", ".join(f"val {k} {v:.4f}" for k, v in values.items()))
        psnrs = [v for k, v in values.items() if k.startswith("psnr_")]
        if psnrs:
            self.shown["val_dB"] = f"{psnrs[-1]:.2f}"  # the last output: resampled for the rotator
            self.bar.set_postfix(self.shown)
        if self.on_progress is not None:
            self.on_progress(step, self.total, values)

    def images(self, step: int, columns: list[torch.Tensor]) -> None:
        """One row per sample, one column per picture (e.g. input, outputs, target), over white."""
        if not self.main:
            return
        rows = []
        for i in range(min(GRID_SAMPLES, columns[0].shape[0])):
            pictures = [display_space(c[i:i + 1].float(), self.convention)[0] for c in columns]
            rows.append(torch.cat([p[:3] * p[3:] + (1 - p[3:]) for p in pictures], dim=2))
        self.writer.add_image("val/input_output_target", torch.cat(rows, dim=1).cpu(), step)

    def close(self) -> None:
        self.bar.close()
        if self.writer is not None:
            self.writer.close()
