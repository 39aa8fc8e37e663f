"""Plain data passed between layers: what the files ask for, what the account has, the plan, drift and
what apply did."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from igops.analytics.results import ExperienceResults
from igops.statuses import ChangeKind as ChangeKind  # the lifecycle table's; re-exported
from igops.statuses import Status

# A field's address inside one document: mapping keys and list indexes from the top.
JsonPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Position:
    """1-based line and column in a source file."""

    line: int
    column: int


@dataclass(frozen=True)
class Schedule:
    """A file's `schedule:` (igops's own: the API schedules nothing): when the status the file asks for
    takes effect. `start` goes with status started or ended, `end` with ended (igops.engine.lifecycle)."""

    start: datetime | None = None
    end: datetime | None = None

    @property
    def boundaries(self) -> tuple[tuple[ChangeKind, datetime], ...]:
        """Each boundary set, with the action it times: (start, its moment), then (end, its moment)."""
        timed = ((ChangeKind.START, self.start), (ChangeKind.END, self.end))
        return tuple((kind, moment) for kind, moment in timed if moment is not None)


@dataclass(frozen=True)
class DesiredExperience:
    """One experience file as written: igops's own fields apart, the API fields left as they are.

    `body` holds only what the file states (no defaults filled in, no `order`); `positions`
    maps the JSON path of every value in the file to where it was written (with an `override`, in
    whichever of the two files wrote it).
    """

    key: str
    path: Path
    name: str
    type: str
    status: str
    winner: str | None
    id: str | None
    body: Mapping[str, Any]
    positions: Mapping[JsonPath, Position] = field(default_factory=dict, repr=False, compare=False)
    schedule: Schedule | None = None
    # A shared file's experience as one store plans it: the store's override file merged over `path`.
    override: Path | None = None

    def position_of(self, path: JsonPath) -> Position:
        return nearest_position(self.positions, path)


def nearest_position(positions: Mapping[JsonPath, Position], path: JsonPath) -> Position:
    """Where `path` was written, or its closest written ancestor (the file start at worst)."""
    for length in range(len(path), -1, -1):
        found = positions.get(path[:length])
        if found is not None:
            return found
    return Position(1, 1)


# Fields of an experience file that are igops's own, not the API's.
IGOPS_FIELDS = frozenset({"status", "winner", "id", "schedule"})


@dataclass(frozen=True)
class UnmanagedExperience:
    """A live experience no file matches: listed, never touched."""

    id: str
    name: str
    type: str
    status: str


class Origin(StrEnum):
    """Whose change it is, against the files of a base commit (plan --base): the files' (`file`: this
    change edits it), the account's (`outside`: it moved away from what the base says, and applying
    reverts it), or both (the change edits a field the account also moved)."""

    FILE = "file"
    OUTSIDE = "outside"
    BOTH = "both"

    @property
    def reverts(self) -> bool:
        return self is not Origin.FILE


@dataclass(frozen=True)
class FieldChange:
    """One field that differs. `path` reads like `variations["B"].percentage`; None is 'not set'."""

    path: str
    before: Any
    after: Any
    origin: Origin | None = None  # None: the plan was made without a base commit


@dataclass(frozen=True)
class Change:
    kind: ChangeKind
    fields: tuple[FieldChange, ...] = ()  # update: what differs
    winner: str | None = None  # end: the winning variation's name, when the file names one
    origin: Origin | None = None  # create and lifecycle actions; an update's origin is its fields'
    # A lifecycle action the file's schedule called for: the boundary it carries out (apply --due-only runs
    # these alone).
    due: datetime | None = None


@dataclass(frozen=True)
class ScheduledAction:
    """A lifecycle action the file's schedule holds back: planned at `due`, not before, never a change."""

    kind: ChangeKind  # start or end
    due: datetime
    winner: str | None = None


@dataclass(frozen=True)
class GitBase:
    """The commit a plan's origins are told against: `ref` as the user named it, and its full commit."""

    ref: str
    commit: str


