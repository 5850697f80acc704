"""The README's picture of the bundled model on Godette's real renders: made by code, so it can be made again."""
import numpy as np

from puppeteer import images
from puppeteer.data import format as fmt
from puppeteer.paths import DEFAULT_CHECKPOINTS
from puppeteer.synth.showcase import GODETTE, GODETTE_SAMPLES, godette_sheet, tile


def test_the_godette_sheet_shows_input_truth_and_each_model_for_both_pose_kinds():
    size = 64
    sheet = godette_sheet(before=DEFAULT_CHECKPOINTS, size=size)
    rows = len(GODETTE_SAMPLES["eyes-mouth"])
    assert sheet.shape == (rows * size, 2 * 4 * size + 8, 3)
    folder = GODETTE / "random" / "test" / "Godette_vrm_v4"
    sample = GODETTE_SAMPLES["random"][1]
    truth = tile(images.read_image(folder / fmt.image_name(sample, "posed")), size)
    right = sheet[size:2 * size, 4 * size + 8:]  # the random poses' second row: no captions
    assert np.abs(right[:, size:2 * size].astype(int) - truth).max() <= 1
    before, now = right[:, 2 * size:3 * size], right[:, 3 * size:]
    assert np.array_equal(before, now)  # the same model twice
    assert np.abs(now.astype(int) - right[:, :size]).mean() > 1  # the pose moved the head away from the input
