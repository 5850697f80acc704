"""Training: each stage learns, fine-tuning from original files, resume bit for bit, data errors, export."""
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from puppeteer.checkpoints import FILES, load_network, load_networks, read_description
from puppeteer.cli import main
from puppeteer.data import format as fmt
from puppeteer.errors import DatasetError, TrainingError
from puppeteer.models import NETWORKS
from puppeteer.pose import Pose
from puppeteer.poser import Poser
from puppeteer.training.checkpointing import list_checkpoints, read_checkpoint
from puppeteer.training.config import TrainConfig
from puppeteer.training.losses import TrainingLoss, flow_total_variation
from puppeteer.training.stages import STAGES
from puppeteer.training.trainer import at_rest, build_network, resume, train, train_step

SIZE = fmt.IMAGE_SIZE


def _picture(pose: Pose, hue: int, rng) -> np.ndarray:
    """A blob face: eye bars that shrink as the eyes close, a mouth that opens, all shifted as the head turns."""
    y, x = np.mgrid[0:SIZE, 0:SIZE]
    cx, cy = 128 + 12 * pose.head_y, 128 - 12 * pose.head_x
    head = ((x - cx) / 50) ** 2 + ((y - cy) / 60) ** 2 <= 1
    rgba = np.zeros((SIZE, SIZE, 4), np.uint8)
    rgba[head] = (hue, 180, 140, 255)
    for ex, closed in ((cx - 20, pose.left_eye), (cx + 20, pose.right_eye)):
        rgba[(abs(x - ex) < 8) & (abs(y - cy + 10) < 1 + 6 * (1 - closed))] = (20, 20, 60, 255)
    rgba[(abs(x - cx) < 14) & (abs(y - cy - 25) < 1 + 8 * pose.mouth)] = (150, 30, 40, 255)
    rgba[..., :3] = np.where(head[..., None], np.clip(rgba[..., :3] + rng.integers(0, 8, (SIZE, SIZE, 3)), 0, 255), 0)
    return rgba


def write_dataset(root: Path, characters=(("train", 2), ("val", 1), ("test", 1)), poses: int = 4, seed: int = 0):
    """A tiny dataset in the puppeteer format (dataset.json, per-character rest/poses.csv/morphed/posed)."""
    rng = np.random.default_rng(seed)
    fmt.write_info(root, "test")
    index = 0
    for split, count in characters:
        for _ in range(count):
            folder = root / split / f"c{index:05d}"
            folder.mkdir(parents=True)
            hue = int(rng.integers(100, 250))
            Image.fromarray(_picture(Pose(), hue, rng)).save(folder / fmt.REST)
            samples, pose_list = list(range(poses)), []
            for sample in samples:
                p = Pose(*rng.uniform(-1, 1, 3), *rng.uniform(0, 1, 3))
                morph = Pose(0, 0, 0, p.left_eye, p.right_eye, p.mouth)
                Image.fromarray(_picture(morph, hue, rng)).save(folder / fmt.image_name(sample, "morphed"))
                Image.fromarray(_picture(p, hue, rng)).save(folder / fmt.image_name(sample, "posed"))
                pose_list.append(p)
            fmt.write_labels(folder / fmt.LABELS, samples, pose_list)
            index += 1
    return root


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Tiny networks gain nothing from threads, and on a busy machine OpenMP's waiting threads cost up to 40×."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    return write_dataset(tmp_path_factory.mktemp("dataset"))


def tiny(dataset, out, **settings) -> TrainConfig:
    """Settings for a few fast CPU steps of a width-4 network."""
    base = dict(stage="morpher", dataset=str(dataset), out=str(out), width=4, bottleneck_blocks=1, batch_size=2,
                steps=4, workers=0, log_every=1, val_every=1000, val_batches=1, image_every=1000,
                checkpoint_every=1000, lr=1e-3)
    return TrainConfig(**{**base, **settings})


def _fixed_batch(dataset, size: int = 64) -> dict:
    """Two samples of the tiny dataset, averaged down to size×size (the networks are fully convolutional)."""
    from puppeteer.data.dataset import PoseDataset

    data = PoseDataset(dataset, "train")
    items = [data[0], data[1]]
    shrink = torch.nn.AdaptiveAvgPool2d(size)
    return {k: shrink(torch.stack([it[k] for it in items])) if k != "pose" else torch.stack([it[k] for it in items])
            for k in ("rest", "morphed", "posed", "pose")}


