"""Hair, the part that makes a character read as anime: back hair (short to very long, behind the head and
body), twin tails or buns, the cap over the skull with its highlight band, side locks framing the face, the
bangs (pointed, blunt, swept or parted) and an optional ahoge.

Depths (head space): back hair and tails behind the skull, the cap's rim on the silhouette, bangs and their
hairline on the forehead, side locks in front of the cheeks, so each shifts differently when the head turns."""
import numpy as np

from . import geometry as g
from .scene import Scene


def _bottom(sc: Scene) -> float:
    """How far the back hair hangs below the head centre, px."""
    return sc.r * {"short": 0.55, "bob": 1.35, "long": 2.6, "very_long": 3.8}[sc.spec.hair.back]


def _shape(sc: Scene, points: np.ndarray) -> None:
    """Fill a hair polygon (image pixels) with the base colour and an outline."""
    c = sc.spec.colors
    sc.canvas.shape(points, c.hair, c.hair_line, sc.lw)


def _back_outline(sc: Scene) -> np.ndarray:
    h, r = sc.spec.hair, sc.r
    rc, bottom = sc.cap_radius, _bottom(sc)
    flare = h.back_flare * r
    top = g.ellipse(0, 0, rc, rc, 24, -0.35, np.pi + 0.35)
    left_top = top[-1]
    left = g.bezier(left_top, (-rc - 0.3 * flare, -0.45 * bottom), (-rc - flare, -0.8 * bottom),
                    (-rc - 0.95 * flare, -bottom), 12)
    count = 5 if h.back != "short" else 4
    xs = np.linspace(-rc - 0.95 * flare, rc + 0.95 * flare, 2 * count + 1)[1:-1]
    notch = 0.22 * r if h.back != "bob" else 0.1 * r
    ys = np.where(np.arange(len(xs)) % 2 == 0, -bottom + notch, -bottom - 0.05 * r * np.asarray(h.jitter[:len(xs)]))
    tips = np.column_stack([xs, ys])
    right = left[::-1] * (-1, 1)
    return np.concatenate([top[::-1], left[1:], tips, right[:-1]])


def draw_back(sc: Scene) -> None:
    """Behind everything: back hair, twin tails, buns."""
    h, c, r = sc.spec.hair, sc.spec.colors, sc.r
    rc = sc.cap_radius
    z = -0.5 * r
    back = sc.at_depth(_back_outline(sc), z)
    _shape(sc, back)
    if h.back != "short":  # the underside, seen between the face and the neck, is in shadow
        low = _bottom(sc) - 0.3 * r
        sc.canvas.fill(sc.at_depth(g.ellipse(0, 0.2 * r - (low + 0.2 * r) / 2, 0.92 * r, (low + 0.2 * r) / 2, 24), z),
                       c.hair_shadow)
    if h.tails == "twin":
        for side in (-1, 1):
            tail = np.concatenate([
                g.bezier((0.85 * rc, 0.55 * r), (rc + 0.8 * r, 0.5 * r), (rc + 0.9 * r, -1.3 * r),
                         (rc + 0.35 * r, -h.tail_length * r), 14),
                g.bezier((rc + 0.35 * r, -h.tail_length * r), (rc + 0.1 * r, -1.2 * r), (rc - 0.05 * r, -0.1 * r),
                         (0.8 * rc, 0.15 * r), 14)[1:]]) * (side, 1)
            _shape(sc, sc.at_depth(tail, -0.3 * r))
            strand = g.quad((rc + 0.2 * r, 0.2 * r), (rc + 0.55 * r, -0.8 * r),
                            (rc + 0.35 * r, -0.75 * h.tail_length * r))
            sc.canvas.line(sc.at_depth(strand * (side, 1), -0.3 * r), c.hair_shadow, sc.lw)
    elif h.tails == "buns":
        for side in (-1, 1):
            bun = g.ellipse(side * 0.8 * rc, 0.62 * rc, 0.3 * r, 0.3 * r, 20)
            _shape(sc, sc.at_depth(bun, -0.1 * r))


def _cap(sc: Scene) -> tuple[np.ndarray, np.ndarray]:
    """The hair over the skull: its rim on the silhouette (z = 0), its lower edge along the hairline."""
    r, rc = sc.r, sc.cap_radius
    rim = g.ellipse(0, 0, rc, rc, 30, -0.2, np.pi + 0.2)
    hairline = g.quad((-0.95 * r, -0.12 * r), (0, 0.95 * r), (0.95 * r, -0.12 * r), 14)
    z = np.concatenate([np.zeros(len(rim)), sc.depth(hairline) + 0.05 * r])
    return np.concatenate([rim, hairline]), z


def _side_locks(sc: Scene) -> None:
    """Locks hanging down in front of the ears and cheeks; their roots hide under the cap."""
    h, e, c, r = sc.spec.hair, sc.spec.eyes, sc.spec.colors, sc.r
    if h.side_length <= 0:
        return
    rc = sc.cap_radius
    inner_limit = (e.x + e.w * 1.25) * r  # keep clear of the eyes
    width = min(h.side_width * r, 0.98 * rc - inner_limit)
    length = h.side_length * r
    top = 0.55 * r
    root = np.sqrt(rc * rc - top * top) - 1.0
    for side, j in ((-1, h.jitter[10]), (1, h.jitter[11])):
        outer = g.bezier((root, top), (1.02 * rc, -0.2 * r), (0.98 * rc, -0.6 * length),
                         (0.9 * rc - 0.3 * width, -length), 12)
        inner = g.bezier((0.9 * rc - 0.3 * width, -length), (0.98 * rc - width, -0.5 * length),
                         (0.98 * rc - width - 0.05 * r * j, -0.1 * r), (root - width, top), 12)
        lock = np.concatenate([outer, inner[1:]]) * (side, 1)
        _shape(sc, sc.at_depth(lock, 0.25 * r))
        strand = g.quad((0.98 * rc - 0.5 * width, 0.1 * r), (0.99 * rc - 0.4 * width, -0.4 * length),
                        (0.93 * rc - 0.4 * width, -0.8 * length), 8) * (side, 1)
        sc.canvas.line(sc.at_depth(strand, 0.25 * r), c.hair_shadow, sc.lw * 0.9)


