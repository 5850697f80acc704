"""Networks trained from scratch start as (nearly) the identity: they return their input, not noise."""
import torch

from conftest import make_character
from puppeteer.images import encode
from puppeteer.models import NETWORKS
from puppeteer.training.config import TrainConfig
from puppeteer.training.trainer import build_network


def _network(stage: str, name: str) -> torch.nn.Module:
    torch.manual_seed(0)
    cfg = TrainConfig(stage=stage, width=8, bottleneck_blocks=1)
    return build_network(cfg, name, torch.device("cpu")).eval()


def _character() -> torch.Tensor:
    return torch.from_numpy(encode(make_character(), "tha1"))[None]


@torch.no_grad()
def test_a_new_morpher_mostly_keeps_its_input_and_lets_its_colour_learn():
    image, pose = _character(), torch.tensor([[1.0, 1.0, 1.0]])
    output, alpha, color = _network("morpher", "face_morpher")(image, pose)
    assert 0.75 < alpha.median() < 0.95  # mostly the input, not saturated
    assert color.abs().max() < 0.1  # unsaturated: the colour gets gradient wherever alpha lets it through
    untrained = NETWORKS["face_morpher"](width=8, bottleneck_blocks=1).eval()(image, pose)[0]
    assert (output - image).abs().mean() < 0.6 * (untrained - image).abs().mean()  # THA v1's start is farther


@torch.no_grad()
def test_a_new_rotator_resamples_without_moving_and_its_colour_path_keeps_the_input():
    image, pose = _character(), torch.tensor([[0.5, -1.0, 0.3]])
    color_changed, resampled = _network("rotator", "two_algo_face_rotator")(image, pose)[:2]
    torch.testing.assert_close(resampled, image, atol=1e-4, rtol=0)  # grid rounding only
    assert (color_changed - image).abs().mean() < 0.02


@torch.no_grad()
def test_a_new_combiner_returns_the_mean_of_its_two_inputs():
    first, second = _character(), torch.flip(_character(), dims=[3])
    final = _network("combiner", "combiner")(first, second, torch.zeros(1, 3))[0]
    assert (final - (first + second) / 2).abs().mean() < 0.02
