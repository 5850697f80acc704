"""One distillation run: the teacher's renders (cached), then the student's three networks trained on them one
after another by the project's trainer, each exported into the output folder as it finishes, then the scores on
the held-out poses written into the folder's model.json.

    OUT/face_morpher.pt, two_algo_face_rotator.pt, combiner.pt, model.json   the student (loadable at any time)
    OUT/distill/plan.json       what the run is: teacher, character, student start, steps per network
    OUT/distill/progress.json   where it is (for the app), rewritten atomically
    OUT/distill/before-after.png   held-out poses: the teacher, the start and the personal model
    OUT/distill/teacher/        the teacher's renders as a dataset (train: training poses, val: held-out poses)
    OUT/distill/{morpher,rotator,combiner}/   the trainer's run folders (a checkpoint every 100 steps)

Every file is written atomically and each stage resumes from its checkpoint, so a killed run continues with
`--resume`."""
import json
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..checkpoints import DESCRIPTION_FILE, FILES, read_description, write_description
from ..errors import PuppeteerError
from ..files import write_atomically
from ..training.config import TrainConfig
from ..training.stages import STAGES
from .poses import HELDOUT_POSES
from .renders import CHARACTER, render_all, time_teacher
from .teachers import character_sha256

FORMAT = "talking-head-puppeteer-distill"
ORDER = ("morpher", "rotator", "combiner")
# each network's share of the training time under --minutes, from a 15-minute run (README, "Personal models"): the
# morpher had converged by half its steps, the rotator gained to its last and limits the score
SHARES = {"morpher": 0.1, "rotator": 0.65, "combiner": 0.25}
TRAINING = {"lr": 3e-4, "lr_schedule": "cosine", "warmup_steps": 50, "changed_weight": 4.0, "noise_std": 0.01,
            "batch_size": 8, "source": "dataset", "workers": 1, "log_every": 10, "val_batches": 0,
            "image_every": 10**9, "checkpoint_every": 100, "keep_last": 2}
POSES, MIN_POSES = 2000, 120
TEACHER_SHARE = 1 / 3  # of a --minutes budget at most for the teacher's renders: fewer poses beyond it
OVERHEAD_S = 30  # per network: the trainer's start-up, the export and the scores


class DistillError(PuppeteerError):
    pass


@dataclass
class Request:
    out: Path
    teacher: object            # RigTeacher or CheckpointTeacher (teachers.py)
    character_name: str
    student: Path              # the checkpoint folder the student starts from
    width: int | None = None   # another width (wider: widened from the student; narrower: from scratch)
    minutes: float | None = None
    steps: int | None = None   # steps for each network, instead of minutes
    poses: int = POSES
    device: str = "auto"
    overwrite: bool = False


def work_folder(out) -> Path:
    return Path(out) / "distill"


def teacher_folder(out) -> Path:
    return work_folder(out) / "teacher"


def read_plan(out) -> dict | None:
    path = work_folder(out) / "plan.json"
    if not path.exists():
        return None
    try:
        plan = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise DistillError(f"{path}: cannot read the run's plan ({e}); start again with --overwrite") from None
    if not isinstance(plan, dict) or plan.get("format") != FORMAT:
        raise DistillError(f"{path}: not a distillation plan; choose another --out")
    return plan


def cached_character(out) -> Path:
    """The character the run was started with, as its teacher renders keep it."""
    return teacher_folder(out) / "train" / CHARACTER / "rest.png"


def _write_json(path: Path, data: dict) -> None:
    write_atomically(path, lambda tmp: Path(tmp).write_text(json.dumps(data, indent=2) + "\n"), overwrite=True)


