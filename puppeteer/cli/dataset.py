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
    s.add_argument("--resume", action="store_true",
                   help="continue an interrupted run in --out (same settings); complete characters are kept")
    s.set_defaults(run=run_synth)


def run_synth(args) -> int:
    from tqdm import tqdm

    from ..data.synthesize import synthesize

    result = synthesize(args.out, args.characters, args.poses, args.seed, args.val_fraction, args.test_fraction,
                        args.head_density, args.resume,
                        progress=lambda total: tqdm(total=total, unit="sample", desc="synth"))
    splits = ", ".join(f"{n} {s}" for s, n in result["splits"].items())
    kept = f", {result['kept']} already complete" if result["kept"] else ""
    print(f"wrote {args.out}: {result['written']} characters rendered{kept} ({splits}; {args.poses} poses each)")
    return 0
