"""The calendar as JSON data (schemas/calendar.schema.json), and its summary line."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from igops.model import Calendar, CalendarKind
from igops.moments import clock_text, utc_text
from igops.text import counted

CALENDAR_FORMAT_VERSION = 1


def summary_line(calendar: Calendar) -> str:
    """`From 2026-12-02 08:00 +00:00: 2 scheduled actions and 1 freeze window.`; with past entries, `Past
    and to come (now 2026-12-02 08:00 +00:00): ...`."""
    now = clock_text(datetime.fromtimestamp(calendar.now, UTC))
    actions = calendar.count(CalendarKind.START, CalendarKind.END)
    windows = calendar.count(CalendarKind.FREEZE)
    if not calendar.entries:
        found = "no scheduled action and no freeze window"
    else:
        found = " and ".join(
            counted(count, noun)
            for count, noun in ((actions, "scheduled action"), (windows, "freeze window"))
            if count
        )
    where = f"Past and to come (now {now})" if calendar.past_included else f"From {now} on"
    return f"{where}: {found}."


def calendar_document(calendar: Calendar) -> dict[str, Any]:
    """The calendar as JSON data (schemas/calendar.schema.json)."""
    return {
        "format_version": CALENDAR_FORMAT_VERSION,
        "now": utc_text(calendar.now),
        "past_included": calendar.past_included,
        "summary": summary_line(calendar),
        "entries": [
            {
                "kind": entry.kind.value,
                "when": entry.when.isoformat(),
                "until": None if entry.until is None else entry.until.isoformat(),
                "key": entry.key,
                "name": entry.name,
                "path": None if entry.path is None else str(entry.path),
                "winner": entry.winner,
            }
            for entry in calendar.entries
        ],
    }
