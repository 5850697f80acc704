"""The voice on the command line: `track --audio` writes the voice's mouth into the pose CSV on the video's clock
(from a sound file or from the video's own sound), `render --audio` muxes the sound into the clip, in sync and
as long as the picture; bad sound input is one line."""
import csv
import time
from pathlib import Path

import numpy as np
import pytest
from test_tracking_support import config_dir, photo  # noqa: F401 (fixture)

from puppeteer.audio.files import RATE, read_audio
from puppeteer.audio.voice import mouth_at, mouth_track
from puppeteer.cli import main
from puppeteer.video import AUDIO_RATE, write_video

SPEECH = Path(__file__).parent / "data" / "speech.wav"
FPS = 10.0
SECONDS = 3.0


def face_frames():
    face = np.dstack([photo("astronaut"), np.full((320, 320), 255, np.uint8)])
    return [face] * round(FPS * SECONDS)


@pytest.fixture(scope="module")
def face_video(tmp_path_factory):
    path = tmp_path_factory.mktemp("voice") / "face.mp4"
    write_video(path, face_frames(), FPS)
    return path


@pytest.fixture(scope="module")
def talking_video(tmp_path_factory):
    """The face with the speech as its own sound track."""
    path = tmp_path_factory.mktemp("voice") / "talking.mp4"
    write_video(path, face_frames(), FPS, audio=read_audio(SPEECH, AUDIO_RATE))
    return path


def read_rows(path):
    with open(path) as f:
        return list(csv.DictReader(f))


def test_track_with_a_sound_file_writes_the_voice_mouth_on_the_video_clock(tmp_path, face_video, config_dir,
                                                                          capsys):
    out = tmp_path / "poses.csv"
    assert main(["track", str(face_video), "--out", str(out), "--audio", str(SPEECH), "--mouth", "voice",
                 "--no-calibration"]) == 0
    rows = read_rows(out)
    times = [float(r["time_s"]) for r in rows]
    mouth = np.array([float(r["mouth"]) for r in rows])
    expected = mouth_at(mouth_track(read_audio(SPEECH), RATE), times)
    np.testing.assert_allclose(mouth, expected, atol=1e-5)
    assert mouth[:round(FPS * 0.9)].max() == 0.0 and mouth.max() > 0.5  # shut before the first word, then open
    assert "mouth: voice" in capsys.readouterr().out


def test_track_with_the_videos_own_sound(tmp_path, talking_video, config_dir):
    out = tmp_path / "poses.csv"
    assert main(["track", str(talking_video), "--out", str(out), "--audio", "--no-calibration"]) == 0
    mouth = np.array([float(r["mouth"]) for r in read_rows(out)])
    assert mouth[:round(FPS * 0.9)].max() < 0.1 and mouth.max() > 0.5  # "both": the voice opens it


@pytest.mark.parametrize("extra,message", [
    (["--audio"], "has no sound track; give the sound file"),
    (["--audio", "missing.wav"], "missing.wav: no such sound file"),
])
def test_track_sound_errors_are_one_line(tmp_path, face_video, config_dir, capsys, extra, message):
    assert main(["track", str(face_video), "--out", str(tmp_path / "p.csv"), *extra, "--no-calibration"]) != 0
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1
    assert not (tmp_path / "p.csv").exists()


def test_render_with_audio_writes_a_clip_whose_sound_lasts_as_long_as_the_picture(tmp_path, tiny_checkpoints,
                                                                                 character_png):
    import av

    poses = tmp_path / "poses.csv"
    poses.write_text("head_x,head_y,neck_z,left_eye,right_eye,mouth\n" + "0,0,0,0,0,0.5\n" * 45)
    clip = tmp_path / "clip.mp4"
    assert main(["render", "--checkpoints", str(tiny_checkpoints), "--character", str(character_png),
                 "--precision", "fp32", "--poses", str(poses), "--fps", "15", "--audio", str(SPEECH),
                 "--out", str(clip)]) == 0
    with av.open(str(clip)) as container:
        video, sound = container.streams.video[0], container.streams.audio[0]
        video_s = float(video.duration * video.time_base)
        sound_s = float(sound.duration * sound.time_base)
        assert video.frames == 45 and sound.rate == AUDIO_RATE
        heard = np.concatenate([f.to_ndarray().reshape(-1) for f in container.decode(sound)])
    assert video_s == pytest.approx(3.0, abs=0.07) and sound_s == pytest.approx(video_s, abs=0.05)
    speech = read_audio(SPEECH, AUDIO_RATE)[:len(heard)]
    start = np.argmax(np.abs(speech) > 0.05)  # the first word: the sound is in sync, not shifted
    assert np.argmax(np.abs(heard) > 0.05) == pytest.approx(start, abs=0.03 * AUDIO_RATE)


