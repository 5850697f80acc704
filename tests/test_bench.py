"""`puppeteer bench --json` writes every figure issue 8 asks for (fast mode)."""
import json

import pytest
import torch

from conftest import changed_copy
from puppeteer.bench import multiply_accumulates
from puppeteer.cli import main


def test_multiply_accumulates_counts_convolutions_and_transposed_ones():
    conv = torch.nn.Conv2d(3, 8, kernel_size=3, padding=1, bias=False)
    assert multiply_accumulates(conv, torch.zeros(1, 3, 10, 10)) == 10 * 10 * 8 * 3 * 3 * 3
    up = torch.nn.ConvTranspose2d(8, 4, kernel_size=4, stride=2, padding=1, bias=False)
    assert multiply_accumulates(up, torch.zeros(2, 8, 5, 5)) == 2 * 5 * 5 * 8 * 4 * 4 * 4
    both = torch.nn.Sequential(conv, torch.nn.ReLU(), torch.nn.Conv2d(8, 8, 1, groups=2))
    assert multiply_accumulates(both, torch.zeros(1, 3, 10, 10)) == 10 * 10 * 8 * 27 + 10 * 10 * 8 * 4
    assert not conv._forward_hooks  # counting leaves the module as it was


def test_bench_fast_writes_the_json_fields(tmp_path, capsys, tiny_checkpoints):
    # a model of its own sizes: each network's, the rotator downscaled
    model = changed_copy(tiny_checkpoints, tmp_path / "model", "two_algo_face_rotator", width=4, downscale=2)
    out = tmp_path / "bench.json"
    assert main(["bench", "--fast", "--checkpoints", str(model), "--json", str(out)]) == 0
    report = json.loads(out.read_text())
    assert report["variants"]["lite"]["size"]["two_algo_face_rotator"] == {"width": 4, "bottleneck_blocks": 1,
                                                                           "downscale": 2}
    machine = report["machine"]
    assert {"device", "torch_threads", "native_bf16", "cpu_capability"} <= set(machine)
    lite = report["variants"]["lite"]["paths"]
    assert {"naive", "fp32", "fp32 fast"} <= set(lite)
    for label, path in lite.items():
        assert path["chain"]["median_ms"] > 0 and path["chain"]["p90_ms"] >= path["chain"]["median_ms"]
        if not path.get("fast"):
            assert set(path["networks"]) == {"face_morpher", "two_algo_face_rotator", "combiner"}
    assert lite["fp32 fast"]["fast"] and lite["fp32 fast"]["error_vs_fp32"]["mean_levels"] < 1
    assert lite["fp32"]["speedup"] > 0
    gmac = report["variants"]["lite"]["gmac"]
    assert gmac["chain"] == pytest.approx(gmac["face_morpher"] + gmac["two_algo_face_rotator"] + gmac["combiner"],
                                          abs=0.002)
    assert gmac["face_morpher"] < gmac["fast"] < gmac["face_morpher"] + gmac["two_algo_face_rotator"]
    rate = 2 * gmac["chain"] / lite["fp32"]["chain"]["median_ms"] * 1000
    assert lite["fp32"]["gflops"] == pytest.approx(rate, rel=0.01, abs=0.06)  # as rounded to 0.1
    assert lite["fp32"]["error_vs_fp32"]["max_levels"] >= 0
    for estimator in ("landmarker", "facemesh"):
        assert report["tracking"][estimator]["640x480"]["ms_per_frame"] > 0
    e2e = report["end_to_end"]
    assert e2e["latency_median_ms"] > 0 and e2e["frames_rendered"] > 0 and e2e["precision"] in ("fp32", "bf16")
    assert e2e["fast"]  # as the app runs on a CPU
    goals = {g["goal"]: g for g in report["goals"]}
    assert {"lite chain ≤ 16 ms", "end-to-end latency ≤ 50 ms", "tracking ≤ 10 ms at 640×480"} <= set(goals)
    assert all(isinstance(g["met"], bool) for g in goals.values())
    lite_goal = goals["lite chain ≤ 16 ms"]
    assert lite_goal["met"] or "GFLOP/s to fit 16 ms" in lite_goal["why"]
    assert f"fast rendering (no combiner): {lite['fp32 fast']['chain']['median_ms']:.1f} ms" in lite_goal["best"]
    table = capsys.readouterr().out
    assert "naive" in table and "end to end" in table
    assert main(["bench", "--fast", "--json", str(out)]) == 2  # never overwrites without --overwrite


def test_bench_needs_the_models_description(tmp_path, capsys):
    assert main(["bench", "--fast", "--checkpoints", str(tmp_path)]) == 2
    assert "no model.json here" in capsys.readouterr().err
