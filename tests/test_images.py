"""Character pictures: validation errors, 8/16-bit loading, exact value conventions, brightness, safe writes."""
import numpy as np
import pytest
from PIL import Image

from conftest import make_character
from puppeteer import images
from puppeteer.errors import ImageError
from puppeteer.files import OutputExistsError


def _reference_encode(rgba):
    """Reference README §1, written out independently: /255 in float64, sRGB→linear, float32, ×2−1."""
    v = rgba.astype(np.float64) / 255.0
    rgb = np.where(v[..., :3] <= 0.04045, v[..., :3] / 12.92, ((v[..., :3] + 0.055) / 1.055) ** 2.4)
    x = np.concatenate([rgb, v[..., 3:]], axis=2).transpose(2, 0, 1).astype(np.float32)
    return x * 2 - 1


def test_tha1_encoding_matches_the_reference_exactly():
    rgba = np.random.default_rng(0).integers(0, 256, (16, 16, 4), dtype=np.uint8)
    assert np.array_equal(images.encode(rgba, "tha1"), _reference_encode(rgba))
    assert np.array_equal(images.encode(rgba, "ntut"), (rgba / 255.0).astype(np.float32).transpose(2, 0, 1))


@pytest.mark.parametrize("convention", ["tha1", "ntut"])
def test_decode_inverts_encode_for_every_level(convention):
    levels = np.arange(256, dtype=np.uint8)
    rgba = np.stack(np.meshgrid(levels, levels), -1)[..., [0, 1, 0, 1]].astype(np.uint8)
    assert np.array_equal(images.decode(images.encode(rgba, convention), convention), rgba)


def test_decode_clips_out_of_range_values():
    x = np.full((4, 2, 2), 3.0, np.float32)
    x[:, 0] = -3
    out = images.decode(x, "tha1")
    assert out[0].tolist() == [[0, 0, 0, 0]] * 2 and out[1].tolist() == [[255] * 4] * 2


def test_rgb_under_transparent_pixels_is_zeroed(tmp_path):
    rgba = make_character()
    rgba[0, 0] = (200, 10, 30, 0)
    Image.fromarray(rgba).save(tmp_path / "c.png")
    loaded = images.load_character(tmp_path / "c.png")
    assert loaded[0, 0].tolist() == [0, 0, 0, 0]
    assert np.array_equal(loaded[100:140, 100:140], rgba[100:140, 100:140])


def test_16_bit_png_loads_without_truncation(tmp_path):
    import cv2

    rgba8 = make_character()
    bgra16 = (rgba8[..., [2, 1, 0, 3]].astype(np.uint16) * 257)
    bgra16[..., 0] += 128  # just under the next 8-bit level: rounding, not truncation, must give rgba8
    cv2.imwrite(str(tmp_path / "c16.png"), bgra16)
    assert np.array_equal(images.load_character(tmp_path / "c16.png"), images.clean_transparent(rgba8))


def _write(tmp_path, name, array=None, data=None):
    path = tmp_path / name
    if data is not None:
        path.write_bytes(data)
    else:
        Image.fromarray(array).save(path)
    return path


@pytest.mark.parametrize("case,message", [
    ("missing", "file not found"),
    ("not an image", "not a picture"),
    ("truncated", "damaged or truncated"),
    ("wrong size", "is 300×200; a character must be 256×256"),
    ("rgb", "RGB with no transparency"),
    ("grey", "greyscale with no transparency"),
    ("palette", "RGB with no transparency"),
])
def test_bad_pictures_give_clear_errors(tmp_path, case, message):
    good = make_character()
    path = {
        "missing": lambda: tmp_path / "nothing.png",
        "not an image": lambda: _write(tmp_path, "x.png", data=b"hello, not a png"),
        "truncated": lambda: _write(tmp_path, "t.png", data=_write(tmp_path, "full.png", good).read_bytes()[:3000]),
        "wrong size": lambda: _write(tmp_path, "s.png", np.zeros((200, 300, 4), np.uint8)),
        "rgb": lambda: _write(tmp_path, "rgb.png", good[..., :3]),
        "grey": lambda: _write(tmp_path, "g.png", good[..., 0]),
        "palette": lambda: (Image.fromarray(good[..., :3]).convert("P").save(tmp_path / "p.png"),
                            tmp_path / "p.png")[1],
    }[case]()
    with pytest.raises(ImageError, match=message) as info:
        images.load_character(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize("bits", [8, 16])
@pytest.mark.parametrize("times_the_limit, shown", [(1.5, "300×200 (0 megapixels)"), (3, "over 0 megapixels")])
def test_a_picture_over_the_pixel_limit_is_refused_before_decoding(tmp_path, monkeypatch, recwarn, bits,
                                                                    times_the_limit, shown):
    """Pillow's decompression-bomb limit, scaled down (a real 12000×12000 picture is a 144-megapixel test): a
    one-line error naming the file and the limit, not a warning and gigabytes of memory."""
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", round(300 * 200 / times_the_limit))
    path = tmp_path / "huge.png"
    data = np.zeros((200, 300), np.uint16 if bits == 16 else np.uint8)
    Image.fromarray(data).save(path)
    with pytest.raises(ImageError, match=r"huge.png: the picture is (.+), more than the 0 megapixels") as error:
        images.read_image(path)
    assert shown in str(error.value) and "shrink it first" in str(error.value)
    assert not [w for w in recwarn if issubclass(w.category, Image.DecompressionBombWarning)]
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 300 * 200)  # at the limit: read
    assert images.read_image(path).shape == (200, 300, 1)


def test_add_alpha_makes_an_opaque_character(tmp_path):
    path = _write(tmp_path, "rgb.png", make_character()[..., :3])
    loaded = images.load_character(path, add_alpha=True)
    assert loaded.shape == (256, 256, 4) and (loaded[..., 3] == 255).all()


def test_brightness_scales_rgb_and_keeps_alpha():
    rgba = make_character()
    for amount in (-0.3, 0.3):
        out = images.apply_brightness(rgba, amount)
        expected = np.clip(np.rint(rgba[..., :3] * (1 + amount)), 0, 255)
        assert np.array_equal(out[..., :3], expected) and np.array_equal(out[..., 3], rgba[..., 3])
    assert images.apply_brightness(rgba, 0) is rgba


def test_backgrounds():
    rgba = make_character()
    assert images.parse_background("transparent") is None
    assert images.parse_background("#10ff00") == (16, 255, 0)
    with pytest.raises(ImageError, match="not understood"):
        images.parse_background("plaid")
    green = images.composite(rgba, images.parse_background("green"))
    assert (green[..., 3] == 255).all() and green[0, 0].tolist() == [0, 255, 0, 255]
    assert np.array_equal(green[120, 128, :3], rgba[120, 128, :3])


def test_numbered_snapshots_never_overwrite(tmp_path):
    rgba = make_character()
    first = images.save_new_numbered_png(tmp_path, rgba)
    second = images.save_new_numbered_png(tmp_path, rgba)
    assert first != second and first.name == "snapshot-0001.png" and second.name == "snapshot-0002.png"
    with pytest.raises(OutputExistsError):
        images.save_png(first, np.zeros_like(rgba))
    assert np.array_equal(np.asarray(Image.open(first)), rgba)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp")]
