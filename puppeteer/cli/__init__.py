"""The `puppeteer` command. Each subcommand lives in its own module here with `register(subparsers)` and
`run(args)`; heavy imports happen inside `run` so that `--help` is instant. With no subcommand the app opens."""
import argparse
import importlib
import sys

from ..errors import PuppeteerError
from . import app

COMMANDS = [
    "render",
    "prepare",
    "check",
    "dataset",
    "track",
    "train",
    "evaluate",
    "bench",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="puppeteer",
        description="Bring a single anime character picture to life. With no command, opens the puppeteer window.")
    app.add_options(parser)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f".{name}", __name__).register(subparsers)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args) or 0
    except PuppeteerError as e:
        print(f"{' '.join(filter(None, ['puppeteer', args.command]))}: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
