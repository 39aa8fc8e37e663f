"""Writing a file so that readers see the old content or the new, never half of it."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


def write_atomically(path: Path, text: str) -> None:
    """Write `text` to a temporary file beside `path`, then rename it over `path`. Raises OSError.

    The text is written as it is (no newline translation: a CRLF file stays CRLF on every OS), and the
    file keeps the permissions it had, or gets those a new file gets (the umask's), not the private mode
    of a temporary file."""
    mode = _mode_of(path)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _mode_of(path: Path) -> int:
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        # The umask can only be read by setting it; it is set straight back.
        umask = os.umask(0o022)
        os.umask(umask)
        return 0o666 & ~umask
