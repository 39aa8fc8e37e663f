"""Where in time traffic lies and how a range divides: the clock, the store's bounded history,
the date-times the sitewide endpoints take, and buckets. Wall-clock time only decides where
data lies, never what the numbers are, so it is asked in one place a test can fix."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import UTC, date, datetime

from .queries import AnalyticsQueryError
from .traffic import DAY, Counts, _add, _day_overlaps, _part

HISTORY_DAYS = 365  # the store's traffic begins this many whole UTC days before today
MAX_HOURLY_DAYS = 31  # an hourly series covers at most the latest this many days of its range
_HOUR = 3_600


def _now() -> int:
    # Every endpoint asks the time as `dates._now()`, through the module, so a test that fixes
    # the clock here fixes it for all of them.
    return int(time.time())


def _data_window(start: int, end: int, now: int) -> tuple[int, int]:
    """The part of [start, end) that holds traffic: none before the history, none after now."""
    return max(start, (now // DAY - HISTORY_DAYS) * DAY), min(end, now)


_DATE_TIME = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.[0-9]+)?"
    r"(?:Z|([+-])([0-9]{2}):([0-9]{2}))"
)


def _civil_days(year: int, month: int, day: int) -> int:
    """Days from 1970-01-01 to a proleptic Gregorian date; ValueError if it does not exist."""
    # The calendar repeats every 400 years (146,097 days); shifting the year into 2000-2399
    # lets datetime check the date and count the days for any four-digit year, 0000 included.
    shifted = date(2000 + year % 400, month, day)
    return (shifted - date(1970, 1, 1)).days + (year // 400 - 5) * 146_097


def _instant(value: object, field: str) -> int:
    """Unix seconds of a date-time as the description allows them: its pattern (a `T`, `Z` or a
    +hh:mm offset) and its format (RFC 3339: seconds too). Fractions are dropped."""
    match = _DATE_TIME.fullmatch(value) if isinstance(value, str) else None
    if match is not None:
        year, month, day, hour, minute, second = (int(part) for part in match.groups()[:6])
        sign, offset_hours, offset_minutes = match.groups()[6:]
        zone_hours, zone_minutes = int(offset_hours or 0), int(offset_minutes or 0)
        try:
            days = _civil_days(year, month, day)
        except ValueError:
            days = None
        if days is not None and max(hour, zone_hours) < 24 and max(minute, second, zone_minutes) < 60:
            offset = (zone_hours * _HOUR + zone_minutes * 60) * (-1 if sign == "-" else 1)
            return days * DAY + hour * _HOUR + minute * 60 + second - offset
    raise AnalyticsQueryError(
        field, f"{field} must be an ISO 8601 date-time with a time zone, like 2025-01-01T00:00:00Z."
    )


def _bucket(instant: int, granularity: str) -> tuple[int, int]:
    """[start, end) of the hour, UTC day, week (from Monday) or calendar month holding `instant`."""
    if granularity == "hour":
        return instant - instant % _HOUR, instant - instant % _HOUR + _HOUR
    day = instant // DAY
    if granularity == "day":
        return day * DAY, (day + 1) * DAY
    if granularity == "week":
        monday = day - (day + 3) % 7  # day 0, 1970-01-01, was a Thursday
        return monday * DAY, (monday + 7) * DAY
    moment = datetime.fromtimestamp(instant, UTC)
    first = datetime(moment.year, moment.month, 1, tzinfo=UTC)
    following = datetime(moment.year + moment.month // 12, moment.month % 12 + 1, 1, tzinfo=UTC)
    return int(first.timestamp()), int(following.timestamp())


def _buckets(start: int, end: int, granularity: str) -> list[tuple[int, int, int]]:
    """(bucket start, covered from, covered until) of each bucket [start, end) touches."""
    buckets = []
    cursor = start
    while cursor < end:
        first, following = _bucket(cursor, granularity)
        buckets.append((first, cursor, min(following, end)))
        cursor = following
    return buckets


def _bucket_label(instant: int, pattern: str) -> str:
    return datetime.fromtimestamp(instant, UTC).strftime(pattern)


def _window_total(start: int, end: int, day_counts: Callable[[int], Counts], empty: Counts) -> Counts:
    """The counts of [start, end), from whole-day counts (a part of a day is its share of it)."""
    return _add(empty, *(_part(day_counts(day), fraction) for day, fraction in _day_overlaps(start, end)))
