"""The calendar's renderers beyond the command's tests: its formats, a markdown table kept within its bound
(the latest entries left out first), and iCalendar UIDs that name the moment, not how it is written."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from igops.model import Calendar, CalendarEntry, CalendarKind
from igops.render.calendar import render_calendar_markdown
from igops.render.calendar_ics import event_uid
from igops.render.formats import CALENDAR_FORMATS
from igops.render.markdown import leading_rows

START = datetime.fromisoformat("2026-12-07T09:00:00+01:00")


def starts(count: int) -> Calendar:
    return Calendar(
        START.timestamp() - 86_400,
        tuple(
            CalendarEntry(
                CalendarKind.START,
                START + timedelta(days=day),
                f"Test {day}",
                Path(f"experiences/test-{day}.yaml"),
                f"test-{day}",
            )
            for day in range(count)
        ),
    )


def test_the_calendar_offers_the_three_documents_and_a_feed() -> None:
    assert (
        CALENDAR_FORMATS.names == ["text", "markdown", "json", "ics"] and CALENDAR_FORMATS.default == "text"
    )
    assert (
        "schemas/calendar.schema.json" in CALENDAR_FORMATS.help
        and "ics for calendar apps" in CALENDAR_FORMATS.help
    )


def test_markdown_keeps_the_soonest_rows_within_its_bound() -> None:
    whole = render_calendar_markdown(starts(40))
    assert whole.count("\n| 20") == 40
    bounded = render_calendar_markdown(starts(40), max_chars=len(whole) // 2)
    assert len(bounded) <= len(whole) // 2
    rows = [line for line in bounded.splitlines() if line.startswith("| 20")]
    assert rows == [line for line in whole.splitlines() if line.startswith("| 20")][: len(rows)]
    assert bounded.endswith(
        f"_{40 - len(rows)} later not shown: `igops calendar --format json` has them all._"
    )
    assert 0 < len(rows) < 40


def test_leading_rows_keeps_the_first_rows_that_fit_and_says_how_many_are_left_out() -> None:
    table = ["| a |", "| --- |", *(f"| row {index} |" for index in range(5))]

    def shown(max_chars: int) -> str:
        return leading_rows(["head"], table, 5, lambda left: f"_{left} left_", max_chars)

    whole = "head\n\n" + "\n".join(table)
    assert shown(len(whole)) == whole
    two = "head\n\n| a |\n| --- |\n| row 0 |\n| row 1 |\n\n_3 left_"
    assert shown(len(two)) == two and shown(len(two) + 9) == two
    assert shown(len("head\n\n| a |\n| --- |\n\n_5 left_")) == "head\n\n| a |\n| --- |\n\n_5 left_"


def test_a_uid_names_the_moment_whatever_its_offset() -> None:
    entry = starts(1).entries[0]
    elsewhere = CalendarEntry(
        entry.kind, datetime.fromisoformat("2026-12-07T03:00:00-05:00"), "Renamed", entry.path, entry.key
    )
    assert event_uid(elsewhere) == event_uid(entry)
    assert event_uid(CalendarEntry(CalendarKind.END, entry.when, entry.name, entry.path, entry.key)) != (
        event_uid(entry)
    )
