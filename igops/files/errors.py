"""A problem found in a file: where it is, which field, and one sentence saying what is wrong."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from igops.model import JsonPath, Position

# Keys written after a dot in a path; any other key is quoted in brackets.
_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class FileError:
    file: Path
    position: Position
    path: JsonPath
    message: str

    @property
    def field(self) -> str:
        return json_path(self.path)

    def __str__(self) -> str:
        return f"{self.file}:{self.position.line}:{self.position.column}: {self.field}: {self.message}"

    def sort_key(self) -> tuple[str, int, int, str]:
        return (str(self.file), self.position.line, self.position.column, self.message)


@dataclass(frozen=True)
class Unreadable(FileError):
    """A file or directory that cannot be read, so what the experience files say is not known: no command
    can go on as if it were not there. It has no line or field to point at."""

    def __str__(self) -> str:
        return f"{self.file}: {self.message}"


def json_path(path: JsonPath) -> str:
    """`$.variations[1].percentage` style, the way people point at a field."""
    return "$" + "".join(map(_step, path))


def _step(part: str | int) -> str:
    if isinstance(part, int):
        return f"[{part}]"
    return f".{part}" if _PLAIN_KEY.match(part) else f"[{json.dumps(part)}]"


def quote(text: str, limit: int = 60) -> str:
    """User text inside a message: quoted, cut short, and kept on one line."""
    shown = text if len(text) <= limit else f"{text[:limit]}..."
    escaped = "".join(char if char.isprintable() else repr(char)[1:-1] for char in shown)
    return f"'{escaped}'"


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A ` (did you mean 'x'?)` hint when one choice is close to the word, else nothing."""
    close = difflib.get_close_matches(word, [choice for choice in choices if choice], n=1, cutoff=0.6)
    if not close:
        lowered = {choice.lower(): choice for choice in choices if choice}
        close = [lowered[word.lower()]] if word.lower() in lowered else []
    return f" (did you mean {quote(close[0])}?)" if close else ""
