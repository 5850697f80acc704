"""One 3-D model as a THA v1 character: which expressions close its eyes and open its mouth, which way its bones
turn, and where the camera stands so that its face lands on the template. Everything is found by rendering: the
pixels an expression changes mark the eye or the mouth, so any model with blink and mouth shapes can be framed and
its directions checked the same way, whatever its units or bone axes."""
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from .. import template
from ..pose import Pose
from .browser import Browser, RenderError

FORMATS = {".vrm": "vrm", ".pmx": "mmd", ".pmd": "mmd"}
# per format, the names tried in turn for each pose parameter (MMD: the usual Japanese morphs, then ARKit's)
EXPRESSIONS = {"vrm": {"left_eye": ("blinkLeft", "blink_l"), "right_eye": ("blinkRight", "blink_r"),
                       "mouth": ("aa", "a")},
               "mmd": {"left_eye": ("ウィンク", "eyeBlinkLeft"), "right_eye": ("ウィンク右", "eyeBlinkRight"),
                       "mouth": ("あ", "jawOpen")}}
MORPHS = ("left_eye", "right_eye", "mouth")
# THA v1's directions (head_x > 0 looks up, head_y > 0 turns toward the image left, neck_z > 0 tilts the head top
# toward the image left) as multiples of the bone rotations, by the model's axes: all face the camera at +z, but a
# VRM 0.x model's normalized bones keep its original axes, turned half round about y, so its x and z turn the other
# way. A start that `check_directions` corrects per model (VRM 1.0's is untried here: no sample model).
SIGNS = {"vrm0": {"head_x": 1.0, "head_y": -1.0, "neck_z": -1.0},
         "vrm1": {"head_x": -1.0, "head_y": -1.0, "neck_z": 1.0},
         "mmd": {"head_x": -1.0, "head_y": -1.0, "neck_z": 1.0}}
CHANGED = 24  # a pixel counts as changed by an expression when a channel moves by more than this
FOV = 20.0
FIT_ROUNDS = 4


class ModelError(RenderError):
    pass


@dataclass
class Rig:
    """How to pose one model: expression names for the morph parameters, bone signs and the camera."""
    path: Path
    format: str
    expressions: dict                     # pose parameter → expression name
    axes: str = "vrm0"                    # which SIGNS the bones start from
    signs: dict | None = None             # SIGNS[axes] unless given
    position: tuple = (0.0, 0.0, 0.0)     # the camera, looking along -z
    scale: float = 1.0                    # picture = scale × first view's picture + shift (THREE's view offset)
    shift: tuple = (0.0, 0.0)
    notes: list = field(default_factory=list)

    def __post_init__(self):
        self.signs = dict(self.signs or SIGNS[self.axes])

    def view(self) -> dict:
        full = 256 * self.scale
        return {"position": list(self.position), "fov": FOV, "offset": [full, -self.shift[0], -self.shift[1]]}

    def weights(self, pose: Pose) -> dict:
        return {self.expressions[name]: float(getattr(pose, name)) for name in MORPHS}

    def rotation(self, pose: Pose) -> tuple:
        return tuple(self.signs[name] * getattr(pose, name) for name in ("head_x", "head_y", "neck_z"))

    def render(self, browser: Browser, pose: Pose) -> np.ndarray:
        return browser.render(self.rotation(pose), self.weights(pose), self.view())

    def describe(self) -> dict:
        return {"format": self.format, "axes": self.axes, "expressions": self.expressions, "signs": self.signs,
                "camera": {"position": list(self.position), "fov": FOV, "scale": self.scale,
                           "shift": list(self.shift)}, "notes": self.notes}


def model_format(path: Path) -> str:
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        raise ModelError(f"{path}: not a model this command reads (give .vrm, .pmx or .pmd files)") from None


def parse_map(text: str | None) -> dict:
    """--map left_eye=NAME,right_eye=NAME,mouth=NAME (any of them) → {parameter: expression name}."""
    mapping = {}
    for part in filter(None, (text or "").split(",")):
        name, _, expression = part.partition("=")
        if name.strip() not in MORPHS or not expression.strip():
            raise ModelError(f"--map {text!r}: give parameter=expression pairs, parameters among "
                             f"{', '.join(MORPHS)} (e.g. left_eye=Wink,mouth=A)")
        mapping[name.strip()] = expression.strip()
    return mapping


def choose_expressions(path: Path, model_format: str, available: list, mapping: dict) -> dict:
    """The expression each morph parameter drives: --map's, else the format's usual names."""
    chosen, missing = {}, []
    for name in MORPHS:
        wanted = (mapping[name],) if name in mapping else EXPRESSIONS[model_format][name]
        found = next((e for e in wanted if e in available), None)
        if found is None:
            missing.append(f"{name} (looked for {' or '.join(wanted)})")
        chosen[name] = found
    if missing:
        have = ", ".join(available[:30]) or "none"
        raise ModelError(f"{path}: no expression for {'; '.join(missing)}; the model's expressions: {have}; "
                         f"name one with --map {missing[0].split()[0]}=NAME")
    return chosen


