"""Safe writes: nothing of the user's is ever half-written or silently overwritten."""
import os
import tempfile
from pathlib import Path

from .errors import PuppeteerError


class OutputExistsError(PuppeteerError):
    pass


def _read_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _read_umask()  # read once at import: umask() is process-wide and racy in threads


def write_atomically(path, write, overwrite: bool = False) -> Path:
    """Call `write(tmp_path)` on a temporary file in the target folder, then move it into place. A crash never
    leaves half a file; without `overwrite` an existing file is never replaced (link() refuses a taken name)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes owner-only files; give the usual permissions
    try:
        write(tmp)
        if overwrite:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)
            except FileExistsError:
                raise OutputExistsError(f"{path}: already exists; choose another name or pass --overwrite") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path
