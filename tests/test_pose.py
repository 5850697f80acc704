"""The pose type: order, ranges, clamping and parsing from text and CSV."""
import pytest

from puppeteer.errors import PoseError
from puppeteer.pose import NAMES, Pose, read_pose_csv, write_pose_csv


def test_parse_in_tha1_order():
    pose = Pose.parse("0.1,-0.2,0.3,1,0,0.5")
    assert pose.values() == (0.1, -0.2, 0.3, 1.0, 0.0, 0.5)
    assert pose.rotation == (0.1, -0.2, 0.3) and pose.morph == (1.0, 0.0, 0.5)


@pytest.mark.parametrize("text,message", [
    ("1,2,3", "6 values"), ("a,0,0,0,0,0", "cannot read pose"), ("0,0,0,0,0,nan", "finite"),
    ("0,0,1.5,0,0,0", "neck_z=1.5 is outside"), ("0,0,0,-0.1,0,0", "left_eye=-0.1 is outside"),
])
def test_bad_pose_text(text, message):
    with pytest.raises(PoseError, match=message):
        Pose.parse(text)


def test_clamping():
    assert Pose(2, -3, 0.5, 1.5, -1, 0.2).clamped() == Pose(1, -1, 0.5, 1, 0, 0.2)


def test_csv_by_column_name_ignoring_extra_columns(tmp_path):
    path = tmp_path / "track.csv"
    path.write_text("frame,time_s,face_found,mouth,head_x,head_y,neck_z,left_eye,right_eye\n"
                    "0,0.0,1,0.5,0.1,0.2,0.3,0,1\n\n1,0.033,0,0,0,0,0,0,0\n")
    assert read_pose_csv(path) == [Pose(0.1, 0.2, 0.3, 0, 1, 0.5), Pose()]


def test_csv_round_trip(tmp_path):
    poses = [Pose(0.5, -1, 0, 1, 0.25, 0.75), Pose()]
    write_pose_csv(tmp_path / "p.csv", poses, {"frame": [0, 1]})
    assert read_pose_csv(tmp_path / "p.csv") == poses


@pytest.mark.parametrize("content,message", [
    ("", "empty"), ("head_x,head_y\n0,0\n", "lacks column"), (",".join(NAMES) + "\n", "no poses"),
    (",".join(NAMES) + "\n0,0,0,0,0,2\n", "line 2: pose value mouth=2 is outside"),
    (",".join(NAMES) + "\n0,0,x,0,0,0\n", "line 2"),
])
def test_bad_csv(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    with pytest.raises(PoseError, match=message):
        read_pose_csv(path)


def test_missing_csv(tmp_path):
    with pytest.raises(PoseError, match="not found"):
        read_pose_csv(tmp_path / "none.csv")
