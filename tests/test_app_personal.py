"""Model ▸ Make a personal model…: the dialog runs `puppeteer distill` in a background process (tiny sizes, a few
steps), shows its progress, and the window loads the result; a personal model shown with another character says so."""
import json
from pathlib import Path
from types import SimpleNamespace

from test_app import WAIT_MS, config, open_window  # noqa: F401 (fixtures)
from test_distill import write_tiny_student

from puppeteer.app import personal
from puppeteer.app.window import describe_model
from puppeteer.checkpoints import ModelDescription


def test_the_menu_entry_makes_and_loads_a_personal_model(open_window, qtbot, tmp_path, tiny_checkpoints,  # noqa: F811
                                                         monkeypatch):
    student = write_tiny_student(tmp_path / "student")
    monkeypatch.setattr(personal, "EXTRA_ARGUMENTS", ["--student", str(student), "--steps", "2", "--poses", "4"])
    window = open_window()
    entry = [a for a in window.menuBar().actions() if a.text() == "&Model"][0].menu().actions()
    [make] = [a for a in entry if a.text().startswith("Make a &personal model")]
    make.trigger()
    dialog = window.personal
    assert dialog.isVisible() and dialog.character == window.character_path
    out = tmp_path / "personal"
    dialog.out.setText(str(out))
    dialog.teacher.setText(str(tiny_checkpoints))
    assert not dialog.resume_button.isEnabled()
    dialog.start()
    assert dialog.running and dialog.stop_button.isEnabled()
    qtbot.waitUntil(lambda: not dialog.running, timeout=240_000)
    assert dialog.bar.value() == 100, dialog.status.text()
    qtbot.waitUntil(lambda: window.poser is not None and window.poser.networks.folder == out, timeout=WAIT_MS)
    made_for = json.loads((out / "model.json").read_text())["personal"]["character"]
    assert made_for["sha256"] == window.character_sha256
    assert "another character" not in window.status["model"].text()
    assert dialog.resume_button.isEnabled()  # the run's folder can be continued (e.g. after Stop)


def test_progress_lines():
    assert personal.describe_progress({"state": "rendering"})[0] is None
    percent, text = personal.describe_progress({"state": "training", "stage": "rotator", "stage_number": 2,
                                                "stages": 3, "step": 50, "steps": 100, "heldout_psnr": 27.4,
                                                "eta_s": 600})
    assert percent == 50 and "step 50 of 100" in text and "27.4 dB" in text and "about 10 min left" in text


def test_a_personal_model_with_another_character_says_so():
    description = ModelDescription(info={"personal": {"character": {"name": "alice", "sha256": "a" * 64}}})
    poser = SimpleNamespace(networks=SimpleNamespace(description=description, folder=Path("alice-model")))
    label, details = describe_model(poser, "b" * 64)
    assert label.endswith("made for another character") and "made for alice" in details
    label, details = describe_model(poser, "a" * 64)
    assert "another" not in label and "made for alice" in details
    assert "another" not in describe_model(SimpleNamespace(networks=SimpleNamespace(
        description=ModelDescription(), folder=Path("x"))), "b" * 64)[0]
