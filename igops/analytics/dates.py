"""The date range of a report: what people type (`2026-11-01`), as the API wants it.

A bare date is a whole UTC day: as a start it means that day's first second, as an end the day's
last one (so `--start 2026-11-01 --end 2026-11-30` is all of November). A date-time may carry a
zone (`Z`, `+01:00`); without one it is UTC. Per-experience results take the range as epoch-second
strings (`startTs`, `endTs`), sitewide figures as ISO 8601 date-times with a zone (`start`, `end`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from igops.errors import IgopsError

_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")
DATE_FORMS = "YYYY-MM-DD, or an ISO 8601 date-time such as 2026-11-01T09:00:00Z"


class DateError(IgopsError, ValueError):
    """A range that cannot be asked for; the message is one sentence saying what to type instead."""


@dataclass(frozen=True)
class Window:
    """[start, end) in Unix seconds; None leaves that side to the API (an experience's whole run)."""

    start: int | None = None
    end: int | None = None

    def resource_query(self) -> dict[str, str]:
        """The range as the per-experience results endpoint takes it."""
        query = {}
        if self.start is not None:
            query["startTs"] = str(self.start)
        if self.end is not None:
            query["endTs"] = str(self.end)
        return query

    def sitewide_query(self) -> dict[str, str]:
        """The range as the sitewide endpoints take it."""
        return {
            name: iso(value)
            for name, value in (("start", self.start), ("end", self.end))
            if value is not None
        }


def iso(seconds: int) -> str:
    """A Unix time as an ISO 8601 date-time in UTC: 2026-11-01T00:00:00Z."""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_instant(text: str, what: str, *, end: bool = False) -> int:
    """Unix seconds of a date or date-time; a bare date as an end means the end of that day."""
    stripped = text.strip()
    try:
        moment = datetime.fromisoformat(stripped.replace("z", "Z"))
    except ValueError:
        raise DateError(f"The {what} {text!r} is not a date: write {DATE_FORMS}.") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        if end and _DATE_ONLY.fullmatch(stripped):
            moment += timedelta(days=1)
        return int(moment.timestamp())
    except (OverflowError, ValueError):
        raise DateError(f"The {what} {text!r} is out of range: give a date between 1970 and 9999.") from None


def recent_window(days: int, now: float) -> Window:
    """The last `days` days up to `now`, to the minute: the precision a range is shown in."""
    end = int(now) // 60 * 60
    return Window(end - days * 86_400, end)


def parse_window(start: str | None, end: str | None) -> Window:
    """The range `start` to `end` (either may be None); DateError when one is no date or they are reversed."""
    window = Window(
        None if start is None else parse_instant(start, "start"),
        None if end is None else parse_instant(end, "end", end=True),
    )
    if window.start is not None and window.end is not None and window.end <= window.start:
        raise DateError(
            f"The end {end!r} is not after the start {start!r}: give an end later than the start."
        )
    return window
