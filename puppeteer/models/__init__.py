"""The three THA v1 networks, one file each. Defaults are THA v1's; `width` and `bottleneck_blocks` make the
smaller variants this project trains."""
from .blocks import check_downscale
from .combiner import Combiner
from .face_morpher import FaceMorpher, check_face_box
from .face_rotator import TwoAlgoFaceRotator, check_rest_anchor

NETWORKS = {
    "face_morpher": FaceMorpher,
    "two_algo_face_rotator": TwoAlgoFaceRotator,
    "combiner": Combiner,
}

# Sizes only some networks take (the morpher saves work with a face box, all three by downscaling; the rotator can
# anchor its flow at rest): which
# networks, and the check that explains a bad value given the network's options checked before it (downscale
# first: the face box must suit it).
SIZE_OPTIONS = {
    "downscale": (tuple(NETWORKS), lambda downscale, size: check_downscale(downscale)),
    "face_box": (("face_morpher",), lambda box, size: check_face_box(box, downscale=size.get("downscale", 1))),
    "rest_anchor": (("two_algo_face_rotator",), lambda anchor, size: check_rest_anchor(anchor)),
}

__all__ = ["FaceMorpher", "TwoAlgoFaceRotator", "Combiner", "NETWORKS", "SIZE_OPTIONS"]
