"""Finding experience files and reading them as text, refusing anything that is not plain YAML text.

Refusals happen before parsing: a file over the size limit is never read, a binary or
non-UTF-8 file never reaches the YAML parser, and a symbolic link is followed only when
its target stays inside the directory being loaded. A file or directory that cannot be read
is an error naming it, never a file less: what it holds is unknown. A file whose name does
not print (a line break, a control or bidi character) is refused: its name is its key, shown
in every plan and comment.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from igops.files.errors import FileError, Unreadable
from igops.model import Position
from igops.text import ended

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


def discover(paths: Iterable[Path], exclude: Iterable[Path] = ()) -> tuple[list[Candidate], list[FileError]]:
    """The files named, and the YAML files under the directories named, each once, in a stable order;
    nothing under the directories `exclude` names is looked at."""
    found: list[Candidate] = []
    errors: list[FileError] = []
    excluded = frozenset(os.path.normpath(directory) for directory in exclude)
    for path in paths:
        try:
            items = list(_walk(path, excluded)) if path.is_dir() else [_named_file(path)]
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
        return _candidate(path, path.parent)
    return _refusal(path, "no such file or directory.")


def _candidate(path: Path, root: Path) -> Candidate | FileError:
    return Candidate(path, root) if path.name.isprintable() else _unprintable(path, "file")


def _unprintable(path: Path, what: str) -> FileError:
    return _refusal(
        path,
        f"the {what} name holds a character that does not print (a line break, a "
        "control or bidi character, or bytes that are not UTF-8); rename the "
        f"{what}: a file's path and name (its key) are shown in every plan and pull "
        "request comment.",
    )


def _unreadable(path: Path, exc: OSError) -> FileError:
    return Unreadable(path, FILE_START, (), ended(f"cannot be read: {(exc.strerror or str(exc)).lower()}"))


def _walk(root: Path, excluded: frozenset[str]) -> Iterator[Candidate | FileError]:
    # Hidden entries (editor backups, .git) are never experiences. Symlinked directories are
    # not descended, so no file is reached twice; one that leads outside is reported.
    unlisted: list[OSError] = []
    for directory, subdirectories, files in os.walk(root, onerror=unlisted.append):
        subdirectories[:] = [
            name for name in subdirectories if os.path.normpath(os.path.join(directory, name)) not in excluded
        ]
        for name in sorted(subdirectories):
            linked = Path(directory, name)
            if linked.is_symlink() and (problem := _symlink_problem(linked, root)):
                yield _refusal(linked, problem)
            elif not name.startswith(".") and not name.isprintable():
                yield _unprintable(linked, "directory")
        # A directory whose name does not print is not descended: every path below it would not either.
        subdirectories[:] = sorted(
            name for name in subdirectories if not name.startswith(".") and name.isprintable()
        )
        for name in sorted(files):
            if not name.startswith(".") and name.endswith(YAML_SUFFIXES):
                yield _candidate(Path(directory, name), root)
    for exc in unlisted:
        where = Path(exc.filename) if exc.filename is not None else root
        yield Unreadable(
            where,
            FILE_START,
            (),
            f"the directory cannot be listed "
            f"({(exc.strerror or str(exc)).lower()}), so igops cannot tell which experience "
            "files it holds; make it readable, or move it out of the experiences directory.",
        )


def read_text(candidate: Candidate) -> str | FileError:
    """The file's text, or the reason it is refused."""
    path = candidate.path
    try:
        if path.is_symlink() and (problem := _symlink_problem(path, candidate.root)):
            return _refusal(path, problem)
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
        return _refusal(
            path,
            f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x} here).",
            _byte_position(data, exc.start),
        )


def _byte_position(data: bytes, offset: int) -> Position:
    line_start = data.rfind(b"\n", 0, offset) + 1
    return Position(data.count(b"\n", 0, offset) + 1, offset - line_start + 1)
