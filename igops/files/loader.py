"""Experience files in, DesiredExperience objects and every problem of every file out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from igops.files import rules
from igops.files.discovery import FILE_START, discover, read_text
from igops.files.errors import FileError, Unreadable
from igops.files.schema import schema_findings
from igops.files.yamldoc import Document, YamlError, parse
from igops.model import IGOPS_FIELDS, DesiredExperience, JsonPath, Position, Schedule, nearest_position
from igops.moments import offset_time
from igops.schemas import EXPERIENCE_SCHEMA


@dataclass(frozen=True)
class LoadResult:
    """The experiences of every file that has no problem, and the problems of the others."""

    experiences: tuple[DesiredExperience, ...]
    errors: tuple[FileError, ...]
    files: tuple[Path, ...]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def unreadable(self) -> tuple[FileError, ...]:
        """The files and directories that cannot be read: while there are any, the files are not known."""
        return tuple(error for error in self.errors if isinstance(error, Unreadable))


@dataclass(frozen=True)
class FileResult:
    """One file checked on its own: its experience when the schema accepts it, and its problems."""

    experience: DesiredExperience | None
    errors: tuple[FileError, ...]


def load_experiences(paths: Iterable[Path]) -> LoadResult:
    """Load and check every experience file under `paths` (files or directories)."""
    candidates, errors = discover(paths)
    checked: list[FileResult] = []
    for candidate in candidates:
        text = read_text(candidate)
        if isinstance(text, FileError):
            checked.append(FileResult(None, (text,)))
        else:
            checked.append(check_text(text, candidate.path))
    shaped = [result.experience for result in checked if result.experience is not None]
    clashes: dict[Path, list[FileError]] = {}
    for experience, (path, message) in rules.cross_file_findings(shaped):
        error = _error(experience.path, experience.positions, path, message)
        clashes.setdefault(experience.path, []).append(error)
    for result in checked:
        errors.extend(result.errors)
        if result.experience is not None:
            errors.extend(clashes.get(result.experience.path, []))
    failed = {error.file for error in errors}
    return LoadResult(
        experiences=tuple(experience for experience in shaped if experience.path not in failed),
        errors=tuple(sorted(errors, key=FileError.sort_key)),
        files=tuple(candidate.path for candidate in candidates),
    )


def check_text(text: str, file: Path) -> FileResult:
    """Parse and check one file's text: YAML, then the schema, then the semantic rules."""
    try:
        document = parse(text)
    except YamlError as exc:
        return FileResult(None, (FileError(file, exc.position, exc.path, exc.message),))
    if document is None:
        return _refused(
            file,
            FILE_START,
            "the file is empty (only comments or blank lines); "
            "an experience needs name, type, status and variations.",
        )
    if not isinstance(document.value, dict):
        return _refused(
            file,
            document.values[()],
            "the top level must be a mapping of fields (name:, type:, ...), not a list or a single value.",
        )
    schema_errors = _unique(
        FileError(file, position, path, message)
        for path, position, message in schema_findings(document, EXPERIENCE_SCHEMA)
    )
    if schema_errors:
        return FileResult(None, schema_errors)
    experience = _experience(document, file)
    semantic = _unique(
        _error(file, document.values, path, message) for path, message in rules.file_findings(document.value)
    )
    return FileResult(experience, semantic)


def _experience(document: Document, file: Path) -> DesiredExperience:
    value: dict[str, Any] = document.value
    return DesiredExperience(
        key=file.stem,
        path=file,
        name=value["name"],
        type=value["type"],
        status=value["status"],
        winner=value.get("winner"),
        id=value.get("id"),
        body={key: field for key, field in value.items() if key not in IGOPS_FIELDS},
        positions=document.values,
        schedule=_schedule(value.get("schedule")),
    )


def _schedule(written: Mapping[str, str] | None) -> Schedule | None:
    """The file's schedule; a time that does not hold is None here, and a located error of its own
    (rules.schedule_times), which keeps the experience out of every plan."""
    if written is None:
        return None
    start, end = (offset_time(written[bound])[0] if bound in written else None for bound in ("start", "end"))
    return Schedule(start, end)


def _refused(file: Path, position: Position, message: str) -> FileResult:
    return FileResult(None, (FileError(file, position, (), message),))


def _error(file: Path, positions: Mapping[JsonPath, Position], path: JsonPath, message: str) -> FileError:
    return FileError(file, nearest_position(positions, path), path, message)


def _unique(errors: Iterable[FileError]) -> tuple[FileError, ...]:
    return tuple(dict.fromkeys(errors))