@dataclass(frozen=True)
class ExperiencePlan:
    """Everything the plan says about one managed experience (one file)."""

    key: str
    name: str
    path: str
    experience_id: str | None  # None until it is created
    live_status: str | None  # None when absent from the account
    desired_status: str
    last_update_ts: int | None
    changes: tuple[Change, ...]
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    desired: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)
    # The live experience as the plan read it, kept when an update will be built from it: apply
    # sends it back with the file's changes while the account's lastUpdateTs still matches.
    base: Mapping[str, Any] | None = field(default=None, repr=False, compare=False)
    # An experience the plan ends: its results when the plan was made, shown next to the chosen winner.
    results: ExperienceResults | None = field(default=None, repr=False, compare=False)
    # When the live experience first started (Unix seconds), for the rules that count days live: kept in a
    # saved plan, so that apply can count them again at its own time.
    started_at: int | None = None
    # The status the plan brings it to now, when a schedule holds back the file's (None: the file's status).
    effective_status: str | None = None
    scheduled: tuple[ScheduledAction, ...] = ()
    # A store's override of the shared file `path`, merged into it (several stores).
    override: str | None = None

    @property
    def has_changes(self) -> bool:
        return bool(self.changes)

    @property
    def files(self) -> str:
        """The file the experience comes from, and the override merged into it when there is one."""
        return self.path if self.override is None else f"{self.path} with {self.override}"

    @property
    def status_now(self) -> str:
        """The status the plan brings the experience to at its clock."""
        return self.desired_status if self.effective_status is None else self.effective_status


class Rule(Protocol):
    """What every rule igops checks says of itself: its stable name, and whether it judges what the
    account holds (a plan rule, igops.engine.rules) or a file alone (igops.files.rules, which
    `igops validate` runs without the account)."""

    @property
    def name(self) -> str: ...

    @property
    def needs_account(self) -> bool: ...


@dataclass(frozen=True)
class Risk:
    """A policy's finding that a reviewer must see, and that apply refuses without --force when
    `needs_force` (the policy's level is force). `rule` is the policy's stable name (a plug-in's included,
    so a free string); `key` names the experience, None for the plan as a whole; `figures` are the numbers
    the message states, for machines."""

    rule: str
    key: str | None
    message: str  # one sentence: what is risky, and the ways on
    needs_force: bool = True
    figures: Mapping[str, Any] = field(default_factory=dict, compare=False)

    @property
    def level(self) -> str:
        """The policy level that found it: `force` (apply refuses it without --force) or `warn`."""
        return "force" if self.needs_force else "warn"

    @property
    def sentence(self) -> str:
        return f"{self.key}: {self.message}" if self.key else self.message


@dataclass(frozen=True)
class PlanError:
    """A reason the plan cannot be carried out; `key` names the file, None for the whole plan."""

    key: str | None
    message: str


@dataclass(frozen=True)
class Plan:
    experiences: tuple[ExperiencePlan, ...]
    unmanaged: tuple[UnmanagedExperience, ...] = ()
    errors: tuple[PlanError, ...] = ()
    files_hash: str = ""
    risks: tuple[Risk, ...] = ()
    git_base: GitBase | None = None  # set by plan --base: every change then carries its origin
    now: float | None = (
        None  # the plan's clock (Unix seconds): schedules and the clock's rules are told by it
    )
    store: str | None = None  # the store planned, when igops.yaml has several

    @property
    def changed(self) -> tuple[ExperiencePlan, ...]:
        return tuple(experience for experience in self.experiences if experience.has_changes)

    @property
    def has_changes(self) -> bool:
        return bool(self.changed)

    @property
    def blocking_risks(self) -> tuple[Risk, ...]:
        """The risks apply refuses without --force."""
        return tuple(risk for risk in self.risks if risk.needs_force)

    def risks_of(self, key: str | None) -> tuple[Risk, ...]:
        return tuple(risk for risk in self.risks if risk.key == key)

    def count(self, kind: ChangeKind) -> int:
        return sum(1 for e in self.experiences for change in e.changes if change.kind is kind)


class Finding(StrEnum):
    """What drift found about one file."""

    CHANGED = "changed"  # fields or the status differ from the file's
    ENDED = "ended"  # ended live while the file says draft, started or paused
    GONE = "gone"  # the file pins an id the account does not have
    ABSENT = "absent"  # no id pinned and no live experience of the file's name
    UNMANAGEABLE = "unmanageable"  # matched live experience of a type igops cannot manage


