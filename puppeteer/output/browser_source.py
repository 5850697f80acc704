"""A browser source for OBS (Sources ▸ Browser ▸ URL): a small local web server showing the newest frame with its
transparency. `GET /` is a page that draws each new frame on a transparent canvas; `GET /frame.png` is the newest
frame as a 4-channel PNG (`?after=N` waits up to 2 s for a frame newer than number N, which the page uses, so a
frame travels as soon as it is rendered and a slow client simply skips frames). Nothing else is served (404).

Each client is served on its own thread and the renderer only swaps a reference (`LatestFrame.publish`), so a
slow or stalled client never slows rendering; at most MAX_CLIENTS requests are served at once (others get 503)."""
import sys
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from ..errors import PuppeteerError
from .latest import LatestFrame

DEFAULT_PORT = 8765
MAX_CLIENTS = 8
WAIT_S = 2.0  # the longest a request for a newer frame waits
CLIENT_TIMEOUT_S = 10.0
LOCAL = "127.0.0.1"

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>puppeteer</title>
<style>html,body{margin:0;background:transparent;overflow:hidden}canvas{width:100vw;height:100vh;object-fit:contain}</style>
</head><body><canvas id="c"></canvas><script>
const canvas = document.getElementById("c"), context = canvas.getContext("2d");
let after = 0;
async function next() {
  try {
    const response = await fetch("/frame.png?after=" + after, {cache: "no-store"});
    if (response.status === 200) {
      after = Number(response.headers.get("X-Frame")) || after;
      const picture = await createImageBitmap(await response.blob());
      if (canvas.width !== picture.width || canvas.height !== picture.height) {
        canvas.width = picture.width; canvas.height = picture.height;
      }
      context.clearRect(0, 0, canvas.width, canvas.height);
      context.drawImage(picture, 0, 0);
      document.title = "puppeteer frame " + after;
    } else {
      await new Promise(r => setTimeout(r, 200));
    }
  } catch (e) {
    await new Promise(r => setTimeout(r, 500));  // the app restarting: try again
  }
  next();
}
next();
</script></body></html>
""".encode()


class BrowserSource:
    """Serves `frames` on http://host:port/ from a daemon thread; `start()` raises PuppeteerError in words.
    `on_request(after, time)` hears of each frame request as it arrives (for measuring latency)."""

    def __init__(self, frames: LatestFrame, host: str = LOCAL, port: int = DEFAULT_PORT,
                 max_clients: int = MAX_CLIENTS, on_request=None):
        self.frames, self.host, self.port, self.on_request = frames, host, port, on_request
        self._slots = threading.BoundedSemaphore(max_clients)
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    def start(self) -> "BrowserSource":
        if self.host not in (LOCAL, "localhost"):
            print(f"warning: the browser source listens on {self.host}: other computers on the network can see "
                  "the character", file=sys.stderr)
        try:
            self._server = ThreadingHTTPServer((self.host, self.port), self._handler())
        except OSError as e:
            raise PuppeteerError(f"cannot serve the browser source on {self.host}:{self.port} ({e.strerror}); "
                                 "another program may be using the port") from None
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]  # port 0 asks for any free one
        threading.Thread(target=self._server.serve_forever, args=(0.1,), name="browser source", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def _handler(self):
        frames, slots, on_request = self.frames, self._slots, self.on_request

        class Handler(BaseHTTPRequestHandler):
            timeout = CLIENT_TIMEOUT_S  # a client that stops reading (or asking) is dropped, freeing its slot

            def do_GET(self):  # noqa: N802 (http.server's name)
                if not slots.acquire(blocking=False):
                    self.send_error(HTTPStatus.SERVICE_UNAVAILABLE, "too many clients")
                    return
                try:
                    self._route()
                except OSError:  # the client went away mid-frame, or stalled past the timeout
                    pass
                finally:
                    slots.release()

            def _route(self):
                url = urlsplit(self.path)
                if url.path == "/":
                    self._send(PAGE, "text/html; charset=utf-8")
                elif url.path == "/frame.png":
                    after = parse_qs(url.query).get("after", ["-1"])[0]
                    after = int(after) if after.lstrip("-").isdigit() else -1
                    if on_request is not None:
                        on_request(after, time.perf_counter())
                    number, png = frames.png(after, WAIT_S)
                    if png is None:
                        self.send_error(HTTPStatus.SERVICE_UNAVAILABLE, "no frame rendered yet")
                    else:
                        self._send(png, "image/png", {"X-Frame": str(number)})
                else:
                    self.send_error(HTTPStatus.NOT_FOUND)

            def _send(self, body: bytes, kind: str, headers: dict | None = None):
                self.send_response(HTTPStatus.OK)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format, *args):  # quiet: OBS asks many times a second
                pass

        return Handler
