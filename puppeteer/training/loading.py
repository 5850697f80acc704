"""Batches from a DataLoader, moved to the device. A dataset error raised in a loading process comes back
wrapped in that process's traceback; it is re-raised here as the one-line error (naming the file) it was."""
import torch

from ..errors import PuppeteerError


def device_batches(loader, device):
    try:
        for batch in loader:
            yield {k: v.to(device, non_blocking=True) if torch.is_tensor(v) else v for k, v in batch.items()}
    except PuppeteerError as e:
        message = str(e)
        if not message.startswith("Caught "):
            raise
        raise type(e)(message.strip().splitlines()[-1].split(": ", 1)[-1]) from None