def _bang_tips(sc: Scene, count: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Root edges (count + 1 points), tips and bends of the bangs, by style."""
    h, e, r = sc.spec.hair, sc.spec.eyes, sc.r
    rc = sc.cap_radius
    xs = np.linspace(-0.97 * rc, 0.97 * rc, count + 1)
    roots = np.column_stack([xs, 0.62 * r * np.sqrt(np.clip(1 - (xs / (1.02 * rc)) ** 2, 0, 1)) + 0.05 * r])
    eye_top = (-e.y + e.h) * r
    mids = (xs[:-1] + xs[1:]) / 2
    jit = np.asarray(h.jitter[:count])
    tip_y = eye_top + h.bang_length * r + 0.05 * r * jit + 0.15 * r * (np.abs(mids) / rc) ** 2
    tip_x = mids + 0.04 * r * jit
    bend = np.zeros(count)
    if h.bangs == "pointed":
        tip_y += np.where(np.arange(count) % 2 == 1, 0.12 * r, 0.0)
        bend = 0.06 * r * np.sign(mids)
    elif h.bangs == "blunt":
        tip_y = np.full(count, eye_top + h.bang_length * r + 0.02 * r)
    elif h.bangs == "swept":
        direction = 1.0 if h.part >= 0 else -1.0
        tip_x = mids + direction * 0.28 * r
        bend = np.full(count, direction * 0.16 * r)
        tip_y += 0.1 * r * direction * mids / rc
    else:  # parted
        centre = 0.3 * r * h.part
        away = np.sign(mids - centre)
        tip_x = mids + away * 0.15 * r
        bend = away * 0.12 * r
        tip_y += 0.22 * r * np.exp(-(((mids - centre) / (0.3 * r)) ** 2))
    return roots, np.column_stack([tip_x, tip_y]), bend


def _bangs(sc: Scene) -> None:
    h, c, r = sc.spec.hair, sc.spec.colors, sc.r
    count = h.bang_count + (4 if h.bangs == "blunt" else 0)
    roots, tips, bends = _bang_tips(sc, count)
    depth = 0.06 * r
    under = np.concatenate([roots, (roots[::-1] + tips[np.r_[count - 1, count - 1:0:-1, 0]]) / 2 - (0, 0.02 * r)])
    sc.canvas.fill(sc.on_face(under, depth * 0.5), c.hair_shadow)
    locks = []
    for i in range(count):
        a, b = roots[i] - (0.07 * r, 0), roots[i + 1] + (0.07 * r, 0)
        if h.bangs == "blunt":
            locks.append(np.concatenate([
                g.quad(a, (a + tips[i]) / 2 - (0.02 * r, 0), tips[i] - (0.06 * r, 0), 6),
                g.quad(tips[i] + (0.06 * r, 0), (b + tips[i]) / 2 + (0.02 * r, 0), b, 6)]))
        else:
            locks.append(g.lock(a, b, tips[i], bends[i], 8))
    mapped = sc.on_face(np.concatenate(locks), depth)
    for points in np.split(mapped, np.cumsum([len(lock) for lock in locks])[:-1]):
        sc.canvas.fill(points, c.hair)
        sc.canvas.line(points[3:-3], c.hair_line, sc.lw)  # only toward the tip: the roots merge into the cap


def _highlight(sc: Scene, cap: np.ndarray) -> None:
    c, r = sc.spec.colors, sc.r
    rc = sc.cap_radius
    xs = np.linspace(-0.8 * rc, 0.8 * rc, 11)
    arc = 0.78 * r * np.sqrt(np.clip(1 - (xs / rc) ** 2, 0, 1)) + 0.1 * r
    zig = np.where(np.arange(len(xs)) % 2 == 0, 0.0, 0.1 * r)
    band = np.concatenate([np.column_stack([xs, arc + 0.06 * r]), np.column_stack([xs, arc - 0.05 * r - zig])[::-1]])
    band = sc.on_face(band, 0.1 * r)
    with sc.canvas.clip(cap, band) as layer:
        layer.fill(band, c.hair_light)


def _ahoge(sc: Scene) -> None:
    h, r = sc.spec.hair, sc.r
    rc = sc.cap_radius
    x0, turn = 0.15 * r * h.part, 1.0 if h.jitter[12] > 0 else -1.0
    curve = g.bezier((x0, rc - 0.1 * r), (x0 + turn * 0.05 * r, rc + 0.5 * r), (x0 + turn * 0.45 * r, rc + 0.6 * r),
                     (x0 + turn * 0.4 * r, rc + 0.3 * r), 12)
    _shape(sc, sc.at_depth(g.stroke(curve, g.taper(12, 0.14 * r, 0.1 * r, 0.0, 0.2)), 0.0))


def draw_front(sc: Scene) -> None:
    """In front of the face: the cap with its highlight, side locks, bangs, ahoge."""
    _side_locks(sc)
    points, z = _cap(sc)
    cap = sc.at_depth(points, z)
    _shape(sc, cap)
    _highlight(sc, cap)
    _bangs(sc)
    if sc.spec.hair.ahoge:
        _ahoge(sc)
