"""`puppeteer evaluate`: a checkpoint folder on a dataset split → L1, PSNR, SSIM per stage and for the chain,
printed as a table and written as JSON."""
from pathlib import Path


def register(subparsers) -> None:
    p = subparsers.add_parser("evaluate", help="measure a model's stages and chain on a dataset split",
                              description="Run every stage the checkpoint folder holds (each on the dataset's own "
                                          "inputs) and the whole chain on a dataset split; report L1, PSNR, SSIM "
                                          "and face-box PSNR in display space, next to the identity baseline "
                                          "(the input image taken as the answer).")
    p.add_argument("--checkpoints", required=True, metavar="DIR", help="checkpoint folder (.pt files, model.json)")
    p.add_argument("--dataset", required=True, metavar="DIR", help="dataset folder")
    p.add_argument("--split", default="test", choices=["train", "val", "test"], help="default test")
    p.add_argument("--json", metavar="FILE", help="report file (default evaluation-SPLIT.json)")
    p.add_argument("--sheet", metavar="PNG", help="also write a contact sheet: input | ground truth | chain output "
                                                  "for samples spread over the split")
    p.add_argument("--sheet-rows", type=int, default=6, metavar="N", help="samples on the contact sheet (default 6)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing report file or sheet")
    p.add_argument("--device", default="auto", help="auto, cpu, cuda or cuda:N")
    p.add_argument("--batch-size", type=int, default=8)
    p.add_argument("--limit", type=int, default=0, metavar="N", help="only the first N samples (0: all)")
    p.add_argument("--workers", type=int, default=0, help="data-loading processes")
    p.add_argument("--on-data-error", default="stop", choices=["stop", "skip"],
                   help="a damaged or missing dataset file: stop, or skip it with a warning")
    p.set_defaults(run=run)


def run(args) -> int:
    from ..errors import PuppeteerError
    from ..poser import resolve_device
    from ..images import save_png
    from ..training.evaluation import contact_sheet, evaluate, format_table, write_report

    out = Path(args.json or f"evaluation-{args.split}.json")
    for path, option in ((out, "--json"), (args.sheet and Path(args.sheet), "--sheet")):
        if path and path.exists() and not args.overwrite:
            raise PuppeteerError(f"{path}: already exists; choose another {option} or pass --overwrite")
    if args.batch_size < 1 or args.limit < 0 or args.sheet_rows < 1:
        raise PuppeteerError("--batch-size and --sheet-rows must be at least 1 and --limit not negative")
    report = evaluate(args.checkpoints, args.dataset, args.split, resolve_device(args.device), args.batch_size,
                      args.limit, args.workers, args.on_data_error)
    print(format_table(report))
    print(f"wrote {write_report(report, out, overwrite=args.overwrite)}")
    if args.sheet:
        sheet = contact_sheet(args.checkpoints, args.dataset, args.split, args.sheet_rows,
                              resolve_device(args.device))
        print(f"wrote {save_png(args.sheet, sheet, overwrite=args.overwrite)}")
    return 0
