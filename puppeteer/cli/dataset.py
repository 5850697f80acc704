"""`puppeteer dataset`: make, import and check training datasets (format: puppeteer/data/format.py)."""


def register(subparsers) -> None:
    p = subparsers.add_parser("dataset", help="make, import or check a training dataset",
                              description="Training datasets: rest, morphed and posed pictures of characters "
                                          "with their pose labels, split by character into train/val/test.")
    sub = p.add_subparsers(dest="dataset_command", metavar="ACTION", required=True)

    s = sub.add_parser("synth", help="render a dataset of random rig characters",
                       description="Render random characters of the built-in rig in random poses (THA v1's "
                                   "sampling: eyes and mouth uniform, head angles denser toward ±15°).")
    s.add_argument("--out", required=True, metavar="DIR", help="new (or empty) folder for the dataset")
    s.add_argument("--characters", type=int, default=100, metavar="N", help="characters in all (default 100)")
    s.add_argument("--poses", type=int, default=50, metavar="M", help="samples per character (default 50)")
    s.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    s.add_argument("--val-fraction", type=float, default=0.05, help="share of characters for val (default 0.05)")
    s.add_argument("--test-fraction", type=float, default=0.05,
                   help="share of characters for test (default 0.05)")
    s.add_argument("--head-density", choices=["linear", "uniform"], default="linear",
                   help="head angle sampling: linear (THA v1, more near ±1) or uniform")
    s.add_argument("--variety", choices=["standard", "wide"], default="standard",
                   help="wide: half of the characters with pale or pink skin, no or thin outlines, larger eyes, "
                        "thick brows, triangle noses and small, low, dark or faint mouths, as 3-D and other real art "
                        "has them (default standard)")
    s.add_argument("--widening", type=int, metavar="N",
                   help="with --variety wide: draw its characters as widening N (2 or later) did, to make an "
                        "earlier dataset again (default: the latest)")
    s.add_argument("--workers", type=int, default=1, metavar="N",
                   help="render characters in N processes (default 1); the output is the same")
    s.add_argument("--resume", action="store_true",
                   help="continue an interrupted run in --out (same settings); complete characters are kept")
    s.set_defaults(run=run_synth)

    n = sub.add_parser("import-ntut", help="convert the NTUT fork's MMD renders",
                       description="Convert a folder of the NTUT fork's renders (MMD{i}_{j}.png with .txt labels "
                                   "le,re,mouth,rx,ry,rz, or the renamed MMD{i}M_1jj / MMD{i}R_2kk) into a dataset. "
                                   "The source is only read. Every file that cannot be used is listed.")
    n.add_argument("src", metavar="SRC", help="the fork's dataset folder (e.g. with img/ and label/ inside)")
    n.add_argument("dst", metavar="DST", help="new (or empty) folder for the converted dataset")
    n.add_argument("--dry-run", action="store_true", help="check and report only; write nothing")
    n.add_argument("--val-fraction", type=float, default=0.05, help="share of characters for val (default 0.05)")
    n.add_argument("--test-fraction", type=float, default=0.05,
                   help="share of characters for test (default 0.05)")
    n.add_argument("--seed", type=int, default=0, help="seed of the random split by character (default 0)")
    n.set_defaults(run=run_import_ntut)

    r = sub.add_parser("render-3d", help="render VRM or MMD models into a dataset",
                       description="Render each VRM (.vrm) or MMD (.pmx/.pmd) model as one character: the rest "
                                   "pose, then random poses (THA v1's sampling) with eyes and mouth alone and with "
                                   "all six parameters, framed on THA v1's template, on a transparent background. "
                                   "Uses three.js (shipped) in a headless Chromium found on PATH.")
    r.add_argument("models", nargs="+", metavar="MODEL", help="model files (.vrm, .pmx, .pmd)")
    r.add_argument("--out", required=True, metavar="DIR", help="new (or empty) folder for the dataset")
    r.add_argument("--poses", type=int, default=50, metavar="M", help="samples per model (default 50)")
    r.add_argument("--seed", type=int, default=0, help="random seed of the poses (default 0)")
    r.add_argument("--split", choices=["train", "val", "test"], default="train",
                   help="the split the models go to (default train; test for a validation set)")
    r.add_argument("--pose-kind", choices=["random", "eyes-mouth", "head"], default="random",
                   help="random: all six parameters (default); eyes-mouth or head: that part alone, the rest at 0")
    r.add_argument("--map", metavar="PARAM=NAME,...",
                   help="the expressions that close the eyes and open the mouth, when the model's names are not "
                        "the usual ones (VRM blinkLeft, blinkRight, aa; MMD ウィンク, ウィンク右, あ or ARKit's "
                        "eyeBlinkLeft, eyeBlinkRight, jawOpen), e.g. left_eye=Wink_L,right_eye=Wink_R,mouth=A")
    r.add_argument("--browser", metavar="PATH", help="the Chromium to use (default: chromium on PATH)")
    r.add_argument("--resume", action="store_true",
                   help="continue an interrupted run in --out (same models and settings)")
    r.set_defaults(run=run_render_3d)

    v = sub.add_parser("validate", help="check a dataset folder and list its problems",
                       description="Check every file of a dataset: images (size, RGBA, transparent background), "
                                   "labels (header, ranges) and missing or stray files. Exits with 1 when "
                                   "anything is wrong.")
    v.add_argument("dir", metavar="DIR", help="the dataset folder")
    v.set_defaults(run=run_validate)


