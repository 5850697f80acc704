"""A random character's design: every number the rig needs, drawn from one seed, so that rendering itself uses
no randomness and the same (seed, pose) always gives the same bytes."""
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class CharacterSpec:
    seed: int
    radius: float          # cranium radius, px
    centre_y: float        # world Y of the head centre
    skin: tuple
    hair: tuple
    iris: tuple
    line: tuple
    eye_x: float           # eye centre distance from the face's middle, × radius
    eye_y: float           # eye centre below the head centre, × radius
    eye_w: float           # eye half width, × radius
    eye_h: float           # eye half height, × radius
    mouth_y: float         # × radius below the head centre
    mouth_w: float         # half width, × radius
    line_width: float


def random_character(seed: int) -> CharacterSpec:
    rng = np.random.default_rng(seed)
    u = rng.uniform
    return CharacterSpec(
        seed=int(seed), radius=u(37, 43), centre_y=u(6, 10),
        skin=(255, 232, 216), hair=tuple(int(c) for c in rng.integers(40, 230, 3)),
        iris=tuple(int(c) for c in rng.integers(20, 200, 3)), line=(60, 40, 40),
        eye_x=u(0.38, 0.46), eye_y=u(0.2, 0.3), eye_w=u(0.22, 0.27), eye_h=u(0.25, 0.32),
        mouth_y=u(0.85, 0.95), mouth_w=u(0.12, 0.2), line_width=u(1.0, 1.6))
