"""The calendar's entries (igops.engine.calendar.gather): every schedule boundary at or after the clock and
every freeze window not yet over, in time order, the past ones too with `past`."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from igops.engine.calendar import gather
from igops.model import Calendar, CalendarKind, DesiredExperience, Schedule

CONFIG = Path("igops.yaml")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def clock(text: str) -> float:
    return at(text).timestamp()


def file(
    key: str, schedule: Schedule | None, status: str = "ended", winner: str | None = "B"
) -> DesiredExperience:
    return DesiredExperience(
        key,
        Path(f"experiences/{key}.yaml"),
        key.title(),
        "content/advanced",
        status,
        winner,
        None,
        {},
        {},
        schedule,
    )


FILES = (
    # Ends the moment `bar` starts, in another offset: one instant, the end first.
    file("foo", Schedule(at("2026-12-01T09:00:00+01:00"), at("2026-12-10T08:00:00+00:00"))),
    file("bar", Schedule(at("2026-12-10T03:00:00-05:00")), status="started", winner=None),
    file("plain", None, status="started"),
)
WINDOWS = ({"name": "BFCM", "start": "2026-11-27T00:00:00-05:00", "end": "2026-12-01T00:00:00-05:00"},)


def listed(calendar: Calendar) -> list[tuple[str, str]]:
    return [(entry.kind.value, entry.key or entry.name) for entry in calendar.entries]


EVERYTHING = [("freeze", "BFCM"), ("start", "foo"), ("end", "foo"), ("start", "bar")]


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        ("2026-11-01T00:00:00Z", EVERYTHING),
        # Inside the window: it is listed until its end.
        ("2026-11-30T23:59:59-05:00", EVERYTHING),
        # At its end the window is over (its end is not in it).
        ("2026-12-01T00:00:00-05:00", EVERYTHING[1:]),
        # A boundary at the clock is still to come: apply --due-only carries it out now.
        ("2026-12-01T08:00:00Z", EVERYTHING[1:]),
        ("2026-12-01T08:00:01Z", EVERYTHING[2:]),
        ("2026-12-10T08:00:00Z", EVERYTHING[2:]),
        ("2026-12-10T08:00:01Z", []),
    ],
)
def test_entries_from_the_clock_on_in_time_order(now: str, expected: list[tuple[str, str]]) -> None:
    calendar = gather(FILES, WINDOWS, clock(now), windows_path=CONFIG)
    assert listed(calendar) == expected
    assert calendar.now == clock(now) and not calendar.past_included


@pytest.mark.parametrize("now", ["2026-11-01T00:00:00Z", "2026-12-05T00:00:00Z", "2027-01-01T00:00:00Z"])
def test_past_lists_every_entry_whatever_the_clock(now: str) -> None:
    calendar = gather(FILES, WINDOWS, clock(now), past=True, windows_path=CONFIG)
    assert listed(calendar) == EVERYTHING and calendar.past_included


def test_each_entry_carries_what_its_file_or_window_says() -> None:
    calendar = gather(FILES, WINDOWS, clock("2026-11-01T00:00:00Z"), windows_path=CONFIG)
    freeze, start, end, other = calendar.entries
    assert (freeze.kind, freeze.name, freeze.path, freeze.key, freeze.winner) == (
        CalendarKind.FREEZE,
        "BFCM",
        CONFIG,
        None,
        None,
    )
    assert (freeze.when, freeze.until) == (at("2026-11-27T00:00:00-05:00"), at("2026-12-01T00:00:00-05:00"))
    # The time keeps the offset the file wrote it with.
    assert start.when.isoformat() == "2026-12-01T09:00:00+01:00" and start.until is None
    assert (start.key, start.name, start.path, start.winner) == (
        "foo",
        "Foo",
        Path("experiences/foo.yaml"),
        None,
    )
    assert (end.kind, end.winner) == (CalendarKind.END, "B")
    assert (other.kind, other.key, other.winner) == (CalendarKind.START, "bar", None)


def test_nothing_scheduled_is_an_empty_calendar() -> None:
    assert gather([file("plain", None)], (), clock("2026-11-01T00:00:00Z")).entries == ()
