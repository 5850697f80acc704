"""The render worker: the newest request wins, the dead-band spares unchanged poses, stop never waits on a render."""
import threading
import time

import numpy as np
import pytest
import torch

from puppeteer.checkpoints import load_networks
from puppeteer.images import apply_brightness, encode
from puppeteer.pipeline import RenderPipeline
from puppeteer.pose import Pose
from puppeteer.poser import Poser


class GatedPoser:
    """Returns the input picture unchanged, but each render waits for `gate`: lets a test hold the worker busy."""

    convention = "ntut"

    def __init__(self):
        self.started = threading.Event()
        self.gate = threading.Event()
        self.poses = []

    def image_tensor(self, rgba):
        return torch.from_numpy(encode(rgba, self.convention)).unsqueeze(0)

    def pose_tensor(self, poses):
        return torch.tensor([p.values() for p in poses])

    def pose_image(self, image, pose6):
        self.poses.append(Pose.from_values(pose6[0].tolist()))
        self.started.set()
        assert self.gate.wait(5)
        return image


@pytest.fixture
def collected():
    frames = []
    pipeline = RenderPipeline(frames.append)
    pipeline.start()
    yield pipeline, frames
    pipeline.stop()


@pytest.fixture
def rendering(collected):
    """The worker with a blank character and a poser that never waits: each new pose renders at once. The rest
    pose that setting them up renders is waited for and dropped, so a test sees only the frames it asked for."""
    pipeline, frames = collected
    poser = GatedPoser()
    poser.gate.set()
    pipeline.set_character(np.zeros((8, 8, 4), np.uint8))
    pipeline.set_poser(poser)
    assert pipeline.wait_until_idle()
    frames.clear()
    return pipeline, frames


def test_latest_request_wins_and_nothing_queues(collected, tmp_path):
    pipeline, frames = collected
    poser = GatedPoser()
    pipeline.set_character(np.full((8, 8, 4), 200, np.uint8))
    pipeline.set_poser(poser)
    pipeline.submit(Pose(mouth=0.1))
    assert poser.started.wait(5)  # the worker is now busy with the first pose
    for mouth in (0.2, 0.3, 0.4, 0.5):
        pipeline.submit(Pose(mouth=mouth))
    poser.gate.set()
    assert pipeline.wait_until_idle()
    assert [p.mouth for p in poser.poses] == pytest.approx([0.1, 0.5], abs=1e-6)
    assert [f.pose.mouth for f in frames] == [0.1, 0.5]
    assert all(f.latency_s >= f.render_s > 0 for f in frames)


def test_dead_band_skips_an_unchanged_pose_but_not_a_changed_one(collected, tiny_checkpoints):
    from conftest import make_character

    pipeline, frames = collected
    character = make_character()
    pipeline.set_character(character)
    pipeline.set_poser(Poser(load_networks(tiny_checkpoints), "cpu", "fp32"))
    pose = Pose(head_y=0.3, mouth=0.5)
    pipeline.submit(pose)
    assert pipeline.wait_until_idle()
    assert len(frames) == 1

    pipeline.submit(pose.with_values(mouth=0.5 + 4e-4, head_y=0.3 - 4e-4))  # L1 8e-4: inside the dead-band
    assert pipeline.wait_until_idle()
    assert len(frames) == 1 and pipeline.skipped >= 1

    pipeline.submit(pose.with_values(mouth=0.6))
    assert pipeline.wait_until_idle()
    assert len(frames) == 2 and frames[1].pose.mouth == 0.6
    assert not np.array_equal(frames[0].image, frames[1].image)

    pipeline.set_brightness(0.2)  # same pose, new input picture: renders, from the brightened character
    assert pipeline.wait_until_idle()
    assert len(frames) == 3
    poser = Poser(load_networks(tiny_checkpoints), "cpu", "fp32")
    expected = next(poser.render(apply_brightness(character, 0.2), [pose.with_values(mouth=0.6)]))
    np.testing.assert_array_equal(frames[2].image, expected)

    stats = pipeline.stats()
    assert stats.rendered == 3 and stats.skipped >= 1 and stats.latency_ms >= stats.render_ms > 0


def test_render_rate_and_latency_are_measured(rendering):
    pipeline, frames = rendering
    for i in range(5):
        pipeline.submit(Pose(mouth=i / 10), source_time=pipeline.clock() - 0.05)  # a frame taken 50 ms ago
        assert pipeline.wait_until_idle()
    stats = pipeline.stats()
    assert stats.rendered == 5 and stats.render_fps > 0
    assert 50 <= stats.latency_ms < 1000 and stats.latency_p90_ms >= stats.latency_ms


def test_stop_returns_promptly_while_a_render_is_running_and_nothing_is_delivered_after():
    frames = []
    pipeline = RenderPipeline(frames.append)
    pipeline.start()
    poser = GatedPoser()
    pipeline.set_character(np.zeros((8, 8, 4), np.uint8))
    pipeline.set_poser(poser)
    assert poser.started.wait(5)
    start = time.perf_counter()
    stopped = pipeline.stop(timeout=0.3)
    assert time.perf_counter() - start < 0.5
    assert not stopped  # the render is still running...
    poser.gate.set()
    time.sleep(0.2)
    assert frames == []  # ...and its result is dropped


def test_a_failing_render_is_reported_in_words_and_the_worker_goes_on(collected):
    pipeline, frames = collected
    errors = []
    pipeline.on_error = errors.append
    poser = GatedPoser()
    poser.gate.set()
    broken = GatedPoser()
    broken.pose_image = lambda image, pose6: (_ for _ in ()).throw(RuntimeError("out of memory"))
    pipeline.set_character(np.zeros((8, 8, 4), np.uint8))
    pipeline.set_poser(broken)
    assert pipeline.wait_until_idle()
    assert errors == ["rendering failed: out of memory"] and frames == []
    pipeline.set_poser(poser)
    assert pipeline.wait_until_idle()
    assert len(frames) == 1


def test_the_voice_mouth_renders_when_shown_and_the_camera_mouth_returns_without_it(rendering):
    pipeline, frames = rendering
    pipeline.submit(Pose(head_y=0.4, mouth=0.2))
    pipeline.set_voice(0.9)  # the camera's mouth is shown: the voice changes nothing
    assert pipeline.wait_until_idle()
    assert [f.pose.mouth for f in frames] == [0.2]

    pipeline.set_mouth_source("voice")
    assert pipeline.wait_until_idle()
    pipeline.set_voice(0.7, source_time=pipeline.clock() - 0.02)  # the voice alone re-renders, head kept
    assert pipeline.wait_until_idle()
    pipeline.set_mouth_source("both")
    pipeline.set_voice(0.0)  # both: the camera's open mouth still shows
    assert pipeline.wait_until_idle()
    pipeline.set_voice(0.8)
    assert pipeline.wait_until_idle()
    pipeline.set_mouth_source("voice")
    assert pipeline.wait_until_idle()
    pipeline.set_voice(None)  # the microphone is gone: back to the camera's mouth
    assert pipeline.wait_until_idle()
    assert [f.pose.mouth for f in frames] == pytest.approx([0.2, 0.9, 0.7, 0.2, 0.8, 0.2])
    assert all(f.pose.head_y == 0.4 for f in frames) and frames[2].latency_s >= 0.02
    with pytest.raises(ValueError, match="camera, voice, both"):
        pipeline.set_mouth_source("lips")