@pytest.mark.parametrize("stage", ["morpher", "rotator", "combiner"])
def test_a_few_steps_lower_the_training_loss_on_a_fixed_batch(stage, dataset, tmp_path):
    torch.manual_seed(0)
    cfg = tiny(dataset, tmp_path, stage=stage, source="dataset", noise_std=0.01, changed_weight=4.0,
               flow_smoothness=0.0)
    definition = STAGES[stage]
    model = build_network(cfg, definition.network, "cpu")
    frozen = {n: NETWORKS[n](width=4, bottleneck_blocks=1).requires_grad_(False) for n in definition.needs("dataset")}
    loss_fn = TrainingLoss(cfg)
    optimizer = torch.optim.Adam(model.parameters(), lr=cfg.lr, betas=cfg.betas)
    batch = _fixed_batch(dataset)
    losses = [train_step(definition, model, frozen, batch, loss_fn, optimizer, step, cfg, "cpu")["loss"].item()
              for step in range(8)]
    assert losses[-1] < 0.93 * losses[0], losses


def _noisy_flow_rotator_trained(dataset, tmp_path, batch, steps: int, **settings):
    """A rotator whose flow starts as noise, after `steps` training steps on `batch` with `settings`."""
    torch.manual_seed(0)
    cfg = tiny(dataset, tmp_path, stage="rotator", source="dataset", **settings)
    stage = STAGES["rotator"]
    model = build_network(cfg, stage.network, "cpu")
    torch.nn.init.normal_(model.zhou_grid_change.weight, std=0.02)
    optimizer = torch.optim.Adam(model.parameters(), lr=cfg.lr, betas=cfg.betas)
    for step in range(steps):
        train_step(stage, model, {}, batch, TrainingLoss(cfg), optimizer, step, cfg, "cpu")
    return model


def test_flow_smoothness_irons_out_a_noisy_flow(dataset, tmp_path):
    """From a rotator whose flow is noise, a few steps with the smoothness term leave a much smoother flow than
    the same steps without it."""
    batch = _fixed_batch(dataset)
    roughness = {}
    for weight in (0.0, 0.1):
        model = _noisy_flow_rotator_trained(dataset, tmp_path, batch, 8, changed_weight=4.0, flow_smoothness=weight)
        with torch.no_grad():
            roughness[weight] = flow_total_variation(model(batch["morphed"], batch["pose"][:, :3])[4]).item()
    assert roughness[0.1] < 0.75 * roughness[0.0], roughness


def test_at_rest_asks_the_first_share_of_the_batch_for_no_change():
    batch = {"pose": torch.rand(4, 6) + 0.1, **{name: torch.rand(4, 4, 8, 8) for name in ("rest", "morphed", "posed")}}
    for name, stage in STAGES.items():
        rested = at_rest(stage, batch, 0.5)
        moved = [i for i in range(6) if i not in range(6)[stage.moves]]
        assert torch.equal(rested["pose"][:2, stage.moves], torch.zeros(2, 3)), name
        assert torch.equal(rested["pose"][:, moved], batch["pose"][:, moved])  # the other network's part stays
        assert torch.equal(rested["pose"][2:], batch["pose"][2:])
        assert torch.equal(rested[stage.target][:2], batch[stage.reference][:2])
        assert torch.equal(rested[stage.target][2:], batch[stage.target][2:])
        assert at_rest(stage, batch, 0.0) is batch
    assert batch["pose"].min() > 0 and not torch.equal(batch["posed"][:2], batch["morphed"][:2])  # left alone


def test_rest_samples_teach_the_rotator_to_leave_a_picture_alone(dataset, tmp_path):
    """From a rotator whose flow is noise, the same steps with half of each batch at rest leave its answer to
    "no head movement" much closer to its input than without them."""
    batch = _fixed_batch(dataset)
    change = {}
    for fraction in (0.0, 0.5):
        model = _noisy_flow_rotator_trained(dataset, tmp_path, batch, 40, rest_fraction=fraction)
        with torch.no_grad():
            resampled = model(batch["morphed"], torch.zeros(2, 3))[1]
        change[fraction] = (resampled - batch["morphed"]).abs().mean().item()
    assert change[0.5] < 0.75 * change[0.0], change


