"""A random character's design: every number the rig needs, drawn from one seed, so that rendering itself uses
no randomness and the same (seed, pose) always gives the same bytes. Lengths are in pixels of the 256-px
picture or, where noted, in units of the head radius."""
from dataclasses import dataclass, replace

import numpy as np

from . import palette as pal

HAIR_BACKS = ("short", "bob", "long", "very_long")
BANGS = ("pointed", "blunt", "swept", "parted")
TAILS = ("none", "twin", "buns")
CLOTHES = ("sailor", "blazer", "hoodie", "shirt", "turtleneck", "dress")
ACCESSORIES = ("ribbon", "clip", "headband", "cat_ears", "glasses")
ACCESSORY_WEIGHTS = (0.26, 0.26, 0.16, 0.1, 0.22)
MOUTHS = ("line", "cat", "small")
NOSES = ("dot", "hook", "shadow")


@dataclass(frozen=True)
class Colors:
    skin: tuple
    skin_shadow: tuple
    skin_line: tuple
    blush: tuple
    hair: tuple
    hair_shadow: tuple
    hair_light: tuple
    hair_line: tuple
    iris: tuple
    iris_dark: tuple
    iris_light: tuple
    lash: tuple
    brow: tuple
    mouth: tuple
    tongue: tuple
    clothes: tuple
    clothes_shadow: tuple
    clothes2: tuple
    accent: tuple
    line: tuple


@dataclass(frozen=True)
class Face:
    radius: float       # cranium radius, px
    centre_y: float     # world Y of the head centre (image y = 128 − centre_y)
    cheek_x: float      # where the jaw leaves the cranium circle, × radius
    cheek_y: float      # (below the centre)
    chin: float         # chin below the centre, × radius
    jaw: float          # jaw fullness near the chin, × radius (small = pointed chin)
    ear_elf: bool
    nose: str
    blush: bool
    nose_size: float = 1.0  # the triangle nose's size, × the standard one


@dataclass(frozen=True)
class Eyes:
    x: float            # eye centre from the face's middle, × radius
    y: float            # eye centre below the head centre, × radius
    w: float            # half width, × radius
    h: float            # half height, × radius
    tilt: float         # outer corner height, × half height (+ = up-turned eyes)
    iris_w: float       # iris radii, × half width / half height
    iris_h: float
    pupil: float        # pupil size, × iris
    lash: float         # upper lash thickness, × half height
    lower_lash: bool
    crease: bool
    brow_y: float       # eyebrow above the eye top, × half height
    brow_tilt: float    # outer end of the eyebrow up (+) or down, × half height
    brow_weight: float = 1.0  # eyebrow thickness, × the standard one
    closed_lift: float = 0.0  # the closed lash line raised toward the eye's middle, × half height


@dataclass(frozen=True)
class Mouth:
    y: float            # below the head centre, × radius
    w: float            # half width, × radius
    depth: float        # how far the lower lip drops when fully open, × radius
    smile: float        # closed-line curvature, × radius
    style: str
    teeth: bool
    fang: bool
    line_tone: float = 1.0  # the lips' line from the skin (0) to the line colour (1)


@dataclass(frozen=True)
class Hair:
    volume: float       # hair thickness over the skull, × radius
    back: str
    back_flare: float   # extra width of the back hair at its bottom, × radius
    bangs: str
    bang_count: int
    bang_length: float  # bang tips above the eye tops, × radius (negative = over the eyes' top)
    part: float         # −1…1: where the parting or sweep goes
    side_length: float  # side locks' length below the head centre, × radius (0 = none)
    side_width: float   # × radius
    ahoge: bool
    tails: str
    tail_length: float  # × radius
    jitter: tuple       # 16 numbers in [-1, 1] that vary lock lengths and tips


@dataclass(frozen=True)
class Body:
    neck_w: float       # neck half width, × radius
    shoulder: float     # shoulder half width, px
    slope: float        # shoulder drop, px
    clothes: str
    tie: bool


@dataclass(frozen=True)
class CharacterSpec:
    seed: int
    colors: Colors
    face: Face
    eyes: Eyes
    mouth: Mouth
    hair: Hair
    body: Body
    accessories: tuple
    line_width: float


def _skin_shades(skin: tuple, rng: np.random.Generator) -> dict:
    return {"skin": skin, "skin_shadow": pal.mix(pal.shade(skin, 0.86, 0.08), (235, 120, 130), 0.12),
            "skin_line": pal.mix(pal.shade(skin, 0.45, 0.25), (90, 40, 40), 0.3),
            "blush": pal.mix(skin, (255, 120, 140), rng.uniform(0.25, 0.4))}


