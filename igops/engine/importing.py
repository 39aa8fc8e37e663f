"""Import: live experiences written as experience files, so the repository starts equal to the account.

Pure: given the live documents chosen and the files already in the directory, it decides what
to write where, what to skip and why. Writing is the caller's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from igops.engine.drift import LIVE_STATUS
from igops.experience_types import CREATABLE_TYPES
from igops.files.writer import experience_text, file_stem
from igops.model import DesiredExperience
from igops.normalize import canonical_live

FILE_STATUS = {live: status for status, live in LIVE_STATUS.items()}


@dataclass(frozen=True)
class ImportedFile:
    path: Path
    experience_id: str
    name: str
    text: str
    replaces: bool  # an existing file of the same experience is overwritten


@dataclass(frozen=True)
class Skipped:
    experience_id: str
    name: str
    reason: str


@dataclass(frozen=True)
class ImportPlan:
    files: tuple[ImportedFile, ...]
    skipped: tuple[Skipped, ...]
    refused: tuple[str, ...] = ()  # sentences: files that exist and --overwrite was not given


def plan_import(documents: Sequence[Mapping[str, Any]], directory: Path,
                existing: Sequence[DesiredExperience], *, schema: Path | None,
                overwrite: bool = False) -> ImportPlan:
    """Files for `documents` (full GETs) in `directory`, where `existing` are the files there now and
    `schema` the project's experience schema (igops.files.writer.project_schema).

    An experience that already has a file (pinned by id, else by name) keeps that file's path.
    """
    managing = managing_files(existing)
    taken = {experience.key for experience in existing}
    files, skipped, refused = [], [], []
    for document in documents:
        experience_id, name = str(document["id"]), str(document["name"])
        if document["type"] not in CREATABLE_TYPES:
            skipped.append(Skipped(experience_id, name, f"type {document['type']} cannot be created or "
                                   "updated through the API, so igops cannot manage it"))
            continue
        current = managing(document)
        if current is not None and not overwrite:
            refused.append(f"{current.path} already holds {name!r}: run igops import --overwrite to replace "
                           "it with the live version.")
            continue
        if current is not None:
            path = current.path
        else:
            stem = file_stem(name, taken)
            taken.add(stem)
            path = directory / f"{stem}.yaml"
        files.append(ImportedFile(path, experience_id, name,
                                  experience_text(file_document(document), path.parent, schema),
                                  current is not None))
    return ImportPlan(tuple(files), tuple(skipped), tuple(refused))


def managing_files(existing: Sequence[DesiredExperience],
                   ) -> Callable[[Mapping[str, Any]], DesiredExperience | None]:
    """Finds the file among `existing` that manages a live experience: pinned to its id, else of its name."""
    by_id = {experience.id: experience for experience in existing if experience.id}
    by_name = {experience.name: experience for experience in existing}
    return lambda live: by_id.get(str(live["id"])) or by_name.get(str(live["name"]))


def file_document(live: Mapping[str, Any]) -> dict[str, Any]:
    """A live experience as its file says it: the canonical form, its status, and its id pinned."""
    return {**canonical_live(live), "status": FILE_STATUS[str(live["status"])], "id": str(live["id"])}