@dataclass(frozen=True)
class Drift:
    """One managed experience that differs live from its file."""

    key: str
    name: str
    path: str
    finding: Finding
    way_out: str  # one sentence: what to do about it with what exists today
    file_status: str
    experience_id: str | None = None  # None: the file's experience is not in the account
    pinned_id: str | None = None  # the file's id line
    last_update_ts: int | None = None  # when the live experience last changed (ms)
    live_status: str | None = None
    live_type: str | None = None
    fields: tuple[FieldChange, ...] = ()  # before: live, after: the file

    @property
    def missing(self) -> bool:
        return self.experience_id is None

    @property
    def status_moved(self) -> bool:
        return not self.missing and self.live_status != Status(self.file_status).live


@dataclass(frozen=True)
class DriftReport:
    drifted: tuple[Drift, ...]
    unmanaged: tuple[UnmanagedExperience, ...] = ()
    errors: tuple[PlanError, ...] = ()
    checked: int = 0  # managed experiences compared
    now: float | None = None  # the clock schedules were told by (Unix seconds)

    @property
    def has_drift(self) -> bool:
        return bool(self.drifted)


class CalendarKind(StrEnum):
    """What a calendar entry is: a file's scheduled start or end, or a freeze window of igops.yaml."""

    START = "start"
    END = "end"
    FREEZE = "freeze"


@dataclass(frozen=True)
class CalendarEntry:
    """One moment on the calendar. A start or an end is an experience file's schedule boundary (`key`, the
    file's `name` and `path`, and an end's `winner`); a freeze is a window igops.yaml sets (its `name`, and
    igops.yaml as its `path`), from `when` until `until`."""

    kind: CalendarKind
    when: datetime  # as written, with its UTC offset
    name: str
    path: Path | None
    key: str | None = None
    winner: str | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class Calendar:
    """The entries at or after the clock `now` (Unix seconds), freeze windows not yet over, in time order;
    with `past_included`, the ones before it too."""

    now: float
    entries: tuple[CalendarEntry, ...]
    past_included: bool = False

    def count(self, *kinds: CalendarKind) -> int:
        return sum(1 for entry in self.entries if entry.kind in kinds)


class Outcome(StrEnum):
    """How one change of an apply ended."""

    DONE = "done"
    FAILED = "failed"
    NOT_ATTEMPTED = "not attempted"


@dataclass(frozen=True)
class StepResult:
    key: str
    kind: ChangeKind
    outcome: Outcome
    seconds: float = 0.0
    detail: str = ""  # why it failed, or how it was resolved (adopted, already live)


@dataclass
class ApplyReport:
    results: list[StepResult] = field(default_factory=list)
    # Ctrl-C or SIGTERM stopped the run while changes were under way, before any failure stopped it.
    interrupted: bool = False
    # One sentence per name the files manage that is live more than once after the creates.
    duplicates: tuple[str, ...] = ()
    # Names no file manages that are live more than once, with how many times: the account's business,
    # only noted.
    unmanaged_repeats: tuple[tuple[str, int], ...] = ()

    @property
    def ok(self) -> bool:
        # An interrupt that came as the last changes finished cut nothing: the apply is complete.
        return not self.duplicates and all(result.outcome is Outcome.DONE for result in self.results)

    def done(self, *kinds: ChangeKind) -> int:
        return sum(1 for r in self.results if r.outcome is Outcome.DONE and r.kind in kinds)


T_Outcome = TypeVar("T_Outcome")


@dataclass(frozen=True)
class StoreOutcome(Generic[T_Outcome]):
    """What one store's run of a command gave (a plan, a report, ...), or why it failed: its message
    names the store (one sentence, or located lines for its files)."""

    store: str
    value: T_Outcome | None = None
    failure: str | None = None


@dataclass(frozen=True)
class StoreOutcomes(Generic[T_Outcome]):
    """A command run for several stores of one repository, in igops.yaml's order."""

    outcomes: tuple[StoreOutcome[T_Outcome], ...]

    @property
    def values(self) -> tuple[tuple[str, T_Outcome], ...]:
        return tuple((outcome.store, outcome.value) for outcome in self.outcomes if outcome.value is not None)

    @property
    def failures(self) -> tuple[StoreOutcome[T_Outcome], ...]:
        return tuple(outcome for outcome in self.outcomes if outcome.failure is not None)


StorePlans = StoreOutcomes[Plan]
