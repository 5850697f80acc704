"""`puppeteer render`: a character in one pose (a PNG) or in a sequence of poses (PNG folder, .mp4 or .gif), or
talking along with a recorded line (an .mp4 with its sound)."""
from pathlib import Path

from .common import add_character_option, add_model_options, add_voice_options, recorded_voice

VIDEO_SUFFIXES = (".mp4", ".gif")
MEASURED_FROM_POSES = 60  # with precision auto, renders of this many poses measure bf16 against fp32 first


def register(subparsers) -> None:
    p = subparsers.add_parser("render", help="render a character in given poses",
                              description="Render a character in one pose (--pose, writes a PNG) or many "
                                          "(--poses CSV, writes a folder of numbered PNGs, an .mp4 or a .gif). "
                                          "With --audio the .mp4 carries the sound; --audio alone (or with "
                                          "--pose) makes the character say a recorded line.")
    add_model_options(p)
    add_character_option(p)
    p.add_argument("--out", required=True, metavar="PATH", help="output .png, folder, .mp4 or .gif")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--pose", metavar="a,b,c,d,e,f",
                       help="head_x,head_y,neck_z,left_eye,right_eye,mouth, e.g. 0,0.5,0,0,0,1")
    group.add_argument("--poses", metavar="CSV", help="CSV with a header naming the six pose columns "
                       "(as written by `puppeteer track`)")
    p.add_argument("--fps", type=float, default=30.0, help="frame rate of an .mp4/.gif output (default 30)")
    p.add_argument("--background", default="transparent",
                   help="transparent (default; videos use white), green, black, white or #rrggbb")
    p.add_argument("--batch-size", type=int, default=1, help="poses per network call")
    p.add_argument("--fast", action="store_true",
                   help="skip the combiner and show the rotator's resampled picture (the app's fast rendering)")
    p.add_argument("--audio", metavar="FILE", help="an .mp4's sound track (WAV, FLAC, OGG, MP3, a video's sound), "
                   "from the first pose on, cut or padded to the clip's length; without --poses the clip lasts as "
                   "long as the sound and the mouth follows the voice")
    p.add_argument("--mouth", choices=["camera", "voice", "both"],
                   help="the mouth in the clip: the poses' own (camera), the voice's, or the wider open (both); "
                        "default: voice without --poses, else the poses' own")
    add_voice_options(p)
    p.add_argument("--overwrite", action="store_true", help="replace an existing output")
    p.set_defaults(run=run)


def run(args) -> int:
    from tqdm import tqdm

    from .. import images, video
    from ..audio.files import read_audio
    from ..checkpoints import load_networks
    from ..errors import PuppeteerError
    from ..pose import Pose, read_pose_csv
    from ..poser import Poser

    out = Path(args.out)
    background = images.parse_background(args.background)
    if not (args.pose or args.poses or args.audio):
        raise PuppeteerError("say what to render: --pose, --poses CSV, or --audio FILE (a recorded line)")
    poses = [Pose.parse(args.pose or "0,0,0,0,0,0")] if not args.poses else read_pose_csv(args.poses)
    if args.pose and not args.audio and out.suffix.lower() != ".png":
        raise PuppeteerError(f"{out}: with --pose the output is one PNG; give a name ending in .png")
    is_video = out.suffix.lower() in VIDEO_SUFFIXES
    if (args.poses or args.audio) and not is_video:
        if out.suffix.lower() == ".png":
            raise PuppeteerError(f"{out}: --poses writes several pictures: give a folder, an .mp4 or a .gif")
        if out.exists() and any(out.iterdir()) and not args.overwrite:
            raise PuppeteerError(f"{out}: folder is not empty; choose another or pass --overwrite")
    elif out.exists() and not args.overwrite:
        raise PuppeteerError(f"{out}: already exists; choose another name or pass --overwrite")
    if args.fps <= 0:
        raise PuppeteerError("--fps must be positive")
    if args.audio and out.suffix.lower() != ".mp4":
        raise PuppeteerError(f"{out}: --audio needs an .mp4 output (the only kind that carries sound)")
    audio = read_audio(args.audio, video.AUDIO_RATE) if args.audio else None
    mouth = args.mouth or ("voice" if audio is not None and not args.poses else "camera")
    if audio is not None and not args.poses:  # a recorded line: one frame per 1/fps of its sound
        poses = poses * max(1, round(len(audio) / video.AUDIO_RATE * args.fps))
    if mouth != "camera":
        if audio is None:
            raise PuppeteerError(f"--mouth {mouth} needs the voice: --audio FILE")
        poses = _voice_mouths(poses, args, mouth)

    character = images.load_character(args.character, add_alpha=args.add_alpha)
    poser = Poser(load_networks(args.checkpoints, "cpu"), device=args.device, precision=args.precision,
                  fast=args.fast)
    # a long render pays for measuring whether bf16 is faster here; a short one takes a remembered choice
    poser.choose_precision(character, modes=(poser.fast,), measure_missing=len(poses) >= MEASURED_FROM_POSES)
    if args.precision == "auto":
        print(f"precision {poser.precision}, {poser.choice().reason}")
    frames = poser.render(character, poses, batch_size=max(1, args.batch_size))
    if len(poses) > 1:
        frames = tqdm(frames, total=len(poses), unit="pose", desc="render")

    if not is_video and len(poses) == 1 and not args.poses:
        images.save_png(out, images.composite(next(iter(frames)), background), overwrite=args.overwrite)
    elif is_video:
        video.write_video(out, (images.composite(f, background or (255, 255, 255)) for f in frames), args.fps,
                          overwrite=args.overwrite, audio=audio)
    else:
        for i, frame in enumerate(frames):
            images.save_png(out / f"{i:05d}.png", images.composite(frame, background), overwrite=args.overwrite)
    print(f"wrote {out} ({len(poses)} pose{'s' if len(poses) > 1 else ''}, {poser.device.type}, "
          f"{poser.precision}{', fast' if poser.fast else ''}{', with sound' if audio is not None else ''})")
    return 0


def _voice_mouths(poses, args, mouth: str):
    """The poses with the voice's mouth at each frame's time on the clip's clock (frame i at i / fps)."""
    from ..audio.mix import mix_mouth
    from ..audio.voice import mouth_at

    heard = mouth_at(recorded_voice(args.audio, args), [i / args.fps for i in range(len(poses))])
    return [mix_mouth(pose, float(v), mouth) for pose, v in zip(poses, heard)]
