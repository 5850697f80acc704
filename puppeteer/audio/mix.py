"""Which mouth the character shows: the camera's, the voice's, or the wider open of the two (so that a silent open
mouth still shows, and a voice opens a mouth the camera cannot see)."""
from ..pose import Pose

MOUTH_SOURCES = ("camera", "voice", "both")


def mix_mouth(pose: Pose, voice: float | None, source: str) -> Pose:
    """`pose` with its mouth taken from `source`; without a voice (None) the camera's mouth stays."""
    if source == "camera" or voice is None:
        return pose
    mouth = voice if source == "voice" else max(voice, pose.mouth)
    return pose.with_values(mouth=mouth)
