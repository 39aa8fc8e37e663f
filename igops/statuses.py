"""The lifecycle's words, in one table: the statuses a file asks for, the statuses the API reports, and
one row per action a plan can hold (the API's lifecycle action, the status it leaves, the plan's symbol
and colour). Apply, the client, the rules and the renderers all read it, so a new action or status is
one row here; the emulator keeps its own copy (it is an independent oracle), tied to this by a test.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    """A file's `status`: the state it asks the experience to be in."""

    DRAFT = "draft"
    STARTED = "started"
    PAUSED = "paused"
    ENDED = "ended"

    @property
    def live(self) -> LiveStatus:
        """The API's word for this state (a draft is `pending` there)."""
        return LiveStatus.PENDING if self is Status.DRAFT else LiveStatus(self.value)


class LiveStatus(StrEnum):
    """An experience's `status` as the API reports it."""

    PENDING = "pending"
    STARTED = "started"
    PAUSED = "paused"
    ENDED = "ended"

    @property
    def file_status(self) -> Status:
        """How a file says this state."""
        return Status.DRAFT if self is LiveStatus.PENDING else Status(self.value)

    @property
    def has_run(self) -> bool:
        """Whether the experience has had traffic, and so has results."""
        return self is not LiveStatus.PENDING


class ChangeKind(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    START = "start"
    PAUSE = "pause"
    END = "end"

    @property
    def is_lifecycle(self) -> bool:
        return ACTIONS[self].api_action is not None

    @property
    def row(self) -> Action:
        return ACTIONS[self]


@dataclass(frozen=True)
class Action:
    """One row of the table. `api_action` is the lifecycle endpoint's action and `status_after` the live
    status it leaves, both None for a create or an update; `symbol` and `colour` are how a plan shows it."""

    kind: ChangeKind
    symbol: str
    colour: str
    api_action: str | None = None
    status_after: LiveStatus | None = None


ACTIONS: dict[ChangeKind, Action] = {
    row.kind: row
    for row in (
        Action(ChangeKind.CREATE, "+", "green"),
        Action(ChangeKind.UPDATE, "~", "yellow"),
        Action(ChangeKind.START, ">", "cyan", "start", LiveStatus.STARTED),
        Action(ChangeKind.PAUSE, ">", "cyan", "pause", LiveStatus.PAUSED),
        Action(ChangeKind.END, ">", "red", "end", LiveStatus.ENDED),
    )
}

# The actions the API's lifecycle endpoint takes, in the table's order.
API_ACTIONS = tuple(row.api_action for row in ACTIONS.values() if row.api_action is not None)
