"""The calendar as an iCalendar feed (RFC 5545) that calendar apps subscribe to: one event per scheduled start
or end, one spanning each freeze window.

Each event's UID is derived from what it is (the experience's key, start or end, and the moment; a window's
name and its span), so a feed published again updates the events a subscriber has rather than adding them
twice, and an event moves to a new UID only when its moment does. Times are given in UTC (the file's own
offset has no time zone definition a calendar app could read) and the descriptions say them as written.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from icalendar import Calendar as ICalendar
from icalendar import Event

from igops import __version__
from igops.model import Calendar, CalendarEntry, CalendarKind
from igops.moments import clock_text
from igops.render.untrusted import terminal

PRODID = f"-//igops//igops calendar {__version__}//EN"
# Every UID is a UUID named in this namespace, so that no other generator's UIDs can meet igops's.
UID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "igops:calendar")
# A start or an end is a moment; calendar apps show an event of a few minutes best.
ACTION_LENGTH = timedelta(minutes=15)
_TITLES = {CalendarKind.START: "Start", CalendarKind.END: "End", CalendarKind.FREEZE: "Freeze"}


def event_uid(entry: CalendarEntry) -> str:
    """The event's UID: the same for the same entry in every run, whatever offset its time is written in."""
    if entry.until is not None:
        what = [entry.kind.value, entry.name, _utc(entry.when), _utc(entry.until)]
    else:
        what = [entry.kind.value, entry.key or "", _utc(entry.when)]
    return str(uuid.uuid5(UID_NAMESPACE, "\n".join(what)))


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _description(entry: CalendarEntry) -> str:
    # Text from files goes through `terminal`: iCalendar has no place for control characters.
    path = terminal(str(entry.path)) if entry.path is not None else "igops.yaml"
    if entry.until is not None:
        return (
            f"Freeze window {terminal(entry.name)} ({path}, policies.freeze), {clock_text(entry.when)} to "
            f"{clock_text(entry.until)}: the freeze policy checks every start, end and change of a running "
            "test's split in it."
        )
    verb = "starts" if entry.kind is CalendarKind.START else "ends"
    winner = f", winner: {terminal(entry.winner)}" if entry.winner is not None else ""
    subject = f"{terminal(entry.key or '')} ({terminal(entry.name)})"
    return f"igops {verb} {subject} at {clock_text(entry.when)}{winner}.\nFile: {path}"


def render_calendar_ics(calendar: Calendar, *, color: bool = False, width: int | None = None) -> str:
    """The feed, its lines ending in CRLF as RFC 5545 has them (and folded by icalendar)."""
    feed = ICalendar()
    feed.add("prodid", PRODID)
    feed.add("version", "2.0")
    stamp = datetime.fromtimestamp(calendar.now, UTC)
    for entry in calendar.entries:
        event = Event()
        event.add("uid", event_uid(entry))
        event.add("dtstamp", stamp)
        event.add("dtstart", entry.when.astimezone(UTC))
        if entry.until is None:
            event.add("duration", ACTION_LENGTH)
        else:
            event.add("dtend", entry.until.astimezone(UTC))
        event.add("summary", f"{_TITLES[entry.kind]}: {terminal(entry.name)}")
        event.add("description", _description(entry))
        feed.add_component(event)
    text: bytes = feed.to_ical()
    return text.decode("utf-8")
