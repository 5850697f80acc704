"""The six THA v1 pose parameters: names, ranges, clamping and parsing (reference README §2)."""
import csv
import math
from dataclasses import astuple, dataclass, fields, replace
from pathlib import Path

from .errors import PoseError

NAMES = ("head_x", "head_y", "neck_z", "left_eye", "right_eye", "mouth")
RANGES = {"head_x": (-1.0, 1.0), "head_y": (-1.0, 1.0), "neck_z": (-1.0, 1.0),
          "left_eye": (0.0, 1.0), "right_eye": (0.0, 1.0), "mouth": (0.0, 1.0)}
DEGREES_PER_UNIT = 15.0  # head values are angles / 15°


@dataclass(frozen=True)
class Pose:
    """head_x: tilt up (+) / down; head_y: turn; neck_z: sideways tilt (all ±1 = ±15°);
    left_eye / right_eye: 0 open, 1 closed; mouth: 0 closed, 1 open."""

    head_x: float = 0.0
    head_y: float = 0.0
    neck_z: float = 0.0
    left_eye: float = 0.0
    right_eye: float = 0.0
    mouth: float = 0.0

    @classmethod
    def from_values(cls, values) -> "Pose":
        values = [float(v) for v in values]
        if len(values) != len(NAMES):
            raise PoseError(f"a pose has {len(NAMES)} values ({', '.join(NAMES)}), got {len(values)}")
        for name, v in zip(NAMES, values):
            if not math.isfinite(v):
                raise PoseError(f"pose value {name} is {v}; it must be a finite number")
        return cls(*values)

    @classmethod
    def parse(cls, text: str) -> "Pose":
        """'a,b,c,d,e,f' in THA v1 order. Values outside the ranges are an error (use clamped() to force)."""
        try:
            values = [float(part) for part in text.split(",")]
        except ValueError:
            raise PoseError(f"cannot read pose {text!r}: expected 6 comma-separated numbers "
                            f"({','.join(NAMES)}), e.g. 0,0.5,0,1,0,0.3") from None
        pose = cls.from_values(values)
        pose.check_ranges()
        return pose

    def check_ranges(self) -> None:
        for name, v in zip(NAMES, astuple(self)):
            lo, hi = RANGES[name]
            if not lo <= v <= hi:
                raise PoseError(f"pose value {name}={v:g} is outside [{lo:g}, {hi:g}]")

    def clamped(self) -> "Pose":
        return Pose(*(min(max(v, RANGES[n][0]), RANGES[n][1]) for n, v in zip(NAMES, astuple(self))))

    def values(self) -> tuple[float, ...]:
        return astuple(self)

    @property
    def rotation(self) -> tuple[float, float, float]:
        """head_x, head_y, neck_z: the rotator's and combiner's input."""
        return (self.head_x, self.head_y, self.neck_z)

    @property
    def morph(self) -> tuple[float, float, float]:
        """left_eye, right_eye, mouth: the morpher's input."""
        return (self.left_eye, self.right_eye, self.mouth)

    def with_values(self, **changes) -> "Pose":
        return replace(self, **changes)

    def distance(self, other: "Pose") -> float:
        """L1 distance, the manual poser's change measure."""
        return sum(abs(a - b) for a, b in zip(astuple(self), astuple(other)))


assert tuple(f.name for f in fields(Pose)) == NAMES


def read_pose_csv(path) -> list[Pose]:
    """Poses from a CSV with a header naming the six columns (any order); extra columns (frame, time_s,
    face_found, ...) are ignored. Out-of-range values are an error naming the row."""
    path = Path(path)
    try:
        with open(path, newline="") as f:
            rows = list(csv.reader(f))
    except FileNotFoundError:
        raise PoseError(f"{path}: pose file not found") from None
    except (OSError, UnicodeDecodeError) as e:
        raise PoseError(f"{path}: cannot read pose file ({e})") from None
    if not rows:
        raise PoseError(f"{path}: pose file is empty; it needs a header line {','.join(NAMES)}")
    header = [h.strip() for h in rows[0]]
    missing = [n for n in NAMES if n not in header]
    if missing:
        raise PoseError(f"{path}: header lacks column(s) {', '.join(missing)}; "
                        f"it needs {','.join(NAMES)} (other columns are ignored)")
    columns = [header.index(n) for n in NAMES]
    poses = []
    for line_no, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        try:
            pose = Pose.from_values(row[c] for c in columns)
            pose.check_ranges()
        except (ValueError, IndexError, PoseError) as e:
            raise PoseError(f"{path}, line {line_no}: {e}") from None
        poses.append(pose)
    if not poses:
        raise PoseError(f"{path}: no poses after the header")
    return poses


def write_pose_csv(path, poses, extra_columns: dict | None = None) -> None:
    """Write poses with a header; `extra_columns` maps a column name to a list of per-row values placed first."""
    extra_columns = extra_columns or {}
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(list(extra_columns) + list(NAMES))
        for i, pose in enumerate(poses):
            writer.writerow([col[i] for col in extra_columns.values()] + [f"{v:.6g}" for v in pose.values()])