def _centre(rest: np.ndarray, changed: np.ndarray, what: str, path: Path) -> tuple:
    moved = np.abs(rest.astype(np.int16) - changed).max(axis=-1) > CHANGED
    if moved.sum() < 4:
        raise ModelError(f"{path}: {what} changes nothing that the camera sees (is it the right expression? "
                         "see --map)")
    ys, xs = np.nonzero(moved)
    return float(xs.mean()), float(ys.mean())


def landmarks(rig: Rig, browser: Browser, head: tuple = (0.0, 0.0, 0.0)) -> template.FaceLandmarks:
    """Eye and mouth centres as the pixels each expression changes, with the head turned by `head`."""
    base = Pose(*head)
    rest = rig.render(browser, base)
    centre = {name: _centre(rest, rig.render(browser, replace(base, **{name: 1.0})), f"{name} "
                            f"({rig.expressions[name]})", rig.path) for name in MORPHS}
    # the character's left eye is on the picture's right
    return template.FaceLandmarks(centre["right_eye"], centre["left_eye"], centre["mouth"])


def first_view(info: dict) -> tuple:
    """A camera in front of the face, far enough to see the whole head whatever the model's units: the head bone
    to the top of the model is the head's height h; 6 h away with a 20° field the picture spans 2 h."""
    head = np.array(info["head"], dtype=float)
    height = max(float(info["box"][1][1]) - head[1], 1e-3)
    return (float(head[0]), float(head[1] + 0.6 * height), float(head[2] + 6.0 * height))


def fit_camera(rig: Rig, browser: Browser) -> template.FaceLandmarks:
    """Move the picture (a view offset: an exact zoom and shift, no resampling) until the face sits on the template."""
    for _ in range(FIT_ROUNDS):
        found = landmarks(rig, browser)
        if found.left_eye[0] > found.right_eye[0]:
            rig.expressions["left_eye"], rig.expressions["right_eye"] = (rig.expressions["right_eye"],
                                                                       rig.expressions["left_eye"])
            rig.notes.append("the eye expressions close the other eye than their names say: swapped")
            continue
        scale, dx, dy = _fit_eyes(found)
        rig.scale, rig.shift = rig.scale * scale, (rig.shift[0] * scale + dx, rig.shift[1] * scale + dy)
        if abs(scale - 1) < 0.005 and abs(dx) < 0.5 and abs(dy) < 0.5:
            break
    return landmarks(rig, browser)


def _fit_eyes(found: template.FaceLandmarks) -> tuple:
    """(scale, dx, dy) putting the eyes on the template's. By the eyes alone: the mouth's pixels are those of the
    open mouth, lower than the closed one that the template measures."""
    scale = template.EYE_DISTANCE / found.eye_distance
    x, y = found.eye_midpoint
    return scale, template.EYE_X - x * scale, template.EYE_Y - y * scale


def check_directions(rig: Rig, browser: Browser, rest: template.FaceLandmarks) -> None:
    """Flip a bone's sign where turning it moves the face the other way than THA v1's pose table says."""
    tests = {"head_x": lambda f: f.eye_midpoint[1] < rest.eye_midpoint[1],  # looks up: the eyes rise
             "head_y": lambda f: f.eye_midpoint[0] < rest.eye_midpoint[0],  # toward the image left
             "neck_z": lambda f: f.right_eye[1] < f.left_eye[1]}            # head top left: the right eye rises
    for index, name in enumerate(("head_x", "head_y", "neck_z")):
        head = [0.0, 0.0, 0.0]
        head[index] = 0.5
        if not tests[name](landmarks(rig, browser, tuple(head))):
            rig.signs[name] = -rig.signs[name]
            rig.notes.append(f"{name}: the bone turns the other way than expected: flipped")


def prepare_rig(path: Path, browser: Browser, mapping: dict | None = None) -> tuple[Rig, template.FaceLandmarks]:
    """Load the model in `browser` and make its Rig; also the rest pose's landmarks after fitting."""
    kind = model_format(path)
    info = browser.load(kind)
    if not info.get("neck"):
        raise ModelError(f"{path}: the model has no neck bone (VRM neck, MMD 首): neck_z cannot be posed")
    rig = Rig(path, kind, choose_expressions(path, kind, info["expressions"], mapping or {}), axes=info["axes"],
              position=first_view(info))
    found = fit_camera(rig, browser)
    check_directions(rig, browser, found)
    return rig, found
