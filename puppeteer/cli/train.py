"""`puppeteer train`: train one THA v1 stage (morpher, rotator, combiner) on a dataset, or export a run's
network as inference weights the poser loads."""
from dataclasses import fields

STAGE_HELP = {
    "morpher": "train the face morpher: rest image → eyes and mouth posed (the dataset's morphed image)",
    "rotator": "train the face rotator: morphed image → head turned (posed), behind a frozen morpher",
    "combiner": "train the combiner: the frozen rotator's two results → posed",
}
_METAVARS = {int: "N", float: "X", bool: "true|false", tuple: "X,Y,..."}


def register(subparsers) -> None:
    from ..training.config import CHOICES, TrainConfig  # light: no torch

    p = subparsers.add_parser("train", help="train a stage, or export a training run",
                              description="Train one network on a dataset (settings from --config, then flags), "
                                          "or export a run as inference weights.")
    stages = p.add_subparsers(dest="stage", metavar="STAGE", required=True)
    for stage, help in STAGE_HELP.items():
        s = stages.add_parser(stage, help=help, description=help + ". Every config key is also a flag.")
        s.add_argument("--config", metavar="TOML", help="settings file (see configs/); flags override it")
        s.add_argument("--resume", action="store_true",
                       help="continue the run in --out from its latest checkpoint, with its saved settings "
                            "(flags still override, e.g. --steps to train longer)")
        s.add_argument("--export", metavar="DIR",
                       help="at the end, write the network into checkpoint folder DIR (see `train export`)")
        s.add_argument("--overwrite", action="store_true", help="let --export replace an existing network file")
        for f in fields(TrainConfig):
            if f.name != "stage":
                metavar = "|".join(CHOICES[f.name]) if f.name in CHOICES else \
                    _METAVARS.get(type(f.default), f.name.upper())
                s.add_argument(f"--{f.name.replace('_', '-')}", dest=f.name, metavar=metavar,
                               help=f"{f.metadata['help']} (default {_show(f.default)})")
        s.set_defaults(run=run)
    e = stages.add_parser("export", help="write a run's network as a plain state_dict plus model.json",
                          description="Write the network of a run folder (its latest checkpoint) or of a "
                                      "checkpoint file into a checkpoint folder the poser loads: the original "
                                      "THA v1 file format plus model.json, merged with what the folder holds.")
    e.add_argument("source", metavar="RUN", help="run folder (or one checkpoints/step-*.pt file)")
    e.add_argument("--out", required=True, metavar="DIR", help="checkpoint folder to write into")
    e.add_argument("--overwrite", action="store_true", help="replace the network's file if the folder has it")
    e.set_defaults(run=run_export)


def _show(value) -> str:
    if isinstance(value, tuple):
        return ",".join(f"{v:g}" for v in value)
    return repr(value) if value == "" else str(value).lower() if isinstance(value, bool) else str(value)


def run(args) -> int:
    from ..errors import TrainingError
    from ..training.checkpointing import export
    from ..training.config import TrainConfig, parse_flag, read_config
    from ..training.trainer import resume, train

    overrides = {f.name: parse_flag(f.name, getattr(args, f.name)) for f in fields(TrainConfig)
                 if f.name != "stage" and getattr(args, f.name) is not None}
    if args.resume:
        if args.config:
            raise TrainingError("--resume continues with the run's saved settings: leave out --config and give "
                                "changes as flags")
        if "out" not in overrides:
            raise TrainingError("--resume needs --out RUN, the run folder to continue")
        last = resume(overrides["out"], {**overrides, "stage": args.stage})
    else:
        cfg = read_config(args.config, args.stage) if args.config else TrainConfig(stage=args.stage)
        last = train(cfg.updated(overrides, "command line"))
    if last is None:  # not rank 0 under torchrun
        return 0
    print(f"wrote {last}")
    if args.export:
        print(f"exported {export(last, args.export, overwrite=args.overwrite)}")
    return 0


def run_export(args) -> int:
    from ..training.checkpointing import export

    print(f"exported {export(args.source, args.out, overwrite=args.overwrite)}")
    return 0
