"""What a synthetic dataset holds, as pure functions of (seed, character index, sample number), so that the
on-the-fly loader and `puppeteer dataset synth` produce exactly the same characters, poses and pixels."""
import numpy as np

from ..errors import DatasetError
from ..pose import Pose
from ..synth import CharacterSpec, random_character, render, sample_pose
from ..synth.character import VARIETIES, WIDENING, WIDENINGS, widen


def character_id(index: int) -> str:
    return f"c{index:05d}"


def check_variety(variety: str, widening: int) -> None:
    if variety not in VARIETIES:
        raise DatasetError(f"variety must be one of {', '.join(VARIETIES)}, not {variety!r}")
    if widening not in WIDENINGS:
        raise DatasetError(f"widening must be one of {', '.join(map(str, WIDENINGS))}, not {widening!r}")


def character_spec(seed: int, index: int, variety: str = "standard", widening: int = WIDENING) -> CharacterSpec:
    """`variety` "wide" moves half of the characters toward real art (synth.character.widen, by `widening`)."""
    check_variety(variety, widening)
    state = np.random.SeedSequence([seed, index, 0]).generate_state(1)[0]
    spec = random_character(int(state))
    return widen(spec, widening) if variety == "wide" else spec


def sample_pose_for(seed: int, index: int, sample: int, head_density: str = "linear") -> Pose:
    return sample_pose(np.random.default_rng([seed, index, 1, sample]), head_density)


def render_rest(spec: CharacterSpec) -> np.ndarray:
    return render(spec, Pose())


def render_sample(spec: CharacterSpec, pose: Pose) -> tuple[np.ndarray, np.ndarray]:
    """(morphed, posed): the eyes and mouth of `pose` alone, then all six parameters."""
    morphed = render(spec, Pose(0.0, 0.0, 0.0, *pose.morph))
    return morphed, render(spec, pose)