def _colors(rng: np.random.Generator) -> Colors:
    skin = pal.skin(rng)
    hair = pal.hair(rng)
    iris = pal.iris(rng)
    clothes = pal.clothes(rng)
    dark_hair = pal.shade(hair, 0.45, 0.1)
    return Colors(
        **_skin_shades(skin, rng),
        hair=hair, hair_shadow=pal.shade(hair, 0.72, 0.1), hair_light=pal.shade(hair, 1.45),
        hair_line=dark_hair, iris=iris, iris_dark=pal.shade(iris, 0.45, 0.15), iris_light=pal.shade(iris, 1.5),
        lash=pal.mix(dark_hair, (40, 25, 30), 0.6), brow=pal.mix(dark_hair, hair, 0.35),
        mouth=pal.jitter(rng, (150, 55, 65), 10), tongue=pal.jitter(rng, (232, 125, 135), 8),
        clothes=clothes, clothes_shadow=pal.shade(clothes, 0.78) if sum(clothes) > 120 else pal.shade(clothes, 1.3),
        clothes2=pal.clothes(rng), accent=pal.accent(rng), line=pal.jitter(rng, (55, 40, 45), 8))


def random_character(seed: int) -> CharacterSpec:
    """A new character design; the same seed always gives the same character."""
    rng = np.random.default_rng(seed)
    u = rng.uniform
    back = str(rng.choice(HAIR_BACKS, p=[0.2, 0.25, 0.35, 0.2]))
    eye_h = u(0.28, 0.37)
    face = Face(radius=u(37, 41), centre_y=u(7, 10), cheek_x=u(0.9, 0.97), cheek_y=u(0.25, 0.42),
                chin=u(1.12, 1.24), jaw=u(0.18, 0.42), ear_elf=bool(rng.random() < 0.08),
                nose=str(rng.choice(NOSES)), blush=bool(rng.random() < 0.45))
    eyes = Eyes(x=u(0.4, 0.47), y=u(0.22, 0.32), w=u(0.23, 0.28), h=eye_h, tilt=u(-0.15, 0.35),
                iris_w=u(0.58, 0.72), iris_h=u(0.74, 0.88), pupil=u(0.3, 0.45), lash=u(0.16, 0.28),
                lower_lash=bool(rng.random() < 0.6), crease=bool(rng.random() < 0.5), brow_y=u(0.35, 0.75),
                brow_tilt=u(-0.35, 0.2))
    mouth = Mouth(y=u(0.8, 0.9), w=u(0.1, 0.19), depth=u(0.16, 0.24), smile=u(-0.01, 0.05),
                  style=str(rng.choice(MOUTHS, p=[0.55, 0.25, 0.2])), teeth=bool(rng.random() < 0.5),
                  fang=bool(rng.random() < 0.15))
    long_back = back in ("long", "very_long")
    hair = Hair(volume=u(0.08, 0.17), back=back, back_flare=u(0.0, 0.35) if long_back else u(0.0, 0.15),
                bangs=str(rng.choice(BANGS, p=[0.4, 0.2, 0.25, 0.15])), bang_count=int(rng.integers(4, 8)),
                bang_length=u(0.0, 0.2), part=u(-1, 1),
                side_length=0.0 if rng.random() < 0.15 else u(0.8, 2.6 if long_back else 1.5),
                side_width=u(0.18, 0.3), ahoge=bool(rng.random() < 0.35),
                tails=str(rng.choice(TAILS, p=[0.7, 0.2, 0.1])), tail_length=u(2.0, 3.4),
                jitter=tuple(float(v) for v in u(-1, 1, 16)))
    body = Body(neck_w=u(0.2, 0.25), shoulder=u(66, 84), slope=u(10, 18), clothes=str(rng.choice(CLOTHES)),
                tie=bool(rng.random() < 0.5))
    count = rng.choice([0, 1, 2], p=[0.4, 0.45, 0.15])
    accessories = tuple(sorted(str(a) for a in rng.choice(ACCESSORIES, size=count, replace=False,
                                                          p=ACCESSORY_WEIGHTS)))
    return CharacterSpec(seed=int(seed), colors=_colors(rng), face=face, eyes=eyes, mouth=mouth, hair=hair,
                         body=body, accessories=accessories, line_width=u(0.9, 1.5))


