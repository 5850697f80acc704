"""What each network is trained on: its inputs (made by the frozen earlier stages or taken from the dataset),
its target, and which of its outputs are compared with the target. Evaluation uses the same definitions."""
from dataclasses import dataclass

import torch

MORPHER, ROTATOR, COMBINER = "face_morpher", "two_algo_face_rotator", "combiner"


MORPH_POSE, ROTATE_POSE = slice(3, 6), slice(0, 3)  # the pose columns each network answers


def _morph_pose(batch) -> torch.Tensor:
    return batch["pose"][:, MORPH_POSE]


def _rotate_pose(batch) -> torch.Tensor:
    return batch["pose"][:, ROTATE_POSE]


def _rotator_input(batch, frozen, source: str) -> torch.Tensor:
    if source == "dataset":
        return batch["morphed"]
    return frozen[MORPHER](batch["rest"], _morph_pose(batch))[0]


def _morpher_inputs(batch, frozen, source):
    return [batch["rest"]], _morph_pose(batch)


def _rotator_inputs(batch, frozen, source):
    return [_rotator_input(batch, frozen, source)], _rotate_pose(batch)


def _combiner_inputs(batch, frozen, source):
    rotated = frozen[ROTATOR](_rotator_input(batch, frozen, source), _rotate_pose(batch))
    return rotated[:2], _rotate_pose(batch)  # color_changed (Pumarola), resampled (Zhou)


@dataclass(frozen=True)
class Stage:
    network: str     # key in models.NETWORKS and checkpoints.FILES
    target: str      # the dataset image the outputs should match
    reference: str   # the dataset image the input stands for: pixels where it differs from the target changed
    outputs: tuple   # names of the network's leading outputs compared with the target
    upstream: tuple  # frozen networks needed besides the morpher (which `source` decides)
    inputs: callable  # (batch, frozen networks by name, source) → ([images], pose)
    moves: slice     # the pose columns the stage's network answers
    flow: int | None = None  # index of the network's predicted flow among its outputs, if it has one

    def needs(self, source: str) -> tuple:
        """The frozen networks this stage's inputs come from."""
        morpher = (MORPHER,) if source == "morpher" and self.network != MORPHER else ()
        return morpher + self.upstream

    def run(self, network, images: list[torch.Tensor], pose: torch.Tensor) -> list[torch.Tensor]:
        return self.compared(network(*images, pose))

    def compared(self, results) -> list[torch.Tensor]:
        """The network's outputs that are compared with the target."""
        return list(results[:len(self.outputs)])

    def flow_of(self, results) -> torch.Tensor | None:
        """The network's predicted flow, for the smoothness term (None for networks without one)."""
        return results[self.flow] if self.flow is not None else None


STAGES = {
    "morpher": Stage(MORPHER, "morphed", "rest", ("output_image",), (), _morpher_inputs, MORPH_POSE),
    "rotator": Stage(ROTATOR, "posed", "morphed", ("color_changed", "resampled"), (), _rotator_inputs, ROTATE_POSE,
                     flow=4),  # grid_change
    "combiner": Stage(COMBINER, "posed", "morphed", ("final_image",), (ROTATOR,), _combiner_inputs, ROTATE_POSE),
}
