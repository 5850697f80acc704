"""The procedural rig: deterministic, template-conformant, and every pose parameter does what it says."""
from dataclasses import replace

import numpy as np
import pytest

from puppeteer.pose import Pose
from puppeteer.synth import random_character, regions, render, sample_pose
from puppeteer.template import EYES_TO_MOUTH, FaceLandmarks, misfit

SEEDS = range(24)


@pytest.fixture(scope="module")
def specs():
    return [random_character(seed) for seed in SEEDS]


@pytest.fixture(scope="module")
def rests(specs):
    return [render(spec) for spec in specs]


def test_same_seed_and_pose_give_the_same_bytes():
    pose = Pose(0.3, -0.7, 0.5, 0.2, 0.9, 0.6)
    first = render(random_character(5), pose)
    assert random_character(5) == random_character(5)
    assert first.tobytes() == render(random_character(5), pose).tobytes()
    assert first.tobytes() != render(random_character(6), pose).tobytes()


def box_centre(box):
    """(x, y) of the middle of a region's (x0, y0, x1, y1) box."""
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2


def landmarks(boxes) -> FaceLandmarks:
    """The face as the template sees it, from the rig's regions: the right eye on the image left."""
    return FaceLandmarks(box_centre(boxes["right_eye"]), box_centre(boxes["left_eye"]), box_centre(boxes["mouth"]))


def test_characters_follow_the_tha_template(specs, rests):
    for spec, rgba in zip(specs, rests):
        assert rgba.shape == (256, 256, 4) and rgba.dtype == np.uint8
        transparent = rgba[..., 3] == 0
        assert not rgba[transparent][:, :3].any(), f"seed {spec.seed}: colour under a transparent background"
        assert transparent[:40].all() and transparent[0, :].all(), f"seed {spec.seed}: something above the head"
        boxes = regions(spec)
        face = landmarks(boxes)
        assert misfit(face) == [], f"seed {spec.seed}: {misfit(face)}"
        x0, _, x1, _ = boxes["head"]
        assert 0 < x0 and x1 < 255, f"seed {spec.seed}: the head is cut off at the side"
        assert (rgba[-1, :, 3] == 255).sum() > 100, f"seed {spec.seed}: no shoulders at the bottom"
        opaque = np.nonzero(rgba[..., 3] > 0)[1]
        assert abs(opaque.mean() - 127.5) < 6, f"seed {spec.seed}: not centred"


def test_characters_vary(specs, rests):
    assert len({spec.hair.back for spec in specs}) >= 3
    assert len({spec.hair.bangs for spec in specs}) >= 3
    assert len({spec.body.clothes for spec in specs}) >= 4
    assert len({spec.colors.hair for spec in specs}) == len(specs)
    means = np.array([rgba[..., :3][rgba[..., 3] == 255].mean(axis=0) for rgba in rests])
    assert means.std(axis=0).min() > 8


@pytest.mark.parametrize("name", ["left_eye", "right_eye", "mouth"])
def test_each_morph_parameter_changes_only_its_region(specs, rests, name):
    for spec, rest in zip(specs[:10], rests[:10]):
        x0, y0, x1, y1 = regions(spec)[name]
        for value in (0.4, 1.0):
            changed = np.any(render(spec, Pose(**{name: value})) != rest, axis=2)
            ys, xs = np.nonzero(changed)
            assert len(xs) > (30 if value == 1.0 else 10), f"seed {spec.seed}: {name}={value} changes too little"
            assert x0 <= xs.min() and xs.max() <= x1 and y0 <= ys.min() and ys.max() <= y1, \
                f"seed {spec.seed}: {name}={value} changed pixels outside {regions(spec)[name]}"
    boxes = regions(specs[0])
    assert boxes["right_eye"][2] < 128 < boxes["left_eye"][0], "left_eye is the character's own, on the image right"


