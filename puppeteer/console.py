"""A quiet terminal: MediaPipe, TensorFlow Lite, absl and glog write their `I0000 …`/`W0000 …` chatter straight
to the process's standard error (file descriptor 2), past Python, and no environment variable of theirs silences
it in the MediaPipe we use. `quiet_native_logs()` runs descriptor 2 through a filter that drops those lines and
passes everything else on; Python's own `sys.stderr` (our warnings, progress bars, errors) skips the filter.
"""
import os
import re
import sys
import threading
from contextlib import contextmanager

# absl/glog's "I0000 00:00:1796586320.018983    2729 task_runner.cc:85] ..." (info and warning only: errors stay),
# absl's note that it is not initialised, and TensorFlow Lite's delegate notice
NATIVE_LOG_LINE = re.compile(rb"^(?:[IW]\d{4} [\d:.]+ +\d+ [^\s\]]+:\d+\] "
                             rb"|WARNING: All log messages before absl::InitializeLog\(\) is called"
                             rb"|INFO: Created TensorFlow Lite )")


def _forward(read_end: int, out: int) -> None:
    """Copy lines from `read_end` to `out`, leaving out native log lines, until the pipe closes."""
    pending = b""
    while chunk := os.read(read_end, 65536):
        *lines, pending = (pending + chunk).split(b"\n")
        kept = b"".join(line + b"\n" for line in lines if not NATIVE_LOG_LINE.match(line))
        if kept:
            os.write(out, kept)
    if pending and not NATIVE_LOG_LINE.match(pending):
        os.write(out, pending)
    os.close(read_end)


def _is_process_stderr(stream) -> bool:
    try:
        return stream.fileno() == 2
    except (AttributeError, OSError, ValueError):  # replaced by a test harness or an IDE: leave it alone
        return False


@contextmanager
def quiet_native_logs(enabled: bool = True):
    """While inside, native libraries' info and warning lines on descriptor 2 are dropped (`enabled` False:
    nothing changes, as `--verbose` asks)."""
    if not enabled:
        yield
        return
    try:
        sys.stderr.flush()
        terminal = os.dup(2)
        read_end, write_end = os.pipe()
        os.dup2(write_end, 2)
        os.close(write_end)
    except OSError:  # no descriptor 2 (a windowed program): nothing to filter
        yield
        return
    python_stderr = sys.stderr
    if _is_process_stderr(python_stderr):
        sys.stderr = open(os.dup(terminal), "w", buffering=1, encoding=python_stderr.encoding,
                          errors=python_stderr.errors)
    forwarder = threading.Thread(target=_forward, args=(read_end, terminal), name="native-logs", daemon=True)
    forwarder.start()
    try:
        yield
    finally:
        if sys.stderr is not python_stderr:
            sys.stderr.close()
            sys.stderr = python_stderr
        os.dup2(terminal, 2)  # closes the pipe's write end: the forwarder drains what is left and stops
        forwarder.join(timeout=2.0)
        if not forwarder.is_alive():  # else a child process still holds the pipe: the forwarder keeps `terminal`
            os.close(terminal)
