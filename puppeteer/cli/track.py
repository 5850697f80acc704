"""`puppeteer track`: a face in a camera, video or image folder → a pose CSV, one row per tracked frame
(frame,time_s,face_found,head_x,head_y,neck_z,left_eye,right_eye,mouth), which `puppeteer render --poses`
reads. The mouth can follow the voice instead (a sound file, the video's own sound, or the microphone)."""
import os
import sys
from pathlib import Path

from .common import add_voice_options, recorded_voice, voice_settings

OWN_SOUND = ""  # --audio without a file: the video's own sound track

QUIT_KEYS = (ord("q"), 27)  # q, Esc
WINDOW = "puppeteer track (q or Esc stops)"


def register(subparsers) -> None:
    p = subparsers.add_parser("track", help="track a face into a pose CSV",
                              description="Track the face in a camera, a video file or a folder of images and "
                                          "write one pose per frame to a CSV. A file is tracked frame by frame "
                                          "with a progress bar; a camera runs until Ctrl+C, q in the preview, "
                                          "or --seconds.")
    p.add_argument("source", metavar="SOURCE", help="camera index (0, 1, ...), video file, or folder of images")
    p.add_argument("--out", required=True, metavar="CSV", help="the pose CSV to write")
    p.add_argument("--show", action="store_true", help="show the picture with the tracked landmarks")
    p.add_argument("--no-mirror", action="store_true",
                   help="don't mirror: the character's left eye follows your left eye (by default it copies "
                        "your mirror image, like the preview)")
    p.add_argument("--estimator", choices=["landmarker", "facemesh"], default="landmarker",
                   help="landmarker: MediaPipe FaceLandmarker (default, more accurate); facemesh: the legacy "
                        "MediaPipe face mesh (faster, a fallback)")
    p.add_argument("--no-calibration", action="store_true", help="ignore the saved neutral pose")
    p.add_argument("--fps", type=float, default=30.0, help="frame rate of an image folder (default 30)")
    p.add_argument("--seconds", type=float, metavar="S", help="stop a camera after S seconds")
    p.add_argument("--overwrite", action="store_true", help="replace an existing CSV")
    p.add_argument("--audio", nargs="?", const=OWN_SOUND, metavar="FILE",
                   help="drive the mouth by this sound file (WAV, FLAC, OGG, MP3, a video's sound), on the video's "
                        "clock; --audio alone: the video's own sound")
    p.add_argument("--mouth", choices=["camera", "voice", "both"],
                   help="which mouth to write: the face's (camera), the voice's, or the wider open of the two "
                        "(both); default: both with --audio, else camera. A camera source hears the microphone")
    p.add_argument("--audio-device", metavar="N", help="the microphone (index or name) for a camera source")
    add_voice_options(p)
    p.set_defaults(run=run)


def _check_screen() -> None:
    from ..errors import TrackingError

    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        raise TrackingError("--show needs a screen and none was found (DISPLAY is not set); run without --show")


def _show(image, result, mirror: bool) -> bool:
    """Shows the preview; True when the user pressed q or Esc."""
    import cv2

    from ..errors import TrackingError
    from ..tracking.preview import draw_preview

    try:
        cv2.imshow(WINDOW, cv2.cvtColor(draw_preview(image, result, mirror), cv2.COLOR_RGB2BGR))
        return cv2.waitKey(1) & 0xFF in QUIT_KEYS
    except cv2.error as e:
        raise TrackingError(f"cannot open a preview window ({str(e).strip().splitlines()[-1]}); "
                            "run without --show") from None