def test_closed_eyes_and_open_mouth_look_right(specs, rests):
    for spec, rest in zip(specs[:6], rests[:6]):
        x0, y0, x1, y1 = regions(spec)["right_eye"]
        closed = render(spec, Pose(right_eye=1.0))[y0:y1 + 1, x0:x1 + 1, :3].astype(int)
        # an open eye shows its white; a closed one only skin and the lash line
        assert (rest[y0:y1 + 1, x0:x1 + 1, :3] >= 250).all(axis=2).sum() > 8
        assert (closed >= 250).all(axis=2).sum() < 3
        x0, y0, x1, y1 = regions(spec)["mouth"]
        mouth = render(spec, Pose(mouth=1.0))[y0:y1 + 1, x0:x1 + 1, :3].astype(int)
        dark = lambda rgb: (rgb.sum(axis=2) < 400).sum()  # noqa: E731
        assert dark(mouth) > dark(rest[y0:y1 + 1, x0:x1 + 1, :3].astype(int)) + 15


def _position(spec, morph: dict, **head) -> np.ndarray:
    """Where a feature is: the centre of what its morph changes, with the head posed."""
    before, after = render(spec, Pose(**head)), render(spec, Pose(**morph, **head))
    ys, xs = np.nonzero(np.any(before != after, axis=2))
    return np.array([xs.mean(), ys.mean()])


def _mouth_position(spec, **head) -> np.ndarray:
    return _position(spec, {"mouth": 1.0}, **head)


@pytest.mark.parametrize("seed", [0, 3, 7])
def test_larger_head_turn_moves_the_face_further(seed):
    spec = random_character(seed)
    centre = _mouth_position(spec)
    shifts = [(centre - _mouth_position(spec, head_y=v))[0] for v in (0.25, 0.5, 1.0)]
    assert 0 < shifts[0] < shifts[1] < shifts[2], shifts  # head_y > 0 turns toward the image left
    assert shifts[2] > 5
    assert (_mouth_position(spec, head_y=-1.0) - centre)[0] > 5


@pytest.mark.parametrize("seed", [1, 4])
def test_pitch_and_neck_tilt_directions(seed):
    spec = random_character(seed)
    centre = _mouth_position(spec)
    up = [(_mouth_position(spec, head_x=v) - centre)[1] for v in (0.5, 1.0)]
    assert 0 > up[0] > up[1], up  # head_x > 0 looks up: the face moves up the picture
    assert (_mouth_position(spec, head_x=-1.0) - centre)[1] > 2
    # neck_z > 0 tips the head top toward the image left, about the neck root well below the eyes
    eyes = lambda **head: _position(spec, {"left_eye": 1.0, "right_eye": 1.0}, **head)  # noqa: E731
    assert (eyes(neck_z=1.0) - eyes())[0] < -12
    assert (eyes(neck_z=-1.0) - eyes())[0] > 12
    assert (render(spec, Pose(neck_z=1.0))[-20:] == render(spec)[-20:]).all(), "the body does not move"


def test_turning_squeezes_the_far_eye(specs):
    for spec in specs[:6]:
        widths = {}
        for name in ("left_eye", "right_eye"):
            base, shut = render(spec, Pose(head_y=1.0)), render(spec, Pose(head_y=1.0, **{name: 1.0}))
            xs = np.nonzero(np.any(base != shut, axis=2))[1]
            widths[name] = xs.max() - xs.min()
        assert widths["right_eye"] < widths["left_eye"], f"seed {spec.seed}: {widths}"  # its right eye turns away


def test_pose_sampling_follows_tha_v1():
    rng = np.random.default_rng(0)
    poses = np.array([sample_pose(rng).values() for _ in range(4000)])
    head, morph = poses[:, :3], poses[:, 3:]
    assert (morph >= 0).all() and (morph <= 1).all() and abs(morph.mean() - 0.5) < 0.02
    assert (np.abs(head) <= 1).all()
    assert abs(np.abs(head).mean() - 2 / 3) < 0.02  # density ∝ |x|: E|x| = 2/3
    assert abs((head > 0).mean() - 0.5) < 0.03
    uniform = np.array([sample_pose(rng, "uniform").values()[:3] for _ in range(4000)])
    assert abs(np.abs(uniform).mean() - 0.5) < 0.02
    with pytest.raises(ValueError):
        sample_pose(rng, "cubic")


