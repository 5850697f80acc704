"""The browser source for OBS, with real HTTP clients and a real browser: the newest frame as an RGBA PNG that
follows the character, 404 elsewhere, local only by default, stalled clients never hold up the others, a cap on
clients, a busy port said in words, and headless Chromium showing the character over a transparent page."""
import io
import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request

import numpy as np
import pytest
from conftest import make_character
from PIL import Image

from puppeteer.cli import main
from puppeteer.errors import PuppeteerError
from puppeteer.output.browser_source import BrowserSource
from puppeteer.output.latest import LatestFrame
from puppeteer.output.size import enlarge

BROWSER = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.fixture
def served():
    frames = LatestFrame(size=512)
    server = BrowserSource(frames, port=0).start()
    yield frames, server
    server.stop()


def get(url: str, timeout: float = 5.0):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status, dict(response.headers), response.read()


def picture(body: bytes) -> np.ndarray:
    image = Image.open(io.BytesIO(body))
    assert image.mode == "RGBA"
    return np.asarray(image)


def test_the_newest_frame_is_an_rgba_png_that_follows_the_character(served):
    frames, server = served
    assert server.host == "127.0.0.1" and server._server.server_address[0] == "127.0.0.1"  # local only
    with pytest.raises(urllib.error.HTTPError) as nothing_yet:
        get(server.url + "frame.png")
    assert nothing_yet.value.code == 503
    first, second = make_character(0), make_character(0)
    second[100:140, 100:150] = (255, 0, 0, 255)  # a change, as a new pose makes
    frames.publish(first)
    status, headers, body = get(server.url + "frame.png")
    shown = picture(body)
    assert status == 200 and headers["Content-Type"] == "image/png" and headers["X-Frame"] == "1"
    assert shown.shape == (512, 512, 4) and (shown[..., 3] == 0).any() and (shown[..., 3] == 255).any()
    np.testing.assert_array_equal(shown, enlarge(first, 512))
    frames.publish(second)
    _, headers, body = get(server.url + "frame.png?after=1")
    assert headers["X-Frame"] == "2" and not np.array_equal(picture(body), shown)


def test_a_request_for_a_newer_frame_waits_for_it(served):
    frames, server = served
    frames.publish(make_character(0))
    threading.Timer(0.3, frames.publish, [make_character(1)]).start()
    started = time.monotonic()
    _, headers, _ = get(server.url + "frame.png?after=1")
    assert headers["X-Frame"] == "2" and 0.25 < time.monotonic() - started < 1.5


@pytest.mark.parametrize("path", ["/favicon.ico", "/frame.jpg", "/../etc/passwd", "/frame.png/x"])
def test_every_other_path_is_404(served, path):
    _, server = served
    with pytest.raises(urllib.error.HTTPError) as error:
        get(f"http://127.0.0.1:{server.port}{path}")
    assert error.value.code == 404


def test_the_page_draws_frames_on_a_transparent_canvas(served):
    _, server = served
    status, headers, body = get(server.url)
    page = body.decode()
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "background:transparent" in page and "/frame.png?after=" in page and "clearRect" in page


def stalled_clients(port: int, count: int) -> list:
    """Clients that ask for a frame and never read the answer, or never finish asking."""
    sockets = []
    for i in range(count):
        s = socket.create_connection(("127.0.0.1", port))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
        s.sendall(b"GET /frame.png HTTP/1.1\r\nHost: x\r\n\r\n" if i % 2 else b"GET /frame.png HTTP/1.1\r\n")
        sockets.append(s)
    return sockets


def test_stalled_clients_do_not_hold_up_another(served):
    frames, server = served
    rng = np.random.default_rng(0)
    frames.publish(rng.integers(0, 256, (256, 256, 4), dtype=np.uint8))  # noise: a big PNG that fills buffers
    stalled = stalled_clients(server.port, 4)
    try:
        got = []
        for i in range(2, 12):
            frames.publish(make_character(i))
            started = time.monotonic()
            _, headers, _ = get(server.url + f"frame.png?after={i - 1}")
            got.append((int(headers["X-Frame"]), time.monotonic() - started))
        assert [n for n, _ in got] == list(range(2, 12)) and max(t for _, t in got) < 1.0
    finally:
        for s in stalled:
            s.close()


def test_at_most_max_clients_are_served_at_once():
    frames = LatestFrame()
    frames.publish(make_character(0))
    server = BrowserSource(frames, port=0, max_clients=2).start()
    try:
        waiting = [threading.Thread(target=get, args=(server.url + "frame.png?after=1",)) for _ in range(2)]
        for t in waiting:
            t.start()
        time.sleep(0.3)  # both wait for a frame that does not come
        with pytest.raises(urllib.error.HTTPError) as error:
            get(server.url + "frame.png")
        assert error.value.code == 503
        for t in waiting:
            t.join()
        assert get(server.url + "frame.png")[0] == 200  # their slots are free again
    finally:
        server.stop()


def test_a_port_in_use_is_one_line(served, capsys):
    _, server = served
    with pytest.raises(PuppeteerError, match=f"127.0.0.1:{server.port} .*another program may be using the port"):
        BrowserSource(LatestFrame(), port=server.port).start()
    assert main(["stream", "--browser-source", "--port", str(server.port)]) == 2
    err = capsys.readouterr().err
    assert "choose another with --port" in err and len(err.strip().splitlines()) == 1


def test_another_host_is_allowed_only_with_a_warning(capsys):
    server = BrowserSource(LatestFrame(), host="0.0.0.0", port=0).start()
    server.stop()
    assert "other computers on the network can see the character" in capsys.readouterr().err


def test_stream_needs_an_output(capsys):
    assert main(["stream", "--source", "missing.mp4"]) == 2
    assert "choose an output: --browser-source, --virtual-camera and/or --record FOLDER" in capsys.readouterr().err


def screenshot(url: str, path, size: int = 512) -> np.ndarray:
    subprocess.run([BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
                    f"--user-data-dir={path.parent / 'profile'}", "--default-background-color=00000000",
                    f"--window-size={size},{size}", "--virtual-time-budget=3000", f"--screenshot={path}", url],
                   check=True, capture_output=True, timeout=60)
    return np.asarray(Image.open(path).convert("RGBA"))


@pytest.mark.skipif(BROWSER is None, reason="no Chromium here (Debian: apt-get install chromium); .ci/run installs it")
def test_a_real_browser_shows_the_character_over_a_transparent_page(served, tmp_path):
    frames, server = served
    character = make_character(0)
    frames.publish(character)
    first = screenshot(server.url, tmp_path / "first.png")
    assert (first[..., 3] == 0).mean() > 0.3  # the page is transparent around the character
    opaque = first[..., 3] == 255
    expected = enlarge(character, 512)
    assert opaque.mean() > 0.2 and np.abs(first[opaque][:, :3].astype(int) -
                                          expected[opaque][:, :3].astype(int)).mean() < 12
    changed = character.copy()
    changed[60:200, 60:200, :3] = (20, 200, 40)
    frames.publish(changed)
    second = screenshot(server.url, tmp_path / "second.png")
    assert np.abs(second.astype(int) - first.astype(int)).mean() > 5
