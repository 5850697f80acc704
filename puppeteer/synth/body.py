"""Neck, shoulders and clothes. The body never moves; the neck turns about the neck root with neck_z.
Points here are in world space (y up, origin at the image centre); Y0 is the neck root."""
import numpy as np

from . import geometry as g
from .face import outline as face_outline
from .scene import NECK_ROOT_Y as Y0
from .scene import Scene


def _neck_polygon(sc: Scene) -> np.ndarray:
    w = sc.spec.body.neck_w * sc.r
    top = sc.spec.face.centre_y - 0.6 * sc.r
    return np.array([[-w, top], [w, top], [w * 1.12, Y0 - 10], [-w * 1.12, Y0 - 10]])


def draw_neck(sc: Scene) -> None:
    c = sc.spec.colors
    neck = sc.neck(_neck_polygon(sc))
    sc.canvas.fill(neck, c.skin)
    sc.canvas.line(neck[1:3], c.skin_line, sc.lw)
    sc.canvas.line(neck[[0, 3]], c.skin_line, sc.lw)
    points, z = face_outline(sc)  # the chin's shadow falls on the neck and follows the head
    lower = points[:, 1] < -sc.spec.face.cheek_y * sc.r
    shadow = points[lower] - (0, 0.16 * sc.r)
    shadow = np.concatenate([shadow, [[shadow[-1, 0], 0.0], [shadow[0, 0], 0.0]]])
    with sc.canvas.clip(neck) as layer:
        layer.fill(sc.at_depth(shadow, np.concatenate([z[lower], [0.0, 0.0]])), c.skin_shadow)


def _torso(sc: Scene, neckline: np.ndarray) -> np.ndarray:
    """The shoulders' outline, closed by a neckline that runs from the left neck side to the right one."""
    b = sc.spec.body
    s, drop, w = b.shoulder, b.slope, b.neck_w * sc.r + 2
    left = np.concatenate([
        g.bezier((-s - 16, -150), (-s - 14, -110), (-s - 6, Y0 - drop - 2), (-s + 6, Y0 - drop + 1), 10),
        g.bezier((-s + 6, Y0 - drop + 1), (-0.55 * s, Y0 - 0.35 * drop), (-w - 12, Y0 + 1), (-w, Y0 + 2), 10)[1:]])
    right = left[::-1] * (-1, 1)
    return np.concatenate([left, neckline[1:-1], right])


def _bow(sc: Scene, x: float, y: float, size: float, color) -> None:
    c = sc.spec.colors
    for side in (-1, 1):
        wing = np.array([[x, y], [x + side * size, y + 0.55 * size], [x + side * 0.9 * size, y - 0.6 * size]])
        sc.canvas.shape(sc.world(wing), color, c.line, sc.lw * 0.8)
        tail = np.array([[x, y], [x + side * 0.55 * size, y - 1.4 * size], [x + side * 0.2 * size, y - 1.3 * size]])
        sc.canvas.shape(sc.world(tail), color, c.line, sc.lw * 0.8)
    sc.canvas.shape(sc.world(g.ellipse(x, y, 0.28 * size, 0.3 * size, 12)), color, c.line, sc.lw * 0.8)


def draw_behind(sc: Scene) -> None:
    """Clothes that lie behind the neck: the hood."""
    if sc.spec.body.clothes == "hoodie":
        c, w = sc.spec.colors, sc.spec.body.neck_w * sc.r
        hood = g.ellipse(0, Y0 + 2, w + 20, 14, 24)
        sc.canvas.shape(sc.world(hood), c.clothes_shadow, c.line, sc.lw)


