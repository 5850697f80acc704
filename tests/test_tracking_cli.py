"""`puppeteer track` end to end: a video made here from a real photo turned by known in-plane angles becomes a
pose CSV that read_pose_csv and `puppeteer render --poses` accept, with the tilt in the right direction."""
import csv

import numpy as np
import pytest
import torch
from PIL import Image
from test_tracking_support import config_dir, photo, rotate, write_video  # noqa: F401 (fixture)

from puppeteer.checkpoints import ModelDescription, save_networks
from puppeteer.cli import main
from puppeteer.models import NETWORKS
from puppeteer.pose import read_pose_csv

HEADER = ["frame", "time_s", "face_found", "head_x", "head_y", "neck_z", "left_eye", "right_eye", "mouth"]
SEGMENTS = [(0, 8), (15, 10), (-15, 10)]  # (degrees counter-clockwise, frames)


@pytest.fixture(scope="module")
def tilting_video(tmp_path_factory):
    path = tmp_path_factory.mktemp("video") / "tilt.mp4"
    face = photo("astronaut")
    write_video(path, [rotate(face, degrees) for degrees, count in SEGMENTS for _ in range(count)])
    return path


@pytest.fixture(scope="module")
def tracked(tilting_video, tmp_path_factory):
    """The video tracked with the defaults (landmarker, mirrored); --no-calibration keeps the user's config out."""
    out = tmp_path_factory.mktemp("tracked") / "track.csv"
    assert track(tilting_video, "--out", out) == 0
    return out


def segment_ends(poses):
    ends = np.cumsum([count for _, count in SEGMENTS]) - 1
    return [poses[i].neck_z for i in ends]


def track(*args):
    return main(["track", *map(str, args), "--no-calibration"])


def test_track_writes_a_pose_csv_that_follows_the_head(tracked):
    with open(tracked, newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == HEADER and len(rows) == 29
    assert [int(r[0]) for r in rows[1:]] == list(range(28))
    assert float(rows[4][1]) == pytest.approx(3 / 30, abs=1e-3) and {r[2] for r in rows[1:]} == {"1"}
    upright, ccw, cw = segment_ends(read_pose_csv(tracked))
    # mirrored by default: the picture leans counter-clockwise, the character clockwise (neck_z < 0);
    # 15° is 1.0, less where the clamp at ±1 cuts it
    assert ccw < upright - 0.6 and cw > upright + 0.6


def test_track_without_mirror_and_with_the_face_mesh(tmp_path, tilting_video, config_dir, capsys):
    out = tmp_path / "plain.csv"
    assert track(tilting_video, "--out", out, "--no-mirror", "--estimator", "facemesh") == 0
    printed = capsys.readouterr()
    assert f"wrote {out} (28 frames, face found in 28; tracking " in printed.out
    assert "track: 100%" in printed.err and "28/28" in printed.err  # the progress bar
    upright, ccw, cw = segment_ends(read_pose_csv(out))
    assert ccw > upright + 0.6 and cw < upright - 0.6


def test_track_reads_an_image_folder(tmp_path, config_dir):
    folder = tmp_path / "frames"
    folder.mkdir()
    for i, degrees in enumerate((0, 10, 20)):
        Image.fromarray(rotate(photo("grace_hopper"), degrees)).save(folder / f"{i}.jpg")
    (folder / "notes.txt").write_text("not an image")
    out = tmp_path / "track.csv"
    assert track(folder, "--out", out, "--fps", "10", "--estimator", "facemesh") == 0
    with open(out, newline="") as f:
        rows = list(csv.reader(f))
    assert [r[1] for r in rows[1:]] == ["0.000", "0.100", "0.200"]


def test_track_never_overwrites_without_asking(tmp_path, tilting_video, config_dir, capsys):
    out = tmp_path / "track.csv"
    out.write_text("keep me")
    assert track(tilting_video, "--out", out) == 2
    assert capsys.readouterr().err == \
        f"puppeteer track: error: {out}: already exists; choose another name or pass --overwrite\n"
    assert out.read_text() == "keep me"


@pytest.mark.parametrize("source, message", [
    ("missing.mp4", "missing.mp4: no such file or folder (give a camera index such as 0, a video file or a folder "
                    "of images)"),
    ("7", "no camera at index 7"),
])
def test_track_source_errors_are_one_line(tmp_path, config_dir, capsys, source, message):
    assert track(tmp_path / source if "." in source else source, "--out", tmp_path / "t.csv") == 2
    err = capsys.readouterr().err
    assert err.startswith("puppeteer track: error: ") and message in err and err.count("\n") == 1
    assert not (tmp_path / "t.csv").exists()


def test_show_without_a_screen_is_a_clear_error(tmp_path, tilting_video, monkeypatch, capsys):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert track(tilting_video, "--out", tmp_path / "t.csv", "--show") == 2
    assert capsys.readouterr().err == ("puppeteer track: error: --show needs a screen and none was found (DISPLAY "
                                       "is not set); run without --show\n")


def test_render_accepts_the_tracked_csv(tmp_path, tracked):
    short = tmp_path / "short.csv"  # the first rows are enough to show the format fits; rendering is slow
    short.write_text("".join(tracked.read_text().splitlines(keepends=True)[:3]))
    torch.manual_seed(0)
    size = {"width": 8, "bottleneck_blocks": 1}
    save_networks(tmp_path / "tiny", {name: cls(**size) for name, cls in NETWORKS.items()},
                  ModelDescription(sizes={name: dict(size) for name in NETWORKS}))
    character = np.zeros((256, 256, 4), np.uint8)
    character[64:192, 64:192] = (230, 180, 160, 255)
    Image.fromarray(character).save(tmp_path / "character.png")
    frames = tmp_path / "frames"
    assert main(["render", "--poses", str(short), "--out", str(frames), "--checkpoints", str(tmp_path / "tiny"),
                 "--character", str(tmp_path / "character.png"), "--device", "cpu"]) == 0
    assert len(list(frames.glob("*.png"))) == 2
