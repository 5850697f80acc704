"""The voice mouth on real speech (espeak-ng's, tests/data/speech.wav), clean and with noise: it opens on words
and closes in pauses, silence and room noise keep it shut, clicks without a voice do not open it, and the live
source hands values on as the sound arrives and falls back when the device goes away."""
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from puppeteer.audio import live
from puppeteer.audio.evaluation import label_frames, noise, score, with_noise
from puppeteer.audio.files import RATE, read_audio
from puppeteer.audio.mix import mix_mouth
from puppeteer.audio.voice import HOP_S, VoiceMouth, VoiceSettings, dbfs, file_floor, mouth_at, mouth_track
from puppeteer.errors import AudioError
from puppeteer.pose import Pose

SPEECH = Path(__file__).parent / "data" / "speech.wav"


@pytest.fixture(scope="module")
def speech():
    return read_audio(SPEECH)


@pytest.fixture(scope="module")
def labels(speech):
    return label_frames(speech, RATE)


def hops(seconds: float) -> int:
    return round(seconds / HOP_S)


def test_the_mouth_opens_on_words_and_closes_in_pauses(speech, labels):
    assert labels.voiced.sum() > 100 and labels.silent.sum() > 100  # the recording has both, many times
    clean = score(speech, RATE, labels)
    assert clean.voiced_open >= 0.97 and clean.settled_shut >= 0.97


@pytest.mark.parametrize("kind", ["pink", "white"])
def test_with_noise_at_10_db_snr_it_still_follows_the_voice(speech, labels, kind):
    noisy = score(with_noise(speech, labels, 10, kind), RATE, labels)
    assert noisy.voiced_open >= 0.9 and noisy.silent_shut >= 0.9 and noisy.settled_shut >= 0.97


def test_it_opens_within_the_hop_that_brings_the_voice_and_closes_over_80_ms():
    rate = RATE
    t = np.arange(hops(2.0) * 160) / rate
    vowel = 0.3 * np.sign(np.sin(2 * np.pi * 140 * t)) * (t >= 1.5)  # a buzz like a voiced vowel, from 1.5 s
    vowel[t >= 1.8] = 0.0
    meter = VoiceMouth(rate, floor_dbfs=-80.0)
    mouth = np.array([r.mouth for r in meter.feed(vowel.astype(np.float32))])
    onset, end = hops(1.5), hops(1.8)
    assert mouth[:onset].max() == 0.0
    assert mouth[onset + 1] > 0.3  # the first full hop of sound (one hop of it may be half-filled)
    closing = mouth[end + 1:end + 12]
    assert closing[0] > 0.3 and np.all(np.diff(closing) <= 0)  # no snap: it closes smoothly...
    assert np.argmax(closing < 0.1) * HOP_S <= 0.08 + 2 * HOP_S  # ...within about 80 ms


def test_silence_and_steady_room_noise_keep_it_shut():
    assert np.all(mouth_track(np.zeros(RATE * 3, np.float32), RATE) == 0.0)
    room = (0.003 * noise(RATE * 4, "pink", seed=1)).astype(np.float32)
    meter = VoiceMouth(RATE)  # live: the floor comes from the first second
    mouth = np.array([r.mouth for r in meter.feed(room)])
    assert mouth.max() < 0.1 and -70 < meter.floor_dbfs < dbfs(0.003 ** 2)  # the room's level in the voice's band


def keyboard(seconds: float, seed: int = 2) -> np.ndarray:
    """Key clicks (5 ms decaying bursts, every 150 ms) over a quiet room."""
    rng = np.random.default_rng(seed)
    sound = 0.002 * rng.standard_normal(round(RATE * seconds))
    click = rng.standard_normal(80) * np.exp(-np.arange(80) / 15)
    for start in range(RATE, len(sound) - 80, round(0.15 * RATE)):
        sound[start:start + 80] += 0.5 * click
    return sound.astype(np.float32)


def test_voice_detection_keeps_key_clicks_from_opening_the_mouth():
    clicks = keyboard(4.0)
    assert mouth_track(clicks, RATE, VoiceSettings(vad=False)).max() > 0.3  # loud enough to pass the gate
    assert mouth_track(clicks, RATE, VoiceSettings(vad=True)).max() < 0.1


def test_gate_and_gain_change_the_opening(speech, labels):
    noisy = with_noise(speech, labels, 20)
    loose, strict = (mouth_track(noisy, RATE, VoiceSettings(gate_db=g)) for g in (4.0, 24.0))
    assert loose.mean() > 2 * strict.mean()
    wide = mouth_track(noisy, RATE, VoiceSettings(gain=3.0))
    assert wide.mean() > loose.mean()


