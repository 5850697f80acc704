"""A tiny MMD model written from scratch (PMX 2.0), for render-3d's MMD path: a skin-coloured head plate, two
dark eyes, a mouth, the bones 首 (neck) and 頭 (head), and the morphs ウィンク (the character's left eye shut),
ウィンク右 (the right) and あ (mouth open). MMD's axes: y up, the model faces -z, its left hand at +x."""
import struct

HEAD_BONE_Y, NECK_BONE_Y = 14.5, 13.0
EYE_Y, EYE_X, EYE_HALF = 16.4, 0.75, (0.32, 0.42)  # eye centre height, distance from the middle, half sizes
MOUTH_Y, MOUTH_HALF_WIDTH, MOUTH_DROP = 15.1, 0.35, 0.45
FACE_Z = -1.0


def _text(value: str) -> bytes:
    data = value.encode("utf-16-le")
    return struct.pack("<i", len(data)) + data


def _quad(x0, y0, x1, y1, z):
    """Corners bottom-left, bottom-right, top-right, top-left, at depth z (nearer the viewer for smaller z)."""
    return [(x0, y0, z), (x1, y0, z), (x1, y1, z), (x0, y1, z)]


def write_pmx(path, morphs=True, head="頭") -> None:
    plate = _quad(-1.8, 13.8, 1.8, 18.2, FACE_Z)  # in front of the head bone, as a face is: looking up raises it
    eyes = [_quad(x - EYE_HALF[0], EYE_Y - EYE_HALF[1], x + EYE_HALF[0], EYE_Y + EYE_HALF[1], FACE_Z - 0.02)
            for x in (EYE_X, -EYE_X)]  # the character's left eye (+x) first
    mouth = _quad(-MOUTH_HALF_WIDTH, MOUTH_Y, MOUTH_HALF_WIDTH, MOUTH_Y + 0.05, FACE_Z - 0.02)
    parts = [(plate, (1.0, 0.85, 0.75)), (eyes[0], (0.1, 0.1, 0.3)), (eyes[1], (0.1, 0.1, 0.3)),
             (mouth, (0.6, 0.1, 0.1))]
    vertices = [v for quad, _ in parts for v in quad]
    body = b"PMX " + struct.pack("<f", 2.0) + bytes([8, 0, 0, 4, 1, 1, 1, 1, 1])
    body += _text("tiny") + _text("tiny") + _text("") + _text("")
    body += struct.pack("<i", len(vertices))
    for x, y, z in vertices:
        body += struct.pack("<8f", x, y, z, 0, 0, -1, 0, 0) + bytes([0]) + struct.pack("<b", 2) + struct.pack("<f", 0)
    # two triangles per quad; MMD's front faces wind clockwise as the camera at -z sees them
    indices = [i for q in range(len(parts)) for i in (4 * q, 4 * q + 2, 4 * q + 1, 4 * q, 4 * q + 3, 4 * q + 2)]
    body += struct.pack("<i", len(indices)) + struct.pack(f"<{len(indices)}i", *indices)
    body += struct.pack("<i", 0)  # no textures
    body += struct.pack("<i", len(parts))
    for index, (_, colour) in enumerate(parts):
        body += _text(f"m{index}") + _text(f"m{index}") + struct.pack("<4f", *colour, 1.0)
        body += struct.pack("<3ff3f", 0, 0, 0, 1, *(c * 0.5 for c in colour)) + bytes([0x01])  # double-sided
        body += struct.pack("<4ff", 0, 0, 0, 1, 0) + struct.pack("<bb", -1, -1) + bytes([0, 1]) + struct.pack("<b", 0)
        body += _text("") + struct.pack("<i", 6)
    bones = [("センター", (0, 0, 0), -1), ("首", (0, NECK_BONE_Y, 0), 0), (head, (0, HEAD_BONE_Y, 0), 1)]
    body += struct.pack("<i", len(bones))
    for name, position, parent in bones:
        body += _text(name) + _text(name) + struct.pack("<3f", *position) + struct.pack("<b", parent)
        body += struct.pack("<i", 0) + struct.pack("<H", 0x0002 | 0x0008 | 0x0010) + struct.pack("<3f", 0, 1, 0)
    shut = [(4 + 4 * e + corner, (0, -2 * EYE_HALF[1], 0)) for e in range(2) for corner in (2, 3)]
    opened = [(12 + corner, (0, -MOUTH_DROP, 0)) for corner in (0, 1)]
    table = [("ウィンク", shut[:2]), ("ウィンク右", shut[2:]), ("あ", opened)] if morphs else []
    body += struct.pack("<i", len(table))
    for name, offsets in table:
        body += _text(name) + _text(name) + bytes([1, 1]) + struct.pack("<i", len(offsets))
        for vertex, offset in offsets:
            body += struct.pack("<i3f", vertex, *offset)
    body += struct.pack("<i", 0) + struct.pack("<i", 0) + struct.pack("<i", 0)  # frames, rigid bodies, joints
    path.write_bytes(body)
