"""Reading a file igops wrote itself (a saved plan, a cache) without trusting its size or its kind: a FIFO,
a device or a file far larger than igops ever writes is refused before it is read."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from igops.errors import IgopsError
from igops.text import ended


class BoundedReadError(IgopsError):
    """The file cannot be read as one of igops's own: the message is one sentence naming it."""


def read_bounded(path: Path, limit: int, what: str) -> str:
    """The UTF-8 text of the regular file `path`, refused when it holds more than `limit` bytes. `what`
    says what it should be, in messages ("a saved igops plan")."""
    try:
        # Non-blocking, so that opening a FIFO with no writer does not wait forever.
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise BoundedReadError(ended(f"Cannot read {path}: {exc.strerror or exc}")) from None
    with os.fdopen(descriptor, "rb") as stream:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise BoundedReadError(f"{path} is not a regular file, so it cannot be {what}.")
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise BoundedReadError(
            f"{path} is larger than {limit // (1024 * 1024)} MB, more than {what} ever is; refused unread."
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise BoundedReadError(f"{path} is not {what} (not text).") from None
