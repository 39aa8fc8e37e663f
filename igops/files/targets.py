"""Where igops may write a file: a regular file, or a path where nothing is yet, in a directory it may write.

igops writes a file by renaming a new one over its path, so whatever is there is replaced: a symbolic
link by a file (its target untouched, the link gone), a device or a FIFO by a file in /dev. Such a path
is refused before anything is written, by every command that writes one (saved plans, the refresh cache,
the sandbox's state, imported and adopted experience files).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISLNK, "a symbolic link"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISSOCK, "a socket"),
)


def _existing_kind(path: Path) -> str | None:
    """What is at `path` now, as words ("a regular file", "a symbolic link", ...), never following a link;
    None when nothing is. OSError when that cannot be told."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return None
    if stat.S_ISREG(mode):
        return "a regular file"
    return next((kind for test, kind in _KINDS if test(mode)), "not a regular file")


def write_problem(path: Path, *, makes_directories: bool = False) -> str | None:
    """Why igops must not write a file at `path`, as words that complete "<path> ..."; None when it may:
    a regular file or nothing is there, and its directory is one igops may write in (with
    `makes_directories`, the nearest one that exists, under which the writer creates the rest)."""
    try:
        return _problem(path, makes_directories)
    except OSError as exc:
        return f"cannot be looked at ({exc.strerror or exc})"


def _problem(path: Path, makes_directories: bool) -> str | None:
    kind = _existing_kind(path)
    if kind not in (None, "a regular file"):
        return (
            f"is {kind}, not a regular file: igops writes only regular files or new paths, never "
            "through or over anything else"
        )
    directory = path.parent
    while makes_directories and not directory.exists() and directory != directory.parent:
        directory = directory.parent
    if not directory.is_dir():
        missing = "is not a directory" if directory.exists() else "does not exist"
        return f"cannot be written: its directory {directory} {missing}"
    if not os.access(directory, os.W_OK | os.X_OK):
        return f"cannot be written: igops may not write in its directory {directory}"
    return None
