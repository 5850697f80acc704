"""One template for characters and models: the rig renders in THA v1's framing, `check` judges the face (not the
hair) against it, `prepare` leaves a picture already in it as it is and fits others to it."""
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from puppeteer import template
from puppeteer.cli import main
from puppeteer.images import read_image
from puppeteer.prepare import Framing, check_picture, plan_picture
from puppeteer.prepare.framing import apply
from puppeteer.synth import random_character, regions, render

SPRITES = Path(__file__).parent / "data" / "sprites"
TYPICAL = (1, 5)  # rig seeds whose detected face is THA v1's size (100 %)


def rig(seed: int) -> np.ndarray:
    return render(random_character(seed))


def face_text(report) -> str:
    return next(f.text for f in report.findings if "THA v1 expects" in f.text)


@pytest.mark.parametrize("seed", range(6))
def test_a_rig_character_passes_check_and_prepare_keeps_it_as_it_is(seed):
    rgba = rig(seed)
    report = check_picture(rgba, f"rig {seed}")
    assert report.passed, report.text()
    plan = plan_picture(rgba, f"rig {seed}")
    assert plan.framing == Framing(1.0, 0.0, 0.0) and "kept as it is" in plan.notes[-1]
    assert np.array_equal(plan.render(), rgba)


def exact_eyes(seed: int) -> np.ndarray:
    """Where the rig drew the eyes' midpoint (no detector)."""
    boxes = regions(random_character(seed))
    return np.mean([[(b[0] + b[2]) / 2, (b[1] + b[3]) / 2] for b in (boxes["left_eye"], boxes["right_eye"])], 0)


def test_an_enlarged_rig_character_is_only_resized():
    big = np.asarray(Image.fromarray(rig(TYPICAL[0])).resize((512, 512), Image.Resampling.LANCZOS))
    plan = plan_picture(big, "big")
    assert plan.framing == Framing(0.5, 0.0, 0.0) and "only resized to 256×256" in plan.notes[-1]


def test_hair_outside_the_centre_box_is_fine():
    seed = next(s for s in range(40) if (rig(s)[64:150, :60, 3] > 0).any() and (rig(s)[64:150, 196:, 3] > 0).any())
    rgba = rig(seed)  # hair beside the face, out of the centre box on both sides
    assert check_picture(rgba).passed, check_picture(rgba).text()


@pytest.mark.parametrize("nudge,words", [
    (dict(zoom=0.7), "the face is smaller than THA v1's"),
    (dict(down=-25), "px above THA v1's eye line"),
    (dict(zoom=1.4), "the face is larger than THA v1's"),
    (dict(right=20), "px right of the middle"),
])
def test_a_face_too_small_too_high_too_big_or_aside_fails_with_the_reason(nudge, words):
    rgba = rig(TYPICAL[0])
    moved = apply(rgba, Framing(1.0, 0.0, 0.0).nudged(**nudge))
    report = check_picture(moved, "moved.png")
    assert not report.passed and words in face_text(report), report.text()
    assert "puppeteer prepare moved.png" in face_text(report)
    plan = plan_picture(moved, "moved.png")
    assert check_picture(plan.render()).passed, check_picture(plan.render()).text()
    there = Framing(1.0, 0.0, 0.0).nudged(**nudge)  # where the rig's exact eyes went, and where prepare puts them
    x, y = plan.framing.map_point(*there.map_point(*exact_eyes(TYPICAL[0])))
    assert np.hypot(x - template.EYE_X, y - template.EYE_Y) < 4
    assert plan.framing.scale * there.scale == pytest.approx(1.0, rel=0.05)


def test_a_full_body_sprite_at_256_px_is_told_and_fixed_by_prepare(tmp_path, capsys):
    sprite = read_image(SPRITES / "sylvie_green_normal.png")
    h, w = sprite.shape[:2]
    canvas = np.zeros((256, 256, 4), np.uint8)
    small = np.asarray(Image.fromarray(sprite).resize((round(w * 250 / h), 250), Image.Resampling.LANCZOS))
    canvas[6:, (256 - small.shape[1]) // 2:][:, :small.shape[1]] = small
    path = tmp_path / "full_body.png"
    Image.fromarray(canvas).save(path)
    assert main(["check", str(path)]) == 1
    assert "smaller than THA v1's" in capsys.readouterr().out
    out = tmp_path / "character.png"
    assert main(["prepare", str(path), "--out", str(out)]) == 0
    assert "meets every requirement" in capsys.readouterr().out
    assert main(["check", str(out)]) == 0


def test_the_template_fits_a_face_onto_itself_and_reads_a_given_box():
    assert template.fit(template.TEMPLATE_FACE) == pytest.approx((1.0, 0.0, 0.0))
    assert template.misfit(template.TEMPLATE_FACE) == []
    scale, dx, dy = template.fit(template.TEMPLATE_FACE.mapped(2.0, 10.0, -4.0))
    assert scale == pytest.approx(0.5) and (dx, dy) == pytest.approx((-5.0, 2.0))
    boxed = template.from_face_box(86.0, 115.0, template.FACE_WIDTH)  # THA v1's face box around its face
    assert boxed.scale == pytest.approx(1.0, abs=0.01)
    assert boxed.eye_midpoint == pytest.approx((template.EYE_X, template.EYE_Y), abs=0.6)
