"""One store's experience files when igops.yaml has `stores:`: the store's own files, and the shared files
it plans, each with the store's override (`<overrides_dir>/<key>.yaml`) merged over it.

An override holds only the fields the store changes. Mappings merge key by key, the `variations` list
merges by each variation's name (a new name adds a variation), and anything else the override writes
replaces the shared value. The merged document is checked like any experience file, and each problem
is told in the file that wrote the value it is about.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from igops.files.discovery import FILE_START, Candidate, discover, read_text
from igops.files.errors import FileError, quote
from igops.files.loader import (
    EMPTY_EXPERIENCE,
    FileResult,
    LoadResult,
    Sources,
    check_document,
    check_file,
    combine,
    parse_text,
)
from igops.files.yamldoc import Document
from igops.model import JsonPath, nearest_position

VARIATIONS: JsonPath = ("variations",)

EMPTY_OVERRIDE = (
    "the override is empty (only comments or blank lines); it holds the fields this store changes in "
    "the shared file of its name: write them, or remove the file."
)


def load_store_experiences(
    own_dir: Path,
    shared_dir: Path | None,
    shared_keys: Collection[str] | None,
    overrides_dir: Path,
) -> LoadResult:
    """Load and check one store's experiences: every file under `own_dir` but `overrides_dir` (inside it),
    and the shared files in `shared_dir` whose keys `shared_keys` lists (None: every one) with the
    store's overrides merged in. Keys, names and pinned ids are unique across them all."""
    own, errors = discover([own_dir], exclude=[overrides_dir])
    shared, shared_errors = _listed(shared_dir)
    overrides, override_errors = _listed(overrides_dir)
    planned = [candidate for candidate in shared if shared_keys is None or candidate.path.stem in shared_keys]
    chosen, misplaced = _chosen_overrides(overrides, overrides_dir, planned, shared, shared_dir)
    checked = [(check_file(candidate), Sources(candidate.path)) for candidate in own]
    checked += [
        _check_shared(candidate, chosen.get(candidate.path.stem), overrides_dir) for candidate in planned
    ]
    return combine(
        checked,
        [*errors, *shared_errors, *override_errors, *misplaced],
        [candidate.path for candidate in (*own, *planned, *overrides)],
    )


def shared_file_keys(shared_dir: Path | None) -> frozenset[str]:
    """The keys of the shared files: what a store's `shared:` list may name."""
    return frozenset(candidate.path.stem for candidate in _listed(shared_dir)[0])


def _listed(directory: Path | None) -> tuple[list[Candidate], list[FileError]]:
    """The YAML files under `directory`; none when there is no such directory."""
    return discover([directory]) if directory is not None and directory.is_dir() else ([], [])


def _chosen_overrides(
    overrides: Sequence[Candidate],
    overrides_dir: Path,
    planned: Sequence[Candidate],
    shared: Sequence[Candidate],
    shared_dir: Path | None,
) -> tuple[dict[str, Candidate], list[FileError]]:
    """The override of each planned shared file that has one, by key, and an error on every override
    file that overrides nothing this store plans."""
    planned_keys = {candidate.path.stem for candidate in planned}
    shared_paths = {candidate.path.stem: candidate.path for candidate in shared}
    chosen: dict[str, Candidate] = {}
    errors: list[FileError] = []
    for candidate in overrides:
        key = candidate.path.stem
        if candidate.path.parent != overrides_dir:
            problem = (
                f"an override is {overrides_dir / f'<key>{candidate.path.suffix}'}, named after the "
                "shared file's key; this one is in a subdirectory, so it overrides nothing: move it up, "
                "or remove it."
            )
        elif key in chosen:
            problem = f"a second override of {quote(key)}: {chosen[key].path} already overrides it; keep one."
        elif key in planned_keys:
            chosen[key] = candidate
            continue
        elif key in shared_paths:
            problem = (
                f"an override of the shared file {shared_paths[key]}, which this store does not plan "
                f"(its shared: list in igops.yaml leaves {quote(key)} out); add the key there, or remove "
                "the override."
            )
        else:
            problem = (
                f"an override of the shared file {quote(key)}, which {shared_dir or 'the shared directory'} "
                "does not hold; name it after a shared file's key (its file name), or remove it."
            )
        errors.append(FileError(candidate.path, FILE_START, (), problem))
    return chosen, errors


