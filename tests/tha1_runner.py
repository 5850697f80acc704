"""The runner that tests/data/tha1_reference/check_reference.py drives: the package's public API on the
reference inputs (see that script's docstring for the interface)."""
from pathlib import Path

import torch

from puppeteer.checkpoints import FILES, load_network, load_networks, THA1_SIZE
from puppeteer.poser import Poser

_cache = {}


def run(net, inputs, weights_dir):
    t = {k: torch.from_numpy(v) for k, v in inputs.items()}
    if net == "chain":
        if "poser" not in _cache:
            _cache["poser"] = Poser(load_networks(weights_dir), device="cpu", precision="fp32")
        return [x.numpy() for x in _cache["poser"].chain(t["image"], t["pose6"])]
    if net not in _cache:
        _cache[net] = load_network(net, Path(weights_dir) / FILES[net], THA1_SIZE)
    with torch.inference_mode():
        if net == "combiner":
            outs = _cache[net](t["first_image"], t["second_image"], t["pose"])
        else:
            outs = _cache[net](t["image"], t["pose"])
    return [o.numpy() for o in outs]
