"""`puppeteer stream`: camera or video → face tracking → the character → outputs, without a window (a second PC,
scripts, tests). Outputs: the browser source for OBS (`puppeteer.output.browser_source`) and recordings
(`puppeteer.output.recorder`)."""
import sys
import time

from .common import add_character_option, add_model_options


def register(subparsers) -> None:
    p = subparsers.add_parser("stream", help="drive the character from a camera or video and stream it, headless",
                              description="Track the face in a camera or video and send the posed character to "
                                          "the chosen outputs until Ctrl+C, the end of the video or --seconds.")
    add_model_options(p)
    add_character_option(p)
    p.add_argument("--source", default="0", metavar="CAMERA|VIDEO", help="camera index or video file (default 0)")
    p.add_argument("--browser-source", action="store_true",
                   help="serve the character at http://HOST:PORT/ for OBS's browser source (transparent)")
    p.add_argument("--host", default="127.0.0.1", help="where the browser source listens (default 127.0.0.1: "
                   "this computer only; another address lets the network see it)")
    p.add_argument("--port", type=int, default=8765, help="the browser source's port (default 8765; 0: any free)")
    p.add_argument("--virtual-camera", action="store_true", help="send the character to a virtual camera for "
                   "Zoom, Discord or OBS (over --background; needs pip install -e \".[virtualcam]\")")
    p.add_argument("--record", metavar="FOLDER", help="record a numbered take (video and pose CSV) into FOLDER")
    p.add_argument("--record-format", choices=["mp4", "webm", "png"], default="mp4",
                   help="mp4 (over --background; default), webm (VP9 with transparency) or png (a picture folder)")
    p.add_argument("--background", default="green", help="the virtual camera's and an mp4 recording's "
                   "background: green (default), black, white or #rrggbb")
    p.add_argument("--output-size", type=int, default=512, choices=[256, 512, 1024],
                   help="side of the streamed picture in pixels (default 512; enlarged with Lanczos)")
    p.add_argument("--seconds", type=float, metavar="S", help="stop after S seconds")
    p.add_argument("--full", action="store_true", help="render the whole chain with the combiner (on a CPU the "
                   "default is the fast rendering, as in the app)")
    p.set_defaults(run=run)


def run(args) -> int:
    from .. import images
    from ..checkpoints import load_networks
    from ..errors import PuppeteerError
    from ..output.browser_source import BrowserSource
    from ..output.latest import LatestFrame
    from ..output.recorder import Recorder
    from ..output.virtual_camera import VirtualCamera
    from ..pipeline import RenderPipeline
    from ..poser import Poser, fast_by_default, resolve_device
    from ..tracking import FaceTracker, TrackingLoop, open_source

    if not (args.browser_source or args.record or args.virtual_camera):
        raise PuppeteerError("choose an output: --browser-source, --virtual-camera and/or --record FOLDER")
    background = images.parse_background(args.background) or images.parse_background("green")
    character = images.load_character(args.character, add_alpha=args.add_alpha)
    device = resolve_device(args.device)
    poser = Poser(load_networks(args.checkpoints, "cpu"), device=device, precision=args.precision,
                  fast=fast_by_default(device) and not args.full)
    frames = LatestFrame(args.output_size)
    pipeline = RenderPipeline(lambda rendered: frames.publish(rendered.image, rendered.pose),
                              lambda message: print(f"warning: {message}", file=sys.stderr))
    pipeline.set_poser(poser)
    pipeline.set_character(character)
    source = open_source(args.source, realtime=True)
    tracker = FaceTracker()
    loop = TrackingLoop(source, tracker, lambda frame, result: pipeline.submit(result.pose))
    server = recorder = camera = None
    pipeline.start()
    try:
        if args.virtual_camera:
            camera = VirtualCamera(frames, args.output_size, background=background).start()
            print(f"virtual camera: {camera.name}", flush=True)
        if args.browser_source:
            try:
                server = BrowserSource(frames, args.host, args.port).start()
            except PuppeteerError as e:
                raise PuppeteerError(f"{e}: choose another with --port") from None
            print(f"browser source: {server.url} (OBS: Sources ▸ Browser, that URL, width and height "
                  f"{args.output_size})", flush=True)
        loop.start()
        if args.record:
            recorder = Recorder(frames, args.record, args.record_format, size=args.output_size,
                                background=background,
                                on_error=lambda message: print(f"warning: {message}", file=sys.stderr)).start()
            print(f"recording {recorder.path}", flush=True)
        print(f"streaming from {source.name}: Ctrl+C stops", file=sys.stderr)
        deadline = time.monotonic() + args.seconds if args.seconds else None
        while not loop.done.is_set() and not (deadline and time.monotonic() > deadline):
            time.sleep(0.05)
    except KeyboardInterrupt:
        pass
    finally:
        loop.stop()
        tracker.close()
        for output in (recorder, camera, server):
            if output is not None:
                output.stop()
        pipeline.stop()
    if loop.exception is not None:
        raise loop.exception
    stats = pipeline.stats()
    recorded = f"; recorded {recorder.written} frames to {recorder.path}" if recorder is not None else ""
    print(f"streamed {stats.rendered} frames ({poser.device.type}, {poser.precision}"
          f"{', fast' if poser.fast else ''}){recorded}; {source.error or 'stopped'}")
    return 0
