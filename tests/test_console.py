"""A quiet console: MediaPipe's, TensorFlow Lite's and absl's own lines are dropped from standard error unless
--verbose; everything else written there (our warnings, errors) passes."""
import os
import subprocess
import sys
import threading

import pytest
from test_tracking_support import photo, write_video

from puppeteer.console import _forward

NATIVE = [
    b"WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
    b"I0000 00:00:1796586320.018983    2729 task_runner.cc:85] GPU suport is not available: INTERNAL: ; RET_CHECK",
    b"W0000 00:00:1796586320.021297    2729 face_landmarker_graph.cc:174] Sets FaceBlendshapesGraph acceleration",
    b"INFO: Created TensorFlow Lite XNNPACK delegate for CPU.",
    b"W1206 19:28:38.123456 12 inference_feedback_manager.cc:114] Feedback manager requires a model",
]
KEPT = [
    b"puppeteer track: error: clip.mp4: file not found",
    b"E0000 00:00:1796586320.021297    2729 graph.cc:10] a MediaPipe error stays visible",
    b"/work/puppeteer/data/dataset.py:51: UserWarning: skipping: c00003/rest.png is damaged",
    b"Warning: W0000 in the middle of a line is not a log line",
]


def test_the_filter_drops_native_log_lines_and_keeps_the_rest():
    read_end, write_end = os.pipe()
    out_read, out_write = os.pipe()
    forwarder = threading.Thread(target=_forward, args=(read_end, out_write))
    forwarder.start()
    lines = [line for pair in zip(NATIVE, KEPT) for line in pair] + [b"no newline at the end"]
    data = b"\n".join(lines)
    for start in range(0, len(data), 37):  # in pieces that split lines, as a pipe may deliver them
        os.write(write_end, data[start:start + 37])
    os.close(write_end)
    forwarder.join(timeout=5)
    os.close(out_write)
    with os.fdopen(out_read, "rb") as f:
        assert f.read() == b"\n".join(KEPT) + b"\n" + b"no newline at the end"


@pytest.fixture(scope="module")
def face_video(tmp_path_factory):
    path = tmp_path_factory.mktemp("video") / "face.mp4"
    write_video(path, [photo("astronaut")] * 6)
    return path


@pytest.mark.parametrize("verbose", [False, True], ids=["default", "verbose"])
def test_track_prints_mediapipes_lines_only_when_verbose(face_video, tmp_path, verbose):
    command = [sys.executable, "-m", "puppeteer", "track", str(face_video), "--out", str(tmp_path / "t.csv"),
               "--no-calibration"] + (["--verbose"] if verbose else [])
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "wrote" in result.stdout
    shown = [line for line in result.stderr.splitlines() if line.startswith(("I0000 ", "W0000 "))]
    assert bool(shown) is verbose, result.stderr  # MediaPipe does print them: --verbose shows they were dropped
    if not verbose:
        assert "absl::InitializeLog" not in result.stderr and "TensorFlow Lite" not in result.stderr


def test_errors_still_reach_the_console(tmp_path):
    result = subprocess.run([sys.executable, "-m", "puppeteer", "track", str(tmp_path / "missing.mp4"),
                             "--out", str(tmp_path / "t.csv")], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip().startswith("puppeteer track: error:") and "missing.mp4" in result.stderr
