"""The lifecycle table: from the live status and the file's status to the actions to take; and the same
told by the plan's clock, for a file with a schedule.

Statuses in files are draft | started | paused | ended; live ones are the API's
(pending is draft). A refusal is a plan error, decided here, never an API round trip.

A schedule holds the file's status back until its boundaries (the README's calendar table): before
schedule.start the file asks for a draft; before schedule.end (with status ended) for a running test; from
the boundary on, for what it says. A boundary the live experience has already passed (started by hand
before its start, ended before its end) is not undone: the plan leaves it as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from igops.model import ChangeKind, Schedule
from igops.moments import clock_text, how_long
from igops.statuses import LiveStatus, Status

CREATE, START, PAUSE, END = ChangeKind.CREATE, ChangeKind.START, ChangeKind.PAUSE, ChangeKind.END


@dataclass(frozen=True)
class Transition:
    actions: tuple[ChangeKind, ...] = ()
    refusal: str | None = None  # why the move is impossible, and what to do instead


_NEVER_STARTED_ABSENT = (
    "it does not exist yet and a new experience cannot start out {desired}: set status: draft or started"
)
_NEVER_STARTED = (
    "it has never been started, so it cannot be {verb}: set status: started first, or keep it draft"
)
_NO_WAY_BACK = (
    "it is {live} live and an experience cannot return to draft: "
    "set status: paused to stop its traffic, or ended to finish it"
)
_ENDED = (
    "it has ended live and ending is final: set status: ended, "
    "and create a new experience (with a new name) to run it again"
)

# Keyed by the enums, found by the strings files and the API give: a StrEnum hashes and compares as its value.
_TABLE: dict[tuple[str | None, str], Transition] = {
    (None, Status.DRAFT): Transition((CREATE,)),
    (None, Status.STARTED): Transition((CREATE, START)),
    (None, Status.PAUSED): Transition(refusal=_NEVER_STARTED_ABSENT.format(desired="paused")),
    (None, Status.ENDED): Transition(refusal=_NEVER_STARTED_ABSENT.format(desired="ended")),
    (LiveStatus.PENDING, Status.DRAFT): Transition(),
    (LiveStatus.PENDING, Status.STARTED): Transition((START,)),
    (LiveStatus.PENDING, Status.PAUSED): Transition(refusal=_NEVER_STARTED.format(verb="paused")),
    (LiveStatus.PENDING, Status.ENDED): Transition(refusal=_NEVER_STARTED.format(verb="ended")),
    (LiveStatus.STARTED, Status.DRAFT): Transition(refusal=_NO_WAY_BACK.format(live="started")),
    (LiveStatus.STARTED, Status.STARTED): Transition(),
    (LiveStatus.STARTED, Status.PAUSED): Transition((PAUSE,)),
    (LiveStatus.STARTED, Status.ENDED): Transition((END,)),
    (LiveStatus.PAUSED, Status.DRAFT): Transition(refusal=_NO_WAY_BACK.format(live="paused")),
    (LiveStatus.PAUSED, Status.STARTED): Transition((START,)),
    (LiveStatus.PAUSED, Status.PAUSED): Transition(),
    (LiveStatus.PAUSED, Status.ENDED): Transition((END,)),
    (LiveStatus.ENDED, Status.DRAFT): Transition(refusal=_ENDED),
    (LiveStatus.ENDED, Status.STARTED): Transition(refusal=_ENDED),
    (LiveStatus.ENDED, Status.PAUSED): Transition(refusal=_ENDED),
    (LiveStatus.ENDED, Status.ENDED): Transition(),
}


def transition(live_status: str | None, desired_status: str) -> Transition:
    """The actions that take an experience from `live_status` (None: absent) to `desired_status`."""
    found = _TABLE.get((live_status, desired_status))
    if found is None:
        return Transition(refusal=f"igops does not know the live status {live_status!r}")
    return found


# How far along the lifecycle a status is: a schedule only ever moves an experience forward.
_STAGE = {Status.DRAFT: 0, Status.STARTED: 1, Status.PAUSED: 1, Status.ENDED: 2}
# The stage each scheduled action brings an experience to.
_ACTION_STAGE = {START: 1, END: 2}


@dataclass(frozen=True)
class TimedTransition:
    """What a file with a schedule asks for at the plan's clock: the status it asks for now, the moves to
    it, the planned lifecycle actions a passed boundary calls for (with that boundary), the actions still
    to come (with their boundaries), and notes: the account ahead of the schedule, a due action late."""

    status: Status
    transition: Transition
    due: Mapping[ChangeKind, datetime] = field(default_factory=dict)
    scheduled: tuple[tuple[ChangeKind, datetime], ...] = ()
    notes: tuple[str, ...] = ()


def effective_status(status: str, schedule: Schedule | None, now: float | None) -> Status:
    """The status a file asks for at `now` (Unix seconds), its schedule allowing."""
    wanted = Status(status)
    if schedule is None:
        return wanted
    if now is None:
        raise ValueError("a file with a schedule is planned at a clock: give now")
    if schedule.start is not None and now < schedule.start.timestamp():
        return Status.DRAFT
    if schedule.end is not None and now < schedule.end.timestamp():
        return Status.STARTED
    return wanted


def timed_transition(
    live_status: str | None, status: str, schedule: Schedule | None, now: float | None
) -> TimedTransition:
    """The lifecycle table, told at `now` for a file whose `schedule` may hold its `status` back."""
    wanted = effective_status(status, schedule, now)
    if schedule is None or now is None:
        return TimedTransition(wanted, transition(live_status, wanted))
    stage = _live_stage(live_status)
    notes = []
    # Only where the schedule holds the file's status back: past every boundary, the table alone decides.
    if stage is not None and wanted != status and stage > _STAGE[wanted]:
        held_by = "start" if wanted is Status.DRAFT else "end"
        wanted = LiveStatus(str(live_status)).file_status
        moment = getattr(schedule, held_by)
        notes.append(
            f"{live_status} live before its schedule.{held_by} ({clock_text(moment)}): left as it is."
        )
    move = transition(live_status, wanted)
    boundaries = schedule.boundaries
    scheduled = tuple(
        (kind, moment)
        for kind, moment in boundaries
        if moment.timestamp() > now and (stage is None or stage < _ACTION_STAGE[kind])
    )
    # A start is the schedule's only while the test never ran: a paused test started again is the file's.
    due = {
        kind: moment
        for kind, moment in boundaries
        if moment.timestamp() <= now and kind in move.actions and (kind is END or not stage)
    }
    notes += [
        f"the scheduled {kind} ({clock_text(moment)}) is due: planned now, "
        f"{how_long(now - moment.timestamp())} late."
        for kind, moment in due.items()
    ]
    return TimedTransition(wanted, move, due, scheduled, tuple(notes))


def _live_stage(live_status: str | None) -> int | None:
    """How far along the live experience is (absent: 0), None for a status igops does not know."""
    if live_status is None:
        return 0
    try:
        return _STAGE[LiveStatus(live_status).file_status]
    except ValueError:
        return None
