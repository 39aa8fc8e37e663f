"""The calendar: when the files' schedules start and end experiences, and igops.yaml's freeze windows, in
time order from the clock on (`igops calendar`). Pure: it reads what was loaded, never the account, so that
a job without a token can publish it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from igops.model import Calendar, CalendarEntry, CalendarKind, DesiredExperience

# At one moment an end comes before a start (one test makes way for the next), and a freeze beginning then
# after both.
_ORDER = {CalendarKind.END: 0, CalendarKind.START: 1, CalendarKind.FREEZE: 2}


def gather(
    experiences: Sequence[DesiredExperience],
    windows: Sequence[Mapping[str, Any]],
    now: float,
    *,
    past: bool = False,
    windows_path: Path | None = None,
) -> Calendar:
    """The schedule boundaries of `experiences` at or after `now` (Unix seconds) and the freeze `windows`
    (igops.yaml's, as `windows_path` writes them: name, start, end) not over by then, in time order; with
    `past`, every one of them."""
    entries = [*_boundaries(experiences), *(_freeze(window, windows_path) for window in windows)]
    kept = [entry for entry in entries if past or _to_come(entry, now)]
    return Calendar(now, _in_order(kept), past)


def _in_order(entries: Sequence[CalendarEntry]) -> tuple[CalendarEntry, ...]:
    return tuple(
        sorted(
            entries, key=lambda entry: (entry.when.timestamp(), _ORDER[entry.kind], entry.key or entry.name)
        )
    )


def _boundaries(experiences: Sequence[DesiredExperience]) -> Iterator[CalendarEntry]:
    for experience in experiences:
        if experience.schedule is None:
            continue
        for action, moment in experience.schedule.boundaries:
            kind = CalendarKind(action.value)
            winner = experience.winner if kind is CalendarKind.END else None
            yield CalendarEntry(kind, moment, experience.name, experience.path, experience.key, winner)


def _freeze(window: Mapping[str, Any], path: Path | None) -> CalendarEntry:
    start, end = (datetime.fromisoformat(window[bound]) for bound in ("start", "end"))
    return CalendarEntry(CalendarKind.FREEZE, start, window["name"], path, until=end)


def _to_come(entry: CalendarEntry, now: float) -> bool:
    """A boundary at or after `now` (one due this very second is still to be carried out); a window not
    over, which it is at its end (not included)."""
    if entry.until is None:
        return entry.when.timestamp() >= now
    return entry.until.timestamp() > now


def merged_calendars(calendars: Mapping[str, Calendar], now: float, *, past: bool = False) -> Calendar:
    """The calendars of several stores as one, in time order: a file's entry names its store (`us/KEY`); a
    freeze window every store has is one entry, one only some stores have names them."""
    windows: dict[CalendarEntry, list[str]] = {}
    entries = []
    for store, calendar in calendars.items():
        for entry in calendar.entries:
            if entry.kind is CalendarKind.FREEZE:
                windows.setdefault(entry, []).append(store)
            else:
                entries.append(dataclasses.replace(entry, key=f"{store}/{entry.key}"))
    for window, stores in windows.items():
        named = window.name if len(stores) == len(calendars) else f"{window.name} ({', '.join(stores)})"
        entries.append(dataclasses.replace(window, name=named))
    return Calendar(now, _in_order(entries), past_included=past)