def test_measuring_the_noise_again_raises_the_gate_for_a_louder_room():
    meter = VoiceMouth(RATE)
    quiet, loud = (a * noise(RATE * 2, "pink", seed=3).astype(np.float32) for a in (0.001, 0.02))
    meter.feed(quiet)
    quiet_gate = meter.gate_dbfs
    meter.measure_noise()
    meter.feed(loud)
    assert meter.gate_dbfs > quiet_gate + 20
    assert max(r.mouth for r in meter.feed(loud)) < 0.1


def test_a_file_floor_is_its_quietest_second(speech, labels):
    noisy = with_noise(speech, labels, 20)
    room = noisy - speech  # the noise alone: the recording's first second has no words
    assert file_floor(noisy, RATE) == pytest.approx(file_floor(room, RATE), abs=1.0)
    assert file_floor(noisy[RATE // 2:], RATE) == pytest.approx(file_floor(room, RATE), abs=3.0)  # half a second


def test_mouth_at_takes_the_last_hop_heard_by_then():
    track = np.array([0.1, 0.2, 0.3], np.float32)
    np.testing.assert_allclose(mouth_at(track, [0.0, 0.0101, 0.02, 0.03, 0.5]), [0.0, 0.1, 0.2, 0.3, 0.0])


@pytest.mark.parametrize("source,voice,expected", [("camera", 0.9, 0.2), ("voice", 0.9, 0.9), ("voice", 0.0, 0.0),
                                                  ("both", 0.0, 0.2), ("both", 0.9, 0.9), ("voice", None, 0.2)])
def test_mixing_the_mouths(source, voice, expected):
    pose = Pose(head_y=0.5, mouth=0.2)
    mixed = mix_mouth(pose, voice, source)
    assert mixed.mouth == pytest.approx(expected) and mixed.head_y == 0.5


# --- sound files ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("suffix,codec", [(".flac", "flac"), (".mp3", "libmp3lame"), (".ogg", "libopus")])
def test_sound_files_of_each_kind_read_alike(speech, tmp_path, suffix, codec):
    import av

    path = tmp_path / f"speech{suffix}"
    rate = 48000 if codec == "libopus" else RATE
    samples = read_audio(SPEECH, rate)
    with av.open(str(path), "w") as out:
        stream = out.add_stream(codec, rate=rate, layout="mono")
        for start in range(0, len(samples), 960):
            frame = av.AudioFrame.from_ndarray(samples[None, start:start + 960], format="flt", layout="mono")
            frame.rate, frame.pts = rate, start
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    again = read_audio(path)
    assert abs(len(again) - len(speech)) < 0.1 * RATE
    count = min(len(again), len(speech))
    assert np.corrcoef(mouth_track(again[:count], RATE), mouth_track(speech[:count], RATE))[0, 1] > 0.9


@pytest.mark.parametrize("make,message", [
    (lambda p: None, "no such sound file"),
    (lambda p: p.write_text("not sound at all"), "cannot be read as sound"),
])
def test_a_bad_sound_file_is_one_line_naming_it(tmp_path, make, message):
    path = tmp_path / "voice.wav"
    make(path)
    with pytest.raises(AudioError, match=message) as caught:
        read_audio(path)
    assert str(path) in str(caught.value) and "\n" not in str(caught.value)


def test_a_video_without_sound_says_so(tmp_path):
    from test_tracking_support import photo, write_video

    path = tmp_path / "silent.mp4"
    write_video(path, [photo("astronaut")] * 3)
    with pytest.raises(AudioError, match="has no sound track"):
        read_audio(path)


# --- live ---------------------------------------------------------------------------------------------------------

class FakeMicrophone:
    """Delivers `sound` in 10 ms blocks in real time from its own thread, then stops (as if unplugged)."""

    name = "the fake microphone"
    rate = RATE
    finished = False

    def __init__(self, sound):
        self.sound, self.closed = sound, False

    def open(self, deliver):
        def run():
            for start in range(0, len(self.sound), 160):
                if self.closed:
                    return
                deliver(self.sound[start:start + 160])
                time.sleep(HOP_S)
        threading.Thread(target=run, daemon=True).start()

    def close(self):
        self.closed = True


def test_the_live_source_follows_the_voice_and_reports_a_lost_device(speech):
    readings, lost = [], []
    sound = speech[:RATE * 3]
    source = live.VoiceSource(FakeMicrophone(sound), lambda r, t: readings.append((r, t)), lost.append)
    source.start()
    deadline = time.monotonic() + 10
    while not lost and time.monotonic() < deadline:
        time.sleep(0.05)
    source.stop()
    assert lost == ["the fake microphone stopped sending sound (unplugged?)"]
    assert len(readings) == len(sound) // 160
    live_mouth = np.array([r.mouth for r, _ in readings])
    assert live_mouth.max() > 0.9 and live_mouth[:hops(0.9)].max() == 0.0  # the pad before the words is silent
    assert source.busy_s / source.blocks < 0.003  # far below the 10 ms a block lasts
    times = [t for _, t in readings]
    assert times == sorted(times) and times[-1] - times[0] > 2.0  # stamped as they arrived, in real time


def test_a_sound_file_plays_as_a_microphone_and_ends(speech, tmp_path):
    readings, lost = [], []
    player = live.SoundFilePlayer(SPEECH)
    source = live.VoiceSource(player, lambda r, t: readings.append(r), lost.append)
    started = time.monotonic()
    source.start()
    while not lost and time.monotonic() - started < 20:
        time.sleep(0.05)
    assert lost == [f"{SPEECH} ended"]
    assert time.monotonic() - started >= len(speech) / RATE - 0.2  # in real time, not at once
    assert max(r.mouth for r in readings) > 0.9


def test_without_portaudio_the_microphone_says_what_to_install(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_portaudio(name, *args, **kwargs):
        if name == "sounddevice":
            raise OSError("PortAudio library not found")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_portaudio)
    assert live.input_devices() == []
    with pytest.raises(AudioError, match="PortAudio is missing .*libportaudio2"):
        live.Microphone().open(lambda block: None)


def test_no_microphone_is_one_line(monkeypatch):
    monkeypatch.setattr(live, "input_devices", lambda: [])
    monkeypatch.setattr(live, "_sounddevice", lambda: object())
    with pytest.raises(AudioError, match="no microphone found"):
        live.Microphone().open(lambda block: None)


class FakeSounddevice:
    """Stands in for the sounddevice module: one input device that opens only at `rates`."""

    def __init__(self, rates, own_rate=48000.0):
        self.rates, self.own_rate, self.opened = rates, own_rate, []

    def query_devices(self, device=None, kind=None):
        info = {"name": "USB mic", "max_input_channels": 1, "default_samplerate": self.own_rate}
        if device is None and kind is None:
            return [info, {"name": "speakers", "max_input_channels": 0, "default_samplerate": 48000.0}]
        if device not in (None, 0, "USB mic"):
            raise ValueError(f"No input device matching {device!r}")
        return info

    def InputStream(self, samplerate, **kwargs):  # noqa: N802 (the module's name)
        if samplerate not in self.rates:
            raise ValueError(f"Invalid sample rate {samplerate}")
        self.opened.append(samplerate)
        return type("Stream", (), {"start": lambda s: None, "close": lambda s, ignore_errors=True: None})()


@pytest.mark.parametrize("rates,opened", [((16000,), 16000), ((48000.0,), 48000)])
def test_the_microphone_opens_at_16_khz_or_else_at_its_own_rate(monkeypatch, rates, opened):
    sd = FakeSounddevice(rates)
    monkeypatch.setattr(live, "_sounddevice", lambda: sd)
    assert live.input_devices() == [(0, "USB mic")]
    microphone = live.Microphone("USB mic")
    microphone.open(lambda block: None)
    assert microphone.rate == opened and sd.opened == [opened]
    VoiceMouth(microphone.rate)  # the meter works at either rate


def test_a_device_that_opens_at_no_rate_or_is_unknown_is_one_line(monkeypatch):
    monkeypatch.setattr(live, "_sounddevice", lambda: FakeSounddevice(rates=()))
    with pytest.raises(AudioError, match="cannot open microphone USB mic: Invalid sample rate 48000.0; choose "
                                         "another input device"):
        live.Microphone("USB mic").open(lambda block: None)
    with pytest.raises(AudioError, match="microphone Headset: no such input device"):
        live.Microphone("Headset").open(lambda block: None)


def test_the_meter_works_at_other_rates(speech):
    from scipy.signal import resample_poly

    at_48k = resample_poly(speech, 3, 1).astype(np.float32)
    track_16, track_48 = mouth_track(speech, RATE), mouth_track(at_48k, 48000)
    count = min(len(track_16), len(track_48))
    assert np.corrcoef(track_16[:count], track_48[:count])[0, 1] > 0.95
