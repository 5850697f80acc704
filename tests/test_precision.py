"""The precision choice: explicit ones checked against the device, `auto` decided by measurement on CPUs with
native bf16 (simulated here for both kinds of CPU), remembered per machine, model and path."""
import json
import time

import numpy as np
import pytest
import torch

from conftest import make_character, write_tiny_checkpoints
from puppeteer import poser as poser_module
from puppeteer import precision
from puppeteer.checkpoints import load_networks
from puppeteer.errors import PuppeteerError
from puppeteer.pose import Pose
from puppeteer.poser import Poser
from puppeteer.precision import Measurement, decide, measure, resolve_precision

CPU = torch.device("cpu")
FAST_AND_CLOSE = Measurement(fp32_ms=20.0, bf16_ms=12.0, mean_levels=0.2, max_levels=9)


@pytest.fixture
def native(monkeypatch):
    """Simulate a CPU with (True) or without (False) native bf16."""
    def set_(value: bool):
        monkeypatch.setattr(precision, "cpu_supports_bf16", lambda: value)
    return set_


@pytest.fixture
def fake_measure(monkeypatch):
    """Replace the measurement by `result`; returns a list of what each measurement's render gave (fp32, neutral)."""
    calls = []

    def use(result: Measurement):
        monkeypatch.setattr(poser_module, "measure", lambda render, frame: calls.append(render("fp32", Pose()))
                            or result)
        return calls
    return use


@pytest.mark.parametrize("has_bf16", [True, False])
def test_explicit_precisions_are_checked_against_the_cpu(native, has_bf16):
    native(has_bf16)
    assert resolve_precision("auto", CPU) == "fp32"  # the start: a measurement may switch to bf16
    assert resolve_precision("fp32", CPU) == "fp32"
    if has_bf16:
        assert resolve_precision("bf16", CPU) == "bf16"
    else:
        with pytest.raises(PuppeteerError, match="no native bf16"):
            resolve_precision("bf16", CPU)
    with pytest.raises(PuppeteerError, match="CUDA only"):
        resolve_precision("fp16", CPU)
    with pytest.raises(PuppeteerError, match="not one of"):
        resolve_precision("fp8", CPU)


def test_automatic_precision_on_cuda_is_fp16():
    assert resolve_precision("auto", torch.device("cuda")) == "fp16"
    assert precision.first_choice("auto", torch.device("cuda")).measured


@pytest.mark.parametrize("measurement, kept", [
    (FAST_AND_CLOSE, True),
    (Measurement(20.0, 18.5, 0.2, 9), False),  # 8 % faster: not worth it
    (Measurement(20.0, 24.0, 0.0, 0), False),  # slower
    (Measurement(20.0, 10.0, 0.6, 9), False),  # too far on average
    (Measurement(20.0, 10.0, 0.2, 17), False),  # too far somewhere
    (Measurement(20.0, 18.0, 0.5, 16), True),  # exactly at every limit
])
def test_bf16_is_kept_only_when_clearly_faster_and_close(measurement, kept):
    choice = decide(measurement)
    assert choice.precision == ("bf16" if kept else "fp32") and choice.measured
    assert f"{measurement.bf16_ms:.1f} against fp32's {measurement.fp32_ms:.1f} ms" in choice.reason
    if not kept and measurement.fp32_ms / measurement.bf16_ms >= 1.1:
        assert f"{measurement.max_levels} at most" in choice.reason


def test_measure_times_both_precisions_and_compares_their_pictures():
    rendered, timed = [], []

    def render(p, pose):
        rendered.append((p, pose))
        picture = np.zeros((4, 4, 4), np.uint8)
        if p == "bf16" and pose == Pose():
            picture[0, 0, 0] = 20  # one pixel 20 levels off in the neutral pose
        return picture

    def frame(p):
        timed.append(p)
        time.sleep(0.004 if p == "fp32" else 0.001)

    m = measure(render, frame, frames=3)
    assert m.bf16_ms < m.fp32_ms and m.fp32_ms >= 4
    assert m.max_levels == 20 and m.mean_levels == pytest.approx(20 / (3 * 4 * 4 * 4), abs=1e-3)
    assert [p for p, _ in rendered] == ["fp32"] * 3 + ["bf16"] * 3  # compared first: the untimed warm-up
    assert timed == ["fp32", "bf16"] * 3  # then alternately timed


def test_without_native_bf16_auto_is_fp32_and_nothing_is_measured(native, fake_measure, tiny_checkpoints):
    native(False)
    calls = fake_measure(FAST_AND_CLOSE)
    poser = Poser(load_networks(tiny_checkpoints), "cpu", "auto")
    poser.optimise_in_background(compile=False).join()
    assert poser.precision == "fp32" and "no native bf16" in poser.choice().reason and calls == []


