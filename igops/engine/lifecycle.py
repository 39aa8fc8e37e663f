"""The lifecycle table: from the live status and the file's status to the actions to take.

Statuses in files are draft | started | paused | ended; live ones are the API's
(pending is draft). A refusal is a plan error, decided here, never an API round trip.
"""

from __future__ import annotations

from dataclasses import dataclass

from igops.model import ChangeKind
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