def test_render_audio_needs_an_mp4(tmp_path, tiny_checkpoints, character_png, capsys):
    poses = tmp_path / "poses.csv"
    poses.write_text("head_x,head_y,neck_z,left_eye,right_eye,mouth\n" + "0,0,0,0,0,0\n" * 3)
    assert main(["render", "--checkpoints", str(tiny_checkpoints), "--character", str(character_png),
                 "--poses", str(poses), "--audio", str(SPEECH), "--out", str(tmp_path / "clip.gif")]) != 0
    assert "--audio needs an .mp4 output" in capsys.readouterr().err


def test_render_says_a_recorded_line_with_one_command(tmp_path, tiny_checkpoints, character_png):
    import av

    clip = tmp_path / "line.mp4"
    assert main(["render", "--checkpoints", str(tiny_checkpoints), "--character", str(character_png),
                 "--precision", "fp32", "--fast", "--audio", str(SPEECH), "--fps", "10", "--out", str(clip)]) == 0
    seconds = len(read_audio(SPEECH)) / RATE
    with av.open(str(clip)) as container:
        pictures = [f.to_ndarray(format="rgb24").astype(int) for f in container.decode(video=0)]
    assert len(pictures) == round(seconds * 10)
    mouth = mouth_at(mouth_track(read_audio(SPEECH), RATE), np.arange(len(pictures)) / 10)
    talking = int(np.argmax(mouth))
    assert mouth[talking] > 0.9 and mouth[:9].max() == 0.0
    still = np.abs(pictures[8] - pictures[0]).mean()  # both shut: the same pose
    spoken = np.abs(pictures[talking] - pictures[0]).mean()
    assert spoken > 10 * max(still, 0.05)


def test_a_voice_mouth_needs_the_voice(tmp_path, tiny_checkpoints, character_png, capsys):
    poses = tmp_path / "poses.csv"
    poses.write_text("head_x,head_y,neck_z,left_eye,right_eye,mouth\n" + "0,0,0,0,0,0\n" * 3)
    assert main(["render", "--checkpoints", str(tiny_checkpoints), "--character", str(character_png),
                 "--poses", str(poses), "--mouth", "voice", "--out", str(tmp_path / "clip.mp4")]) != 0
    assert "--mouth voice needs the voice: --audio FILE" in capsys.readouterr().err
    assert main(["render", "--out", str(tmp_path / "x.png")]) != 0
    assert "say what to render" in capsys.readouterr().err


class FaceCamera:
    """Stands in for cv2.VideoCapture: the astronaut at about 30 frames a second."""

    def __init__(self, index):
        self.frame = np.ascontiguousarray(photo("astronaut")[..., ::-1])

    def isOpened(self):
        return True

    def set(self, prop, value):
        return True

    def read(self):
        time.sleep(1 / 30)
        return True, self.frame.copy()

    def release(self):
        pass


def test_a_camera_take_hears_the_microphone_and_keeps_going_when_it_is_lost(tmp_path, config_dir, monkeypatch,
                                                                            capsys):
    from test_voice import FakeMicrophone

    from puppeteer import tracking
    from puppeteer.audio import live
    from puppeteer.tracking.sources import CameraSource

    monkeypatch.setattr(tracking, "open_source", lambda spec, **kw: CameraSource(int(spec), capture=FaceCamera))
    sound = read_audio(SPEECH)[:round(RATE * 2.5)]  # the pad, then words; then the microphone stops
    monkeypatch.setattr(live, "Microphone", lambda device: FakeMicrophone(sound))
    out = tmp_path / "take.csv"
    assert main(["track", "0", "--out", str(out), "--mouth", "voice", "--seconds", "4", "--no-calibration"]) == 0
    rows = read_rows(out)
    times = np.array([float(r["time_s"]) for r in rows])
    mouth = np.array([float(r["mouth"]) for r in rows])
    assert len(rows) > 30 and mouth[times < 0.8].max() == 0.0 and mouth.max() > 0.5  # shut, then talking
    assert mouth[times > 3.5].max() < 0.1  # after the loss: the face's (shut) mouth
    assert "stopped sending sound (unplugged?); the mouth follows the camera" in capsys.readouterr().err


def test_a_silent_sound_file_is_said_in_one_line(tmp_path, face_video, config_dir, capsys):
    import av

    silent = tmp_path / "silent.wav"
    with av.open(str(silent), "w") as f:
        stream = f.add_stream("pcm_s16le", rate=RATE, layout="mono")
        frame = av.AudioFrame.from_ndarray(np.zeros((1, RATE), np.int16), format="s16", layout="mono")
        frame.rate = RATE
        f.mux(stream.encode(frame))
        f.mux(stream.encode(None))
    out = tmp_path / "poses.csv"
    assert main(["track", str(face_video), "--out", str(out), "--audio", str(silent), "--no-calibration"]) == 0
    err = capsys.readouterr().err
    assert f"warning: {silent}: no voice opens the mouth in it (silent" in err
