"""Finding experience files and reading them as text, refusing anything that is not plain YAML text.

Refusals happen before parsing: a file over the size limit is never read, a binary or
non-UTF-8 file never reaches the YAML parser, and a symbolic link is followed only when
its target stays inside the directory being loaded.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from igops.files.errors import FileError
from igops.model import Position

MAX_FILE_BYTES = 1024 * 1024
YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Candidate:
    """A file to load, as it will be named in messages, with the directory it must stay inside."""

    path: Path
    root: Path


FILE_START = Position(1, 1)


def _refusal(path: Path, message: str, position: Position = FILE_START) -> FileError:
    return FileError(path, position, (), message)


def discover(paths: Iterable[Path]) -> tuple[list[Candidate], list[FileError]]:
    """The files named, and the YAML files under the directories named, each once, in a stable order."""
    found: list[Candidate] = []
    errors: list[FileError] = []
    for path in paths:
        try:
            items = list(_walk(path)) if path.is_dir() else [_named_file(path)]
        except OSError as exc:
            items = [_unreadable(path, exc)]
        for item in items:
            if isinstance(item, FileError):
                errors.append(item)
            else:
                found.append(item)
    unique = {os.path.realpath(candidate.path): candidate for candidate in reversed(found)}
    return sorted(unique.values(), key=lambda candidate: str(candidate.path)), errors


def _named_file(path: Path) -> Candidate | FileError:
    if path.exists() or path.is_symlink():
        return Candidate(path, path.parent)
    return _refusal(path, "no such file or directory.")


def _unreadable(path: Path, exc: OSError) -> FileError:
    return _refusal(path, f"cannot be read: {(exc.strerror or str(exc)).lower()}.")


def _walk(root: Path) -> Iterator[Candidate | FileError]:
    # Hidden entries (editor backups, .git) are never experiences. Symlinked directories are
    # not descended, so no file is reached twice; one that leads outside is reported.
    for directory, subdirectories, files in os.walk(root):
        for name in sorted(subdirectories):
            linked = Path(directory, name)
            if linked.is_symlink() and (problem := _symlink_problem(linked, root)):
                yield _refusal(linked, problem)
        subdirectories[:] = sorted(name for name in subdirectories if not name.startswith("."))
        for name in sorted(files):
            if not name.startswith(".") and name.endswith(YAML_SUFFIXES):
                yield Candidate(Path(directory, name), root)


def read_text(candidate: Candidate) -> str | FileError:
    """The file's text, or the reason it is refused."""
    path = candidate.path
    if path.is_symlink():
        problem = _symlink_problem(path, candidate.root)
        if problem:
            return _refusal(path, problem)
    try:
        if not path.is_file():
            return _refusal(path, "not a regular file.")
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            megabytes = size / MAX_FILE_BYTES
            return _refusal(path, f"the file is {megabytes:.1f} MB, over the 1 MB limit; refused unread.")
        data = path.read_bytes()
    except OSError as exc:
        return _unreadable(path, exc)
    return decode(path, data)


def _symlink_problem(path: Path, root: Path) -> str | None:
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return "a symbolic link whose target does not exist; refused."
    if not target.is_relative_to(root.resolve()):
        return f"a symbolic link to {target}, outside {root}; refused."
    return None


def decode(path: Path, data: bytes) -> str | FileError:
    """UTF-8 text (a leading byte-order mark is tolerated), or why the bytes are not that."""
    if b"\0" in data:
        return _refusal(path, "the file is binary, not YAML text.", _byte_position(data, data.index(b"\0")))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return _refusal(path, f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x} here).",
                        _byte_position(data, exc.start))


def _byte_position(data: bytes, offset: int) -> Position:
    line_start = data.rfind(b"\n", 0, offset) + 1
    return Position(data.count(b"\n", 0, offset) + 1, offset - line_start + 1)
