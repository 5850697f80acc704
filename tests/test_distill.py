"""`puppeteer distill`: tiny end-to-end runs with each kind of teacher, resuming a killed run, the time budget,
and bad input (one line each, nothing overwritten)."""
import errno
import json

import numpy as np
import pytest
import torch
from conftest import write_tiny_checkpoints
from PIL import Image

from puppeteer.checkpoints import ModelDescription, load_networks, save_networks
from puppeteer.cli import main
from puppeteer.data import synthetic
from puppeteer.distill import run as distill_run
from puppeteer.distill.poses import extreme_poses, heldout_poses, training_poses
from puppeteer.distill.teachers import character_sha256
from puppeteer.images import load_character
from puppeteer.models import NETWORKS
from puppeteer.training import trainer
from puppeteer.training.checkpointing import list_checkpoints, read_checkpoint


def write_tiny_student(folder, seed=0):
    """Random networks of the bundled model's layout (the morpher on the face box, the rotator at a quarter and the
    combiner at half resolution), 4 channels wide: any training on a teacher beats them, and quickly."""
    torch.manual_seed(seed)
    sizes = {"face_morpher": {"face_box": [64, 64, 128]}, "two_algo_face_rotator": {"downscale": 4},
             "combiner": {"downscale": 2}}
    sizes = {name: {"width": 4, "bottleneck_blocks": 1, **extra} for name, extra in sizes.items()}
    modules = {name: NETWORKS[name](**size) for name, size in sizes.items()}
    save_networks(folder, modules, ModelDescription(sizes=sizes))
    return folder


@pytest.fixture(scope="module")
def student(tmp_path_factory):
    return write_tiny_student(tmp_path_factory.mktemp("student"))


@pytest.fixture(scope="module")
def rig_run(tmp_path_factory, student):
    out = tmp_path_factory.mktemp("runs") / "rig"
    code = main(["distill", "--rig-character", "1000", "--out", str(out), "--student", str(student),
                 "--steps", "60", "--poses", "24"])
    return code, out


def test_training_poses_avoid_the_datasets_and_the_heldout_ones():
    poses = training_poses(600, seed=0)
    assert len(poses) == 600 and poses[:len(extreme_poses())] == extreme_poses()
    drawn = {synthetic.sample_pose_for(1000, 0, s) for s in range(64)}  # what `dataset synth --seed 1000` draws
    assert not drawn & set(poses)
    assert not set(heldout_poses()) & set(poses)
    assert training_poses(100) == training_poses(100)


def test_rig_teacher_makes_a_loadable_model_better_than_its_start(rig_run):
    code, out = rig_run
    assert code == 0
    networks = load_networks(out)  # loads: sizes and files agree
    assert networks.description.sizes["face_morpher"]["width"] == 4
    personal = json.loads((out / "model.json").read_text())["personal"]
    rest = synthetic.render_rest(synthetic.character_spec(1000, 0))  # dataset synth --seed 1000's c00000/rest.png
    assert personal["teacher"]["kind"] == "rig" and personal["teacher"]["seed"] == 1000
    assert personal["character"]["sha256"] == character_sha256(rest)
    assert np.array_equal(load_character(distill_run.cached_character(out)), rest)
    assert personal["recipe"]["steps"] == {"morpher": 60, "rotator": 60, "combiner": 60}
    before, after = personal["heldout"]["before"], personal["heldout"]["after"]
    for row, gain in (("fast chain", 0.3), ("chain", 1.0)):  # 60 steps each: +0.7 and +2.7 dB when measured
        assert after[row]["psnr"] > before[row]["psnr"] + gain, row
        assert after[row]["psnr_face"] > before[row]["psnr_face"], row
    curve = personal["curve"]  # the scores after each network, at the minutes taken so far
    assert [point["after"] for point in curve] == ["start", *distill_run.ORDER]
    assert curve[0]["scores"] == before and curve[-1]["scores"] == after
    assert all(a["minutes"] <= b["minutes"] for a, b in zip(curve, curve[1:])) and curve[-1]["minutes"] > 0
    progress = json.loads((out / "distill" / "progress.json").read_text())
    assert progress["state"] == "done"
    sheet = np.asarray(Image.open(out / "distill" / "before-after.png"))  # input | teacher | start | personal
    assert sheet.shape[:2] == (6 * 160, 4 * 160)
    start, personal = sheet[:, 320:480].astype(int), sheet[:, 480:].astype(int)
    assert np.abs(start - personal).mean() > 1


