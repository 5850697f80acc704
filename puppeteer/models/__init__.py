"""The three THA v1 networks, one file each. Defaults are THA v1's; `width` and `bottleneck_blocks` make the
smaller variants this project trains."""
from .blocks import check_downscale
from .combiner import Combiner
from .face_morpher import FaceMorpher, check_face_box
from .face_rotator import TwoAlgoFaceRotator

NETWORKS = {
    "face_morpher": FaceMorpher,
    "two_algo_face_rotator": TwoAlgoFaceRotator,
    "combiner": Combiner,
}

# Sizes only some networks take (the morpher saves work with a face box; all three by downscaling): which
# networks, and the check that explains a bad value.
SIZE_OPTIONS = {
    "face_box": (("face_morpher",), check_face_box),
    "downscale": (tuple(NETWORKS), check_downscale),
}

__all__ = ["FaceMorpher", "TwoAlgoFaceRotator", "Combiner", "NETWORKS", "SIZE_OPTIONS"]
