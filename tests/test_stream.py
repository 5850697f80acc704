"""`puppeteer stream` headless: a video drives the character, which the browser source serves as it changes."""
import subprocess
import sys
import time
import urllib.request

from test_tracking_support import photo, rotate, write_video


def test_a_video_streams_to_the_browser_source(tmp_path, tiny_checkpoints, character_png):
    video = tmp_path / "turning.mp4"
    face = photo("astronaut")
    write_video(video, [rotate(face, angle) for angle in range(-15, 16)] * 3, fps=15)
    env = {"PUPPETEER_CONFIG_DIR": str(tmp_path / "config"), "PATH": "/usr/bin:/bin"}
    process = subprocess.Popen([sys.executable, "-m", "puppeteer", "stream", "--source", str(video),
                                "--browser-source", "--port", "0", "--output-size", "256", "--precision", "fp32",
                                "--checkpoints", str(tiny_checkpoints), "--character", str(character_png),
                                "--seconds", "20"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=env)
    try:
        line = process.stdout.readline()
        assert line.startswith("browser source: http://127.0.0.1:"), line + process.stderr.read()
        url = line.split()[2]
        numbers, deadline = [], time.monotonic() + 15
        while len(set(numbers)) < 3 and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(url + "frame.png?after=" + str(max(numbers, default=0)), timeout=5) as r:
                    numbers.append(int(r.headers["X-Frame"]))
            except urllib.error.HTTPError:  # 503 before the first frame
                time.sleep(0.2)
        assert len(set(numbers)) >= 3 and numbers == sorted(numbers)  # new frames as the head turns
    finally:
        process.terminate()
        process.wait(10)


def test_a_headless_run_records_a_playable_take_and_its_csv(tmp_path, tiny_checkpoints, character_png, capsys):
    import av

    from puppeteer.cli import main
    from puppeteer.pose import read_pose_csv

    video = tmp_path / "turning.mp4"
    face = photo("astronaut")
    write_video(video, [rotate(face, angle) for angle in range(-15, 16)], fps=15)  # about 2 s
    takes = tmp_path / "takes"
    assert main(["stream", "--source", str(video), "--record", str(takes), "--output-size", "256",
                 "--precision", "fp32", "--checkpoints", str(tiny_checkpoints), "--character", str(character_png),
                 "--seconds", "10"]) == 0
    out = capsys.readouterr().out
    assert f"recording {takes / 'take-0001.mp4'}" in out and "recorded" in out
    with av.open(str(takes / "take-0001.mp4")) as container:
        stream = container.streams.video[0]
        frames = sum(1 for _ in container.decode(stream))
        assert (stream.width, stream.height) == (256, 256)
    assert frames == len(read_pose_csv(takes / "take-0001.csv")) >= 20