VARIETIES = ("standard", "wide")
WIDENING = 4  # recorded in a wide dataset's dataset.json: 1 = skins and outlines only, 2 = also eyes and mouths,
# 3 = also brows close above the eyes, long lower faces with low mouths, dark mouths and lids closing higher,
# 4 = also triangle noses and faint closed mouths
WIDENINGS = (2, 3, 4)  # those `widen` can still draw (a dataset made by one is made again with --widening N)


def widen(spec: CharacterSpec, widening: int = WIDENING) -> CharacterSpec:
    """Half of the characters moved toward 3-D and other real art, where the bundled model fails (issue 23;
    measured on Godette): pale and pink skins besides the peach ones, no outlines or thin ones, eyes 1.15–1.6
    times as tall (Godette's are 33 px tall and 25 wide; the rig's about 24 by 25) with taller irises, and half of
    them small mouths that open a little (hers opens 14 × 6 px; the rig's 17 × 10). Since widening 3, half of them
    have thick brows just above the eyes and clear of the bangs (hers: 5 px thick, 2 px above the lashes; the morpher
    painted skin over them when it closed an eye); of the small mouths most sit low on a longer lower face (hers is
    38 px below the eye line, the rig's about 22) and half open dark (hers: near black); and half close their eyes
    to a line nearer the eye's middle (hers closes there, the rig's low in the eye). Since widening 4, half of them
    have a nose drawn as a shaded triangle and half a faint closed mouth (the morpher opened her triangle nose,
    14 × 10 px, instead of her mouth, a short line halfway between skin and dark, 11 px below it). From a random
    stream of its own, drawn in that order, so the character is otherwise the one `random_character` drew and each
    widening keeps the draws of the one before (`widening` 2 stops before the third's)."""
    rng = np.random.default_rng([spec.seed, 23])
    if rng.random() < 0.5:
        return spec
    skin = pal.hsv(rng.uniform(-0.03, 0.08), rng.uniform(0.03, 0.28), rng.uniform(0.88, 1.0))
    colors = replace(spec.colors, **_skin_shades(skin, rng))
    eyes = replace(spec.eyes, w=min(spec.eyes.w * rng.uniform(0.95, 1.15), spec.eyes.x - 0.1),
                   h=spec.eyes.h * rng.uniform(1.15, 1.6),
                   iris_w=min(spec.eyes.iris_w * rng.uniform(1.0, 1.3), 0.9),
                   iris_h=min(spec.eyes.iris_h * rng.uniform(1.0, 1.15), 0.97))
    line_width = float(rng.choice([0.0, 0.5, 1.0], p=[0.45, 0.3, 0.25])) * spec.line_width
    mouth, face, hair = spec.mouth, spec.face, spec.hair
    small = rng.random() < 0.5
    if small:
        mouth = replace(mouth, w=mouth.w * rng.uniform(0.6, 0.9), depth=mouth.depth * rng.uniform(0.35, 0.7),
                        teeth=False, fang=False)
    if widening >= 3:
        if rng.random() < 0.5:  # the brows close above the eyes, the bangs' tips above the brows
            eyes = replace(eyes, brow_y=rng.uniform(0.1, 0.35), brow_weight=rng.uniform(1.5, 2.5))
            hair = replace(hair, bang_length=max(hair.bang_length, eyes.brow_y * eyes.h + 0.2))
        if small and rng.random() < 0.7:  # a longer lower face, the mouth lower on it
            stretch = rng.uniform(1.1, 1.4)
            face = replace(face, chin=eyes.y + (face.chin - eyes.y) * stretch)
            lowest = min(face.chin - 1.25 * mouth.depth - 0.1, eyes.y + 0.8)  # no lower than Godette's
            mouth = replace(mouth, y=min(eyes.y + (mouth.y - eyes.y) * stretch * rng.uniform(1.0, 1.2), lowest))
        if small and rng.random() < 0.5:
            colors = replace(colors, mouth=pal.jitter(rng, (30, 20, 24), 8), tongue=pal.jitter(rng, (80, 40, 48), 8))
        if rng.random() < 0.5:
            eyes = replace(eyes, closed_lift=rng.uniform(0.2, 0.6))
    if widening >= 4:
        if rng.random() < 0.5:
            face = replace(face, nose="triangle", nose_size=rng.uniform(0.7, 1.1))
        if rng.random() < 0.5:
            mouth = replace(mouth, line_tone=rng.uniform(0.25, 0.6))
    return replace(spec, colors=colors, face=face, eyes=eyes, mouth=mouth, hair=hair, line_width=line_width)
