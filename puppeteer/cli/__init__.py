"""The `puppeteer` command. Each subcommand lives in its own module here with `register(subparsers)` and
`run(args)`; heavy imports happen inside `run` so that `--help` is instant. With no subcommand the app opens."""
import argparse
import importlib
import sys

from ..console import quiet_native_logs
from ..errors import PuppeteerError
from . import app

VERBOSE_HELP = "also show MediaPipe's and TensorFlow Lite's own log lines (hidden by default)"

COMMANDS = [
    "render",
    "prepare",
    "check",
    "dataset",
    "track",
    "train",
    "evaluate",
    "bench",
    "stream",
    "distill",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="puppeteer",
        description="Bring a single anime character picture to life. With no command, opens the puppeteer window.")
    app.add_options(parser)
    parser.add_argument("--verbose", action="store_true", help=VERBOSE_HELP)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f".{name}", __name__).register(subparsers)
        # also after the command; SUPPRESS keeps `puppeteer --verbose COMMAND` from being reset to False
        subparsers.choices[name].add_argument("--verbose", action="store_true", default=argparse.SUPPRESS,
                                              help=VERBOSE_HELP)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        with quiet_native_logs(enabled=not args.verbose):  # before anything imports MediaPipe
            return args.run(args) or 0
    except PuppeteerError as e:
        print(f"{' '.join(filter(None, ['puppeteer', args.command]))}: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
