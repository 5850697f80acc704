"""The window's settings, kept as JSON in the user's config folder so they survive between runs; tests point
PUPPETEER_CONFIG_DIR elsewhere and never touch the real file. A damaged or hand-edited file never stops the app:
values of the wrong type fall back to their defaults."""
import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from ..audio.mix import MOUTH_SOURCES
from ..config import config_dir
from ..files import write_atomically
from ..output.recorder import KINDS
from ..output.size import SIZES

MODES = ("webcam", "video", "manual")


def default_snapshots() -> str:
    return str(Path.home() / "Pictures" / "puppeteer-snapshots")


def default_recordings() -> str:
    return str(Path.home() / "Videos" / "puppeteer-recordings")


@dataclass
class Settings:
    character: str | None = None  # last character PNG (None: the bundled one)
    checkpoints: str | None = None  # last checkpoint folder (None: the bundled one)
    camera: int = 0
    video: str | None = None  # last video file or picture folder
    mode: str = "webcam"
    brightness: float = 0.0
    background: str = "transparent"  # transparent, green or #rrggbb, as images.parse_background reads it
    solid_colour: str = "#3a6ea5"  # remembered while another background is chosen
    snapshots: str = field(default_factory=default_snapshots)
    geometry: str | None = None  # QWidget.saveGeometry() in base64
    fast: bool | None = None  # fast rendering, as last chosen (None: the device's default)
    mouth: str = "camera"  # which mouth shows: camera, voice or both (audio.mix)
    microphone: str | None = None  # the input device's name (None: the system's default)
    browser_source: bool = False  # serve the character for OBS (output.browser_source)
    browser_port: int = 8765
    virtual_camera: bool = False  # send the character to a virtual camera (output.virtual_camera)
    output_size: int = 512  # side of the streamed and recorded picture
    recordings: str = field(default_factory=default_recordings)
    recording_kind: str = "mp4"  # mp4, webm (with alpha) or png (output.recorder)

    @staticmethod
    def path() -> Path:
        return config_dir() / "app.json"

    @classmethod
    def load(cls) -> "Settings":
        settings = cls()
        try:
            data = json.loads(cls.path().read_text())
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            return settings
        if not isinstance(data, dict):
            return settings
        for f in fields(cls):
            value = data.get(f.name)
            default = getattr(settings, f.name)
            if f.name == "fast":
                settings.fast = value if isinstance(value, bool) else None
            elif f.name == "brightness" and isinstance(value, (int, float)) and not isinstance(value, bool):
                setattr(settings, f.name, min(max(float(value), -0.3), 0.3))
            elif isinstance(value, str) and (default is None or isinstance(default, str)):
                setattr(settings, f.name, value)
            elif f.name == "camera" and isinstance(value, int) and not isinstance(value, bool) and value >= 0:
                settings.camera = value
            elif f.name in ("browser_source", "virtual_camera") and isinstance(value, bool):
                setattr(settings, f.name, value)
            elif f.name == "browser_port" and isinstance(value, int) and not isinstance(value, bool) and \
                    0 <= value < 65536:
                settings.browser_port = value
            elif f.name == "output_size" and value in SIZES:
                settings.output_size = value
        if settings.mode not in MODES:
            settings.mode = "webcam"
        if settings.mouth not in MOUTH_SOURCES:
            settings.mouth = "camera"
        if settings.recording_kind not in KINDS:
            settings.recording_kind = "mp4"
        return settings

    def save(self) -> None:
        text = json.dumps(asdict(self), indent=2) + "\n"
        write_atomically(self.path(), lambda tmp: Path(tmp).write_text(text), overwrite=True)
