"""Colour choices for random characters: anime skin tones, hair and eye hues, clothes. Shades (shadow, highlight,
line) are derived from a base colour so that each part's colours stay in harmony."""
import colorsys

import numpy as np

SKIN = [(255, 240, 230), (255, 231, 216), (252, 222, 202), (246, 210, 186), (232, 188, 152), (198, 148, 112),
        (152, 104, 76)]
SKIN_WEIGHTS = [0.22, 0.26, 0.2, 0.14, 0.08, 0.06, 0.04]
# (hue, saturation, value) centres of common anime hair colours
HAIR = [(0.08, 0.25, 0.18), (0.07, 0.55, 0.35), (0.07, 0.6, 0.55), (0.04, 0.65, 0.62), (0.12, 0.45, 0.95),
        (0.6, 0.06, 0.88), (0.95, 0.35, 0.96), (0.99, 0.75, 0.75), (0.05, 0.75, 0.9), (0.35, 0.45, 0.6),
        (0.5, 0.5, 0.7), (0.6, 0.6, 0.8), (0.65, 0.6, 0.35), (0.75, 0.45, 0.65), (0.8, 0.25, 0.9), (0.0, 0.0, 0.97)]
CLOTHES = [(40, 50, 90), (245, 245, 250), (30, 30, 36), (170, 40, 50), (120, 125, 135), (225, 205, 170),
           (90, 140, 200), (240, 170, 190), (70, 110, 80), (120, 80, 150), (250, 220, 120), (60, 60, 70)]
ACCENTS = [(220, 40, 60), (250, 120, 160), (60, 110, 220), (250, 200, 60), (40, 170, 120), (150, 70, 200),
           (255, 255, 255), (30, 30, 40)]


def hsv(h: float, s: float, v: float) -> tuple:
    return tuple(int(round(c * 255)) for c in colorsys.hsv_to_rgb(h % 1.0, min(max(s, 0), 1), min(max(v, 0), 1)))


def shade(color, factor: float, saturate: float = 0.0) -> tuple:
    """Darker (factor < 1) or lighter (> 1, toward white) with extra saturation: anime cel shading."""
    h, s, v = colorsys.rgb_to_hsv(*(c / 255 for c in color))
    if factor <= 1:
        return hsv(h, s + saturate, v * factor)
    return hsv(h, s * (2 - factor) + saturate, v + (1 - v) * (factor - 1))


def mix(a, b, t: float) -> tuple:
    return tuple(int(round(x * (1 - t) + y * t)) for x, y in zip(a, b))


def jitter(rng: np.random.Generator, color, amount: int = 12) -> tuple:
    return tuple(int(c) for c in np.clip(np.asarray(color) + rng.integers(-amount, amount + 1, 3), 0, 255))


def skin(rng: np.random.Generator) -> tuple:
    return jitter(rng, SKIN[rng.choice(len(SKIN), p=SKIN_WEIGHTS)], 5)


def hair(rng: np.random.Generator) -> tuple:
    h, s, v = HAIR[rng.integers(len(HAIR))]
    return hsv(h + rng.uniform(-0.03, 0.03), s + rng.uniform(-0.1, 0.1), v + rng.uniform(-0.08, 0.05))


def iris(rng: np.random.Generator) -> tuple:
    return hsv(rng.random(), rng.uniform(0.45, 0.9), rng.uniform(0.5, 0.9))


def clothes(rng: np.random.Generator) -> tuple:
    return jitter(rng, CLOTHES[rng.integers(len(CLOTHES))], 10)


def accent(rng: np.random.Generator) -> tuple:
    return ACCENTS[rng.integers(len(ACCENTS))]
