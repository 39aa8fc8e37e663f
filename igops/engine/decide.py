"""The plan: for each file, what apply must do to make the live experience match it.

Pure: it takes the matching and the live documents already fetched and does no I/O.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import replace
from typing import Any

from igops.analytics.results import started_at
from igops.engine.diff import field_changes
from igops.engine.lifecycle import TimedTransition, timed_transition
from igops.engine.matching import Matching
from igops.experience_types import CREATABLE_TYPES
from igops.model import (
    Change,
    ChangeKind,
    DesiredExperience,
    ExperiencePlan,
    Plan,
    PlanError,
    ScheduledAction,
    UnmanagedExperience,
)
from igops.normalize import canonical_desired, canonical_live, comparable, write_only_fields
from igops.statuses import LiveStatus


def build_plan(
    matching: Matching,
    live: Mapping[str, Mapping[str, Any]],
    files_hash: str = "",
    resend: Collection[str] = (),
    now: float | None = None,
) -> Plan:
    """`live` maps each matched live id to its full GET document; `resend` names the files whose
    experience is updated even when nothing differs; `now` is the plan's clock (Unix seconds), by which
    schedules are told (needed when a file has one). Its risks are the rules' (igops.engine.rules),
    assessed once the plan is complete."""
    experiences: list[ExperiencePlan] = []
    errors = list(matching.errors)
    for pair in matching.pairs:
        document = live.get(pair.live_id) if pair.live_id is not None else None
        planned = plan_experience(pair.desired, document, resend=pair.desired.key in resend, now=now)
        if isinstance(planned, PlanError):
            errors.append(planned)
        elif pair.renamed_from is not None:
            experiences.append(replace(planned, warnings=(_renamed_warning(pair.renamed_from),)))
        else:
            experiences.append(planned)
    return Plan(tuple(experiences), matching.unmanaged, tuple(errors), files_hash, now=now)


def only_due(plan: Plan) -> Plan:
    """The plan cut to the lifecycle actions a schedule boundary that has come calls for (apply
    --due-only): never a create or an update, so a dashboard edit is never reverted. A due start of an
    experience not yet created waits for a reviewed apply to create it, and says so."""

    def due(experience: ExperiencePlan) -> ExperiencePlan:
        if experience.experience_id is None:
            waiting = tuple(
                f"the scheduled {change.kind} is due, but the experience is not created yet: a reviewed "
                "igops apply creates it."
                for change in experience.changes
                if change.due is not None
            )
            return replace(experience, changes=(), notes=experience.notes + waiting)
        return replace(experience, changes=tuple(change for change in experience.changes if change.due))

    return replace(plan, experiences=tuple(due(experience) for experience in plan.experiences))


def plan_experience(
    desired: DesiredExperience, live: Mapping[str, Any] | None, resend: bool = False, now: float | None = None
) -> ExperiencePlan | PlanError:
    """What to do for one file, given its live experience (None when it does not exist yet), at the
    plan's clock `now`.

    With `resend`, an existing experience is updated even when nothing differs: a change to a
    field the API never returns cannot be seen, only sent.
    """
    wanted = canonical_desired(desired.body)
    live_status = None if live is None else str(live["status"])
    timed = timed_transition(live_status, desired.status, desired.schedule, now)
    move = timed.transition
    if move.refusal is not None:
        held = f" (status {timed.status} until its schedule allows)" if timed.status != desired.status else ""
        return PlanError(desired.key, f"{desired.key}: status {desired.status}{held}: {move.refusal}.")
    if live is None:
        return _experience_plan(
            desired, wanted, None, tuple(_change(kind, desired, timed) for kind in move.actions), timed=timed
        )
    refusal = _unmanageable(desired, live)
    if refusal is not None:
        return PlanError(desired.key, refusal)
    fields = field_changes(comparable(canonical_live(live)), comparable(wanted))
    if live_status == LiveStatus.ENDED:
        notes: tuple[str, ...] = (
            (
                f"ended experiences cannot change: {len(fields)} difference(s) from the file ignored "
                f"({', '.join(change.path for change in fields)}).",
            )
            if fields
            else ()
        )
        if desired.winner is not None:
            # The API keeps no winner to compare with: one named after the end cannot be told apart.
            notes += (
                f"winner: {desired.winner} is rolled out only by the end action; the experience has "
                "ended, and a winner named after that is not applied (the API keeps no winner igops "
                "could compare it with).",
            )
        if resend:
            notes += ("ended experiences cannot change: --resend ignored.",)
        return _experience_plan(desired, wanted, live, (), notes, timed=timed)
    changes = ([Change(ChangeKind.UPDATE, fields)] if fields or resend else []) + [
        _change(kind, desired, timed) for kind in move.actions
    ]
    return _experience_plan(
        desired, wanted, live, tuple(changes), _write_only_notes(desired, wanted, resend), timed=timed
    )


def _experience_plan(
    desired: DesiredExperience,
    wanted: Mapping[str, Any],
    live: Mapping[str, Any] | None,
    changes: tuple[Change, ...],
    notes: tuple[str, ...] = (),
    *,
    timed: TimedTransition,
) -> ExperiencePlan:
    """The file's identity, and the live experience's when it exists, with what to do about it, and what
    its schedule holds back."""
    return ExperiencePlan(
        key=desired.key,
        name=desired.name,
        path=str(desired.path),
        override=None if desired.override is None else str(desired.override),
        desired_status=desired.status,
        experience_id=None if live is None else str(live["id"]),
        live_status=None if live is None else str(live["status"]),
        last_update_ts=None if live is None else int(live["lastUpdateTs"]),
        started_at=None if live is None else started_at(live),
        changes=changes,
        notes=timed.notes + notes,
        desired=wanted,
        effective_status=None if timed.status == desired.status else timed.status.value,
        scheduled=tuple(
            ScheduledAction(kind, moment, desired.winner if kind is ChangeKind.END else None)
            for kind, moment in timed.scheduled
        ),
    )


def _change(kind: ChangeKind, desired: DesiredExperience, timed: TimedTransition) -> Change:
    return Change(kind, winner=desired.winner if kind is ChangeKind.END else None, due=timed.due.get(kind))


def _write_only_notes(desired: DesiredExperience, wanted: Mapping[str, Any], resend: bool) -> tuple[str, ...]:
    hidden = write_only_fields(wanted)
    if not hidden:
        return ()
    names = ", ".join(hidden)
    if resend:
        return (f"updated on request (--resend): {names} is sent again with the file's value.",)
    return (
        f"igops cannot see the live value of {names} (the API never returns it): it is sent with "
        f"every update, and a change to it alone is applied with --resend {desired.key}.",
    )


def _renamed_warning(live: UnmanagedExperience) -> str:
    return (
        f"a new experience, while {live.name!r} ({live.id}), of the same type and variations, is "
        "started and no file matches it any more: if this file is that experience renamed, pin it "
        f"with id: {live.id}; otherwise two tests will run side by side."
    )


def _unmanageable(desired: DesiredExperience, live: Mapping[str, Any]) -> str | None:
    live_type = str(live["type"])
    # Named as the account knows it: with an id pinned, that may not be the file's name.
    live_name = f"{live['name']!r} ({live['id']})" if live["name"] != desired.name else repr(desired.name)
    if live_type not in CREATABLE_TYPES:
        return (
            f"{desired.key}: the live experience {live_name} is of type {live_type}, which the "
            "API cannot create or update, so igops cannot manage it: remove the file, or rename it."
        )
    if live_type != desired.type:
        return (
            f"{desired.key}: type is immutable: the live experience {live_name} is {live_type} and "
            f"the file says {desired.type}; create a new experience (with a new name) instead."
        )
    return None
