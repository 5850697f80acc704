"""Face tracking: frames from a camera, video or image folder → the six THA v1 pose values (see README, "Face
tracking"). MediaPipe loads only when a FaceTracker is made; nothing here imports torch."""
from .calibration import Calibration
from .filters import OFF, OneEuroFilter, OneEuroSettings, Smoothing
from .loop import TrackingLoop
from .solver import Thresholds
from .sources import CameraSource, Frame, FrameSource, ImageFolderSource, VideoFileSource, open_source
from .tracker import FaceTracker, TrackResult

__all__ = ["Calibration", "CameraSource", "FaceTracker", "Frame", "FrameSource", "ImageFolderSource", "OFF",
           "OneEuroFilter", "OneEuroSettings", "Smoothing", "Thresholds", "TrackResult", "TrackingLoop",
           "VideoFileSource", "open_source"]
