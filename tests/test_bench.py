"""`puppeteer bench --json` writes every figure issues 8 and 18 ask for (fast mode), on either kind of CPU, keeps
what it measured when a later part fails, and needs no test extras."""
import json
import os
import re
import subprocess
import sys

import pytest
import torch

from conftest import changed_copy
from puppeteer import precision
from puppeteer.bench import multiply_accumulates
from puppeteer.cli import main
from puppeteer.errors import TrackingError
from puppeteer.output.latency import find_browser
from puppeteer.tracking import bench as tracking_bench

NATIVE_LOG = re.compile(r"^[IW]0000 |absl::InitializeLog|TensorFlow Lite XNNPACK", re.MULTILINE)


def test_multiply_accumulates_counts_convolutions_and_transposed_ones():
    conv = torch.nn.Conv2d(3, 8, kernel_size=3, padding=1, bias=False)
    assert multiply_accumulates(conv, torch.zeros(1, 3, 10, 10)) == 10 * 10 * 8 * 3 * 3 * 3
    up = torch.nn.ConvTranspose2d(8, 4, kernel_size=4, stride=2, padding=1, bias=False)
    assert multiply_accumulates(up, torch.zeros(2, 8, 5, 5)) == 2 * 5 * 5 * 8 * 4 * 4 * 4
    both = torch.nn.Sequential(conv, torch.nn.ReLU(), torch.nn.Conv2d(8, 8, 1, groups=2))
    assert multiply_accumulates(both, torch.zeros(1, 3, 10, 10)) == 10 * 10 * 8 * 27 + 10 * 10 * 8 * 4
    assert not conv._forward_hooks  # counting leaves the module as it was


