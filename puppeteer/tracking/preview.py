"""The camera preview as the user should see it: mirrored when the character mirrors them, with the tracked
landmarks drawn on."""
import cv2
import numpy as np

from .tracker import TrackResult

FOUND_COLOUR = (60, 220, 60)  # RGB
LOST_COLOUR = (230, 60, 60)


def draw_preview(image: np.ndarray, result: TrackResult, mirror: bool = True) -> np.ndarray:
    """An RGB copy of `image` (flipped if `mirror`) with the landmarks as dots and the face state written."""
    out = np.ascontiguousarray(image[:, ::-1] if mirror else image).copy()
    radius = max(1, round(out.shape[1] / 640))
    if result.landmarks is not None:
        points = result.landmarks.copy()
        if mirror:
            points[:, 0] = out.shape[1] - 1 - points[:, 0]
        for x, y in np.rint(points).astype(int):
            cv2.circle(out, (int(x), int(y)), radius, FOUND_COLOUR, -1, cv2.LINE_AA)
    label, colour = ("face found", FOUND_COLOUR) if result.face_found else ("no face", LOST_COLOUR)
    cv2.putText(out, label, (10, 30), cv2.FONT_HERSHEY_SIMPLEX, 0.8, colour, 2, cv2.LINE_AA)
    return out