def _check_shared(
    candidate: Candidate, override: Candidate | None, overrides_dir: Path
) -> tuple[FileResult, Sources]:
    """One shared file as this store plans it: with its override merged in, when it has one."""
    sources = Sources(candidate.path)
    shared = _parsed(candidate, EMPTY_EXPERIENCE)
    changes = None if override is None else _parsed(override, EMPTY_OVERRIDE)
    if isinstance(shared, FileError) or isinstance(changes, FileError):
        unread = tuple(document for document in (shared, changes) if isinstance(document, FileError))
        return FileResult(None, unread), sources
    pinned = _pinned_id(shared, candidate.path, overrides_dir)
    document = shared
    if override is not None and changes is not None:
        merge = _Merge(shared, changes)
        if merge.problems:
            problems = (_override_error(override.path, changes, path, text) for path, text in merge.problems)
            return FileResult(None, (*pinned, *problems)), sources
        document = merge.document
        sources = Sources(candidate.path, override.path, frozenset(merge.overridden))
    result = check_document(document, sources)
    return FileResult(result.experience, (*pinned, *result.errors)), sources


def _parsed(candidate: Candidate, empty: str) -> Document | FileError:
    text = read_text(candidate)
    return text if isinstance(text, FileError) else parse_text(text, candidate.path, empty)


def _pinned_id(shared: Document, file: Path, overrides_dir: Path) -> tuple[FileError, ...]:
    if "id" not in shared.value:
        return ()
    return (
        FileError(
            file,
            shared.values[("id",)],
            ("id",),
            "a shared file pins no id: an id belongs to one account, and several stores plan this file; "
            f"pin it in {overrides_dir / f'{file.stem}.yaml'}, this store's override, instead.",
        ),
    )


def _override_error(file: Path, override: Document, path: JsonPath, message: str) -> FileError:
    return FileError(file, nearest_position(override.values, path), path, message)


class _Merge:
    """The override merged over the shared document: the merged document, where in the override each
    value it wrote was (by the value's path in the merged document), and the override's variations that
    cannot be merged (by their path in the override, with why)."""

    def __init__(self, shared: Document, override: Document) -> None:
        self.overridden: dict[JsonPath, JsonPath] = {}
        self.problems: list[tuple[JsonPath, str]] = []
        value = self._merged(shared.value, override.value, (), ())
        self.document = Document(value)
        for path in _paths(value):
            source, written = (override, self.overridden[path]) if path in self.overridden else (shared, path)
            self.document.values[path] = source.values[written]
            if written in source.keys:
                self.document.keys[path] = source.keys[written]

    def _merged(self, base: Any, change: Any, at: JsonPath, written: JsonPath) -> Any:
        # The top is the shared file's, whatever the override holds: a problem about the experience as
        # a whole (a required field missing) is told there.
        if at:
            self.overridden[at] = written
        if isinstance(base, dict) and isinstance(change, dict):
            merged = dict(base)
            for key, value in change.items():
                here, there = (*at, key), (*written, key)
                merged[key] = (
                    self._merged(base[key], value, here, there)
                    if key in base
                    else self._taken(value, here, there)
                )
            return merged
        if at == VARIATIONS and isinstance(base, list) and isinstance(change, list):
            return self._variations(base, change, written)
        return self._taken(change, at, written)

    def _taken(self, value: Any, at: JsonPath, written: JsonPath) -> Any:
        for path in _paths(value):
            self.overridden[(*at, *path)] = (*written, *path)
        return value

    def _variations(self, base: list[Any], change: list[Any], written: JsonPath) -> list[Any]:
        merged = list(base)
        index: dict[str, int] = {}
        for position, variation in enumerate(base):
            if isinstance(variation, dict) and isinstance(variation.get("name"), str):
                index.setdefault(variation["name"], position)
        changed: dict[str, int] = {}
        for position, variation in enumerate(change):
            there = (*written, position)
            name = variation.get("name") if isinstance(variation, dict) else None
            if not isinstance(name, str):
                self.problems.append(
                    (
                        there,
                        "an override's variation needs its name: it changes the shared file's variation "
                        "of that name, or adds a variation when no variation has it.",
                    )
                )
            elif name in changed:
                self.problems.append(
                    (
                        (*there, "name"),
                        f"the variation {quote(name)} is already changed by $.variations[{changed[name]}] "
                        "of this override; change it in one place.",
                    )
                )
            else:
                changed[name] = position
                if name in index:
                    merged[index[name]] = self._merged(
                        base[index[name]], variation, (*VARIATIONS, index[name]), there
                    )
                else:
                    merged.append(self._taken(variation, (*VARIATIONS, len(merged)), there))
        return merged


def _paths(value: Any, path: JsonPath = ()) -> Iterator[JsonPath]:
    """`path` and the path of every value inside `value`, which is written at `path`."""
    yield path
    children: Iterable[tuple[str | int, Any]]
    if isinstance(value, dict):
        children = value.items()
    elif isinstance(value, list):
        children = enumerate(value)
    else:
        return
    for key, child in children:
        yield from _paths(child, (*path, key))
