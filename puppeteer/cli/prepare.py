"""`puppeteer prepare`: fit any character picture to the 256×256 template, with a preview of the framing."""
from pathlib import Path


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "prepare", help="fit any character picture to the 256×256 template",
        description="Find the character's face, scale and place the picture so its eyes and mouth land on THA "
                    "v1's template (a square picture whose face already fits is only resized), crop or pad it to "
                    "256×256 with a transparent background, and write it with a preview (OUT.preview.png) that "
                    "shows the template's face guide. A picture "
                    "without transparency needs a plain background, which is removed. The input is never changed. "
                    "The result is then checked as `puppeteer check` does; the exit status is 1 when it fails.")
    p.add_argument("input", metavar="INPUT", help="a PNG, JPEG or WebP of any size")
    p.add_argument("--out", required=True, metavar="OUT.png", help="where to write the 256×256 character")
    p.add_argument("--face", metavar="x,y,w,h",
                   help="the face box in INPUT's pixels (brows to chin, cheek to cheek) when detection gets it "
                        "wrong or finds nothing")
    p.add_argument("--overwrite", action="store_true", help="replace existing OUT.png and OUT.preview.png")
    p.set_defaults(run=run)


def preview_path(out: Path) -> Path:
    return out.with_name(out.stem + ".preview.png")


def run(args) -> int:
    from .. import images
    from ..errors import PuppeteerError
    from ..prepare import check_picture, plan_file

    source, out = Path(args.input), Path(args.out)
    preview = preview_path(out)
    if out.suffix.lower() != ".png":
        raise PuppeteerError(f"{out}: the character is written as a PNG; give a name ending in .png")
    for path in (out, preview):
        if source.exists() and path.exists() and path.samefile(source):
            raise PuppeteerError(f"{path}: that is the input picture; prepare never changes it, so choose another "
                                 "output name")
        if path.exists() and not args.overwrite:
            raise PuppeteerError(f"{path}: already exists; choose another name or pass --overwrite")

    plan = plan_file(source, args.face)
    for note in plan.notes:
        print(note)
    character = plan.render()
    images.save_png(out, character, overwrite=args.overwrite)
    images.save_png(preview, plan.preview(), overwrite=args.overwrite)
    print(f"wrote {out} and {preview} (scale {plan.framing.scale:.3f})")
    report = check_picture(character, str(out))
    print(report.text())
    return 0 if report.passed else 1