def draw_clothes(sc: Scene) -> None:
    b, c = sc.spec.body, sc.spec.colors
    w = b.neck_w * sc.r + 2
    style = b.clothes
    line = lambda pts, width=1.0: sc.canvas.line(sc.world(pts), c.line, sc.lw * width)  # noqa: E731
    if style in ("sailor", "blazer", "dress"):
        depth = {"sailor": 40, "blazer": 58, "dress": 26}[style]
        torso = _torso(sc, g.quad((-w, Y0 + 2), (0, Y0 - 10), (w, Y0 + 2), 8))
        sc.canvas.shape(sc.world(torso), c.skin if style == "dress" else c.clothes, c.line, sc.lw)
        if style == "dress":
            s = b.shoulder
            dress = np.concatenate([g.quad((-0.62 * s, Y0 - depth), (0, Y0 - depth - 12), (0.62 * s, Y0 - depth), 10),
                                    [[0.72 * s, -150], [-0.72 * s, -150]]])
            sc.canvas.shape(sc.world(dress), c.clothes, c.line, sc.lw)
            for side in (-1, 1):
                line(np.array([[side * 0.5 * s, Y0 - depth - 2], [side * (w + 14), Y0 - 2]]), 2.2)
                line(g.quad((side * 8, Y0 - 14), (side * 20, Y0 - 10), (side * 34, Y0 - 13), 6), 0.6)
            return
        chest = np.array([[-w - 1, Y0 + 2], [w + 1, Y0 + 2], [0, Y0 - depth]])
        sc.canvas.shape(sc.world(chest), c.skin if style == "sailor" else (250, 250, 252), c.line, sc.lw)
        if style == "sailor":
            for side in (-1, 1):
                flap = np.array([[side * w, Y0 + 2], [side * (b.shoulder * 0.72), Y0 - b.slope * 0.7 - 2],
                                 [side * b.shoulder * 0.5, Y0 - depth - 4], [0, Y0 - depth - 4]])
                sc.canvas.shape(sc.world(flap), c.clothes2, c.line, sc.lw)
                stripe = np.array([[side * (b.shoulder * 0.64), Y0 - b.slope * 0.7 - 4],
                                   [side * b.shoulder * 0.44, Y0 - depth - 1]])
                sc.canvas.line(sc.world(stripe), (250, 250, 250), 1.4)
            _bow(sc, 0, Y0 - depth - 6, 11, c.accent)
        else:
            sc.canvas.shape(sc.world(np.array([[-w, Y0 + 2], [-w - 2, Y0 - 9], [-3, Y0 - 6]])), (250, 250, 252),
                            c.line, sc.lw * 0.8)
            sc.canvas.shape(sc.world(np.array([[w, Y0 + 2], [w + 2, Y0 - 9], [3, Y0 - 6]])), (250, 250, 252),
                            c.line, sc.lw * 0.8)
            if b.tie:
                tie = np.array([[-3, Y0 - 5], [3, Y0 - 5], [6, Y0 - 50], [0, Y0 - 62], [-6, Y0 - 50]])
                sc.canvas.shape(sc.world(tie), c.accent, c.line, sc.lw * 0.8)
            else:
                _bow(sc, 0, Y0 - 8, 8, c.accent)
            for side in (-1, 1):
                lapel = np.array([[side * (w + 1), Y0 + 2], [side * (w + 12), Y0 - 4], [side * 16, Y0 - 36],
                                  [0, Y0 - depth]])
                sc.canvas.shape(sc.world(lapel), c.clothes_shadow, c.line, sc.lw)
        return
    torso = _torso(sc, g.quad((-w, Y0 + 2), (0, Y0 - 14), (w, Y0 + 2), 8))
    sc.canvas.shape(sc.world(torso), c.clothes, c.line, sc.lw)
    if style == "turtleneck":
        collar = np.array([[-w - 2, Y0 - 8], [w + 2, Y0 - 8], [w + 1, Y0 + 12], [-w - 1, Y0 + 12]])
        sc.canvas.shape(sc.neck(collar), c.clothes, c.line, sc.lw)
        for x in np.linspace(-w + 3, w - 3, 4):
            sc.canvas.line(sc.neck(np.array([[x, Y0 - 5], [x, Y0 + 9]])), c.clothes_shadow, 1.0)
    else:
        band = g.quad((-w, Y0 + 2), (0, Y0 - 14), (w, Y0 + 2), 8)
        sc.canvas.fill(sc.world(g.stroke(band, 3.0)), c.clothes_shadow)
        line(band)
        if style == "hoodie":
            for side in (-1, 1):
                cord = np.array([[side * 6, Y0 - 8], [side * 7, Y0 - 30]])
                sc.canvas.line(sc.world(cord), c.clothes2, 1.6)
                sc.canvas.fill(sc.world(g.ellipse(side * 7, Y0 - 31, 1.6, 2.2, 8)), c.line)
