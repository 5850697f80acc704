"""`puppeteer distill`: a personal model, the bundled model's size (so its speed) taught by any poser, or by the
rig, for one character."""
from pathlib import Path


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "distill", help="make a personal real-time model for one character, taught by a bigger model or the rig",
        description="Render the character in many poses with a teacher (any checkpoint folder, e.g. THA v1's "
                    "weights, or the rig itself), then train a small student (the bundled model's sizes, started "
                    "from its weights) on those renders. The student runs as fast as the bundled model and looks "
                    "like the teacher for this character. Scores on held-out poses go into OUT/model.json.")
    teacher = p.add_mutually_exclusive_group()
    teacher.add_argument("--teacher", metavar="DIR", help="checkpoint folder of the model to learn from")
    teacher.add_argument("--rig-character", metavar="SEED", type=int,
                         help="learn from the rig's exact renders of the first character of `puppeteer dataset "
                              "synth --seed SEED` (its c00000/rest.png): scores are against ground truth")
    p.add_argument("--character", metavar="PNG", help="the character (256×256, passing `puppeteer check`); "
                                                      "needed with --teacher")
    p.add_argument("--out", required=True, metavar="DIR", help="new folder for the personal model")
    p.add_argument("--student", metavar="DIR", help="checkpoint folder the student starts from and takes its sizes "
                                                    "from (default: the bundled model)")
    p.add_argument("--width", type=int, metavar="N", help="another width for the student's networks (wider ones "
                                                          "start widened from the student's weights)")
    p.add_argument("--minutes", type=float, metavar="N",
                        help="time for the whole run, teacher renders included (default 30)")
    p.add_argument("--steps", type=int, metavar="N", help="training steps for each of the three networks, instead "
                                                          "of a time budget (wins over --minutes)")
    p.add_argument("--poses", type=int, metavar="N",
                   help="training poses the teacher renders (default 2000; fewer when a slow teacher would take "
                        "over a third of --minutes)")
    p.add_argument("--device", default="auto", metavar="DEVICE", help="auto (CUDA when present), cpu or cuda")
    p.add_argument("--resume", action="store_true", help="continue the interrupted run in --out")
    p.add_argument("--overwrite", action="store_true", help="start again in an --out that holds a run or files")
    p.set_defaults(run=run)


def run(args) -> int:
    from ..distill.run import DistillError

    out = Path(args.out)
    try:
        result = _distill(args, out)
    except OSError as e:  # a full disk, a folder that cannot be written
        where = e.filename or out
        raise DistillError(f"{where}: {e.strerror or e}; what was written is kept: fix it and continue with "
                           "--resume") from None
    _report(out, result)
    return 0


def _distill(args, out: Path) -> dict:
    from ..distill.run import POSES, DistillError, Request, distill

    if args.resume:
        given = [flag for flag, value in (("--teacher", args.teacher), ("--rig-character", args.rig_character),
                                          ("--character", args.character), ("--student", args.student),
                                          ("--width", args.width), ("--minutes", args.minutes),
                                          ("--steps", args.steps), ("--poses", args.poses),
                                          ("--overwrite", args.overwrite))
                 if value not in (None, False)]
        if given:
            raise DistillError(f"--resume continues the run in --out as it was started: leave out {', '.join(given)}")
        return distill(out, teacher_for_resume=lambda plan: _resumed_teacher(plan, args, out))
    if args.minutes is not None and args.minutes <= 0 or args.steps is not None and args.steps < 1:
        raise DistillError("--minutes and --steps must be positive")
    poses = POSES if args.poses is None else args.poses
    if poses < 1 or args.width is not None and args.width < 1:
        raise DistillError("--poses and --width must be at least 1")
    teacher, name = _teacher(args)
    student = Path(args.student) if args.student else _bundled()
    _check_student(student)
    minutes = None if args.steps else (args.minutes or 30.0)
    return distill(out, Request(out, teacher, name, student, args.width, minutes, args.steps, poses,
                                args.device, args.overwrite))


def _bundled() -> Path:
    from ..checkpoints import DEFAULT_FOLDER
    return DEFAULT_FOLDER


def _check_student(folder: Path) -> None:
    from ..checkpoints import load_networks
    load_networks(folder)  # one line naming the file when it does not load


def _teacher(args):
    from ..distill.run import DistillError
    from ..distill.teachers import CheckpointTeacher, RigTeacher

    if args.rig_character is not None:
        if args.character:
            raise DistillError("--rig-character brings its own character: leave out --character")
        return RigTeacher(args.rig_character), f"rig character {args.rig_character}"
    if not args.teacher:
        raise DistillError("say what to learn from: --teacher DIR (a checkpoint folder) with --character PNG, or "
                           "--rig-character SEED")
    if not args.character:
        raise DistillError("--teacher needs --character PNG, the character to make the model for")
    character = checked_character(args.character)
    return CheckpointTeacher(args.teacher, character, args.device), Path(args.character).stem


def checked_character(path) -> "np.ndarray":  # noqa: F821
    """The character's pixels, or one line saying what `puppeteer check` finds wrong with it."""
    from ..distill.run import DistillError
    from ..images import load_character, read_image
    from ..prepare import check_picture

    report = check_picture(read_image(path), str(path))
    failed = [f.text for f in report.findings if f.status == "fail"]
    if failed:
        raise DistillError(f"{path}: is not ready to be a character: {failed[0]}")
    return load_character(path)


def _resumed_teacher(plan: dict, args, out: Path):
    from ..distill.run import DistillError, cached_character
    from ..distill.teachers import CheckpointTeacher, RigTeacher, character_sha256
    from ..images import load_character

    teacher = plan["teacher"]
    if teacher["kind"] == "rig":
        return RigTeacher(teacher["seed"])
    character = load_character(cached_character(out))
    if character_sha256(character) != plan["character"]["sha256"]:
        raise DistillError(f"{cached_character(out)}: is not the character the run started with; start again "
                           "with --overwrite")
    return CheckpointTeacher(teacher["folder"], character, args.device)


def _report(out: Path, result: dict) -> None:
    print(f"personal model in {out} (held-out poses, PSNR against the teacher, image / face box):")
    for row in ("fast chain", "chain"):
        before, after = result["before"][row], result["after"][row]
        print(f"  {row:10s} {before['psnr']:5.2f} / {before['psnr_face']:5.2f} dB at the start → "
              f"{after['psnr']:5.2f} / {after['psnr_face']:5.2f} dB")
