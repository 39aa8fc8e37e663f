"""`igops calendar`: the files' scheduled starts and ends and igops.yaml's freeze windows, in time order from
the clock on (all of them with --all), as text, markdown, JSON and an iCalendar feed; from the files alone,
without a token. Bad input is one sentence and exit 1; hostile names stay inert."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar as ICalendar
from support.cli import REPO, igops, work_in
from support.files import experience
from support.results import valid_json
from support.untrusted import assert_markdown_safe, assert_terminal_safe

from igops.files import check_text
from igops.files.yamldoc import dump
from igops.schemas import CALENDAR_SCHEMA

# Five days before the sticky bar starts; after BFCM, before the holidays' freeze.
NOW = "2026-12-02T09:00:00+01:00"
CONFIG = """\
policies:
  freeze:
    level: force
    windows:
      - {name: BFCM, start: "2026-11-27T00:00:00-05:00", end: "2026-12-01T00:00:00-05:00"}
      - {name: Holidays, start: "2026-12-20T00:00:00Z", end: "2026-12-27T00:00:00Z"}
"""


def scheduled(name: str, status: str, schedule: dict[str, str], **fields: Any) -> dict[str, Any]:
    return experience("content/advanced", name=name, status=status, schedule=schedule, **fields)


FILES = {
    "pdp-sticky-bar": scheduled(
        "PDP sticky bar",
        "ended",
        {"start": "2026-12-07T09:00:00+01:00", "end": "2026-12-21T09:00:00+01:00"},
        winner="Variant",
    ),
    "cart-upsell": scheduled("Cart upsell", "started", {"start": "2026-11-20T06:30:00+01:00"}),
    "homepage": experience("content/advanced", name="Homepage", status="draft"),
}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """FILES and CONFIG, and no token in the environment: the calendar never reads the account."""
    work_in(tmp_path, monkeypatch)
    monkeypatch.delenv("INTELLIGEMS_API_TOKEN")
    (tmp_path / "experiences").mkdir()
    for key, document in FILES.items():
        (tmp_path / "experiences" / f"{key}.yaml").write_text(dump(document))
    (tmp_path / "igops.yaml").write_text(CONFIG)
    return tmp_path


def entries(*options: str) -> list[tuple[str, str]]:
    result = igops("calendar", "--format", "json", *options)
    assert result.exit_code == 0, result.output
    document = valid_json(result.stdout, CALENDAR_SCHEMA)
    return [(entry["kind"], entry["key"] or entry["name"]) for entry in document["entries"]]


def test_text_lists_what_is_to_come_aligned_and_needs_no_token(project: Path) -> None:
    assert "INTELLIGEMS_API_TOKEN" not in os.environ
    result = igops("calendar", "--now", NOW)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "2026-12-07 09:00 +01:00  start   pdp-sticky-bar (PDP sticky bar)                   in 5 days"
        "            experiences/pdp-sticky-bar.yaml",
        "2026-12-20 00:00 +00:00  freeze  Holidays, until 2026-12-27 00:00 +00:00           in 17 days"
        " 16 hours  igops.yaml",
        "2026-12-21 09:00 +01:00  end     pdp-sticky-bar (PDP sticky bar), winner: Variant  in 19 days"
        "           experiences/pdp-sticky-bar.yaml",
        "",
        "From 2026-12-02 08:00 +00:00 on: 2 scheduled actions and 1 freeze window.",
    ]


CART = ("start", "cart-upsell")
BFCM = ("freeze", "BFCM")
STICKY = [("start", "pdp-sticky-bar"), ("freeze", "Holidays"), ("end", "pdp-sticky-bar")]


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        ("2026-11-01T00:00:00Z", [CART, BFCM, *STICKY]),
        ("2026-11-20T06:30:00+01:00", [CART, BFCM, *STICKY]),
        # Inside BFCM: the window is listed until it is over.
        ("2026-11-28T12:00:00Z", [BFCM, *STICKY]),
        (NOW, STICKY),
        ("2026-12-21T09:00:00+01:00", STICKY[1:]),
        ("2026-12-22T00:00:00Z", [("freeze", "Holidays")]),
        ("2027-01-01T00:00:00Z", []),
    ],
)
def test_the_clock_decides_what_is_to_come(project: Path, now: str, expected: list[tuple[str, str]]) -> None:
    assert entries("--now", now) == expected


def test_all_lists_the_past_too(project: Path) -> None:
    assert entries("--now", "2027-01-01T00:00:00Z", "--all") == [CART, BFCM, *STICKY]
    result = igops("calendar", "--now", NOW, "--all")
    lines = result.output.splitlines()
    assert lines[0].split("  ")[:2] == ["2026-11-20 06:30 +01:00", "start"]
    assert "12 days 2 hours ago" in lines[0] and "ended 1 day 3 hours ago" in lines[1]
    assert (
        lines[-1]
        == "Past and to come (now 2026-12-02 08:00 +00:00): 3 scheduled actions and 2 freeze windows."
    )


def test_a_window_under_way_says_when_it_ends(project: Path) -> None:
    line = igops("calendar", "--now", "2026-11-28T12:00:00Z").output.splitlines()[0]
    assert line.startswith("2026-11-27 00:00 -05:00  freeze  BFCM, until 2026-12-01 00:00 -05:00")
    assert "now, ends in 2 days 17 hours  igops.yaml" in line


def test_markdown_is_a_table(project: Path) -> None:
    result = igops("calendar", "--now", NOW, "--format", "markdown")
    assert result.exit_code == 0, result.output
    assert result.output == (
        "**From 2026-12-02 08:00 +00:00 on: 2 scheduled actions and 1 freeze window.**\n"
        "\n"
        "| When | Action | Experience or window | From now | File |\n"
        "| --- | --- | --- | --- | --- |\n"
        "| 2026-12-07 09:00 +01:00 | start | pdp-sticky-bar (PDP sticky bar) | in 5 days | "
        "experiences/pdp-sticky-bar.yaml |\n"
        "| 2026-12-20 00:00 +00:00 | freeze | Holidays, until 2026-12-27 00:00 +00:00 | in 17 days 16 hours "
        "| igops.yaml |\n"
        "| 2026-12-21 09:00 +01:00 | end | pdp-sticky-bar (PDP sticky bar), winner: Variant | in 19 days | "
        "experiences/pdp-sticky-bar.yaml |\n"
    )


def test_json_follows_its_schema(project: Path) -> None:
    document = valid_json(igops("calendar", "--now", NOW, "--format", "json").stdout, CALENDAR_SCHEMA)
    assert {key: document[key] for key in ("format_version", "now", "past_included")} == {
        "format_version": 1,
        "now": "2026-12-02T08:00:00Z",
        "past_included": False,
    }
    assert document["summary"] == "From 2026-12-02 08:00 +00:00 on: 2 scheduled actions and 1 freeze window."
    start, freeze, end = document["entries"]
    assert start == {
        "kind": "start",
        "when": "2026-12-07T09:00:00+01:00",
        "until": None,
        "key": "pdp-sticky-bar",
        "name": "PDP sticky bar",
        "path": "experiences/pdp-sticky-bar.yaml",
        "winner": None,
    }
    assert freeze == {
        "kind": "freeze",
        "when": "2026-12-20T00:00:00+00:00",
        "until": "2026-12-27T00:00:00+00:00",
        "key": None,
        "name": "Holidays",
        "path": "igops.yaml",
        "winner": None,
    }
    assert (end["kind"], end["when"], end["winner"]) == ("end", "2026-12-21T09:00:00+01:00", "Variant")
    everything = valid_json(igops("calendar", "--all", "--format", "json").stdout, CALENDAR_SCHEMA)
    assert everything["past_included"] is True and len(everything["entries"]) == 5


def feed(*options: str) -> ICalendar:
    result = igops("calendar", "--format", "ics", *options)
    assert result.exit_code == 0, result.output
    # RFC 5545's line ends, and nothing after the last one.
    assert result.stdout_bytes.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in result.stdout_bytes.replace(b"\r\n", b"")
    return ICalendar.from_ical(result.stdout_bytes)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def test_ics_is_a_feed_of_one_event_per_entry(project: Path) -> None:
    calendar = feed("--now", NOW, "--all")
    assert str(calendar["VERSION"]) == "2.0" and str(calendar["PRODID"]).startswith("-//igops//")
    events = calendar.walk("VEVENT")
    assert [(str(e["SUMMARY"]), e.decoded("DTSTART")) for e in events] == [
        ("Start: Cart upsell", utc("2026-11-20T06:30:00+01:00")),
        ("Freeze: BFCM", utc("2026-11-27T00:00:00-05:00")),
        ("Start: PDP sticky bar", utc("2026-12-07T09:00:00+01:00")),
        ("Freeze: Holidays", utc("2026-12-20T00:00:00Z")),
        ("End: PDP sticky bar", utc("2026-12-21T09:00:00+01:00")),
    ]
    cart, bfcm, start, holidays, end = events
    assert cart.decoded("DURATION") == timedelta(minutes=15) and "DTEND" not in cart
    assert bfcm.decoded("DTEND") == utc("2026-12-01T00:00:00-05:00") and "DURATION" not in bfcm
    assert end.decoded("DTSTAMP") == utc(NOW)
    assert str(end["DESCRIPTION"]) == (
        "igops ends pdp-sticky-bar (PDP sticky bar) at 2026-12-21 09:00 +01:00, winner: Variant.\n"
        "File: experiences/pdp-sticky-bar.yaml"
    )
    assert "pdp-sticky-bar" in str(start["DESCRIPTION"]) and "winner" not in str(start["DESCRIPTION"])
    assert "Holidays" in str(holidays["DESCRIPTION"]) and "igops.yaml" in str(holidays["DESCRIPTION"])
    assert len({str(event["UID"]) for event in events}) == 5


def test_ics_uids_are_the_same_in_every_run(project: Path) -> None:
    def uids(*options: str) -> dict[str, str]:
        return {str(event["SUMMARY"]): str(event["UID"]) for event in feed(*options).walk("VEVENT")}

    first = uids("--now", NOW)
    assert uids("--now", NOW) == first
    # Another run later: the events still to come keep their UIDs.
    later = uids("--now", "2026-12-10T00:00:00Z", "--all")
    assert {summary: later[summary] for summary in first} == first
    # A moved boundary is another event.
    path = project / "experiences" / "pdp-sticky-bar.yaml"
    path.write_text(path.read_text().replace("2026-12-07T09:00:00+01:00", "2026-12-08T09:00:00+01:00"))
    moved = uids("--now", NOW)
    assert moved["Start: PDP sticky bar"] != first["Start: PDP sticky bar"]
    assert moved["End: PDP sticky bar"] == first["End: PDP sticky bar"]


def test_nothing_to_come_is_said(project: Path) -> None:
    result = igops("calendar", "--now", "2027-01-01T00:00:00Z")
    assert result.exit_code == 0
    assert result.output == "From 2027-01-01 00:00 +00:00 on: no scheduled action and no freeze window.\n"
    assert igops("calendar", "--now", "2027-01-01T00:00:00Z", "--format", "markdown").output == (
        "**From 2027-01-01 00:00 +00:00 on: no scheduled action and no freeze window.**\n"
    )
    assert feed("--now", "2027-01-01T00:00:00Z").walk("VEVENT") == []


HOSTILE = "\x1b[31m @everyone #1 | *b* <img src=x> \u202eevil\u2066"


def test_hostile_names_stay_inert_in_text_and_markdown(project: Path) -> None:
    key = "a|b <img src=x> @everyone #1 `x` *y*"
    document = scheduled(f"Sticky {HOSTILE}", "started", {"start": "2026-12-08T09:00:00+01:00"})
    (project / "experiences" / f"{key}.yaml").write_text(dump(document))
    (project / "igops.yaml").write_text(CONFIG.replace("name: Holidays", f"name: {dump(HOSTILE).strip()}"))
    text = igops("calendar", "--now", NOW)
    assert text.exit_code == 0, text.output
    assert_terminal_safe(text.output, mark="u202eevil")
    markdown = igops("calendar", "--now", NOW, "--format", "markdown")
    assert markdown.exit_code == 0, markdown.output
    assert_markdown_safe(markdown.output, mark="u202eevil")
    summaries = [str(event["SUMMARY"]) for event in feed("--now", NOW).walk("VEVENT")]
    assert "Start: Sticky \\x1b[31m @everyone #1 | *b* <img src=x> \\u202eevil\\u2066" in summaries


@pytest.mark.parametrize(
    ("now", "sentence"),
    [
        ("tomorrow", "--now 'tomorrow' is not an ISO 8601 time, such as 2026-11-23T00:00:00-05:00."),
        ("2026-12-02T09:00:00", "--now '2026-12-02T09:00:00' has no UTC offset"),
    ],
)
def test_a_bad_clock_is_one_sentence(project: Path, now: str, sentence: str) -> None:
    result = igops("calendar", "--now", now)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith(f"Error: {sentence}") and len(result.stderr.splitlines()) == 1


def test_invalid_files_fail_as_validate_reports_them(project: Path) -> None:
    path = project / "experiences" / "pdp-sticky-bar.yaml"
    path.write_text(path.read_text().replace("2026-12-21T09:00:00+01:00", "2026-12-21 at nine"))
    result = igops("calendar")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.splitlines() == [
        "experiences/pdp-sticky-bar.yaml:14:8: $.schedule.end: '2026-12-21 at nine' is not an ISO 8601 time, "
        "such as 2026-11-23T00:00:00-05:00.",
        "1 error in 1 file (3 experience files checked).",
    ]


def test_an_invalid_freeze_window_is_located_in_igops_yaml(project: Path) -> None:
    (project / "igops.yaml").write_text(CONFIG.replace('end: "2026-12-27T00:00:00Z"', 'end: "soon"'))
    result = igops("calendar")
    assert result.exit_code == 1 and result.stdout == ""
    assert (
        result.stderr.startswith("Error: igops.yaml:6:") and "'soon' is not an ISO 8601 time" in result.stderr
    )


def test_readmes_calendar_section_follows_policies_and_its_example_file_is_valid() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert (
        readme.index("\n## Policies\n")
        < readme.index("\n## Calendar\n")
        < readme.index("\n## GitOps setup\n")
    )
    section = readme.split("\n## Calendar\n", 1)[1].split("\n## ", 1)[0]
    example = section.split("```yaml\n", 1)[1].split("```\n", 1)[0]
    checked = check_text(example, Path("experiences/pdp-sticky-bar.yaml"))
    assert checked.errors == () and checked.experience is not None
    assert checked.experience.schedule is not None and checked.experience.schedule.end is not None
    assert "| `started` + start | draft | started | (no end) started |" in section
