"""Face estimators: an RGB picture in, a Measurement (head rotation, eye and mouth signals, landmarks) out.

* "landmarker": MediaPipe FaceLandmarker (Tasks API, VIDEO mode) from the bundled assets/face_landmarker.task.
  Rotation from its facial transformation matrix, eyes from the eyeBlink blendshapes, mouth from jawOpen.
* "facemesh": the legacy MediaPipe face mesh (with iris refinement), a fallback that needs no model file of ours
  for landmarks. Rotation from a weighted fit of the canonical face (taken from the same .task bundle, as
  MediaPipe's own geometry pipeline does) to its 3-D landmarks; eyes from the eye aspect ratio; mouth from the lip
  gap over the mouth's width.

MediaPipe is imported when an estimator is made, so importing this module stays cheap."""
import zipfile
from dataclasses import dataclass

import numpy as np

from ..errors import TrackingError
from ..paths import ASSETS
from .solver import Thresholds

MODEL_FILE = ASSETS / "face_landmarker.task"
GEOMETRY_ENTRY = "geometry_pipeline_metadata_landmarks.binarypb"


@dataclass(frozen=True)
class Measurement:
    """One face in the camera's frame: x to the picture's right, y up, z toward the viewer. `rotation` turns the
    face's own frame (x toward its left, i.e. the picture's right for a frontal face; y up; z out of the face)
    into that frame, as seen along the line of sight from the camera to the face, so a face off to one side of
    the picture that looks at the camera counts as frontal."""

    rotation: np.ndarray  # 3×3
    eyes: tuple[float, float]  # raw closure signals: eye on the picture's left, eye on the picture's right
    mouth: float  # raw mouth-opening signal
    landmarks: np.ndarray  # N×2 pixel coordinates in the picture


def _check_model(path) -> None:
    if not path.is_file():
        raise TrackingError(f"{path}: the face landmark model is missing; restore assets/face_landmarker.task "
                            "from the repository (git checkout -- assets/face_landmarker.task)")


def line_of_sight(translation: np.ndarray) -> np.ndarray:
    """Columns: the camera's axes turned to look straight at a face at `translation`, keeping x level."""
    z = -translation / np.linalg.norm(translation)
    x = np.cross([0.0, 1.0, 0.0], z)
    x /= np.linalg.norm(x)
    return np.stack([x, np.cross(z, x), z], axis=1)


def nearest_rotation(matrix: np.ndarray) -> np.ndarray:
    u, _, vt = np.linalg.svd(matrix)
    return u @ np.diag([1.0, 1.0, np.sign(np.linalg.det(u @ vt))]) @ vt


class LandmarkerEstimator:
    name = "landmarker"
    # eyeBlink is ~0.05 for open eyes and 0.5-0.9 for closed ones; jawOpen ~0 closed, 0.5+ wide open
    thresholds = Thresholds(eye_open=0.2, eye_closed=0.5, mouth_closed=0.1, mouth_open=0.4)

    def __init__(self, model_path=MODEL_FILE):
        _check_model(model_path)
        import mediapipe as mp
        from mediapipe.tasks.python import vision
        from mediapipe.tasks.python.core.base_options import BaseOptions

        self._mp = mp
        options = vision.FaceLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(model_path)), running_mode=vision.RunningMode.VIDEO,
            num_faces=1, output_face_blendshapes=True, output_facial_transformation_matrixes=True)
        self._landmarker = vision.FaceLandmarker.create_from_options(options)
        self._last_ms = -1

    def measure(self, image: np.ndarray, timestamp_s: float) -> Measurement | None:
        ms = max(self._last_ms + 1, round(timestamp_s * 1000))  # VIDEO mode needs rising timestamps
        self._last_ms = ms
        picture = self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=np.ascontiguousarray(image))
        result = self._landmarker.detect_for_video(picture, ms)
        if not result.face_landmarks:
            return None
        height, width = image.shape[:2]
        landmarks = np.array([(p.x * width, p.y * height) for p in result.face_landmarks[0]], np.float32)
        scores = {c.category_name: c.score for c in result.face_blendshapes[0]}
        matrix = np.asarray(result.facial_transformation_matrixes[0], np.float64)
        rotation = line_of_sight(matrix[:3, 3]).T @ nearest_rotation(matrix[:3, :3])
        # eyeBlinkLeft is the person's own left eye, on the picture's right (checked on photos with one eye
        # painted shut)
        return Measurement(rotation, (scores["eyeBlinkRight"], scores["eyeBlinkLeft"]), scores["jawOpen"],
                           landmarks)

    def close(self) -> None:
        self._landmarker.close()


