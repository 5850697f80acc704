"""From any picture to a proposed framing: transparency (removing a plain background when needed), the head
(the given face box, else animeface, else the silhouette), then the framing that puts its face on the template's.
A square picture whose face already fits once it is resized to 256×256 is only resized (a 256×256 one is kept as
it is): what `check` passes, `prepare` leaves alone.
A plan renders the 256×256 character and its preview for any framing, so the dialog can let the user nudge it."""
from dataclasses import dataclass

import numpy as np

from .. import template
from ..errors import ImageError
from ..images import SIZE, clean_transparent, read_image, to_rgba
from . import framing as framing_
from .background import has_transparency, remove_plain_background
from .faces import find_face, parse_face_box
from .head import OPAQUE, Head, head_from_face, head_from_silhouette
from .preview import draw_preview


@dataclass(frozen=True)
class Plan:
    picture: np.ndarray  # the input as RGBA with a transparent background, any size
    head: Head
    framing: framing_.Framing  # the proposal
    notes: tuple  # what was done and found, in sentences for the user

    def render(self, framing: framing_.Framing | None = None) -> np.ndarray:
        """The 256×256 RGBA character for this framing (the proposal by default)."""
        return framing_.apply(self.picture, framing or self.framing)

    def preview(self, framing: framing_.Framing | None = None) -> np.ndarray:
        framing = framing or self.framing
        return draw_preview(self.render(framing), framing.map_face(self.head))


def plan_picture(picture: np.ndarray, name="picture", face: str | None = None) -> Plan:
    """Plan the framing of an H×W×C uint8 picture; `face` is an 'x,y,w,h' box that overrides detection."""
    notes = []
    if has_transparency(picture):
        rgba = clean_transparent(to_rgba(picture))
    else:
        rgba = remove_plain_background(picture, name)
        notes.append("the picture had no transparency: its plain background was removed (check the edges in the "
                     "preview)")
    if not (rgba[..., 3] > OPAQUE).any():
        raise ImageError(f"{name}: the picture is (almost) completely transparent; there is no character to "
                         "prepare")
    h, w = rgba.shape[:2]
    found = parse_face_box(face, w, h) if face else find_face(rgba)
    head = head_from_face(rgba, found) if found else head_from_silhouette(rgba)
    notes.append(head.how)
    if head.top < 1:
        notes.append("the head reaches the top edge of the picture, so the top of the hair is cut off; a picture "
                     "showing the whole head works better")
    if h == w and not template.misfit(head.landmarks.mapped(SIZE / w, 0.0, 0.0)):
        notes.append("the face already sits where THA v1 expects it, so the picture is " +
                     ("kept as it is" if w == SIZE else f"only resized to {SIZE}×{SIZE}"))
        return Plan(rgba, head, framing_.Framing(SIZE / w, 0.0, 0.0), tuple(notes))
    return Plan(rgba, head, framing_.propose(head), tuple(notes))


def plan_file(path, face: str | None = None) -> Plan:
    return plan_picture(read_image(path), str(path), face)
