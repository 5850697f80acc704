"""`puppeteer bench --json` writes every figure issue 8 asks for (fast mode)."""
import json

from puppeteer.cli import main


def test_bench_fast_writes_the_json_fields(tmp_path, capsys):
    out = tmp_path / "bench.json"
    assert main(["bench", "--fast", "--json", str(out)]) == 0
    report = json.loads(out.read_text())
    machine = report["machine"]
    assert {"device", "torch_threads", "native_bf16", "cpu_capability"} <= set(machine)
    lite = report["variants"]["lite"]["paths"]
    assert {"naive", "fp32"} <= set(lite)
    for label, path in lite.items():
        assert path["chain"]["median_ms"] > 0 and path["chain"]["p90_ms"] >= path["chain"]["median_ms"]
        assert set(path["networks"]) == {"face_morpher", "two_algo_face_rotator", "combiner"}
    assert lite["fp32"]["speedup"] > 0
    assert lite["fp32"]["error_vs_fp32"]["max_levels"] >= 0
    for estimator in ("landmarker", "facemesh"):
        assert report["tracking"][estimator]["640x480"]["ms_per_frame"] > 0
    e2e = report["end_to_end"]
    assert e2e["latency_median_ms"] > 0 and e2e["frames_rendered"] > 0 and e2e["precision"] in ("fp32", "bf16")
    goals = {g["goal"]: g for g in report["goals"]}
    assert {"lite chain ≤ 16 ms", "end-to-end latency ≤ 50 ms", "tracking ≤ 10 ms at 640×480"} <= set(goals)
    assert all(isinstance(g["met"], bool) for g in goals.values())
    table = capsys.readouterr().out
    assert "naive" in table and "end to end" in table
    assert main(["bench", "--fast", "--json", str(out)]) == 2  # never overwrites without --overwrite
