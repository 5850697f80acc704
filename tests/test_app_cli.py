"""`puppeteer` with no command opens the window with the top-level options; bad options fail in words before any
window; subcommands keep their own options; building the parser never imports Qt."""
import subprocess
import sys

import pytest

from puppeteer.app import main as app_main
from puppeteer.app.window import AppOptions
from puppeteer.cli import build_parser, main
from puppeteer.cli import render as render_command


@pytest.fixture
def opened(monkeypatch):
    calls = []
    monkeypatch.setattr(app_main, "run", lambda options: calls.append(options) or 0)
    return calls


def test_no_command_opens_the_window_with_the_options(opened, tmp_path):
    video = tmp_path / "me.mp4"
    video.write_bytes(b"")
    assert main([]) == 0
    assert opened[0] == AppOptions(compile=True)
    assert main(["--character", "c.png", "--checkpoints", "ck", "--camera", "1", "--source", str(video),
                 "--device", "cpu", "--precision", "fp32", "--no-compile"]) == 0
    assert opened[1] == AppOptions("c.png", "ck", 1, str(video), "cpu", "fp32", False)


@pytest.mark.parametrize("argv, message", [
    (["--source", "/no/such/video.mp4"], "puppeteer: error: /no/such/video.mp4: video file or picture folder "
                                         "not found"),
    (["--device", "cpu", "--precision", "fp16"], "puppeteer: error: fp16 runs on CUDA only"),
    (["--camera", "-1"], "puppeteer: error: --camera -1: camera numbers start at 0"),
])
def test_bad_options_fail_in_words_before_any_window(opened, capsys, argv, message):
    assert main(argv) == 2
    assert capsys.readouterr().err.startswith(message) and opened == []


def test_subcommands_keep_their_own_options():
    args = build_parser().parse_args(["render", "--character", "c.png", "--out", "o.png", "--pose", "0,0,0,0,0,0"])
    assert args.run is render_command.run and args.character == "c.png" and args.app_character is None


def test_the_command_line_does_not_import_qt():
    code = "import sys; from puppeteer.cli import build_parser; build_parser(); print('PySide6' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
