"""The schedule block of an experience file: every time and every status it does not fit is one located
error; a schedule that holds is read into the experience."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from igops.files.loader import check_text

HEAD = """\
name: Scheduled hero
type: content/onsiteEdits
status: {status}
{winner}schedule:
{schedule}variations:
  - name: Control
    isControl: true
    percentage: 50
  - name: Challenger
    percentage: 50
    onsiteEdits:
      - title: Headline
        onsiteEditType: text
        find: Shop
        replace: Shop now
        querySelectors: ["h1"]
"""
START = "2026-12-07T09:00:00+01:00"
END = "2026-12-27T00:00:00-05:00"


def text(status: str, schedule: dict[str, str], winner: str | None = None) -> str:
    lines = "".join(f'  {bound}: "{moment}"\n' for bound, moment in schedule.items())
    return HEAD.format(status=status, winner=f"winner: {winner}\n" if winner else "", schedule=lines)


def errors(source: str) -> list[str]:
    return [str(error) for error in check_text(source, Path("experiences/hero.yaml")).errors]


@pytest.mark.parametrize(
    ("status", "schedule", "winner", "expected"),
    [
        (
            "started",
            {"start": "2026-12-07T09:00:00"},
            None,
            "experiences/hero.yaml:5:10: $.schedule.start: '2026-12-07T09:00:00' has no UTC offset, so it "
            "would "
            "mean another moment on each runner: write it with one, such as 2026-11-23T00:00:00-05:00 (or "
            "Z for "
            "UTC).",
        ),
        (
            "started",
            {"start": "next monday"},
            None,
            "experiences/hero.yaml:5:10: $.schedule.start: 'next monday' is not an ISO 8601 time, such as "
            "2026-11-23T00:00:00-05:00.",
        ),
        (
            "ended",
            {"start": END, "end": START},
            "Challenger",
            f"experiences/hero.yaml:7:8: $.schedule.end: schedule.end ({START}) is not after schedule.start "
            f"({END}).",
        ),
        (
            "ended",
            {"start": START},
            "Challenger",
            "experiences/hero.yaml:6:10: $.schedule.start: a start on a file that is already ended: with "
            "status: "
            "ended, schedule.start needs a schedule.end; or set status: started to start it on schedule.",
        ),
        (
            "draft",
            {"start": START},
            None,
            "experiences/hero.yaml:5:10: $.schedule.start: schedule.start goes with status: started (or "
            "ended, "
            "with an end), and the status is draft.",
        ),
        (
            "paused",
            {"start": START},
            None,
            "experiences/hero.yaml:5:10: $.schedule.start: schedule.start goes with status: started (or "
            "ended, "
            "with an end), and the status is paused.",
        ),
        (
            "started",
            {"end": END},
            None,
            "experiences/hero.yaml:5:8: $.schedule.end: schedule.end goes with status: ended and a winner "
            "(the "
            "end it times), and the status is started.",
        ),
        (
            "ended",
            {"end": END},
            None,
            "experiences/hero.yaml:5:8: $.schedule.end: a scheduled end of a test needs a winner: name the "
            "variation to roll out in winner:.",
        ),
    ],
)
def test_each_schedule_that_does_not_hold_is_one_located_error(
    status: str, schedule: dict[str, str], winner: str | None, expected: str
) -> None:
    assert errors(text(status, schedule, winner)) == [expected]


def test_a_schedule_block_is_closed_and_not_empty() -> None:
    [unknown] = errors(text("started", {"begin": START}))
    assert unknown.startswith("experiences/hero.yaml:5:3: $.schedule") and "begin" in unknown
    empty = HEAD.format(status="started", winner="", schedule="").replace("schedule:\n", "schedule: {}\n")
    [error] = errors(empty)
    assert error == "experiences/hero.yaml:4:1: $.schedule: needs at least one of its fields (start, end)."


def test_a_schedule_that_holds_is_read_with_its_offsets() -> None:
    result = check_text(
        text("ended", {"start": START, "end": END}, "Challenger"), Path("experiences/hero.yaml")
    )
    assert not result.errors and result.experience is not None
    schedule = result.experience.schedule
    assert schedule is not None
    assert schedule.start == datetime.fromisoformat(START) and schedule.end == datetime.fromisoformat(END)
    assert str(schedule.end.utcoffset()) == "-1 day, 19:00:00"
    assert "schedule" not in result.experience.body, "igops's own, never sent to the API"
