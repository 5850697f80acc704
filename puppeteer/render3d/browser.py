"""A headless Chromium that renders one 3-D model for Python: a local HTTP server hands the page (page/render.js,
on the vendored three.js) commands one at a time and takes back its answers, so no browser driver is needed.

    with Browser(model_path) as browser:
        info = browser.load("vrm")                     # expressions, head bone position, bounding box
        rgba = browser.render(rotation, weights, view)  # 256×256×4 uint8, straight (not premultiplied) alpha
"""
import json
import queue
import secrets
import shutil
import subprocess
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote

import numpy as np

from ..errors import PuppeteerError

HERE = Path(__file__).parent
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "chrome")
FLAGS = ("--headless", "--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
         "--disable-extensions", "--mute-audio")
TYPES = {".html": "text/html", ".js": "text/javascript", ".json": "application/json"}


class RenderError(PuppeteerError):
    pass


def find_browser(given: str | None = None) -> str:
    """The Chromium to run: --browser, else the first of BROWSERS on PATH."""
    if given:
        found = shutil.which(given)
        if not found:
            raise RenderError(f"--browser {given}: not found or not executable")
        return found
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    raise RenderError("no Chromium found on PATH (looked for " + ", ".join(BROWSERS) + "); install it "
                      "(Debian: apt-get install chromium) or give its path with --browser")


class _Channel:
    """Commands for the page and its answers, passed between the caller's thread and the server's."""

    def __init__(self):
        self.commands, self.answers = queue.Queue(), queue.Queue()


def _handler(channel: _Channel, model_folder: Path, token: str):
    """Requests must start with /TOKEN/: another local program cannot read the model's folder or steer the page."""
    roots = {"page": HERE / "page", "vendor": HERE / "vendor", "model": model_folder}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # the terminal is the user's
            pass

        def _send(self, body: bytes, kind: str, status: int = 200) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            try:
                self.end_headers()
                self.wfile.write(body)
            except ConnectionError:  # the page went away (the browser is closing): nothing is left to tell it
                pass

        def _route(self) -> str | None:
            prefix = f"/{token}"
            return self.path[len(prefix):] if self.path.startswith(prefix + "/") else None

        def do_GET(self):
            route = self._route()
            if route == "/next":
                command = channel.commands.get()
                return self._send(json.dumps(command).encode(), "application/json")
            root, _, rest = (route or "").lstrip("/").partition("/")
            base = roots.get(root)
            path = (base / unquote(rest.split("?")[0])).resolve() if base else None
            if path is None or not path.is_file() or not path.is_relative_to(base.resolve()):
                return self._send(b"not found", "text/plain", 404)
            self._send(path.read_bytes(), TYPES.get(path.suffix, "application/octet-stream"))

        def do_POST(self):
            route = self._route()
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self._send(b"", "text/plain", 204 if route in ("/result", "/error") else 404)
            if route == "/result":
                channel.answers.put((self.headers.get("Content-Type"), body))
            elif route == "/error":
                channel.answers.put(("error", body))

    return Handler


class Browser:
    """One Chromium page rendering the model in `model_path` (its folder is served too: MMD textures)."""

    def __init__(self, model_path, browser: str | None = None, size: int = 256, timeout: float = 120.0):
        self.model_path, self.size, self.timeout = Path(model_path), size, timeout
        self.executable = find_browser(browser)
        self._channel = _Channel()
        self._server = self._process = self._profile = None

    def __enter__(self):
        self._token = secrets.token_urlsafe(16)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0),
                                           _handler(self._channel, self.model_path.parent, self._token))
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self._profile = tempfile.mkdtemp(prefix="puppeteer-chromium-")
        url = f"http://127.0.0.1:{self._server.server_port}/{self._token}/page/render.html"
        self._log = open(Path(self._profile) / "browser.log", "wb")
        try:
            self._process = subprocess.Popen([self.executable, *FLAGS, f"--user-data-dir={self._profile}", url],
                                             stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        except OSError as e:
            self.__exit__(None, None, None)
            raise RenderError(f"{self.executable}: cannot start ({e.strerror or e})") from None
        return self

    def __exit__(self, *exc):
        if self._process is not None:
            self._channel.commands.put({"kind": "quit"})
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._profile is not None:
            self._log.close()
            shutil.rmtree(self._profile, ignore_errors=True)
        return False

    def _call(self, command: dict):
        self._channel.commands.put(command)
        waited = 0.0
        while True:
            try:
                kind, body = self._channel.answers.get(timeout=1.0)
                break
            except queue.Empty:
                waited += 1.0
                if self._process.poll() is not None:
                    raise RenderError(f"{self.executable}: the browser ended (exit code {self._process.returncode})"
                                      f"{self._last_log_line()}") from None
                if waited >= self.timeout:
                    raise RenderError(f"{self.executable}: no answer from the page in {self.timeout:.0f} s"
                                      f"{self._last_log_line()}") from None
        if kind == "error":
            raise RenderError(f"{self.model_path}: {' '.join(body.decode(errors='replace').split())}")
        return kind, body

    def _last_log_line(self) -> str:
        self._log.flush()
        lines = [line for line in (Path(self._profile) / "browser.log").read_text(errors="replace").splitlines()
                 if line.strip()]
        return f"; it said: {lines[-1].strip()}" if lines else ""

    def load(self, model_format: str) -> dict:
        """Load the model; its expressions, head bone position and bounding box (world units)."""
        url = "../model/" + quote(self.model_path.name)  # relative to the page, /TOKEN/page/render.html
        _, body = self._call({"kind": "load", "format": model_format, "url": url, "size": self.size})
        return json.loads(body)

    def render(self, rotation, weights: dict, view: dict) -> np.ndarray:
        """One picture: rotation (head_x, head_y, neck_z as signed multiples of 15°), expression weights, camera."""
        _, body = self._call({"kind": "render", "rotation": list(rotation), "weights": weights,
                              "view": {**view, "size": self.size}})
        pixels = np.frombuffer(body, np.uint8).reshape(self.size, self.size, 4)[::-1]
        return _unpremultiply(pixels)


def _unpremultiply(pixels: np.ndarray) -> np.ndarray:
    """WebGL blends onto the transparent clear colour, so edge pixels hold colour × alpha: divide it back out."""
    rgba = pixels.astype(np.float32)
    alpha = rgba[..., 3:]
    rgb = np.where(alpha > 0, rgba[..., :3] * 255 / np.maximum(alpha, 1), 0)
    return np.concatenate([np.clip(np.rint(rgb), 0, 255), alpha], axis=-1).astype(np.uint8)

