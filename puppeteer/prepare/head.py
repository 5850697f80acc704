"""Where the head is in a picture: from the top of the hair to the chin, how wide, and where its face's eyes and
mouth are (what the template is judged by).

A face detector finds the face but not the hair above it, so the top and width come from the alpha silhouette
around the face. With no face at all, the top of the silhouette is taken to be the head and its size is guessed
from the silhouette's width there, and the face from that (as the rig's characters have it); that guess is said
out loud."""
from dataclasses import dataclass

import numpy as np

from .. import template
from .faces import Face

OPAQUE = 64  # alpha above this counts as part of the character
HEAD_ASPECT = 1.15  # head height / width for the silhouette-only guess (anime heads with hair are about this)


@dataclass(frozen=True)
class Head:
    top: float
    chin: float
    left: float
    right: float
    centre_x: float  # the face's centre
    how: str  # how it was found, in words for the user
    landmarks: template.FaceLandmarks  # found on the face, or guessed from the silhouette
    face: Face | None = None


def _column_run(columns: np.ndarray, at: int) -> tuple:
    """The contiguous run of True columns containing (or nearest to) index `at`, as (first, last + 1)."""
    filled = np.flatnonzero(columns)
    at = int(filled[np.argmin(np.abs(filled - at))])
    gaps = np.flatnonzero(~columns)
    left = gaps[gaps < at]
    right = gaps[gaps > at]
    return (int(left[-1]) + 1 if left.size else 0, int(right[0]) if right.size else columns.size)


def head_from_face(rgba: np.ndarray, face: Face) -> Head:
    """The face box widened to the hair: the highest opaque pixel above the face, the silhouette's extent beside it."""
    mask = rgba[..., 3] > OPAQUE
    h, w = mask.shape
    x0, x1 = int(np.clip(face.x, 0, w - 1)), int(np.clip(face.x + face.w, 1, w))
    eyes = int(np.clip(face.y + face.h * 0.45, 1, h))
    rows = np.flatnonzero(mask[:eyes, x0:x1].any(axis=1))
    top = float(rows[0]) if rows.size else max(face.y, 0.0)
    columns = mask[int(top):eyes].any(axis=0)
    left, right = (_column_run(columns, int(np.clip(face.centre_x, 0, w - 1))) if columns.any()
                   else (face.x, face.x + face.w))
    left, right = min(left, face.x), max(right, face.x + face.w)
    return Head(top, face.chin_y, float(left), float(right), face.centre_x, face.describe(), face.landmarks, face)


def head_from_silhouette(rgba: np.ndarray) -> Head | None:
    """A guess from the top of the alpha silhouette (None when the picture is empty)."""
    mask = rgba[..., 3] > OPAQUE
    rows = np.flatnonzero(mask.any(axis=1))
    if rows.size == 0:
        return None
    top, bottom = int(rows[0]), int(rows[-1]) + 1
    # Look down a quarter of the figure (a full-body sprite's head and a bust's hair both fit in that), take
    # the widest stretch of silhouette joined to the crown as the head's width, and guess its height from it.
    window = mask[top:top + max(8, (bottom - top) // 4)]
    crown = int(np.mean(np.flatnonzero(window[0])))
    left, right = _column_run(window.any(axis=0), crown)
    height = min(HEAD_ASPECT * (right - left), bottom - top)
    centre = (left + right) / 2
    how = ("no face found: the face was guessed from the silhouette's top and width, so check the preview; if it "
           "is wrong, pass --face x,y,w,h (or nudge it in the app)")
    return Head(float(top), top + height, float(left), float(right), centre, how,
                template.from_head(float(top), float(left), float(right)))
