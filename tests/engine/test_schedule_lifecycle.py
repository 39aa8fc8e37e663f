"""The lifecycle table extended by time: for each live state and each scheduled file, with the plan's clock
before, at and after each boundary, the actions planned now, the ones held back, and the status the plan
brings the experience to. Told first by the pure function, then by whole plans against the emulator."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from support.emulator import new_sandbox
from support.engine import create_as_igops, desired, plan, with_client
from support.files import experience

from igops.engine.lifecycle import effective_status, timed_transition
from igops.model import Schedule
from igops.statuses import Status

START = datetime.fromisoformat("2026-12-07T09:00:00+01:00")
END = datetime.fromisoformat("2026-12-27T00:00:00-05:00")
HOUR = 3600.0
LIVE_OF = {"pending": "draft", "started": "started", "paused": "paused", "ended": "ended"}

# The scheduled files: (status, schedule).
FILES = {
    "started+start": ("started", Schedule(start=START)),
    "ended+end": ("ended", Schedule(end=END)),
    "ended+start+end": ("ended", Schedule(start=START, end=END)),
}
# The clocks, as offsets from the boundaries.
CLOCKS = {
    "before start": START.timestamp() - HOUR,
    "at start": START.timestamp(),
    "after start": START.timestamp() + HOUR,
    "before end": END.timestamp() - HOUR,
    "at end": END.timestamp(),
    "after end": END.timestamp() + HOUR,
}

Expected = tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]] | None
# (file, live status or None for absent, clock) -> (status now, actions now, actions held back, actions
# now that a passed boundary calls for), or None for a plan error. Written out cell by cell, not derived.
TABLE: dict[tuple[str, str | None, str], Expected] = {}


def _cells(file: str, clocks: tuple[str, ...], by_live: dict[str | None, Expected]) -> None:
    for clock in clocks:
        for live, expected in by_live.items():
            TABLE[(file, live, clock)] = expected


# `started` + start: a draft before it (created, not started); started from it on. Already running or
# stopped live before the start: left as it is, nothing held back.
_cells(
    "started+start",
    ("before start",),
    {
        None: ("draft", ("create",), ("start",), ()),
        "pending": ("draft", (), ("start",), ()),
        "started": ("started", (), (), ()),
        "paused": ("paused", (), (), ()),
        "ended": ("ended", (), (), ()),
    },
)
_cells(
    "started+start",
    ("at start", "after start", "before end", "at end", "after end"),
    {
        None: ("started", ("create", "start"), (), ("start",)),
        "pending": ("started", ("start",), (), ("start",)),
        "started": ("started", (), (), ()),
        # The file says it should run: a paused test is started again, as without a schedule (not the
        # schedule's start: that was its first).
        "paused": ("started", ("start",), (), ()),
        "ended": None,
    },
)
# `ended` + end: runs until the end (started now when it is not), ended with the winner from it on.
_cells(
    "ended+end",
    ("before start", "at start", "after start", "before end"),
    {
        None: ("started", ("create", "start"), ("end",), ()),
        "pending": ("started", ("start",), ("end",), ()),
        "started": ("started", (), ("end",), ()),
        "paused": ("started", ("start",), ("end",), ()),
        "ended": ("ended", (), (), ()),
    },
)
_cells(
    "ended+end",
    ("at end", "after end"),
    {
        None: None,
        "pending": None,
        "started": ("ended", ("end",), (), ("end",)),
        "paused": ("ended", ("end",), (), ("end",)),
        "ended": ("ended", (), (), ()),
    },
)
# `ended` + start + end: a draft before the start, running between, ended from the end on.
_cells(
    "ended+start+end",
    ("before start",),
    {
        None: ("draft", ("create",), ("start", "end"), ()),
        "pending": ("draft", (), ("start", "end"), ()),
        "started": ("started", (), ("end",), ()),
        "paused": ("paused", (), ("end",), ()),
        "ended": ("ended", (), (), ()),
    },
)
_cells(
    "ended+start+end",
    ("at start", "after start", "before end"),
    {
        None: ("started", ("create", "start"), ("end",), ("start",)),
        "pending": ("started", ("start",), ("end",), ("start",)),
        "started": ("started", (), ("end",), ()),
        "paused": ("started", ("start",), ("end",), ()),
        "ended": ("ended", (), (), ()),
    },
)
_cells(
    "ended+start+end",
    ("at end", "after end"),
    {
        None: None,
        "pending": None,
        "started": ("ended", ("end",), (), ("end",)),
        "paused": ("ended", ("end",), (), ("end",)),
        "ended": ("ended", (), (), ()),
    },
)
CELLS = sorted(TABLE, key=str)


def test_the_table_covers_every_file_live_state_and_clock() -> None:
    lives: tuple[str | None, ...] = (None, *LIVE_OF)
    assert set(TABLE) == {(file, live, clock) for file in FILES for live in lives for clock in CLOCKS}


@pytest.mark.parametrize(("file", "live", "clock"), CELLS)
def test_each_cell_of_the_timed_table(file: str, live: str | None, clock: str) -> None:
    status, schedule = FILES[file]
    timed = timed_transition(live, status, schedule, CLOCKS[clock])
    expected = TABLE[(file, live, clock)]
    if expected is None:
        assert timed.transition.refusal is not None
        return
    now_status, actions, held, due = expected
    assert timed.transition.refusal is None
    assert timed.status == now_status
    assert tuple(kind.value for kind in timed.transition.actions) == actions
    assert tuple(kind.value for kind, _ in timed.scheduled) == held
    assert tuple(kind.value for kind in timed.due) == due
    # A due action is told by its boundary; a held one is strictly later than the clock.
    assert all(moment.timestamp() <= CLOCKS[clock] for moment in timed.due.values())
    assert all(moment.timestamp() > CLOCKS[clock] for _, moment in timed.scheduled)


def test_the_readme_table_of_effective_statuses() -> None:
    started, ended = Status.STARTED, Status.ENDED
    only_start, only_end = Schedule(start=START), Schedule(end=END)
    both = Schedule(start=START, end=END)
    before, between, after = START.timestamp() - 1, START.timestamp() + 1, END.timestamp() + 1
    assert [effective_status(started, only_start, t) for t in (before, between, after)] == [
        "draft",
        "started",
        "started",
    ]
    assert [effective_status(ended, both, t) for t in (before, between, after)] == [
        "draft",
        "started",
        "ended",
    ]
    assert [effective_status(ended, only_end, t) for t in (before, between, after)] == [
        "started",
        "started",
        "ended",
    ]
    assert effective_status(started, None, None) == "started"
    with pytest.raises(ValueError, match="clock"):
        effective_status(started, only_start, None)


def _file(file: str) -> dict[str, object]:
    status, schedule = FILES[file]
    times = {
        bound: getattr(schedule, bound).isoformat() for bound in ("start", "end") if getattr(schedule, bound)
    }
    winner = {"winner": "Variant"} if status == "ended" else {}
    return experience(name="Scheduled hero", status=status, schedule=times, **winner)


# Against the emulator: every live state and file at the clocks either side of each boundary and on it.
WHOLE = [cell for cell in CELLS if cell[2] in ("before start", "at start", "at end", "after end")]


@pytest.mark.parametrize(("file", "live", "clock"), WHOLE)
def test_each_cell_planned_against_the_emulator(file: str, live: str | None, clock: str) -> None:
    sandbox = new_sandbox()
    document = _file(file)
    if live is not None:
        live_file = {key: value for key, value in document.items() if key not in ("schedule", "winner")}
        with_client(
            sandbox, lambda client: create_as_igops(client, desired({**live_file, "status": LIVE_OF[live]}))
        )
    writes_before = len(sandbox.writes)
    result = plan(sandbox, [desired(document, key="hero")], now=CLOCKS[clock])
    assert len(sandbox.writes) == writes_before, "plan wrote to the account"
    assert result.now == CLOCKS[clock]
    expected = TABLE[(file, live, clock)]
    if expected is None:
        [error] = result.errors
        assert (
            error.message.startswith(f"hero: status {document['status']}: ") and "set status" in error.message
        )
        return
    now_status, actions, held, due = expected
    assert not result.errors
    [planned] = result.experiences
    assert planned.status_now == now_status and planned.desired_status == document["status"]
    assert tuple(change.kind.value for change in planned.changes) == actions
    assert tuple(action.kind.value for action in planned.scheduled) == held
    assert tuple(change.kind.value for change in planned.changes if change.due is not None) == due
    late = [note for note in planned.notes if "is due: planned now" in note]
    assert len(late) == len(due)


def test_a_late_boundary_says_by_how_long_and_one_not_due_says_when() -> None:
    sandbox = new_sandbox()
    document = _file("started+start")
    late = plan(sandbox, [desired(document, key="hero")], now=START.timestamp() + 5 * 3600 + 120)
    [planned] = late.experiences
    assert "the scheduled start (2026-12-07 09:00 +01:00) is due: planned now, 5 hours 2 minutes late." in (
        planned.notes
    )
    early = plan(sandbox, [desired(document, key="hero")], now=(START - timedelta(days=5)).timestamp())
    [waiting] = early.experiences
    [action] = waiting.scheduled
    assert action.due == START and waiting.changes[0].kind.value == "create"