def test_the_wide_variety_moves_half_the_characters_toward_real_art(specs):
    """`dataset synth --variety wide`: half the characters keep their design; the others get pale or pink skin,
    often no outlines, taller eyes closing higher, small mouths (some dark, most low on a longer face), thick
    brows close above the eyes, triangle noses and faint closed mouths, and still sit on the template with each
    morph inside its region (a low mouth no lower than Godette's), a triangle nose between the eyes and mouth."""
    from puppeteer.synth.character import widen

    widened = [widen(spec) for spec in specs]
    changed = [w for w, spec in zip(widened, specs) if w != spec]
    assert 0.25 * len(specs) <= len(changed) <= 0.75 * len(specs)
    assert any(w.line_width == 0 for w in changed) and widen(specs[0]) == widened[0]
    before = {spec.seed: spec for spec in specs}
    taller = [w.eyes.h / before[w.seed].eyes.h for w in changed]
    assert min(taller) >= 1.15 and max(taller) > 1.4  # toward Godette's tall eyes
    small = [w for w in changed if w.mouth.depth < 0.75 * before[w.seed].mouth.depth]
    assert small and not any(w.mouth.teeth for w in small)
    low = [w for w in small if w.mouth.y > before[w.seed].mouth.y]
    assert low and all(w.face.chin > before[w.seed].face.chin for w in low)
    assert any(max(w.colors.mouth) < 50 for w in small)  # dark, as Godette's open mouth
    brows = [w for w in changed if w.eyes.brow_weight > 1]
    assert brows and all(w.eyes.brow_y < 0.35 and w.hair.bang_length > w.eyes.brow_y * w.eyes.h for w in brows)
    assert any(w.eyes.closed_lift > 0.2 for w in changed)  # lids that close nearer the eye's middle
    assert any(w.mouth.line_tone < 0.7 for w in changed)  # a faint closed mouth, as Godette's
    noses = [w for w in changed if w.face.nose == "triangle"]
    assert noses
    for spec in noses[:3]:
        plain = replace(spec, face=replace(spec.face, nose="dot"))
        ys, _ = np.nonzero(np.any(render(spec) != render(plain), axis=2))
        boxes = regions(spec)
        assert len(ys) > 30 and box_centre(boxes["left_eye"])[1] < ys.min() and ys.max() < box_centre(boxes["mouth"])[1]
    for spec in changed:
        assert min(spec.colors.skin) > 170 and spec.colors.skin[0] >= spec.colors.skin[2]  # pale to pink
        boxes = regions(spec)
        eyes = landmarks(boxes)
        if spec in low:  # Godette's own eyes-to-mouth height, measured the same way: 39 px
            assert eyes.mouth[1] - eyes.eye_midpoint[1] < 40
            eyes = FaceLandmarks(eyes.left_eye, eyes.right_eye, (eyes.mouth[0], eyes.eye_midpoint[1] + EYES_TO_MOUTH))
        assert misfit(eyes) == []
        rest = render(spec)
        for name in ("left_eye", "mouth"):
            x0, y0, x1, y1 = boxes[name]
            ys, xs = np.nonzero(np.any(render(spec, Pose(**{name: 1.0})) != rest, axis=2))
            assert len(xs) > 20 and x0 <= xs.min() and xs.max() <= x1 and y0 <= ys.min() and ys.max() <= y1


def test_an_earlier_widening_is_drawn_again_as_it_was(specs):
    """`--widening 2` makes a dataset of the widening before brows, low mouths and raised lids again: the third
    widening draws after the second's, so the second's choices are the same and the third's fields stay put; the
    fourth only adds its noses and faint mouths to the third's characters."""
    from puppeteer.synth.character import widen

    for spec in specs:
        second, third = widen(spec, 2), widen(spec, 3)
        assert second.colors.skin == third.colors.skin and second.line_width == third.line_width
        assert (second.eyes.h, second.mouth.w, second.mouth.depth) == (third.eyes.h, third.mouth.w, third.mouth.depth)
        assert (second.eyes.brow_weight, second.eyes.closed_lift, second.face, second.hair) == (
            1.0, 0.0, spec.face, spec.hair)
    assert any(widen(spec, 2) != widen(spec, 3) for spec in specs)
    for spec in specs:
        third, fourth = widen(spec, 3), widen(spec, 4)
        assert replace(fourth, face=replace(fourth.face, nose=third.face.nose, nose_size=1.0),
                       mouth=replace(fourth.mouth, line_tone=1.0)) == third
    assert any(widen(spec, 3) != widen(spec, 4) for spec in specs)
