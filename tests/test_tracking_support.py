"""Shared material for the tracking tests: real face photos from packages, in-plane rotations, a painted-shut
eye, small videos, and a private config folder. (No tests here.)"""
import cv2
import matplotlib.cbook
import matplotlib.image
import numpy as np
import pytest
import skimage.data

PHOTOS = ("astronaut", "grace_hopper")

# upper and lower lid contours (corner to corner) of the eye on the picture's left and on its right
LIDS = {"left": ([33, 246, 161, 160, 159, 158, 157, 173, 133], [33, 7, 163, 144, 145, 153, 154, 155, 133]),
        "right": ([263, 466, 388, 387, 386, 385, 384, 398, 362], [263, 249, 390, 373, 374, 380, 381, 382, 362])}


def photo(name: str) -> np.ndarray:
    """A real face, RGB uint8, cropped around the face to keep the tests quick."""
    if name == "astronaut":
        return np.ascontiguousarray(skimage.data.astronaut()[0:320, 64:384])
    image = np.asarray(matplotlib.image.imread(matplotlib.cbook.get_sample_data("grace_hopper.jpg")))
    return np.ascontiguousarray(image[40:440, 56:456])


def rotate(image: np.ndarray, degrees: float) -> np.ndarray:
    """Turned counter-clockwise (as displayed) by `degrees` about the centre, edges extended."""
    h, w = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    return cv2.warpAffine(image, matrix, (w, h), borderMode=cv2.BORDER_REPLICATE)


def shut_eye(image: np.ndarray, landmarks: np.ndarray, side: str) -> np.ndarray:
    """The eye on the picture's `side` painted shut: skin over the eye, a dark lash line along the lower lid."""
    upper, lower = landmarks[LIDS[side][0]], landmarks[LIDS[side][1]]
    height = np.ptp(np.r_[upper, lower][:, 1])
    region = np.r_[upper - [0, 0.6 * height], lower[::-1] + [0, 0.4 * height]].astype(np.int32)
    below = (lower + [0, 1.5 * height]).astype(int)
    skin = np.median([image[y, x] for x, y in below], axis=0)
    out = image.copy()
    cv2.fillPoly(out, [region], skin.tolist(), lineType=cv2.LINE_AA)
    mask = cv2.GaussianBlur(cv2.fillPoly(np.zeros(out.shape[:2], np.uint8), [region], 255), (5, 5), 0)
    out = np.where(mask[..., None] > 0, cv2.GaussianBlur(out, (5, 5), 0), out)
    cv2.polylines(out, [lower.astype(np.int32)], False, (35, 25, 25), max(1, int(height / 5)), cv2.LINE_AA)
    return out


def write_video(path, frames, fps: float = 30.0) -> None:
    h, w = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    for frame in frames:
        writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    writer.release()


@pytest.fixture
def config_dir(tmp_path, monkeypatch):
    """A private user config folder, so no test reads or writes the real calibration."""
    folder = tmp_path / "config"
    monkeypatch.setenv("PUPPETEER_CONFIG_DIR", str(folder))
    return folder
