"""Pictures for the screen, prepared on the worker threads so the UI thread only paints: numpy → QImage (never
QPixmap, which belongs to the UI thread) and the camera preview, shrunk before the landmarks are drawn on it."""
from dataclasses import replace

import cv2
import numpy as np
from PySide6.QtGui import QImage

from ..tracking.preview import draw_preview

PREVIEW_WIDTH = 320


def to_qimage(picture: np.ndarray) -> QImage:
    """H×W×3 or H×W×4 uint8 → a QImage that owns its pixels."""
    picture = np.ascontiguousarray(picture)
    h, w, channels = picture.shape
    fmt = QImage.Format.Format_RGBA8888 if channels == 4 else QImage.Format.Format_RGB888
    return QImage(picture.data, w, h, picture.strides[0], fmt).copy()


def preview(image: np.ndarray, result, mirror: bool) -> QImage:
    """The tracked frame at preview size with its landmarks and face state, mirrored like the character moves."""
    h, w = image.shape[:2]
    scale = PREVIEW_WIDTH / w
    if scale < 1:
        image = cv2.resize(image, (PREVIEW_WIDTH, round(h * scale)), interpolation=cv2.INTER_AREA)
        if result.landmarks is not None:
            result = replace(result, landmarks=result.landmarks * scale)
    return to_qimage(draw_preview(image, result, mirror))
