"""Moments as people write them in files: ISO 8601 with a UTC offset, read once here, and how a moment and a
distance in time read in a plan.

Beside igops.text at the bottom of the layers: the files, igops.yaml, the lifecycle and the renderers all
read and word times through it, so a freeze window and a schedule say a time the same way.
"""

from __future__ import annotations

from datetime import UTC, datetime

_UNITS = (("day", 86_400), ("hour", 3_600), ("minute", 60))


def offset_time(text: str) -> tuple[datetime | None, str | None]:
    """The moment `text` names, or why it is not ISO 8601 with a UTC offset (one sentence)."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None, f"{text!r} is not an ISO 8601 time, such as 2026-11-23T00:00:00-05:00."
    if moment.tzinfo is None:
        return None, (
            f"{text!r} has no UTC offset, so it would mean another moment on each runner: write it "
            "with one, such as 2026-11-23T00:00:00-05:00 (or Z for UTC)."
        )
    return moment, None


def clock_text(moment: datetime) -> str:
    """`2026-12-07 09:00 +01:00`: to the minute, in the offset it was written with."""
    offset = moment.strftime("%z")
    return f"{moment:%Y-%m-%d %H:%M} {offset[:3]}:{offset[3:]}" if offset else f"{moment:%Y-%m-%d %H:%M}"


def how_long(seconds: float) -> str:
    """`5 days`, `3 hours`, `1 day 4 hours`, `20 minutes`, `less than a minute`: a distance in time, to the
    two largest units that count."""
    whole = int(abs(seconds))
    parts: list[tuple[int, str]] = []
    for unit, size in _UNITS:
        amount, whole = divmod(whole, size)
        if amount or parts:
            parts.append((amount, unit))
    stated = [f"{amount} {unit}{'' if amount == 1 else 's'}" for amount, unit in parts[:2] if amount]
    return " ".join(stated) if stated else "less than a minute"


def relative_text(moment: datetime, now: float) -> str:
    """`in 5 days`, `3 hours ago`: `moment` told from the clock `now` (Unix seconds)."""
    distance = moment.timestamp() - now
    return f"in {how_long(distance)}" if distance >= 0 else f"{how_long(distance)} ago"


def utc_text(now: float) -> str:
    """A clock (Unix seconds) as ISO 8601 in UTC, as documents record it: `2026-12-04T09:00:00Z`."""
    return datetime.fromtimestamp(now, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
