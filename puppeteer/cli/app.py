"""`puppeteer` with no command opens the window. Its options sit on the top-level parser (under their own dest
names, so subcommands' options of the same spelling never mix with them); Qt is imported only when it opens."""
from pathlib import Path

from ..errors import PuppeteerError


def add_options(parser) -> None:
    group = parser.add_argument_group("window options (used when no COMMAND is given)")
    group.add_argument("--character", dest="app_character", metavar="PNG",
                       help="256×256 RGBA character picture (default: the last one opened, else the bundled one)")
    group.add_argument("--checkpoints", dest="app_checkpoints", metavar="DIR",
                       help="checkpoint folder (default: the last one used, else the bundled model)")
    group.add_argument("--camera", dest="app_camera", type=int, metavar="N",
                       help="follow webcam N (default: the last one used, else 0)")
    group.add_argument("--source", dest="app_source", metavar="VIDEO|FOLDER",
                       help="drive the character from a video file or a folder of pictures instead of the webcam")
    group.add_argument("--device", dest="app_device", default="auto", metavar="DEVICE",
                       help="auto (CUDA if present, else CPU), cpu, cuda, cuda:N")
    group.add_argument("--precision", dest="app_precision", default="auto", choices=["auto", "fp32", "bf16", "fp16"],
                       help="auto (default): fp16 on CUDA; on a CPU bf16 where it measures faster and close "
                            "to fp32, else fp32")
    group.add_argument("--no-compile", dest="app_no_compile", action="store_true",
                       help="don't build the faster torch.compile'd model in the background (it needs a C++ "
                            "compiler and some CPU for a minute at the first start)")
    parser.set_defaults(run=run)


def run(args) -> int:
    from ..poser import resolve_device
    from ..precision import resolve_precision

    resolve_precision(args.app_precision, resolve_device(args.app_device))  # a bad choice fails before the window
    if args.app_camera is not None and args.app_camera < 0:
        raise PuppeteerError(f"--camera {args.app_camera}: camera numbers start at 0")
    if args.app_source and not Path(args.app_source).exists():
        raise PuppeteerError(f"{args.app_source}: video file or picture folder not found")

    from ..app.main import run as open_window
    from ..app.window import AppOptions

    return open_window(AppOptions(args.app_character, args.app_checkpoints, args.app_camera, args.app_source,
                                  args.app_device, args.app_precision, not args.app_no_compile))
