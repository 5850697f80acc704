"""Single-process or torchrun: who am I, which device is mine, and the few collective steps training needs.

Launched by ``torchrun --nproc_per_node=N``, each process joins the group (NCCL on GPUs, gloo on the CPU), takes
GPU LOCAL_RANK, trains on its shard of the data and only rank 0 writes files.
"""
import os
from dataclasses import dataclass

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

from ..poser import resolve_device


@dataclass(frozen=True)
class Env:
    rank: int
    world: int
    device: torch.device

    @property
    def main(self) -> bool:
        return self.rank == 0


def start(device: str) -> Env:
    world = int(os.environ.get("WORLD_SIZE", "1"))
    dev = resolve_device(device)
    if world == 1:
        return Env(0, 1, dev)
    if dev.type == "cuda":
        dev = torch.device("cuda", int(os.environ["LOCAL_RANK"]))
        torch.cuda.set_device(dev)
    dist.init_process_group("nccl" if dev.type == "cuda" else "gloo")
    return Env(dist.get_rank(), world, dev)


def stop(env: Env) -> None:
    if env.world > 1 and dist.is_initialized():
        dist.destroy_process_group()


def wrap(model: torch.nn.Module, env: Env) -> torch.nn.Module:
    """DistributedDataParallel (gradients averaged across processes) when there are several."""
    if env.world == 1:
        return model
    return DistributedDataParallel(model, device_ids=[env.device] if env.device.type == "cuda" else None)


def gather(obj, env: Env) -> list:
    """`obj` from every process, in rank order."""
    if env.world == 1:
        return [obj]
    out = [None] * env.world
    dist.all_gather_object(out, obj)
    return out


def barrier(env: Env) -> None:
    if env.world > 1:
        dist.barrier()
