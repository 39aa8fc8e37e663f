"""Experience files in, DesiredExperience objects and every problem of every file out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from igops.files import rules
from igops.files.discovery import FILE_START, Candidate, discover, read_text
from igops.files.errors import FileError, Unreadable
from igops.files.schema import schema_findings
from igops.files.yamldoc import Document, YamlError, parse
from igops.model import IGOPS_FIELDS, DesiredExperience, JsonPath, Position, Schedule
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
    checked = [(check_file(candidate), Sources(candidate.path)) for candidate in candidates]
    return combine(checked, errors, [candidate.path for candidate in candidates])


def check_file(candidate: Candidate) -> FileResult:
    """Read, parse and check one experience file."""
    text = read_text(candidate)
    return FileResult(None, (text,)) if isinstance(text, FileError) else check_text(text, candidate.path)


@dataclass(frozen=True)
class Sources:
    """Which file wrote each value of a checked document: `file`, except the paths in `overridden`, which
    `override` wrote over it (a store's override of a shared file). A problem is told in the file that
    wrote the value it is about, or the closest value above it that was written."""

    file: Path
    override: Path | None = None
    overridden: frozenset[JsonPath] = frozenset()

    def error(
        self,
        positions: Mapping[JsonPath, Position],
        path: JsonPath,
        message: str,
        position: Position | None = None,
    ) -> FileError:
        written = next(
            (path[:length] for length in range(len(path), -1, -1) if path[:length] in positions), ()
        )
        file = self.override if self.override is not None and written in self.overridden else self.file
        if position is None:
            position = positions.get(written, FILE_START)
        return FileError(file, position, path, message)


def combine(
    checked: Sequence[tuple[FileResult, Sources]], errors: Iterable[FileError], files: Iterable[Path]
) -> LoadResult:
    """Files checked one by one, then the rules across them: an experience is kept when neither found a
    problem with it. `errors` are the problems found before any file was checked (discovery)."""
    sources_of = {result.experience.path: sources for result, sources in checked if result.experience}
    shaped = [result.experience for result, _ in checked if result.experience is not None]
    clashes: dict[Path, list[FileError]] = {}
    for experience, (path, message) in rules.cross_file_findings(shaped):
        error = sources_of[experience.path].error(experience.positions, path, message)
        clashes.setdefault(experience.path, []).append(error)
    found = list(errors)
    kept: list[DesiredExperience] = []
    for result, _ in checked:
        problems = list(result.errors)
        if result.experience is not None:
            problems += clashes.get(result.experience.path, [])
            if not problems:
                kept.append(result.experience)
        found.extend(problems)
    return LoadResult(
        experiences=tuple(kept),
        errors=tuple(sorted(found, key=FileError.sort_key)),
        files=tuple(files),
    )


EMPTY_EXPERIENCE = (
    "the file is empty (only comments or blank lines); an experience needs name, type, status and variations."
)


def check_text(text: str, file: Path) -> FileResult:
    """Parse and check one file's text: YAML, then the schema, then the semantic rules."""
    document = parse_text(text, file, EMPTY_EXPERIENCE)
    if isinstance(document, FileError):
        return FileResult(None, (document,))
    return check_document(document, Sources(file))


def parse_text(text: str, file: Path, empty: str) -> Document | FileError:
    """The mapping `text` holds, or its one problem: not YAML, no document at all (`empty` says what it
    lacks), or not a mapping."""
    try:
        document = parse(text)
    except YamlError as exc:
        return FileError(file, exc.position, exc.path, exc.message)
    if document is None:
        return FileError(file, FILE_START, (), empty)
    if not isinstance(document.value, dict):
        return FileError(
            file,
            document.values[()],
            (),
            "the top level must be a mapping of fields (name:, type:, ...), not a list or a single value.",
        )
    return document


def check_document(document: Document, sources: Sources) -> FileResult:
    """Check a parsed experience: the schema, then the semantic rules, each problem told in the file that
    wrote it."""
    schema_errors = _unique(
        sources.error(document.values, path, message, position)
        for path, position, message in schema_findings(document, EXPERIENCE_SCHEMA)
    )
    if schema_errors:
        return FileResult(None, schema_errors)
    experience = _experience(document, sources)
    semantic = _unique(
        sources.error(document.values, path, message) for path, message in rules.file_findings(document.value)
    )
    return FileResult(experience, semantic)


def _experience(document: Document, sources: Sources) -> DesiredExperience:
    value: dict[str, Any] = document.value
    return DesiredExperience(
        key=sources.file.stem,
        path=sources.file,
        override=sources.override,
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


def _unique(errors: Iterable[FileError]) -> tuple[FileError, ...]:
    return tuple(dict.fromkeys(errors))