def test_auto_measures_each_mode_once_and_reuses_the_remembered_choice(native, fake_measure, tiny_checkpoints,
                                                                      tmp_path, precision_choices):
    native(True)
    calls = fake_measure(FAST_AND_CLOSE)
    poser = Poser(load_networks(tiny_checkpoints), "cpu", "auto")
    assert poser.precision == "fp32" and not poser.choice().measured  # fp32 renders until measured
    character = make_character(1)
    poser.optimise_in_background(compile=False, character=lambda: character).join()
    assert len(calls) == 2  # full chain, then fast rendering: each renders the character given
    fp32 = Poser(load_networks(tiny_checkpoints), "cpu", "fp32")
    np.testing.assert_array_equal(calls[0], next(fp32.render(character, [Pose()])))
    assert poser.precision == "bf16" and poser.choice(fast=True).precision == "bf16"
    assert poser.choice().reason.startswith("measured: bf16 is 1.67× as fast")
    stored = json.loads(precision_choices.read_text())
    assert len(stored) == 2 and all(entry["precision"] == "bf16" and entry["bf16_ms"] == 12.0
                                    for entry in stored.values())

    again = Poser(load_networks(tiny_checkpoints), "cpu", "auto", fast=True)
    again.choose_precision(make_character())
    assert len(calls) == 2 and again.precision == "bf16"  # remembered: not measured again

    other = Poser(load_networks(write_tiny_checkpoints(tmp_path / "other", seed=1)), "cpu", "auto")
    other.choose_precision(make_character(), modes=(False,))
    assert len(calls) == 3  # other weights of the same size are measured anew

    explicit = Poser(load_networks(tiny_checkpoints), "cpu", "fp32")
    explicit.choose_precision(make_character())
    assert explicit.precision == "fp32" and explicit.choice().reason == "as asked" and len(calls) == 3


def test_a_short_job_takes_a_remembered_choice_without_measuring(native, fake_measure, tiny_checkpoints):
    native(True)
    calls = fake_measure(FAST_AND_CLOSE)
    poser = Poser(load_networks(tiny_checkpoints), "cpu", "auto")
    poser.choose_precision(make_character(), measure_missing=False)
    assert calls == [] and poser.precision == "fp32" and not poser.choice().measured


def test_the_real_measurement_renders_the_model_at_both_precisions(native, tiny_checkpoints):
    native(True)
    poser = Poser(load_networks(tiny_checkpoints), "cpu", "auto", fast=True)
    poser.choose_precision(make_character(), modes=(True,))
    choice = poser.choice()
    assert choice.measured and choice.reason.startswith("measured: bf16")
    fp32 = next(Poser(load_networks(tiny_checkpoints), "cpu", "fp32", fast=True).render(make_character(), [Pose()]))
    bf16 = next(Poser(load_networks(tiny_checkpoints), "cpu", "bf16", fast=True).render(make_character(), [Pose()]))
    differ = np.abs(fp32.astype(int) - bf16.astype(int)).max()
    entry = next(iter(json.loads(precision.choices_file().read_text()).values()))
    assert entry["max_levels"] >= differ  # the neutral pose is among those compared
    assert choice.precision == ("bf16" if entry["max_levels"] <= 16 and entry["mean_levels"] <= 0.5
                                and entry["fp32_ms"] >= 1.1 * entry["bf16_ms"] else "fp32")
    assert poser.render(make_character(), [Pose()])  # renders at what it chose


def test_a_failed_measurement_leaves_fp32_running(native, monkeypatch, tiny_checkpoints):
    native(True)

    def broken(render, frame):
        raise RuntimeError("oneDNN has no bf16 kernel for this")

    monkeypatch.setattr(poser_module, "measure", broken)
    poser = Poser(load_networks(tiny_checkpoints), "cpu", "auto")
    poser.optimise_in_background(compile=False).join()
    assert poser.precision == "fp32" and "measuring bf16 failed: oneDNN" in poser.choice().reason


def test_a_damaged_choices_file_is_measured_over(native, fake_measure, tiny_checkpoints, precision_choices):
    native(True)
    precision_choices.write_text("{not json")
    calls = fake_measure(FAST_AND_CLOSE)
    poser = Poser(load_networks(tiny_checkpoints), "cpu", "auto")
    poser.choose_precision(make_character(), modes=(False,))
    assert len(calls) == 1 and poser.choice(fast=False).precision == "bf16"
    assert len(json.loads(precision_choices.read_text())) == 1


def test_the_compiled_path_has_its_own_choice(native, fake_measure, tiny_checkpoints, precision_choices):
    native(True)
    calls = fake_measure(FAST_AND_CLOSE)
    poser = Poser(load_networks(tiny_checkpoints), "cpu", "auto")
    poser.choose_precision(make_character(), modes=(False,))  # eager: measured
    assert len(calls) == 1 and poser.precision == "bf16"
    poser.optimise_in_background(compile=True).join()
    assert poser.compiled, poser.compile_error
    assert len(calls) == 3 and poser.precision == "bf16"  # compiled, both modes measured anew
    assert sorted(key.rsplit("|| ", 1)[1] for key in json.loads(precision_choices.read_text())) == [
        "compiled fast", "compiled full", "eager full"]
    image = poser.image_tensor(make_character())
    assert poser.pose_image(image, poser.pose_tensor([Pose()])).shape == (1, 4, 256, 256)
