"""Options shared by several commands."""
from ..paths import DEFAULT_CHARACTER, DEFAULT_CHECKPOINTS


def add_model_options(parser) -> None:
    parser.add_argument("--checkpoints", metavar="DIR", default=str(DEFAULT_CHECKPOINTS),
                        help="folder with face_morpher.pt, two_algo_face_rotator.pt, combiner.pt "
                             "(and optionally model.json); default: the bundled model")
    parser.add_argument("--device", default="auto", help="auto (CUDA if present, else CPU), cpu, cuda, cuda:N")
    parser.add_argument("--precision", default="auto", choices=["auto", "fp32", "bf16", "fp16"],
                        help="auto (default): fp16 on CUDA; on a CPU bf16 where it measures faster and close "
                             "to fp32, else fp32")


def add_character_option(parser) -> None:
    parser.add_argument("--character", metavar="PNG", default=str(DEFAULT_CHARACTER),
                        help="256×256 RGBA character picture (default: the bundled sample character)")
    parser.add_argument("--add-alpha", action="store_true",
                        help="accept a picture without transparency, treating it as fully opaque")


def add_voice_options(parser) -> None:
    """The voice mouth's settings (see `puppeteer.audio.voice`)."""
    parser.add_argument("--gate", type=float, metavar="DB", help="the noise gate, in dB above the room's noise "
                        "floor (default 4); raise it if noise opens the mouth")
    parser.add_argument("--gain", type=float, help="how wide the voice opens the mouth (default 1)")
    parser.add_argument("--no-vad", action="store_true",
                        help="open the mouth for any sound above the gate, not only for a voice")


def voice_settings(args):
    from ..audio.voice import VoiceSettings
    from ..errors import PuppeteerError

    settings = VoiceSettings(vad=not args.no_vad)
    if args.gate is not None:
        settings.gate_db = args.gate
    if args.gain is not None:
        if args.gain <= 0:
            raise PuppeteerError("--gain must be positive")
        settings.gain = args.gain
    return settings


def recorded_voice(path, args, what: str | None = None):
    """The voice mouth every 10 ms of a sound file; a warning when nothing in it opens the mouth."""
    import sys

    from ..audio.files import RATE, read_audio
    from ..audio.voice import mouth_track

    track = mouth_track(read_audio(path, RATE), RATE, voice_settings(args))
    if not track.any():
        print(f"warning: {what or path}: no voice opens the mouth in it (silent, or under the gate: try a lower "
              "--gate or a higher --gain)", file=sys.stderr)
    return track
