"""The procedural 2.5-D anime character rig: random characters, rendered exactly in any THA v1 pose.

    spec = random_character(seed)            # a CharacterSpec
    rgba = render(spec, Pose(head_y=0.5))    # 256×256×4 uint8, background exactly (0,0,0,0)
    pose = sample_pose(rng)                  # THA v1's training distribution
"""
from .character import CharacterSpec, random_character
from .poses import HEAD_DENSITIES, sample_pose
from .rig import regions, render

# Bump when any change to the rig changes its pixels: a resumed dataset must not mix two versions.
RIG_VERSION = 4

__all__ = ["CharacterSpec", "random_character", "render", "regions", "sample_pose", "HEAD_DENSITIES", "RIG_VERSION"]
