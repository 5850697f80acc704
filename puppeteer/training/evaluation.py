"""How close each stage, and the whole chain, come to a dataset split's targets: L1, PSNR, SSIM and face-box PSNR
(display space, see metrics), next to the identity baseline (the stage's input image taken as its answer)."""
import json
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import DataLoader, Subset

from ..checkpoints import FILES, load_network, read_description
from ..data.dataset import PoseDataset
from ..errors import TrainingError
from ..files import write_atomically
from ..images import decode
from ..synth.showcase import tile
from .loading import device_batches
from .metrics import image_metrics
from .stages import COMBINER, MORPHER, ROTATOR, STAGES

# row: (stage definition, what the chain starts from, dataset image used as the identity baseline, the outputs
# reported: all of the stage's when empty)
ROWS = {
    "morpher": ("morpher", "dataset", "rest", ()),
    "rotator": ("rotator", "dataset", "morphed", ()),
    "combiner": ("combiner", "dataset", "morphed", ()),
    "chain": ("combiner", "morpher", "rest", ()),
    "fast chain": ("rotator", "morpher", "rest", ("resampled",)),  # the app's fast rendering: no combiner
}
METRICS = ("l1", "psnr", "ssim", "psnr_face")


def _usable_rows(present) -> list[str]:
    rows = []
    for row, (stage, source, _, _) in ROWS.items():
        definition = STAGES[stage]
        if {definition.network, *definition.needs(source)} <= set(present):
            rows.append(row)
    return rows


@torch.no_grad()
def evaluate(folder, dataset, split: str = "test", device="cpu", batch_size: int = 8, limit: int = 0,
             workers: int = 0, on_error: str = "stop") -> dict:
    """Metrics for every stage the checkpoint folder has (and the chain when it has all three)."""
    description, networks = _load(folder, device)
    rows = _usable_rows(networks)
    data = PoseDataset(dataset, split=split, convention=description.convention, on_error=on_error)
    sums: dict = {}
    count = 0
    for batch in device_batches(DataLoader(data, batch_size=batch_size, num_workers=workers), device):
        if limit:
            batch = {k: v[:limit - count] for k, v in batch.items()}
        reused = {name: _Reused(network) for name, network in networks.items()}
        for row in rows:
            stage_name, source, baseline, reported = ROWS[row]
            stage = STAGES[stage_name]
            images, pose = stage.inputs(batch, reused, source)
            target = batch[stage.target]
            answers = dict(zip(stage.outputs, stage.run(reused[stage.network], images, pose)))
            answers = {k: v for k, v in answers.items() if not reported or k in reported}
            answers[f"identity ({baseline})"] = batch[baseline]
            for output, image in answers.items():
                for metric, values in image_metrics(image, target, description.convention).items():
                    key = (row, output, metric)
                    sums[key] = sums.get(key, 0.0) + values.sum().item()
        count += batch["rest"].shape[0]
        if limit and count >= limit:
            break
    if count == 0:
        raise TrainingError(f"{dataset}: the {split} split has no samples")
    results: dict = {}
    for (row, output, metric), total in sums.items():
        results.setdefault(row, {}).setdefault(output, {})[metric] = total / count
    return {"checkpoints": str(folder), "dataset": str(dataset), "split": split, "samples": count,
            "convention": description.convention, "results": results}


class _Reused:
    """A network that answers the same inputs only once: the rows share the morpher's and rotator's work (each
    batch gets new ones; holding the inputs keeps their memory, so no new tensor can take their address)."""

    def __init__(self, network):
        self.network, self.answers = network, {}

    def __call__(self, *inputs):
        key = tuple((t.data_ptr(), t.shape, t.stride()) for t in inputs)
        if key not in self.answers:
            self.answers[key] = inputs, self.network(*inputs)
        return self.answers[key][1]


@torch.no_grad()
def contact_sheet(models, dataset, split: str = "test", samples: int = 6, device="cpu", size: int = 160,
                  fast: bool = False, truth: str = "ground truth") -> np.ndarray:
    """Input | ground truth | each model's chain output (the rotator's resampled image when `fast`: what the app
    shows on a CPU) for samples spread evenly over the split, one row each (the middle of the picture, over light
    grey), for a README or a report. `models`: a checkpoint folder, or {column label: folder} to compare some."""
    models = models if isinstance(models, dict) else {"output": models}
    loaded = {label: _load(folder, device) for label, folder in models.items()}
    for label, (description, networks) in loaded.items():
        if "chain" not in _usable_rows(networks):
            raise TrainingError(f"{models[label]}: a contact sheet shows the whole chain and needs all of "
                                f"{', '.join(FILES.values())}")
    conventions = {description.convention for description, _ in loaded.values()}
    if len(conventions) > 1:
        raise TrainingError(f"{', '.join(map(str, models.values()))}: one contact sheet compares models of one "
                            "value convention")
    data = PoseDataset(dataset, split=split, convention=conventions.pop())
    spread = np.linspace(0, len(data) - 1, min(samples, len(data))).round().astype(int).tolist()  # many characters
    batch = next(device_batches(DataLoader(Subset(data, spread), batch_size=len(spread)), device))
    stage = STAGES["combiner"]
    columns = [("input", batch["rest"]), (truth, batch["posed"])]
    for label, (_, networks) in loaded.items():
        images, pose = stage.inputs(batch, networks, "morpher")
        columns.append((label, images[1] if fast else stage.run(networks[COMBINER], images, pose)[0]))
    rows = []
    for i in range(len(spread)):
        rows.append(np.concatenate([tile(decode(x[i].float().cpu().numpy(), data.convention), size,
                                         label if i == 0 else "") for label, x in columns], axis=1))
    return np.concatenate(rows)


def _load(folder, device) -> tuple:
    """The folder's description and whichever of the three networks it holds, by name."""
    folder = Path(folder)
    if not folder.is_dir():
        raise TrainingError(f"{folder}: checkpoint folder not found")
    description = read_description(folder)
    present = [name for name in (MORPHER, ROTATOR, COMBINER) if (folder / FILES[name]).is_file()]
    if not present:
        raise TrainingError(f"{folder}: holds none of {', '.join(FILES.values())}")
    return description, {name: load_network(name, folder / FILES[name], description.sizes[name], device)
                         for name in present}


def format_table(report: dict) -> str:
    lines = [f"{report['checkpoints']} on {report['dataset']} ({report['split']}, {report['samples']} samples, "
             "display space)",
             f"{'stage':<12}{'output':<20}{'L1':>8}{'PSNR':>8}{'SSIM':>8}{'face PSNR':>11}"]
    for row, outputs in report["results"].items():
        for output, m in outputs.items():
            lines.append(f"{row:<12}{output:<20}{m['l1']:>8.4f}{m['psnr']:>8.2f}{m['ssim']:>8.4f}"
                         f"{m['psnr_face']:>11.2f}")
    return "\n".join(lines)


def write_report(report: dict, path, overwrite: bool = False) -> Path:
    text = json.dumps(report, indent=2) + "\n"
    return write_atomically(Path(path), lambda tmp: Path(tmp).write_text(text), overwrite)
