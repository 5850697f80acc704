"""The user's own config folder (calibration, app settings). PUPPETEER_CONFIG_DIR overrides it (tests use this
so they never touch the real one)."""
import os
from pathlib import Path


def config_dir() -> Path:
    override = os.environ.get("PUPPETEER_CONFIG_DIR")
    if override:
        return Path(override)
    base = os.environ.get("XDG_CONFIG_HOME") or (Path.home() / ".config")
    return Path(base) / "talking-head-puppeteer"