def run(args) -> int:
    import queue
    import time

    from tqdm import tqdm

    from ..errors import PuppeteerError, TrackingError
    from ..files import write_atomically
    from ..pose import write_pose_csv
    from ..tracking import Calibration, CameraSource, FaceTracker, TrackingLoop, open_source

    out = Path(args.out)
    if out.exists() and not args.overwrite:
        raise PuppeteerError(f"{out}: already exists; choose another name or pass --overwrite")
    if args.fps <= 0:
        raise PuppeteerError("--fps must be positive")
    if args.show:
        _check_screen()
    source = open_source(args.source, realtime=False, fps=args.fps)
    live = isinstance(source, CameraSource)
    mouth = args.mouth or ("both" if args.audio is not None else "camera")
    if live and args.audio:
        raise PuppeteerError("a camera is tracked live: its voice comes from the microphone (--audio-device), "
                             "not from a file")
    voice_from_file = _voice_track(args) if mouth != "camera" and not live else None
    microphone = None
    tracker = FaceTracker(args.estimator, mirror=not args.no_mirror,
                          calibration=Calibration() if args.no_calibration else None)
    results = queue.Queue()
    loop = TrackingLoop(source, tracker, lambda frame, result: results.put((frame, result)))
    rows, progress = [], None
    try:
        loop.start()
        if mouth != "camera" and live:
            microphone = _LiveVoice(args)
        progress = tqdm(total=source.length, unit="frame", desc="track", disable=live)
        if live:
            print(f"tracking {source.name}: press Ctrl+C{' or q' if args.show else ''} to stop", file=sys.stderr)
        deadline = time.monotonic() + args.seconds if args.seconds else None
        while not (deadline and time.monotonic() > deadline):
            try:
                frame, result = results.get(timeout=0.1)
            except queue.Empty:
                if loop.done.is_set() and results.empty():
                    break
                continue
            rows.append((frame.index, frame.timestamp_s, result, microphone.mouth if microphone else None))
            progress.update()
            if args.show and _show(frame.image, result, tracker.mirror):
                break
    except KeyboardInterrupt:
        if not live:
            raise
    finally:
        loop.stop()
        tracker.close()
        if microphone is not None:
            microphone.stop()
        if progress is not None:
            progress.close()
    if loop.exception is not None:
        raise loop.exception
    if source.error and not live:
        raise TrackingError(source.error)
    if not rows:
        raise TrackingError(f"{source.name}: no frames were read")

    poses = _mix_voice(rows, voice_from_file, mouth)
    columns = {"frame": [row[0] for row in rows], "time_s": [f"{row[1]:.3f}" for row in rows],
               "face_found": [int(row[2].face_found) for row in rows]}
    write_atomically(out, lambda tmp: write_pose_csv(tmp, poses, columns), overwrite=args.overwrite)
    found, ms = sum(columns["face_found"]), loop.busy_s * 1000 / loop.frames
    dropped = f", {source.dropped} frames dropped" if source.dropped else ""
    voice = f", mouth: {mouth}" if mouth != "camera" else ""
    print(f"wrote {out} ({len(rows)} frames, face found in {found}; tracking {ms:.1f} ms/frame{dropped}{voice})")
    return 0


def _voice_track(args):
    """The voice mouth every 10 ms of the sound file (or of the video's own sound)."""
    from ..errors import AudioError

    if args.audio:
        return recorded_voice(args.audio, args)
    if not Path(args.source).is_file():
        raise AudioError(f"{args.source}: a folder of pictures has no sound; give the sound file: --audio FILE")
    try:
        return recorded_voice(args.source, args, f"{args.source}'s sound")
    except AudioError as e:
        raise AudioError(f"{e}; give the sound file: --audio FILE") from None


class _LiveVoice:
    """The microphone's newest mouth value while a camera is tracked; None once the microphone is lost."""

    def __init__(self, args):
        from ..audio.live import Microphone, VoiceSource

        device = args.audio_device
        device = int(device) if device is not None and device.isdigit() else device
        self.mouth = 0.0
        self.source = VoiceSource(Microphone(device), self._heard, self._lost, voice_settings(args))
        self.source.start()

    def _heard(self, reading, _time) -> None:
        self.mouth = reading.mouth

    def _lost(self, message: str) -> None:
        self.mouth = None
        print(f"warning: {message}; the mouth follows the camera from here on", file=sys.stderr)

    def stop(self) -> None:
        self.source.stop()


def _mix_voice(rows, voice_from_file, mouth: str):
    """Each row's pose with the mouth chosen: the voice at the frame's time (a file) or when it was tracked."""
    from ..audio.mix import mix_mouth
    from ..audio.voice import mouth_at

    if voice_from_file is not None:
        heard = mouth_at(voice_from_file, [row[1] for row in rows])
        return [mix_mouth(row[2].pose, float(v), mouth) for row, v in zip(rows, heard)]
    return [mix_mouth(row[2].pose, row[3], mouth) for row in rows]