def new_plan(request: Request) -> dict:
    """Check that request.out holds nothing the run would overwrite, copy the student's start into it (a loadable
    model from the first moment) and write the plan."""
    out = Path(request.out)
    if out.exists() and not out.is_dir():
        raise DistillError(f"{out}: is a file; --out must be a folder")
    if not request.overwrite:
        if read_plan(out) is not None:
            raise DistillError(f"{out}: holds a distillation run already; pass --resume to continue it, "
                               "--overwrite to start it again, or choose another --out")
        if out.is_dir() and any(out.iterdir()):
            raise DistillError(f"{out}: is not empty; choose a new folder for the personal model, or pass "
                               "--overwrite to replace what it holds")
    if work_folder(out).exists():
        shutil.rmtree(work_folder(out))
    start = read_description(request.student)
    sizes = {name: dict(size) for name, size in start.sizes.items()}
    for size in sizes.values():
        size["width"] = request.width or size["width"]
    plan = {"format": FORMAT, "version": 1, "teacher": request.teacher.description,
            "character": {"name": request.character_name, "sha256": character_sha256(request.teacher.character)},
            "student": {"start": str(Path(request.student).resolve()), "convention": start.convention,
                        "sizes": sizes, "start_widths": {n: s["width"] for n, s in start.sizes.items()}},
            "device": request.device, "poses": request.poses, "seed": 0, "minutes": request.minutes,
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    out.mkdir(parents=True, exist_ok=True)
    for file in (*FILES.values(), DESCRIPTION_FILE):
        source = Path(request.student) / file
        if source.exists():
            shutil.copyfile(source, out / file)
    plan.update(_budget(plan, request))
    _write_json(work_folder(out) / "plan.json", plan)
    return plan


def _budget(plan: dict, request: Request) -> dict:
    """Steps per network: --steps for each, or what fits in --minutes at the speeds measured here (fewer teacher
    poses when rendering them would take more than a third of the budget)."""
    if request.steps:
        return {"steps": {stage: request.steps for stage in ORDER}}
    budget = request.minutes * 60
    per_pose = time_teacher(request.teacher)
    poses = max(MIN_POSES, min(request.poses, int(budget * TEACHER_SHARE / per_pose) - HELDOUT_POSES))
    train_s = budget - per_pose * (poses + HELDOUT_POSES) - OVERHEAD_S * (len(ORDER) + 1)
    if train_s < 60:
        raise DistillError(f"{request.minutes:g} minutes leave no time to train: the teacher takes {per_pose:.2f} s "
                           f"a pose here and needs {poses + HELDOUT_POSES} poses; give more --minutes")
    timed = {**plan, "steps": {stage: 1 for stage in ORDER}}
    step_s = {stage: _seconds_per_step(stage_config(timed, stage, request.out), plan) for stage in ORDER}
    return {"poses": poses, "teacher_seconds_per_pose": per_pose, "seconds_per_step": step_s,
            "steps": {stage: max(50, int(SHARES[stage] * train_s / step_s[stage])) for stage in ORDER}}


def _seconds_per_step(cfg: TrainConfig, plan: dict) -> float:
    from ..poser import resolve_device
    from ..training.bench import seconds_per_step

    rotator = plan["student"]["sizes"][STAGES["rotator"].network]
    return seconds_per_step(cfg, rotator, device=resolve_device(cfg.device))


def stage_config(plan: dict, stage: str, out) -> TrainConfig:
    """The trainer's settings for one of the student's networks."""
    network = STAGES[stage].network
    size = plan["student"]["sizes"][network]
    start = Path(plan["student"]["start"]) / FILES[network]
    widened = size["width"] >= plan["student"]["start_widths"][network]
    steps = plan["steps"][stage]
    settings = {**TRAINING, "stage": stage, "dataset": str(teacher_folder(out)), "out": str(work_folder(out) / stage),
                "convention": plan["student"]["convention"], "width": size["width"],
                "bottleneck_blocks": size["bottleneck_blocks"], "face_box": size.get("face_box", []),
                "downscale": size.get("downscale", 1), "rest_anchor": size.get("rest_anchor", False),
                "init": str(start) if widened and start.exists() else "",
                "device": plan["device"], "steps": steps, "val_every": max(25, steps // 8),
                "warmup_steps": min(TRAINING["warmup_steps"], steps // 5),  # a short run would end warming up
                "batch_size": min(TRAINING["batch_size"], plan["poses"]),
                "frozen": str(out) if stage == "combiner" else "",
                "flow_smoothness": 0.01 if stage == "rotator" else 0.0}
    return TrainConfig().updated(settings, "distill plan")


class Progress:
    """Where the run is, in OUT/distill/progress.json (the app's window reads it) and on the terminal."""

    def __init__(self, out, plan: dict, echo=print):
        self.path, self.plan, self.echo = work_folder(out) / "progress.json", plan, echo
        self.state = {"state": "starting", "stage": None, "stage_number": 0, "stages": len(ORDER), "step": 0,
                      "steps": 0, "heldout_psnr": None, "eta_s": None, "started": time.time()}
        self._clock = None

    def update(self, **values) -> None:
        self.state.update(values, updated=time.time())
        _write_json(self.path, self.state)

    def stage(self, stage: str) -> None:
        self._clock = (time.perf_counter(), None)
        number = ORDER.index(stage) + 1
        self.echo(f"distill: {number}/{len(ORDER)} {stage}, {self.plan['steps'][stage]:,} steps")
        self.update(state="training", stage=stage, stage_number=number, step=0, steps=self.plan["steps"][stage])

    def on_step(self, step: int, total: int, validation: dict | None) -> None:
        """The trainer's callback: the step, the ETA of the whole run, the latest held-out PSNR."""
        now = time.perf_counter()
        started, first = self._clock
        if first is None:  # the first logged step of this session: time from here (resumes start mid-way)
            self._clock = (now, step)
            first = step
        stage = self.state["stage"]
        rate = (now - started) / (step - first) if step > first else self.plan.get("seconds_per_step", {}).get(stage)
        values = {"step": step, "steps": total}
        if rate:
            later = ORDER[ORDER.index(stage) + 1:]
            planned = self.plan.get("seconds_per_step", {})
            ratio = rate / planned[stage] if planned.get(stage) else 1.0
            values["eta_s"] = (total - step) * rate + sum(self.plan["steps"][s] * planned.get(s, rate) * ratio
                                                          for s in later)
        if validation:
            values["heldout_psnr"] = [v for k, v in validation.items() if k.startswith("psnr_")][-1]
        self.update(**values)


def distill(out, request: Request | None = None, teacher_for_resume=None, echo=print) -> dict:
    """A new run (`request`) or the one in `out` continued (`teacher_for_resume(plan)` gives its teacher when
    renders are missing). Returns the held-out scores written into OUT/model.json."""
    from ..training.checkpointing import export, list_checkpoints
    from ..training.trainer import resume, train

    out = Path(out)
    if request is not None:
        plan = new_plan(request)
        teacher = request.teacher
    else:
        plan = read_plan(out)
        if plan is None:
            raise DistillError(f"{out}: holds no distillation run to resume (no distill/plan.json)")
        teacher = None
    progress = Progress(out, plan, echo)
    progress.update(state="rendering")
    spent = plan.setdefault("spent_s", {})
    if not _renders_complete(out):
        teacher = teacher or teacher_for_resume(plan)
        echo(f"distill: the teacher ({plan['teacher']['text']}) renders {plan['poses']} training and "
             f"{HELDOUT_POSES} held-out poses")
        with _timed(spent, "teacher"):
            render_all(teacher, teacher_folder(out), plan["poses"], plan["seed"])
    if "curve" not in plan:
        with _timed(spent, "scores"):
            plan["curve"] = [_point(plan, "start", _scores(plan["student"]["start"], out))]
        _write_json(work_folder(out) / "plan.json", plan)
    finished = {point["after"] for point in plan["curve"]}
    for stage in ORDER:
        if stage in finished:
            continue
        started = bool(list_checkpoints(work_folder(out) / stage))
        if not started:
            _replan(plan, stage)
        cfg = stage_config(plan, stage, out)
        progress.stage(stage)
        with _timed(spent, stage):
            if started:
                resume(cfg.out, on_progress=progress.on_step)
            else:
                train(cfg, on_progress=progress.on_step)
            _keep_copy(out, stage)
            export(cfg.out, out, overwrite=True)
        progress.update(state="scoring", eta_s=None)
        with _timed(spent, "scores"):
            point = _point(plan, stage, _scores(out, out))
        plan["curve"].append(_keep_better(out, plan, point, echo))
        _write_json(work_folder(out) / "plan.json", plan)
    before, after = plan["curve"][0]["scores"], plan["curve"][-1]["scores"]
    _describe(out, plan, before, after)
    _sheet(out, plan)
    progress.update(state="done", eta_s=0, heldout_psnr=after["fast chain"]["psnr"])
    return {"before": before, "after": after}


@contextmanager
def _timed(spent: dict, part: str):
    """Add the seconds the block takes to spent[part] (the run's time, without the time it lay killed)."""
    started = time.perf_counter()
    try:
        yield
    finally:
        spent[part] = spent.get(part, 0.0) + time.perf_counter() - started


def _replan(plan: dict, stage: str) -> None:
    """Under --minutes, this network's steps from the time the run has left: its share of it, at its measured
    step time times how much slower than that the networks before it ran (reading the renders and validating,
    which the measurement leaves out, cost more on a slow disk or with fewer cores)."""
    if not plan.get("minutes"):
        return
    spent, later = plan["spent_s"], ORDER[ORDER.index(stage):]
    done = [s for s in ORDER if s in spent]
    measured = sum(plan["steps"][s] * plan["seconds_per_step"][s] for s in done)
    slowdown = sum(spent[s] for s in done) / measured if done else 1.0
    left = plan["minutes"] * 60 - sum(spent.values()) - OVERHEAD_S * len(later)
    share = SHARES[stage] / sum(SHARES[s] for s in later)
    plan["steps"][stage] = max(50, int(share * left / (plan["seconds_per_step"][stage] * slowdown)))


def _point(plan: dict, after: str, scores: dict) -> dict:
    """One point of the run's curve: held-out scores after a network, at the minutes the run has taken so far."""
    return {"after": after, "minutes": round(sum(plan["spent_s"].values()) / 60, 2), "scores": scores}


# the score a network is judged by: the morpher and the rotator make the fast chain (the app on a CPU), the
# combiner only the full chain
JUDGED_BY = {"morpher": "fast chain", "rotator": "fast chain", "combiner": "chain"}


def _previous_folder(out, stage: str) -> Path:
    return work_folder(out) / stage / "before"


def _keep_copy(out, stage: str) -> None:
    """Copy the network the stage replaces (and model.json) aside, once: a resumed run keeps the first copy."""
    folder = _previous_folder(out, stage)
    if folder.exists():
        return
    partial = folder.with_name("before.partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    for file in (FILES[STAGES[stage].network], DESCRIPTION_FILE):
        if (Path(out) / file).exists():  # a student start may lack the combiner
            shutil.copyfile(Path(out) / file, partial / file)
    partial.rename(folder)


def _keep_better(out, plan: dict, point: dict, echo) -> dict:
    """Put the network back as it was when training made it score lower on the held-out poses (a budget too short
    to get past the first steps' damage) and say so; the point then records both scores."""
    stage, network = point["after"], STAGES[point["after"]].network
    judged = JUDGED_BY[stage]
    now, before = point["scores"][judged]["psnr"], plan["curve"][-1]["scores"][judged]["psnr"]
    same_size = plan["student"]["sizes"][network]["width"] == plan["student"]["start_widths"][network]
    if now >= before or not same_size or not (_previous_folder(out, stage) / FILES[network]).exists():
        return point
    for file in (FILES[network], DESCRIPTION_FILE):
        source = _previous_folder(out, stage) / file
        write_atomically(Path(out) / file, lambda tmp, source=source: shutil.copyfile(source, tmp), overwrite=True)
    echo(f"distill: the trained {stage} scored lower than before ({judged} {now:.2f} dB against {before:.2f}): "
         f"kept the one before (more --minutes or --steps let it get past its first steps)")
    return {**point, "scores": plan["curve"][-1]["scores"], "kept": "before", "trained_scores": point["scores"]}


def _renders_complete(out) -> bool:
    from ..data import format as fmt

    folders = [teacher_folder(out) / split / CHARACTER for split in ("train", "val")]
    return all((folder / fmt.LABELS).exists() for folder in folders)


def _scores(folder, out) -> dict:
    """PSNR over the image and the face box against the teacher on the held-out poses, full and fast chain."""
    from ..training.evaluation import evaluate

    results = evaluate(folder, teacher_folder(out), split="val")["results"]
    return {row: {k: results[row][output][k] for k in ("psnr", "psnr_face")}
            for row, output in (("chain", "final_image"), ("fast chain", "resampled"))}


def _sheet(out, plan: dict) -> Path:
    """OUT/distill/before-after.png: held-out poses as the teacher draws them, the start and the personal model
    (fast rendering, as the app shows them on a CPU)."""
    from ..images import save_png
    from ..training.evaluation import contact_sheet

    sheet = contact_sheet({"start (fast)": plan["student"]["start"], "personal (fast)": out}, teacher_folder(out),
                          split="val", fast=True, truth="teacher")
    return save_png(work_folder(out) / "before-after.png", sheet, overwrite=True)


def _describe(out, plan: dict, before: dict, after: dict) -> None:
    """model.json: the student's sizes (from the exports) and what it is: teacher, character, recipe, scores."""
    description = read_description(out)
    trained = description.info.get("trained", {})
    teacher = plan["teacher"]
    description.info = {
        "name": f"personal model for {plan['character']['name']} (taught by {teacher['text']})",
        "license": "MIT (the rig's renders)" if teacher["kind"] == "rig" else
                   f"derived from the teacher, {teacher.get('name')}: the teacher's license applies",
        "personal": {"character": plan["character"], "teacher": teacher, "student_start": plan["student"]["start"],
                     "recipe": {"poses": plan["poses"], "heldout_poses": HELDOUT_POSES, "steps": plan["steps"],
                                "minutes": plan["minutes"], "shares": SHARES, "training": TRAINING},
                     "curve": plan["curve"],
                     "heldout": {"space": "display (sRGB RGBA) against the teacher", "before": before,
                                 "after": after}},
        "trained": {name: {"steps": value["steps"]} for name, value in trained.items() if isinstance(value, dict)},
    }
    write_description(out, description)