def test_fine_tuning_starts_from_an_original_format_checkpoint(tha1_weights, dataset, tmp_path):
    """The original THA v1 files (legacy torch.save) and small ones in the same format are valid starting points."""
    original = torch.load(tha1_weights / "face_morpher.pt", weights_only=True)
    model = build_network(tiny(dataset, tmp_path, width=64, bottleneck_blocks=6,
                               init=str(tha1_weights / "face_morpher.pt")), "face_morpher", "cpu")
    assert model.training and all(p.requires_grad for p in model.parameters())
    assert all(torch.equal(model.state_dict()[k], v) for k, v in original.items())

    small = NETWORKS["two_algo_face_rotator"](width=4, bottleneck_blocks=1).state_dict()
    with open(tmp_path / "rotator.pt", "wb") as f:
        torch.save(small, f, _use_new_zipfile_serialization=False)
    last = train(tiny(dataset, tmp_path / "run", stage="rotator", source="dataset", steps=1, image_every=1,
                      init=str(tmp_path / "rotator.pt")))
    trained = read_checkpoint(last)["model"]
    assert trained.keys() == small.keys()
    assert not torch.equal(trained["zhou_grid_change.weight"], small["zhou_grid_change.weight"])
    logs = EventAccumulator(str(tmp_path / "run" / "tensorboard"))
    logs.Reload()
    assert {"train/loss", "train/images_per_s", "val/psnr_color_changed", "val/psnr_resampled"} <= \
        set(logs.Tags()["scalars"])
    grid = logs.Images("val/input_output_target")[0]  # input | color_changed | resampled | target, 2 rows
    assert (grid.width, grid.height) == (4 * SIZE, 2 * SIZE)


