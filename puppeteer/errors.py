"""User-facing errors: each carries a message that names the file and says what to do. The command line prints
the message (no traceback) and exits with status 2; the app shows it in a dialog."""


class PuppeteerError(Exception):
    """A problem the user can fix (bad file, bad argument); its message is shown as is."""


class CheckpointError(PuppeteerError):
    pass


class ImageError(PuppeteerError):
    pass


class PoseError(PuppeteerError):
    pass


class TrainingError(PuppeteerError):
    pass


class TrackingError(PuppeteerError):
    """A camera, video or image folder that cannot be read, or a face-tracking set-up problem."""


class DatasetError(PuppeteerError):
    """A training dataset is missing, malformed or has a bad file (the message names it)."""


class AudioError(PuppeteerError):
    """A sound file or sound device that cannot be used."""
