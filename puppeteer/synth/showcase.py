"""The bundled sample characters and the README's pictures, rendered by the rig from fixed seeds, and the bundled
model posing real art (prepared Ren'Py sprites, Godette's real renders). After a change to the rig or the model,
`python -m puppeteer.synth.showcase [--before FOLDER]` renders them again (FOLDER: the model shipped before, shown
beside today's on Godette)."""
import argparse
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from .. import images
from ..paths import ASSETS, CHARACTERS
from ..pose import Pose
from .character import random_character
from .poses import sample_pose
from .rig import render

SAMPLES = {"default": 7, "pink-bob": 2, "twin-tails": 14, "elf": 16, "buns": 34, "short-hair": 53,
           "cat-ears": 57}
BACKGROUND = (238, 238, 242)
STRIP = [("rest", Pose()), ("left_eye 1", Pose(left_eye=1)), ("right_eye 1", Pose(right_eye=1)),
         ("mouth 1", Pose(mouth=1)), ("head_x -1", Pose(head_x=-1)), ("head_x +1", Pose(head_x=1)),
         ("head_y -1", Pose(head_y=-1)), ("head_y +1", Pose(head_y=1)), ("neck_z -1", Pose(neck_z=-1)),
         ("neck_z +1", Pose(neck_z=1))]


def tile(rgba: np.ndarray, size: int, label: str = "") -> np.ndarray:
    """The middle 192×192 of a character over the sheet's background, scaled to size×size, with an optional
    caption."""
    middle = images.composite(rgba, BACKGROUND)[32:224, 32:224, :3]
    picture = Image.fromarray(middle).resize((size, size), Image.LANCZOS)
    if label:
        ImageDraw.Draw(picture).text((4, 2), label, fill=(60, 60, 70))
    return np.asarray(picture)


def contact_sheet(first_seed: int = 1000, columns: int = 8, rows: int = 4, size: int = 160) -> np.ndarray:
    """Random characters in random poses (THA v1's sampling)."""
    rng = np.random.default_rng(first_seed)
    tiles = [tile(render(random_character(first_seed + k), sample_pose(rng)), size) for k in range(columns * rows)]
    return np.concatenate([np.concatenate(tiles[r * columns:(r + 1) * columns], axis=1) for r in range(rows)])


def pose_strip(seed: int = SAMPLES["default"], size: int = 192, columns: int = 5) -> np.ndarray:
    """One character with each pose parameter at an extreme."""
    spec = random_character(seed)
    tiles = [tile(render(spec, pose), size, label) for label, pose in STRIP]
    return np.concatenate([np.concatenate(tiles[r:r + columns], axis=1) for r in range(0, len(tiles), columns)])


def template_picture(seed: int = SAMPLES["default"]) -> np.ndarray:
    """The template's face guide over a sample character, with the eyes and mouth animeface finds on it."""
    from ..prepare.faces import find_face
    from ..prepare.preview import draw_preview

    rgba = render(random_character(seed))
    face = find_face(rgba)
    return draw_preview(rgba, face.landmarks if face else None)


SPRITE_POSES = [("input", None), ("eyes closed", Pose(left_eye=1, right_eye=1)), ("mouth open", Pose(mouth=1)),
                ("turned", Pose(head_y=1)), ("up, tilted", Pose(head_x=1, neck_z=-1))]
SPRITES = Path(__file__).resolve().parents[2] / "tests" / "data" / "sprites"


def sprite_sheet(folder: Path = SPRITES, size: int = 192) -> np.ndarray:
    """Each sprite in `folder` prepared onto the template, then posed by the bundled model: one row each."""
    from ..checkpoints import load_networks
    from ..paths import DEFAULT_CHECKPOINTS
    from ..poser import Poser
    from ..prepare import plan_file

    poser = Poser(load_networks(DEFAULT_CHECKPOINTS), device="cpu", precision="fp32")
    rows = []
    for path in sorted(folder.glob("*.png")):
        character = plan_file(path).render()
        posed = [character if pose is None else next(poser.render(character, [pose])) for _, pose in SPRITE_POSES]
        rows.append(np.concatenate([tile(p, size, label if not rows else "")
                                    for p, (label, _) in zip(posed, SPRITE_POSES)], axis=1))
    return np.concatenate(rows)


GODETTE = ASSETS / "validation" / "godette"
GODETTE_SAMPLES = {"eyes-mouth": (3, 4, 6), "random": (1, 3, 5)}


def godette_sheet(before: Path | None = None, size: int = 160) -> np.ndarray:
    """Godette's real renders (input, ground truth) posed by the bundled model in fast rendering, as a CPU shows it,
    with the model in `before` beside it: eyes and mouth on the left, random poses on the right."""
    from ..checkpoints import load_networks
    from ..data import format as fmt
    from ..paths import DEFAULT_CHECKPOINTS
    from ..poser import Poser

    models = ([("bundled", DEFAULT_CHECKPOINTS)] if before is None
              else [("bundled before", before), ("bundled now", DEFAULT_CHECKPOINTS)])
    posers = [(label, Poser(load_networks(folder), device="cpu", fast=True)) for label, folder in models]
    halves = []
    for kind, samples in GODETTE_SAMPLES.items():
        folder = GODETTE / kind / "test" / "Godette_vrm_v4"
        rest, poses = images.read_image(folder / fmt.REST), dict(fmt.read_labels(folder / fmt.LABELS))
        rows = []
        for sample in samples:
            truth = images.read_image(folder / fmt.image_name(sample, "posed"))
            pictures = [("input", rest), ("ground truth", truth)]
            pictures += [(label, next(poser.render(rest, [poses[sample]]))) for label, poser in posers]
            rows.append(np.concatenate([tile(p, size, label if not rows else "") for label, p in pictures], axis=1))
        halves.append(np.concatenate(rows))
    gap = np.full((halves[0].shape[0], 8, 3), 255, np.uint8)
    return np.concatenate([halves[0], gap, halves[1]], axis=1)


def write_assets(before: Path | None = None) -> None:
    for name, seed in SAMPLES.items():
        images.save_png(CHARACTERS / f"{name}.png", render(random_character(seed)), overwrite=True)
    images.save_png(ASSETS / "readme" / "contact_sheet.png", contact_sheet(), overwrite=True)
    images.save_png(ASSETS / "readme" / "pose_strip.png", pose_strip(), overwrite=True)
    images.save_png(ASSETS / "readme" / "template.png", template_picture(), overwrite=True)
    images.save_png(ASSETS / "readme" / "sprites_posed.png", sprite_sheet(), overwrite=True)
    images.save_png(ASSETS / "readme" / "godette_bundled_model.png", godette_sheet(before), overwrite=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--before", type=Path, help="the model shipped before, shown beside today's on Godette")
    write_assets(parser.parse_args().before)
