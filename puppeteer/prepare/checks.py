"""Does a picture meet every requirement of a THA v1 character (reference README §1)? Each requirement gives a
finding that says what is wrong and what to do about it, so `puppeteer check` and the app can tell the user."""
import shlex
from dataclasses import dataclass, field

import numpy as np

from .. import template
from ..images import SIZE
from .faces import find_face
from .head import OPAQUE, head_from_face, head_from_silhouette

MIN_CONTENT = 0.02  # share of the picture the character must cover
MIN_TOUCH = 3  # opaque pixels on an edge before it counts as cut off


@dataclass(frozen=True)
class Finding:
    status: str  # "ok", "fail" or "note"
    text: str


@dataclass
class Report:
    name: str
    findings: list = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(f.status != "fail" for f in self.findings)

    def add(self, status: str, text: str) -> None:
        self.findings.append(Finding(status, text))

    def prepare_advice(self) -> str:
        return f"run `puppeteer prepare {shlex.quote(self.name)} --out character.png`"

    def text(self) -> str:
        verdict = "meets every requirement" if self.passed else "does NOT meet the requirements"
        lines = [f"{self.name}: {verdict}"]
        lines += [f"  {f.status.upper():<5} {f.text}" for f in self.findings]
        return "\n".join(lines)


def _format(report: Report, picture: np.ndarray) -> bool:
    """Size and channels; the other checks only make sense once these hold."""
    h, w, channels = picture.shape
    fix = report.prepare_advice()
    size_ok = (h, w) == (SIZE, SIZE)
    report.add("ok" if size_ok else "fail",
               f"size {w}×{h}" + ("" if size_ok else f": must be {SIZE}×{SIZE}; {fix} to fit it"))
    kinds = {1: "greyscale", 2: "greyscale with alpha", 3: "RGB without alpha", 4: "RGBA"}
    rgba_ok = channels == 4
    report.add("ok" if rgba_ok else "fail", kinds[channels] + ("" if rgba_ok else
                                                               f": must be RGBA with a transparent background; "
                                                               f"{fix} to make one"))
    if not (size_ok and rgba_ok):
        report.add("note", "the other requirements are checked once these hold")
    return size_ok and rgba_ok


def _background(report: Report, rgba: np.ndarray) -> None:
    alpha = rgba[..., 3]
    clear = alpha == 0
    if not clear.any():
        report.add("fail", "no fully transparent pixel: the background must be transparent (alpha 0); "
                   f"{report.prepare_advice()} to remove a plain background")
    else:
        report.add("ok", f"transparent background ({clear.mean():.0%} of the picture)")
    stray = int((rgba[clear][:, :3] != 0).any(axis=1).sum())
    report.add("ok" if not stray else "fail",
               "colour under transparent pixels is exactly 0" if not stray else
               f"{stray} transparent pixels have a colour other than (0,0,0): THA needs exactly (0,0,0,0) "
               f"there; {report.prepare_advice()}, which zeroes them")
    covered = (alpha > OPAQUE).mean()
    report.add("ok" if covered >= MIN_CONTENT else "fail",
               f"character covers {covered:.0%} of the picture" if covered >= MIN_CONTENT else
               f"the picture is (almost) empty: only {covered:.1%} is not transparent")


def _edges(report: Report, rgba: np.ndarray) -> None:
    """The head region must not be cut off; the body running off the bottom or the sides below the box is fine."""
    opaque = rgba[..., 3] > OPAQUE
    below = template.BOX[3]
    cut = [name for name, edge in (("top", opaque[0]), ("left", opaque[:below, 0]), ("right", opaque[:below, -1]))
           if edge.sum() >= MIN_TOUCH]
    if cut:
        report.add("fail", f"the character touches the {' and '.join(cut)} edge beside or above the head, so it "
                   "looks cut off; leave a margin there (make the picture smaller in the app's prepare dialog, or "
                   "give `puppeteer prepare` a larger --face box)")
    else:
        report.add("ok", "not cut off at the top or beside the head")
    if (opaque[below:, 0].sum() >= MIN_TOUCH) or (opaque[below:, -1].sum() >= MIN_TOUCH):
        report.add("note", "the body runs off the sides below the head box; that is harmless")


def _face(report: Report, rgba: np.ndarray) -> None:
    """The face against THA v1's template (the hair may go anywhere)."""
    face = find_face(rgba)
    head = head_from_face(rgba, face) if face else head_from_silhouette(rgba)
    if head is None:
        return
    where = "the face" if face else "the face guessed from the silhouette (no face detected)"
    problems = template.misfit(head.landmarks, tolerance=1.0 if face else 2.0)
    x, y = head.landmarks.eye_midpoint
    if not problems:
        report.add("ok", f"{where} sits where THA v1 expects it: eyes at y={y:.0f} centred at x={x:.0f}, "
                   f"{head.landmarks.scale:.0%} of THA v1's face size")
    else:
        report.add("fail", f"{where} does not sit where THA v1 expects it: {'; '.join(problems)}; "
                   f"{report.prepare_advice()} to place and scale it")
    if not face:
        report.add("note", "no face detected: THA needs a face looking straight at the viewer with both eyes and "
                   "the mouth open; if yours does, ignore this")


def check_picture(picture: np.ndarray, name: str = "picture") -> Report:
    """Every requirement on an H×W×C uint8 picture, as read by images.read_image."""
    report = Report(name)
    if _format(report, picture):
        _background(report, picture)
        _edges(report, picture)
        _face(report, picture)
    return report