def run_synth(args) -> int:
    from tqdm import tqdm

    from ..data.synthesize import synthesize
    from ..synth.character import WIDENING

    result = synthesize(args.out, args.characters, args.poses, args.seed, args.val_fraction, args.test_fraction,
                        args.head_density, args.resume,
                        progress=lambda total: tqdm(total=total, unit="sample", desc="synth"),
                        workers=args.workers, variety=args.variety,
                        widening=WIDENING if args.widening is None else args.widening)
    splits = ", ".join(f"{n} {s}" for s, n in result["splits"].items())
    kept = f", {result['kept']} already complete" if result["kept"] else ""
    print(f"wrote {args.out}: {result['written']} characters rendered{kept} ({splits}; {args.poses} poses each)")
    return 0


def run_render_3d(args) -> int:
    from tqdm import tqdm

    from ..render3d.dataset import render_models
    from ..render3d.rig import parse_map

    result = render_models(args.models, args.out, args.poses, args.seed, args.split, parse_map(args.map),
                           args.browser, args.resume,
                           progress=lambda total: tqdm(total=total, unit="sample", desc="render-3d"),
                           kind=args.pose_kind)
    kept = f", {result['kept']} already complete" if result["kept"] else ""
    models = f"{result['written']} model{'' if result['written'] == 1 else 's'}"
    print(f"wrote {args.out}: {models} rendered{kept} ({args.split}; {args.poses} poses each)")
    return 0


def _summary(characters: dict, samples) -> str:
    return ", ".join(f"{characters[s]} {s}" for s in characters) + f" characters; {samples} samples"


def run_import_ntut(args) -> int:
    import sys

    from tqdm import tqdm

    from ..data.ntut import import_ntut

    report = import_ntut(args.src, args.dst, args.dry_run, args.val_fraction, args.test_fraction, args.seed,
                         progress=lambda items, total: tqdm(items, total=total, unit="character", desc="import"))
    for line in report.ignored:
        print(f"ignored: {line}", file=sys.stderr)
    for line in report.problems:
        print(f"problem: {line}", file=sys.stderr)
    verb = "would import" if args.dry_run else f"wrote {args.dst}:"
    print(f"{verb} {_summary(report.characters, report.samples)}; {len(report.problems)} problem(s), "
          f"{len(report.ignored)} file(s) outside the layout ignored")
    return 1 if report.problems else 0


def run_validate(args) -> int:
    from tqdm import tqdm

    from ..data.validate import validate

    report = validate(args.dir, progress=lambda items: tqdm(items, unit="character", desc="validate"))
    for line in report.problems:
        print(f"problem: {line}")
    state = f"{len(report.problems)} problem(s)" if report.problems else "no problems"
    print(f"{args.dir}: {_summary(report.characters, sum(report.samples.values()))}; {state}")
    return 1 if report.problems else 0
