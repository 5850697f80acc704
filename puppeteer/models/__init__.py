"""The three THA v1 networks, one file each. Defaults are THA v1's; `width` and `bottleneck_blocks` make the
smaller variants this project trains."""
from .combiner import Combiner
from .face_morpher import FaceMorpher
from .face_rotator import TwoAlgoFaceRotator

NETWORKS = {
    "face_morpher": FaceMorpher,
    "two_algo_face_rotator": TwoAlgoFaceRotator,
    "combiner": Combiner,
}

__all__ = ["FaceMorpher", "TwoAlgoFaceRotator", "Combiner", "NETWORKS"]
