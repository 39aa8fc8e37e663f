"""Whose change each line of a plan is: told against the files of a base commit (plan --base), which is
the last desired state git holds.

A field the change's files edit (base file != head file) is the files' change; a field where the account
moved away from the base file (live != base file) is a change made outside git, which applying reverts;
both, when the files edit a field the account also moved. Pure: it takes the plan, the base commit's
experiences and the live documents already read.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import replace
from typing import Any

from igops.engine.diff import field_changes
from igops.model import Change, ChangeKind, DesiredExperience, ExperiencePlan, GitBase, Origin, Plan
from igops.normalize import canonical_desired, canonical_live, comparable
from igops.statuses import LiveStatus

# Live `pending` is `draft` in files.


def with_origins(
    plan: Plan,
    base: GitBase,
    base_files: Collection[DesiredExperience],
    documents: Mapping[str, Mapping[str, Any]],
) -> Plan:
    """The plan with the origin of every change."""
    at_base = {experience.key: experience for experience in base_files}
    experiences = tuple(
        _marked(experience, at_base.get(experience.key), documents) for experience in plan.experiences
    )
    return replace(plan, experiences=experiences, git_base=base)


def _marked(
    experience: ExperiencePlan,
    base_file: DesiredExperience | None,
    documents: Mapping[str, Mapping[str, Any]],
) -> ExperiencePlan:
    live = documents.get(experience.experience_id) if experience.experience_id is not None else None
    if not experience.changes:
        return experience
    if base_file is None:
        # A file the base commit does not have: everything the plan does for it is this change's.
        return replace(experience, changes=tuple(_all(change, Origin.FILE) for change in experience.changes))
    if live is None:
        # In the base commit's files, yet not in the account: the account lost it (or an apply failed).
        return replace(
            experience, changes=tuple(_all(change, Origin.OUTSIDE) for change in experience.changes)
        )
    base_side = comparable(canonical_desired(base_file.body))
    edited = {change.path for change in field_changes(base_side, comparable(experience.desired))}
    moved = {change.path for change in field_changes(comparable(canonical_live(live)), base_side)}
    status = _origin(
        base_file.status != experience.desired_status,
        base_file.status != LiveStatus(str(live["status"])).file_status,
    )
    changes = tuple(
        replace(
            change,
            fields=tuple(
                replace(field, origin=_origin(_touches(field.path, edited), _touches(field.path, moved)))
                for field in change.fields
            ),
        )
        if change.kind is ChangeKind.UPDATE
        else replace(change, origin=status)
        for change in experience.changes
    )
    return replace(experience, changes=changes)


def _all(change: Change, origin: Origin) -> Change:
    if change.kind is ChangeKind.UPDATE:
        return replace(change, fields=tuple(replace(field, origin=origin) for field in change.fields))
    return replace(change, origin=origin)


def _origin(edited: bool, moved: bool) -> Origin:
    if edited and moved:
        return Origin.BOTH
    # Neither can only be a difference the base cannot express (a write-only field resent): the files'.
    return Origin.OUTSIDE if moved else Origin.FILE


def _touches(path: str, paths: Collection[str]) -> bool:
    """Whether `path` is one of `paths`, inside one of them, or holds one (a whole variation added in one
    diff is a field of it in another)."""
    return any(path == other or _inside(path, other) or _inside(other, path) for other in paths)


def _inside(path: str, container: str) -> bool:
    return path.startswith(container) and path[len(container) : len(container) + 1] in (".", "[")
