"""Import: live experiences written as experience files, so the repository starts equal to the account.

Given the live documents chosen and the files already in the directory, `plan_import` decides what
to write where, what to skip and why, without looking at the disk; `checked_on_disk` then looks at
every target before any is written: import replaces a file only with --overwrite (whether it holds
the experience or fails to load, and so is not known to be igops's), and never writes through or
over a link, a directory or a device. Writing is the caller's.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from igops.experience_types import CREATABLE_TYPES
from igops.files.targets import write_problem
from igops.files.writer import experience_text, file_stem
from igops.model import DesiredExperience
from igops.normalize import canonical_live
from igops.statuses import LiveStatus


@dataclass(frozen=True)
class ImportedFile:
    path: Path
    experience_id: str
    name: str
    text: str
    replaces: bool  # a file there is overwritten (the experience's own, or with --overwrite any)


@dataclass(frozen=True)
class Skipped:
    experience_id: str
    name: str
    reason: str


@dataclass(frozen=True)
class ImportPlan:
    files: tuple[ImportedFile, ...]
    skipped: tuple[Skipped, ...]
    refused: tuple[str, ...] = ()  # sentences: files that cannot be written; then none is


def plan_import(
    documents: Sequence[Mapping[str, Any]],
    directory: Path,
    existing: Sequence[DesiredExperience],
    *,
    schema: Path | None,
    overwrite: bool = False,
    shared: Sequence[DesiredExperience] = (),
) -> ImportPlan:
    """Files for `documents` (full GETs) in `directory`, where `existing` are the files there now and
    `schema` the project's experience schema (igops.files.writer.project_schema).

    An experience that already has a file (pinned by id, else by name) keeps that file's path. One a
    shared file manages (`shared`: the store's, with stores) is skipped: that file is several stores'.
    """
    managing = managing_files(existing)
    by_shared = managing_files(shared)
    taken = {experience.key for experience in (*existing, *shared)}
    files, skipped, refused = [], [], []
    for document in documents:
        experience_id, name = str(document["id"]), str(document["name"])
        if document["type"] not in CREATABLE_TYPES:
            skipped.append(
                Skipped(
                    experience_id,
                    name,
                    f"type {document['type']} cannot be created or "
                    "updated through the API, so igops cannot manage it",
                )
            )
            continue
        sharing = by_shared(document)
        if sharing is not None:
            skipped.append(
                Skipped(
                    experience_id,
                    name,
                    f"the shared file {sharing.path} manages it, for several stores: a store's own "
                    "values of it go in its overrides",
                )
            )
            continue
        current = managing(document)
        if current is not None and not overwrite:
            refused.append(
                f"{current.path} already holds {name!r}: run igops import --overwrite to replace "
                "it with the live version."
            )
            continue
        if current is not None:
            path = current.path
        else:
            stem = file_stem(name, taken)
            taken.add(stem)
            path = directory / f"{stem}.yaml"
        files.append(
            ImportedFile(
                path,
                experience_id,
                name,
                experience_text(file_document(document), path.parent, schema),
                current is not None,
            )
        )
    return ImportPlan(tuple(files), tuple(skipped), tuple(refused))


def checked_on_disk(decided: ImportPlan, *, overwrite: bool) -> ImportPlan:
    """`decided` with what is at each target now taken into account, every target looked at before any
    is written: a file that fails to load (so it is not known to hold the experience) is replaced only
    with `overwrite`; a link, a directory, a device, an unwritable directory or a path two experiences
    would share is refused whatever the options."""
    refused = list(decided.refused)
    files = []
    chosen: dict[Path, ImportedFile] = {}
    for file in decided.files:
        first = chosen.setdefault(file.path, file)
        problem = write_problem(file.path, makes_directories=True)
        if first is not file:
            refused.append(
                f"{file.path} would hold both {first.name!r} ({first.experience_id}) and "
                f"{file.name!r} ({file.experience_id}): pin each file to its experience with an "
                "id: line, or import them one at a time."
            )
        elif problem is not None:
            refused.append(f"{file.path} {problem}, so nothing was imported (--overwrite or not).")
        elif not file.replaces and os.path.lexists(file.path):
            if not overwrite:
                refused.append(
                    f"{file.path} exists but does not load as an experience file, so it is not "
                    f"known to hold {file.name!r}: fix it or move it away, or run igops import "
                    "--overwrite to replace it."
                )
            files.append(dataclasses.replace(file, replaces=True))
        else:
            files.append(file)
    return ImportPlan(tuple(files), decided.skipped, tuple(refused))


def managing_files(
    existing: Sequence[DesiredExperience],
) -> Callable[[Mapping[str, Any]], DesiredExperience | None]:
    """Finds the file among `existing` that manages a live experience: pinned to its id, else of its name."""
    by_id = {experience.id: experience for experience in existing if experience.id}
    by_name = {experience.name: experience for experience in existing}
    return lambda live: by_id.get(str(live["id"])) or by_name.get(str(live["name"]))


def file_document(live: Mapping[str, Any]) -> dict[str, Any]:
    """A live experience as its file says it: the canonical form, its status, and its id pinned."""
    status = LiveStatus(str(live["status"])).file_status
    return {**canonical_live(live), "status": status.value, "id": str(live["id"])}
