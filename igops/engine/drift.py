"""Drift: where the live account no longer says what the files say, for each managed experience.

A plan looks forward (what apply would do); drift looks at the account, and always reports what
it finds, even what stops a plan: every field that differs, with the live value beside the
file's; a status moved in the dashboard, even an end apply cannot undo; a pinned experience gone
from the account; a file that matches an experience igops cannot manage. Each finding comes with
a way out that exists today, decided here from the lifecycle table, so that it says what apply
would really do. Pure: it takes the matching and the documents already read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from igops.engine.diff import field_changes
from igops.engine.lifecycle import timed_transition, transition
from igops.engine.matching import Matching
from igops.experience_types import CREATABLE_TYPES
from igops.model import (
    ChangeKind,
    DesiredExperience,
    Drift,
    DriftReport,
    FieldChange,
    Finding,
    UnmanagedExperience,
)
from igops.normalize import canonical_desired, canonical_live, comparable
from igops.statuses import LiveStatus, Status


def build_drift(
    matching: Matching, live: Mapping[str, Mapping[str, Any]], now: float | None = None
) -> DriftReport:
    """`live` maps each matched live id to its full GET document; `now` is the clock schedules are told by
    (needed when a file has one)."""
    drifted = [_gone(experience, matching.unmanaged) for experience in matching.gone]
    for pair in matching.pairs:
        document = live.get(pair.live_id) if pair.live_id is not None else None
        found = _absent(pair.desired) if document is None else file_drift(pair.desired, document, now)
        if found is not None:
            drifted.append(found)
    # A pinned id gone from the account stops a plan; here it is a finding, not an error.
    gone = {experience.key for experience in matching.gone}
    errors = tuple(error for error in matching.errors if error.key not in gone)
    return DriftReport(
        tuple(sorted(drifted, key=lambda drift: drift.key)),
        matching.unmanaged,
        errors,
        len(matching.pairs) + len(matching.gone),
        now,
    )


def _gone(desired: DesiredExperience, unmanaged: Sequence[UnmanagedExperience]) -> Drift:
    # Without the id line the file is matched by name: to a live experience of that name if there
    # is one, else apply creates it.
    namesake = next((live for live in unmanaged if live.name == desired.name), None)
    unpinned = (
        f"it manages the live experience {namesake.name!r} ({namesake.id}), which has its name, instead"
        if namesake is not None
        else _created(desired.status, " again")
    )
    return _drift(
        desired,
        Finding.GONE,
        "igops apply refuses to run while the file pins it: remove the "
        f"file, or remove its id: line and {unpinned}.",
    )


def _absent(desired: DesiredExperience) -> Drift:
    return _drift(desired, Finding.ABSENT, f"{_created(desired.status)}; or remove the file.")


def _created(status: str, again: str = "") -> str:
    """What makes igops apply create a file's experience that is not in the account (only draft and
    started ones can be created), and what it then does."""
    actions = transition(None, status).actions
    if not actions:
        return (
            f"set status: draft or started and igops apply creates it{again} (a new experience cannot "
            f"start out {status})"
        )
    then = " and starts it" if ChangeKind.START in actions else ", as a draft"
    return f"igops apply creates it{again}{then}"


def file_drift(
    desired: DesiredExperience, document: Mapping[str, Any], now: float | None = None
) -> Drift | None:
    """The finding about a file and its live experience at the clock `now`; None when they agree. A file's
    schedule holds its status back as a plan's does: a start not yet due is no drift."""
    live_type, live_status = str(document["type"]), str(document["status"])
    scheduled = timed_transition(live_status, desired.status, desired.schedule, now).status
    desired = replace(desired, status=scheduled.value)
    if live_type not in CREATABLE_TYPES:
        return _drift(
            desired,
            Finding.UNMANAGEABLE,
            (
                f"igops cannot manage a {live_type} experience (the API cannot create or update one), and "
                "igops "
                "apply refuses to run while a file matches it: remove the file."
            ),
            document,
        )
    fields = field_changes(comparable(canonical_live(document)), comparable(canonical_desired(desired.body)))
    if not fields and live_status == Status(desired.status).live:
        return None
    accept = f"igops drift --adopt --target {desired.key} writes the live values into the file"
    if live_type != desired.type:
        return _drift(
            desired,
            Finding.CHANGED,
            (
                f"igops apply cannot change an experience's type (it is {live_type} live); {accept}, or "
                "give the "
                "file a new name to create a new experience of its type."
            ),
            document,
            fields,
        )
    if live_status == LiveStatus.ENDED and desired.status != Status.ENDED:
        return _drift(
            desired,
            Finding.ENDED,
            (
                "igops apply cannot undo an end: set status: ended in the file (and winner: the variation "
                "that "
                f"won, for the record), or {accept} (ended, naming no winner: the API keeps none)."
            ),
            document,
            fields,
        )
    refusal = transition(live_status, desired.status).refusal
    if live_status == LiveStatus.ENDED:
        way_out = f"igops apply cannot change an ended experience; {accept}."
    elif refusal is not None:
        way_out = f"igops apply cannot restore the file's status ({refusal}); {accept}."
    else:
        way_out = f"igops apply restores the file's version; {accept}."
    return _drift(desired, Finding.CHANGED, way_out, document, fields)


def _drift(
    desired: DesiredExperience,
    finding: Finding,
    way_out: str,
    document: Mapping[str, Any] | None = None,
    fields: tuple[FieldChange, ...] = (),
) -> Drift:
    """A finding about a file, with what the account says when its experience is there."""
    found = Drift(
        desired.key,
        desired.name,
        str(desired.path),
        finding,
        way_out,
        desired.status,
        pinned_id=desired.id,
        fields=fields,
    )
    if document is None:
        return found
    return replace(
        found,
        experience_id=str(document["id"]),
        last_update_ts=int(document["lastUpdateTs"]),
        live_status=str(document["status"]),
        live_type=str(document["type"]),
    )
