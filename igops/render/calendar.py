"""The calendar: aligned lines for a terminal, a markdown table for an issue or a wiki, JSON for machines.

One line per entry: when (as its file writes it), what (start, end, freeze), which experience or window,
how far from the clock, and the file that says so. The iCalendar feed is igops.render.calendar_ics.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import click

from igops.documents import json_text
from igops.documents.calendar import calendar_document, summary_line
from igops.model import Calendar, CalendarEntry, CalendarKind, ChangeKind
from igops.moments import clock_text, relative_text
from igops.render.markdown import DOCUMENT_LIMIT, leading_rows, markdown_table
from igops.render.plan_text import plain
from igops.render.untrusted import markdown_inline, terminal

_COLOURS = {
    CalendarKind.START: ChangeKind.START.row.colour,
    CalendarKind.END: ChangeKind.END.row.colour,
    CalendarKind.FREEZE: "yellow",
}
_HEADER = ("When", "Action", "Experience or window", "From now", "File")
_GAP = "  "


def entry_subject(entry: CalendarEntry, shown: Callable[[str], str]) -> str:
    """`pdp-sticky-bar (PDP sticky bar)`, `..., winner: Sticky bar` for an end, `BFCM, until 2026-12-02 00:00
    -05:00` for a freeze window: its untrusted parts through `shown`."""
    if entry.until is not None:
        return f"{shown(entry.name)}, until {clock_text(entry.until)}"
    winner = f", winner: {shown(entry.winner)}" if entry.winner is not None else ""
    return f"{shown(entry.key or '')} ({shown(entry.name)}){winner}"


def from_now(entry: CalendarEntry, now: float) -> str:
    """`in 5 days`, `3 hours ago`; a freeze window under way `now, ends in 2 days`, one over `ended 1 day
    ago`."""
    if entry.until is None or entry.when.timestamp() > now:
        return relative_text(entry.when, now)
    if entry.until.timestamp() > now:
        return f"now, ends {relative_text(entry.until, now)}"
    return f"ended {relative_text(entry.until, now)}"


def _cells(entry: CalendarEntry, now: float, shown: Callable[[str], str]) -> tuple[str, ...]:
    path = "" if entry.path is None else shown(str(entry.path))
    return (clock_text(entry.when), entry.kind.value, entry_subject(entry, shown), from_now(entry, now), path)


def render_calendar_text(calendar: Calendar, *, color: bool = False, width: int | None = None) -> str:
    style = click.style if color else plain
    rows = [_cells(entry, calendar.now, terminal) for entry in calendar.entries]
    widths = [max(len(row[column]) for row in rows) for column in range(len(_HEADER))] if rows else []
    lines = []
    for entry, row in zip(calendar.entries, rows, strict=True):
        padded = [cell.ljust(size) for cell, size in zip(row, widths, strict=True)]
        padded[1] = style(entry.kind.value, fg=_COLOURS[entry.kind]) + padded[1][len(entry.kind.value) :]
        lines.append(_GAP.join(padded).rstrip())
    closing = style(summary_line(calendar), bold=True)
    return "\n".join([*lines, "", closing] if lines else [closing])


def render_calendar_markdown(
    calendar: Calendar, *, color: bool = False, width: int | None = None, max_chars: int = DOCUMENT_LIMIT
) -> str:
    """A table, the soonest first, never over `max_chars`: the latest entries are left out first."""
    head = [f"**{markdown_inline(summary_line(calendar))}**"]
    if not calendar.entries:
        return head[0]
    rows: Sequence[Sequence[str]] = [
        _cells(entry, calendar.now, markdown_inline) for entry in calendar.entries
    ]
    # Every cell but the clock is escaped already; the clock is igops's own text.
    table = markdown_table([_HEADER, *rows], str, [False] * len(_HEADER))
    return leading_rows(head, table, len(rows), _left_out, max_chars)


def _left_out(count: int) -> str:
    return f"_{count} later not shown: `igops calendar --format json` has them all._"


def render_calendar_json(calendar: Calendar, *, color: bool = False, width: int | None = None) -> str:
    return json_text(calendar_document(calendar))