def canonical_face(model_path=MODEL_FILE) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """MediaPipe's canonical face (468×3, cm; x toward the face's left, y up, z out) and the landmark indices
    and weights its geometry pipeline fits it with, read from the .task bundle."""
    _check_model(model_path)
    from mediapipe.tasks.cc.vision.face_geometry.proto import geometry_pipeline_metadata_pb2

    metadata = geometry_pipeline_metadata_pb2.GeometryPipelineMetadata()
    with zipfile.ZipFile(model_path) as bundle:
        metadata.ParseFromString(bundle.read(GEOMETRY_ENTRY))
    vertices = np.array(metadata.canonical_mesh.vertex_buffer, np.float64).reshape(-1, 5)[:, :3]
    basis = metadata.procrustes_landmark_basis
    return vertices, np.array([b.landmark_id for b in basis]), np.array([b.weight for b in basis])


def weighted_rotation(source: np.ndarray, target: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The rotation that best turns `source` points onto `target` points (weighted Kabsch; scale and shift free)."""
    w = weights / weights.sum()
    a = source - w @ source
    b = target - w @ target
    return nearest_rotation((b * w[:, None]).T @ a)


# (corner, corner, upper, lower, upper, lower) of each eye, as the 6-point eye aspect ratio uses them
EYE_POINTS = ((33, 133, 160, 144, 158, 153),  # the eye on the picture's left
              (263, 362, 385, 380, 387, 373))  # the eye on the picture's right
MOUTH_POINTS = (13, 14, 61, 291)  # inner upper lip, inner lower lip, mouth corners


def eye_aspect_ratio(points: np.ndarray, ids) -> float:
    c1, c2, u1, l1, u2, l2 = (points[i] for i in ids)
    return (np.linalg.norm(u1 - l1) + np.linalg.norm(u2 - l2)) / (2 * np.linalg.norm(c1 - c2))


class FaceMeshEstimator:
    name = "facemesh"
    # eye aspect ratio ~0.3 open, under 0.1 shut; lip gap / mouth width ~0 closed, 0.5+ wide open
    thresholds = Thresholds(eye_open=0.24, eye_closed=0.10, mouth_closed=0.05, mouth_open=0.5)

    def __init__(self, model_path=MODEL_FILE):
        import mediapipe as mp

        self._canonical, self._basis, self._weights = canonical_face(model_path)
        self._mesh = mp.solutions.face_mesh.FaceMesh(static_image_mode=False, max_num_faces=1,
                                                     refine_landmarks=True)

    def measure(self, image: np.ndarray, timestamp_s: float) -> Measurement | None:
        result = self._mesh.process(np.ascontiguousarray(image))
        if not result.multi_face_landmarks:
            return None
        height, width = image.shape[:2]
        # z shares x's scale; smaller z is nearer the camera
        points = np.array([(p.x * width, p.y * height, p.z * width)
                           for p in result.multi_face_landmarks[0].landmark])
        observed = points[self._basis] * (1.0, -1.0, -1.0)  # to x right, y up, z toward the viewer
        rotation = weighted_rotation(self._canonical[self._basis], observed, self._weights)
        flat = points[:, :2]
        upper, lower, corner1, corner2 = (flat[i] for i in MOUTH_POINTS)
        mouth = np.linalg.norm(upper - lower) / np.linalg.norm(corner1 - corner2)
        eyes = tuple(eye_aspect_ratio(flat, ids) for ids in EYE_POINTS)
        return Measurement(rotation, eyes, float(mouth), flat.astype(np.float32))

    def close(self) -> None:
        self._mesh.close()


ESTIMATORS = {"landmarker": LandmarkerEstimator, "facemesh": FaceMeshEstimator}


def make_estimator(name: str):
    if name not in ESTIMATORS:
        raise TrackingError(f"unknown face estimator {name!r}; use {' or '.join(ESTIMATORS)}")
    return ESTIMATORS[name]()