def test_a_killed_run_resumes_to_bit_identical_weights(dataset, tmp_path, monkeypatch):
    settings = dict(steps=3, checkpoint_every=2, keep_last=1, noise_std=0.05, deterministic=True,
                    lr_schedule="cosine", warmup_steps=2, batch_size=1)
    straight = read_checkpoint(train(tiny(dataset, tmp_path / "straight", **settings)))

    import puppeteer.training.trainer as trainer

    class Killed(Exception):
        pass

    calls = []

    def dies_on_the_third_step(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise Killed
        return train_step(*args, **kwargs)

    monkeypatch.setattr(trainer, "train_step", dies_on_the_third_step)
    with pytest.raises(Killed):
        train(tiny(dataset, tmp_path / "killed", **settings))
    assert [p.name for p in list_checkpoints(tmp_path / "killed")] == ["step-00000002.pt"]
    monkeypatch.undo()
    with pytest.raises(TrainingError, match="--resume"):
        train(tiny(dataset, tmp_path / "killed", **settings))
    resumed = read_checkpoint(resume(tmp_path / "killed"))

    assert resumed["step"] == straight["step"] == 3
    for key, value in straight["model"].items():
        assert torch.equal(resumed["model"][key], value), key
    assert torch.equal(resumed["rng"][0]["torch"], straight["rng"][0]["torch"])
    assert [p.name for p in list_checkpoints(tmp_path / "killed")] == ["step-00000003.pt"]


def _damaged_copy(dataset, tmp_path, damage) -> Path:
    root = write_dataset(tmp_path / "damaged", characters=(("train", 1),), poses=2)
    picture = root / "train" / "c00000" / fmt.image_name(1, "posed")
    damage(picture)
    return picture


@pytest.mark.parametrize("damage", [lambda p: p.write_bytes(p.read_bytes()[:100]), Path.unlink],
                         ids=["corrupt", "missing"])
def test_a_bad_dataset_file_stops_the_run_naming_it(damage, dataset, tmp_path):
    picture = _damaged_copy(dataset, tmp_path, damage)
    cfg = tiny(picture.parents[2], tmp_path / "run", steps=1, workers=1)
    with pytest.raises(DatasetError, match=str(picture)) as e:
        train(cfg)
    assert "\n" not in str(e.value) and "Traceback" not in str(e.value)


def test_a_bad_dataset_file_is_skipped_with_a_warning_when_asked(dataset, tmp_path):
    picture = _damaged_copy(dataset, tmp_path, Path.unlink)
    cfg = tiny(picture.parents[2], tmp_path / "run", steps=1, on_data_error="skip")
    with pytest.warns(UserWarning, match=str(picture)):
        assert train(cfg).name == "step-00000001.pt"


def _train_one_step(stage: str, dataset, out, export, *extra) -> int:
    """`puppeteer train STAGE`, one step of a tiny network, exported into `export`: its exit status."""
    return main(["train", stage, "--dataset", str(dataset), "--out", str(out), "--width", "4", "--bottleneck-blocks",
                 "1", "--batch-size", "1", "--steps", "1", "--workers", "0", "--export", str(export), *extra])


def test_one_command_per_stage_gives_a_model_the_poser_loads(dataset, tmp_path, capsys):
    model = tmp_path / "model"
    assert _train_one_step("morpher", dataset, tmp_path / "m", model, "--val-batches", "1") == 0
    for stage in ("rotator", "combiner"):
        assert _train_one_step(stage, dataset, tmp_path / stage, model, "--frozen", str(model),
                               "--val-batches", "1") == 0
    assert "exported" in capsys.readouterr().out
    networks = load_networks(model)
    assert networks.description.sizes["combiner"] == {"width": 4, "bottleneck_blocks": 1}
    final = Poser(networks, device="cpu", precision="fp32").pose_image(torch.zeros(1, 4, SIZE, SIZE),
                                                                       torch.zeros(1, 6))
    assert final.shape == (1, 4, SIZE, SIZE)
    assert main(["train", "export", str(tmp_path / "m"), "--out", str(model)]) == 2  # never silently replaced
    assert "already exists" in capsys.readouterr().err


def test_config_file_stage_tables_and_flags(dataset, tmp_path, capsys):
    from puppeteer.training.config import read_config

    config = tmp_path / "recipe.toml"
    config.write_text('lr = 2e-4\nbetas = [0.9, 0.99]\nwidth = 16\n[rotator]\nperceptual_weight = 0.2\n'
                      'perceptual_start = 100\n')
    cfg = read_config(config, "rotator")
    assert (cfg.lr, cfg.betas, cfg.width, cfg.perceptual_weight, cfg.perceptual_start) == \
           (2e-4, (0.9, 0.99), 16, 0.2, 100)
    assert read_config(config, "morpher").perceptual_weight == 0
    config.write_text("batch_sise = 4\n")
    assert main(["train", "morpher", "--config", str(config), "--out", str(tmp_path)]) == 2
    assert f"{config}: unknown setting 'batch_sise'" in capsys.readouterr().err
    assert main(["train", "rotator", "--dataset", str(dataset), "--out", str(tmp_path), "--steps", "1"]) == 2
    assert "--frozen DIR" in capsys.readouterr().err
    assert main(["train", "morpher", "--dataset", str(dataset), "--out", str(tmp_path), "--lr", "fast"]) == 2
    assert "--lr fast: should be a number" in capsys.readouterr().err
    assert main(["train", "morpher", "--dataset", str(dataset), "--out", str(tmp_path), "--steps", "1",
                 "--flow-smoothness", "0.1"]) == 2
    assert "flow_smoothness applies to the rotator only" in capsys.readouterr().err
    assert main(["train", "morpher", "--dataset", str(dataset), "--out", str(tmp_path), "--steps", "1",
                 "--rest-fraction", "1.5"]) == 2
    assert "rest_fraction = 1.5 must be a share between 0 and 1" in capsys.readouterr().err


@pytest.mark.parametrize("recipe", sorted((Path(__file__).parents[1] / "configs").glob("*.toml")),
                         ids=lambda p: p.stem)
def test_the_example_configs_are_valid_for_every_stage(recipe):
    from puppeteer.training.config import STAGES as STAGE_NAMES, read_config

    for stage in STAGE_NAMES:
        read_config(recipe, stage).updated({"dataset": "d", "out": "o"}).check()


def test_a_morpher_trained_on_the_face_box_exports_its_box(dataset, tmp_path, capsys):
    model = tmp_path / "model"
    assert _train_one_step("morpher", dataset, tmp_path / "m", model, "--face-box", "64,64,128") == 0
    size = read_description(model).sizes["face_morpher"]
    assert size == {"width": 4, "bottleneck_blocks": 1, "face_box": [64, 64, 128]}
    assert load_network("face_morpher", model / "face_morpher.pt", size).face_box == [64, 64, 128]
    assert main(["train", "rotator", "--dataset", str(dataset), "--out", str(tmp_path / "r"), "--steps", "1",
                 "--face-box", "64,64,128"]) == 2
    assert "face_box applies to the morpher only" in capsys.readouterr().err
    assert main(["train", "morpher", "--dataset", str(dataset), "--out", str(tmp_path / "m2"), "--steps", "1",
                 "--face-box", "0,0,100"]) == 2
    assert "multiple of 8" in capsys.readouterr().err


def test_a_downscaled_morpher_on_the_face_box_trains_and_exports_both(dataset, tmp_path, capsys):
    model = tmp_path / "model"
    assert _train_one_step("morpher", dataset, tmp_path / "m", model, "--face-box", "64,64,128",
                           "--downscale", "2") == 0
    size = read_description(model).sizes["face_morpher"]
    assert size == {"width": 4, "bottleneck_blocks": 1, "face_box": [64, 64, 128], "downscale": 2}
    assert load_network("face_morpher", model / "face_morpher.pt", size).downscale == 2
    assert main(["train", "morpher", "--dataset", str(dataset), "--out", str(tmp_path / "m2"), "--steps", "1",
                 "--face-box", "64,64,72", "--downscale", "2"]) == 2
    assert "multiple of 16 (8 × downscale 2)" in capsys.readouterr().err


def test_a_downscaled_rotator_trains_and_exports_its_downscale(dataset, tmp_path, capsys):
    model = tmp_path / "model"
    assert _train_one_step("rotator", dataset, tmp_path / "r", model, "--source", "dataset", "--downscale", "2") == 0
    size = read_description(model).sizes["two_algo_face_rotator"]
    assert size == {"width": 4, "bottleneck_blocks": 1, "downscale": 2}
    assert load_network("two_algo_face_rotator", model / "two_algo_face_rotator.pt", size).downscale == 2
    assert main(["train", "rotator", "--dataset", str(dataset), "--out", str(tmp_path / "r2"), "--steps", "1",
                 "--downscale", "3"]) == 2
    assert "must be one of 1, 2, 4" in capsys.readouterr().err


def test_a_rest_anchored_rotator_trains_and_exports_it_and_only_the_rotator_takes_it(dataset, tmp_path, capsys):
    model = tmp_path / "model"
    assert _train_one_step("rotator", dataset, tmp_path / "r", model, "--source", "dataset", "--rest-anchor",
                           "true") == 0
    size = read_description(model).sizes["two_algo_face_rotator"]
    assert size == {"width": 4, "bottleneck_blocks": 1, "rest_anchor": True}
    assert load_network("two_algo_face_rotator", model / "two_algo_face_rotator.pt", size).rest_anchor
    assert main(["train", "morpher", "--dataset", str(dataset), "--out", str(tmp_path / "m"), "--steps", "1",
                 "--rest-anchor", "true"]) == 2
    assert "rest_anchor applies to the rotator only" in capsys.readouterr().err


def _trained_looking(network: str, path, **size) -> torch.nn.Module:
    """A network of `size` with every weight and norm scale away from its start, as if trained; saved at `path`."""
    trained = NETWORKS[network](**size)
    for p in trained.parameters():
        torch.nn.init.normal_(p, std=0.3)
    torch.save(trained.state_dict(), path)
    return trained


def _fine_tune_one_step(stage: str, network: str, dataset, tmp_path, init, width: int, blocks: int) -> int:
    """`puppeteer train STAGE --init INIT` for one step at this width and depth, exported into tmp_path/model
    (behind a one-step rotator for the combiner): its exit status."""
    model = tmp_path / "model"
    frozen = ["--source", "dataset", *(["--frozen", str(model)] if stage == "combiner" else [])]
    if stage == "combiner" and not (model / FILES["two_algo_face_rotator"]).exists():
        assert _train_one_step("rotator", dataset, tmp_path / "r", model, "--source", "dataset") == 0
    return main(["train", stage, "--dataset", str(dataset), "--out", str(tmp_path / f"w{width}b{blocks}"), "--width",
                 str(width), "--bottleneck-blocks", str(blocks), "--batch-size", "1", "--steps", "1", "--workers", "0",
                 "--init", str(init), "--export", str(model), "--overwrite", *frozen])


def _random_inputs(stage: str) -> list:
    """Random pictures (two for the combiner) and a pose, small: the networks are fully convolutional."""
    return [torch.rand(1, 4, 32, 32) * 2 - 1 for _ in range(2 if stage == "combiner" else 1)] + [torch.rand(1, 3)]


@torch.no_grad()
def _outputs_of_both(first, second, stage: str) -> list[tuple]:
    """(first's, second's) output pairs for the same random inputs."""
    inputs = _random_inputs(stage)
    return list(zip(first(*inputs), second(*inputs)))


def _exported(network: str, tmp_path) -> dict:
    """The size model.json gives the exported network, which loads at that size."""
    model = tmp_path / "model"
    size = read_description(model).sizes[network]
    load_network(network, model / FILES[network], size)
    return size


@pytest.mark.parametrize("stage, network", [("rotator", "two_algo_face_rotator"), ("combiner", "combiner")])
def test_fine_tuning_deepens_a_shallower_checkpoint_without_changing_its_output(stage, network, dataset, tmp_path,
                                                                             capsys):
    """--init from a 1-block network with --bottleneck-blocks 3: the added blocks start as the identity, so the
    deeper network first computes exactly what the trained one did; it trains, exports and loads at 3 blocks."""
    shallow = _trained_looking(network, tmp_path / "shallow.pt", width=4, bottleneck_blocks=1)
    deep = build_network(tiny(dataset, tmp_path, stage=stage, bottleneck_blocks=3, init=str(tmp_path / "shallow.pt")),
                         network, "cpu").eval()
    for a, b in _outputs_of_both(shallow, deep, stage):
        assert torch.equal(a, b)
    assert sum(k.endswith(".conv1.weight") for k in deep.state_dict()) == 3
    torch.save(NETWORKS[network](width=4, bottleneck_blocks=0).state_dict(), tmp_path / "none.pt")
    with pytest.raises(TrainingError, match="none.pt: has no bottleneck blocks to deepen"):
        build_network(tiny(dataset, tmp_path, stage=stage, bottleneck_blocks=3, init=str(tmp_path / "none.pt")),
                      network, "cpu")

    assert _fine_tune_one_step(stage, network, dataset, tmp_path, tmp_path / "shallow.pt", 4, 3) == 0
    assert _exported(network, tmp_path)["bottleneck_blocks"] == 3
    assert _fine_tune_one_step(stage, network, dataset, tmp_path, tmp_path / "model" / FILES[network], 4, 1) == 2
    assert "has 3 bottleneck blocks, more than the 1 asked for" in capsys.readouterr().err


@pytest.mark.parametrize("stage, network", [("morpher", "face_morpher"), ("rotator", "two_algo_face_rotator"),
                                            ("combiner", "combiner")])
def test_fine_tuning_widens_a_narrower_checkpoint_without_changing_its_output(stage, network, dataset, tmp_path,
                                                                           capsys):
    """--init from a width-4 network with --width 6: the trained weights fill the first channels and the added
    ones feed nothing into them yet, so the wider network first computes what the trained one did (the combiner's
    skip concatenations included), while the gradient already reaches every weight from an added channel into a
    trained one; it trains, exports and loads at width 6, and cannot be narrowed back."""
    narrow = _trained_looking(network, tmp_path / "narrow.pt", width=4, bottleneck_blocks=1)
    wide = build_network(tiny(dataset, tmp_path, stage=stage, width=6, init=str(tmp_path / "narrow.pt")),
                         network, "cpu").eval()
    for a, b in _outputs_of_both(narrow, wide, stage):
        torch.testing.assert_close(a, b, atol=1e-4, rtol=0)  # equal but for the order of summation
    sum(output.square().mean() for output in wide(*_random_inputs(stage))).backward()
    convolutions = [m for m in wide.modules() if isinstance(m, (torch.nn.Conv2d, torch.nn.ConvTranspose2d))]
    feeding = [m for m in convolutions if (m.weight == 0).any()]  # from added channels into trained ones
    assert len(feeding) == len(convolutions) - 1  # all but the first, whose inputs are the picture and pose
    for conv in feeding:
        assert conv.weight.grad[conv.weight == 0].abs().sum() > 0  # the added channels start counting at once

    assert _fine_tune_one_step(stage, network, dataset, tmp_path, tmp_path / "narrow.pt", 6, 1) == 0
    assert _exported(network, tmp_path)["width"] == 6
    assert _fine_tune_one_step(stage, network, dataset, tmp_path, tmp_path / "model" / FILES[network], 4, 1) == 2
    assert "is 6 channels wide, more than the 4 asked for; set width to 6" in capsys.readouterr().err
