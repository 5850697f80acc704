"""Several processes: torchrun on the CPU (gloo) trains with DistributedDataParallel and only rank 0 writes."""
import os
import subprocess
import sys
from pathlib import Path

from test_training import write_dataset

from puppeteer.training.checkpointing import list_checkpoints, read_checkpoint


def test_torchrun_with_two_cpu_processes_writes_one_checkpoint(tmp_path):
    dataset = write_dataset(tmp_path / "dataset", characters=(("train", 1),), poses=4)
    out = tmp_path / "run"
    torchrun = Path(sys.executable).parent / "torchrun"
    command = [str(torchrun), "--standalone", "--nproc_per_node=2", "-m", "puppeteer", "train", "morpher",
               "--dataset", str(dataset), "--out", str(out), "--width", "4", "--bottleneck-blocks", "1",
               "--batch-size", "1", "--steps", "2", "--workers", "0", "--device", "cpu"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=240,
                            env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.count("wrote ") == 1  # rank 0 only
    assert [p.name for p in list_checkpoints(out)] == ["step-00000002.pt"]
    checkpoint = read_checkpoint(out / "checkpoints" / "step-00000002.pt")
    assert len(checkpoint["rng"]) == 2  # both processes' RNG states, for an exact resume
    assert not any(k.startswith("module.") for k in checkpoint["model"])
    assert len(list((out / "tensorboard").iterdir())) == 1