def test_an_out_holding_a_run_or_files_is_refused(rig_run, student, tmp_path, capsys):
    _, out = rig_run
    weights = (out / "combiner.pt").read_bytes()
    assert main(["distill", "--rig-character", "1000", "--out", str(out), "--student", str(student),
                 "--steps", "1"]) == 2
    assert "--resume" in capsys.readouterr().err
    assert (out / "combiner.pt").read_bytes() == weights
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "notes.txt").write_text("mine")
    assert main(["distill", "--rig-character", "1", "--out", str(taken), "--steps", "1"]) == 2
    err = capsys.readouterr().err
    assert "not empty" in err and len(err.strip().splitlines()) == 1
    assert (taken / "notes.txt").read_text() == "mine"
    assert main(["distill", "--out", str(out), "--resume", "--steps", "5"]) == 2
    assert "leave out --steps" in capsys.readouterr().err


def test_checkpoint_teacher_run_killed_then_resumed(tmp_path, student, character_png, monkeypatch, capsys):
    teacher = write_tiny_checkpoints(tmp_path / "teacher", width=4, seed=1)
    out = tmp_path / "personal"
    monkeypatch.setitem(distill_run.TRAINING, "checkpoint_every", 2)
    rising = iter(range(10, 100))  # each network scores higher: all are kept (this test is about resuming)
    monkeypatch.setattr(distill_run, "_scores", lambda folder, out: {
        row: {"psnr": float(next(rising)), "psnr_face": 10.0} for row in ("chain", "fast chain")})

    class Killed(Exception):
        pass

    calls, killing = [], [True]
    real_step = trainer.train_step

    def killed_in_the_rotator(stage, *args, **kwargs):
        calls.append(stage.network)
        if killing[0] and calls.count("two_algo_face_rotator") == 4:
            killing[0] = False
            raise Killed
        return real_step(stage, *args, **kwargs)

    monkeypatch.setattr(trainer, "train_step", killed_in_the_rotator)
    arguments = ["distill", "--teacher", str(teacher), "--character", str(character_png), "--out", str(out),
                 "--student", str(student), "--steps", "6", "--poses", "8"]
    with pytest.raises(Killed):
        main(arguments)
    rotator = out / "distill" / "rotator"
    assert [p.name for p in list_checkpoints(rotator)] == ["step-00000002.pt"]
    calls.clear()
    assert main(["distill", "--out", str(out), "--resume"]) == 0
    assert calls.count("face_morpher") == 0  # finished before the kill
    assert calls.count("two_algo_face_rotator") == 4  # steps 3-6 only
    assert read_checkpoint(list_checkpoints(rotator)[-1])["step"] == 6
    description = json.loads((out / "model.json").read_text())
    personal = description["personal"]
    assert personal["teacher"]["kind"] == "checkpoint"
    assert personal["teacher"]["folder"] == str(teacher.resolve())
    assert personal["character"]["name"] == "character"
    assert personal["character"]["sha256"] == character_sha256(load_character(character_png))
    assert description["trained"]["two_algo_face_rotator"]["steps"] == 6
    load_networks(out)
    assert "personal model in" in capsys.readouterr().out


def test_a_network_that_trains_worse_than_it_started_is_put_back(tmp_path, student, character_png, monkeypatch,
                                                                  capsys):
    teacher = write_tiny_checkpoints(tmp_path / "teacher", width=4, seed=1)
    out = tmp_path / "personal"
    fast_chain = iter([20.0, 21.0, 19.0])  # held-out scores at the start, after the morpher, after the rotator

    def scores(folder, out):
        fast = next(fast_chain, 21.0)
        return {"chain": {"psnr": 22.0, "psnr_face": 18.0}, "fast chain": {"psnr": fast, "psnr_face": fast - 4}}

    monkeypatch.setattr(distill_run, "_scores", scores)
    assert main(["distill", "--teacher", str(teacher), "--character", str(character_png), "--out", str(out),
                 "--student", str(student), "--steps", "4", "--poses", "8"]) == 0
    assert "the trained rotator scored lower than before (fast chain 19.00 dB against 21.00)" in capsys.readouterr().out
    start, personal = load_networks(student), load_networks(out)
    for name in ("face_morpher", "two_algo_face_rotator"):
        same = all(torch.equal(a, b) for a, b in zip(getattr(start, name).state_dict().values(),
                                                     getattr(personal, name).state_dict().values()))
        assert same == (name == "two_algo_face_rotator"), name
    description = json.loads((out / "model.json").read_text())
    rotator = description["personal"]["curve"][2]
    assert rotator["kept"] == "before" and rotator["trained_scores"]["fast chain"]["psnr"] == 19.0
    assert rotator["scores"]["fast chain"]["psnr"] == 21.0
    assert "two_algo_face_rotator" not in description["trained"]  # the start's rotator, as model.json says


