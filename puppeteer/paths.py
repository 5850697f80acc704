"""Where the bundled files live: the package runs from its source tree (installed with `pip install -e .`),
so the repository's checkpoint/ and assets/ folders sit beside it."""
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CHECKPOINTS = REPO_ROOT / "checkpoint"
ASSETS = REPO_ROOT / "assets"
CHARACTERS = ASSETS / "characters"
DEFAULT_CHARACTER = CHARACTERS / "default.png"
SAMPLE_FACE = ASSETS / "sample_face.jpg"  # a real face for benchmarks (public domain)
