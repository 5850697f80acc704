"""`puppeteer check`: does a picture meet every requirement of a character, and what to do if not."""


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "check", help="say whether pictures meet every requirement of a character",
        description="Check size (256×256), RGBA, a transparent background that is exactly (0,0,0,0), content, "
                    "nothing cut off beside or above the head, and the face where THA v1's template puts it (its "
                    "eyes and mouth found by face detection, else guessed from the silhouette; the hair may go "
                    "anywhere). Exits with 1 when a picture fails.")
    p.add_argument("pictures", nargs="+", metavar="CHARACTER.png")
    p.set_defaults(run=run)


def run(args) -> int:
    from ..images import read_image
    from ..prepare import check_picture

    passed = True
    for path in args.pictures:
        report = check_picture(read_image(path), path)
        print(report.text())
        passed &= report.passed
    return 0 if passed else 1