def test_the_time_budget_sets_steps_and_cuts_a_slow_teachers_poses(tmp_path, student, monkeypatch):
    monkeypatch.setattr(distill_run, "time_teacher", lambda teacher: 0.5)
    from puppeteer.distill.teachers import RigTeacher

    request = distill_run.Request(tmp_path / "out", RigTeacher(3), "rig 3", student, minutes=10)
    plan = distill_run.new_plan(request)
    assert plan["poses"] == int(600 / 3 / 0.5) - 48  # a third of the time for the teacher's renders
    assert all(steps >= 50 for steps in plan["steps"].values())
    planned = sum(plan["steps"][s] * plan["seconds_per_step"][s] for s in distill_run.ORDER)
    assert planned <= 600 - 0.5 * (plan["poses"] + 48)
    assert json.loads((tmp_path / "out" / "distill" / "plan.json").read_text())["steps"] == plan["steps"]
    too_short = distill_run.Request(tmp_path / "short", RigTeacher(3), "rig 3", student, minutes=1)
    with pytest.raises(distill_run.DistillError, match="more --minutes"):
        distill_run.new_plan(too_short)


def test_each_network_gets_its_share_of_the_time_left_at_the_speed_seen_so_far():
    plan = {"minutes": 10, "seconds_per_step": {"morpher": 0.1, "rotator": 0.2, "combiner": 0.5},
            "steps": {"morpher": 600, "rotator": 1950, "combiner": 300}, "spent_s": {"teacher": 30.0}}
    distill_run._replan(plan, "morpher")  # nothing measured yet: the planned speed
    left = 600 - 30 - 3 * distill_run.OVERHEAD_S
    assert plan["steps"]["morpher"] == int(distill_run.SHARES["morpher"] * left / 0.1)
    plan["steps"]["morpher"] = 400
    plan["spent_s"].update(scores=10.0, morpher=80.0)  # twice as slow as measured (reading the renders)
    distill_run._replan(plan, "rotator")
    left = 600 - 120 - 2 * distill_run.OVERHEAD_S
    share = distill_run.SHARES["rotator"] / (distill_run.SHARES["rotator"] + distill_run.SHARES["combiner"])
    assert plan["steps"]["rotator"] == int(share * left / (0.2 * 2))
    plan["spent_s"]["rotator"] = 2000.0  # far over: the combiner still gets a few steps
    distill_run._replan(plan, "combiner")
    assert plan["steps"]["combiner"] == 50
    steps = {"morpher": 60, "rotator": 60, "combiner": 60}
    fixed = {"minutes": None, "steps": dict(steps), "spent_s": {"morpher": 1e6}}
    distill_run._replan(fixed, "rotator")  # --steps: as asked
    assert fixed["steps"] == steps


def test_bad_teachers_and_characters_get_one_line(tmp_path, student, character_png, capsys):
    out = tmp_path / "out"
    base = ["--out", str(out), "--student", str(student), "--steps", "1"]
    assert main(["distill", "--teacher", str(tmp_path / "missing"), "--character", str(character_png), *base]) == 2
    assert "checkpoint folder not found" in capsys.readouterr().err
    opaque = tmp_path / "opaque.png"
    Image.fromarray(np.full((256, 256, 4), 200, np.uint8)).save(opaque)
    assert main(["distill", "--teacher", str(student), "--character", str(opaque), *base]) == 2
    err = capsys.readouterr().err
    assert "opaque.png: is not ready to be a character" in err and len(err.strip().splitlines()) == 1
    assert main(["distill", "--teacher", str(student), *base]) == 2
    assert "--character" in capsys.readouterr().err
    assert main(["distill", *base]) == 2
    assert "--rig-character" in capsys.readouterr().err
    assert not out.exists()


def test_a_full_disk_is_one_line_and_resumes(tmp_path, student, monkeypatch, capsys):
    from puppeteer.distill import renders

    real_save = renders.images.save_png
    saved = []

    def fills_up(path, rgba, overwrite=False):
        saved.append(path)
        if len(saved) == 10:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real_save(path, rgba, overwrite)

    monkeypatch.setattr(renders.images, "save_png", fills_up)
    out = tmp_path / "out"
    assert main(["distill", "--rig-character", "2", "--out", str(out), "--student", str(student), "--steps", "1",
                 "--poses", "8"]) == 2
    err = capsys.readouterr().err  # the teacher's progress bar, then the error
    [line] = [line for line in err.replace("\r", "\n").splitlines() if "error" in line]
    assert "No space left on device" in line and "--resume" in line and "Traceback" not in err
    monkeypatch.undo()
    assert main(["distill", "--out", str(out), "--resume"]) == 0
    assert torch.load(out / "combiner.pt", weights_only=True)
