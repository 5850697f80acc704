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