@pytest.mark.parametrize("native", [True, False], ids=["native-bf16", "no-bf16"])
def test_bench_fast_writes_the_json_fields(tmp_path, capsys, tiny_checkpoints, monkeypatch, native):
    monkeypatch.setattr(precision, "cpu_supports_bf16", lambda: native)  # either kind of CPU, on any machine
    # a model of its own sizes: each network's, the rotator downscaled
    model = changed_copy(tiny_checkpoints, tmp_path / "model", "two_algo_face_rotator", width=4, downscale=2)
    out = tmp_path / "bench.json"
    assert main(["bench", "--fast", "--checkpoints", str(model), "--json", str(out)]) == 0
    report = json.loads(out.read_text())
    variant = report["variants"]["lite"]
    assert variant["size"]["two_algo_face_rotator"] == {"width": 4, "bottleneck_blocks": 1, "downscale": 2}
    machine = report["machine"]
    assert {"device", "torch_threads", "native_bf16", "cpu_capability", "cpu"} <= set(machine)
    assert machine["native_bf16"] is native
    assert set(machine["peak_gflops"]) == ({"fp32", "bf16"} if native else {"fp32"})
    assert all(rate > 0 for rate in machine["peak_gflops"].values())
    lite = variant["paths"]
    fastest = "bf16" if native else "fp32"  # the fast row runs at the last precision timed
    assert set(lite) == {"naive", "fp32", f"{fastest} fast"} | ({"bf16"} if native else set())
    for label, path in lite.items():
        assert path["chain"]["median_ms"] > 0 and path["chain"]["p90_ms"] >= path["chain"]["median_ms"]
        if not path.get("fast"):
            assert set(path["networks"]) == {"face_morpher", "two_algo_face_rotator", "combiner"}
    fast = lite[f"{fastest} fast"]
    assert fast["fast"] and fast["precision"] == fastest
    assert lite["fp32"]["speedup"] > 0 and lite["fp32"]["error_vs_fp32"]["max_levels"] <= 1
    if native:  # what auto would decide from these rows, and why
        auto = variant["auto_precision"]
        assert auto["precision"] in ("fp32", "bf16") and auto["reason"].startswith("measured: bf16")
    else:
        assert "auto_precision" not in variant
    gmac = variant["gmac"]
    assert gmac["chain"] == pytest.approx(gmac["face_morpher"] + gmac["two_algo_face_rotator"] + gmac["combiner"],
                                          abs=0.002)
    assert gmac["face_morpher"] < gmac["fast"] < gmac["face_morpher"] + gmac["two_algo_face_rotator"]
    rate = 2 * gmac["chain"] / lite["fp32"]["chain"]["median_ms"] * 1000
    assert lite["fp32"]["gflops"] == pytest.approx(rate, rel=0.01, abs=0.06)  # as rounded to 0.1
    for estimator in ("landmarker", "facemesh"):
        assert report["tracking"][estimator]["640x480"]["ms_per_frame"] > 0
        assert report["tracking"][estimator]["640x480"]["face_found"] == 1.0  # the shipped sample face
    e2e = report["end_to_end"]
    assert e2e["latency_median_ms"] > 0 and e2e["frames_rendered"] > 0 and e2e["precision"] in ("fp32", "bf16")
    assert e2e["precision_reason"].startswith("measured" if native else "automatic: this CPU")
    assert e2e["fast"]  # as the app runs on a CPU
    outputs = report["outputs"]  # the browser source: render thread, /frame.png, a real browser's canvas
    assert 0 < outputs["render_thread_ms"] < 1 and outputs["png"]["median_ms"] > 0 and outputs["size"] == 512
    if find_browser():
        assert outputs["canvas"]["frames"] > 0 and outputs["canvas"]["median_ms"] > 0
    else:
        assert outputs["canvas"].startswith("no browser installed")
    goals = {g["goal"]: g for g in report["goals"]}
    assert {"lite chain ≤ 16 ms", "end-to-end latency ≤ 50 ms", "tracking ≤ 10 ms at 640×480",
            "rendered → /frame.png ≤ 33 ms (512 px)", "render thread ≤ 3 ms a frame for the outputs"} <= set(goals)
    assert all(isinstance(g["met"], bool) for g in goals.values())
    lite_goal = goals["lite chain ≤ 16 ms"]
    peak = max(machine["peak_gflops"].values())
    assert f"lite in 16 ms would need {2 * gmac['chain'] / 16 * 1000:.0f}" in lite_goal["rates"]
    assert f"this machine's peak is {peak:.0f}" in lite_goal["rates"]
    assert lite_goal["met"] or ("GFLOP/s to fit 16 ms" in lite_goal["why"] and " is short" in lite_goal["why"])
    assert f"fast rendering (no combiner): {fast['chain']['median_ms']:.1f} ms" in lite_goal["best"]
    table = capsys.readouterr().out
    assert "naive" in table and "end to end" in table and "rates:" in table and "peak GFLOP/s" in table
    assert main(["bench", "--fast", "--json", str(out)]) == 2  # never overwrites without --overwrite


def test_bench_keeps_what_it_measured_when_a_later_part_fails(tmp_path, capsys, monkeypatch):
    def no_tracking(**kwargs):
        raise TrackingError("the face tracker could not start")

    monkeypatch.setattr(tracking_bench, "time_tracking", no_tracking)
    out = tmp_path / "bench.json"
    assert main(["bench", "--fast", "--json", str(out)]) == 2
    assert "the face tracker could not start" in capsys.readouterr().err
    report = json.loads(out.read_text())
    assert report["variants"]["lite"]["paths"]["fp32"]["chain"]["median_ms"] > 0
    assert report["incomplete"] == "the face tracker could not start" and "tracking" not in report


def test_bench_runs_without_the_test_extras_and_prints_no_native_log_lines(tmp_path):
    """As after the README's first command: scikit-image cannot be imported; MediaPipe's own lines stay hidden."""
    out = tmp_path / "bench.json"
    code = ("import sys; sys.modules['skimage'] = None; from puppeteer.cli import main; "
            f"sys.exit(main(['bench', '--fast', '--json', {str(out)!r}]))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                            env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")})
    assert result.returncode == 0, result.stderr
    assert json.loads(out.read_text())["tracking"]["landmarker"]["640x480"]["face_found"] == 1.0
    assert not NATIVE_LOG.search(result.stderr + result.stdout), result.stderr


def test_bench_needs_the_models_description(tmp_path, capsys):
    assert main(["bench", "--fast", "--checkpoints", str(tmp_path)]) == 2
    assert "no model.json here" in capsys.readouterr().err
