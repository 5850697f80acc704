"""The networks and the chain reproduce the THA v1 reference vectors (tests/data/tha1_reference), driven through
the package's public API, at the reference README's recommended float32 CPU tolerances."""
import numpy as np
import pytest

from conftest import REFERENCE, load_reference_module

from tha1_runner import run

ATOL = 1e-4
ATOL_RESAMPLED = 2e-4  # bilinear sampling amplifies tiny grid differences (reference README §7)
DOWNSTREAM_OF_RESAMPLING = ("resampled", "rotator_resampled", "combiner_final_image")


@pytest.mark.parametrize("net", ["face_morpher", "two_algo_face_rotator", "combiner", "chain"])
def test_matches_reference(net, tha1_weights):
    check = load_reference_module("check_reference")
    ref = np.load(REFERENCE / f"{net}.npz")
    names = list(ref["stage_names"] if net == "chain" else ref["output_names"])
    failures = []
    for case in range(ref["pose6"].shape[0]):
        if net == "chain":
            inputs = {"image": ref["image"], "pose6": ref["pose6"][case:case + 1]}
        elif net == "combiner":
            inputs = {"first_image": ref["first_image"], "second_image": ref["second_image"],
                      "pose": ref["pose"][case:case + 1]}
        else:
            inputs = {"image": ref["image"], "pose": ref["pose"][case:case + 1]}
        outputs = run(net, inputs, str(tha1_weights))
        assert len(outputs) == len(names)
        for name, out in zip(names, outputs):
            atol = ATOL_RESAMPLED if name in DOWNSTREAM_OF_RESAMPLING else ATOL
            check._compare(f"{net} case{case} {name}", np.asarray(out, np.float32), ref, f"c{case}_{name}",
                           ref["sample_idx"], atol, failures)
    assert not failures, "\n".join(failures)
