"""igops report, sitewide and monitor against the emulator: every format (JSON against its schema), and
bad input as one sentence with exit 1.

The commands are called as command objects: the group in igops/cli/__init__.py registers them."""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from support.cli import fast_retries, igops
from support.emulator import TOKEN, new_sandbox, serve_over_http
from support.files import experience
from support.results import ab_test, invoke, results_project, valid_json

from igops.cli.monitor_command import monitor_command
from igops.cli.report_command import report_command
from igops.cli.sitewide_command import sitewide_command
from igops.sandbox import Faults
from igops.schemas import MONITOR_SCHEMA, REPORT_SCHEMA, SITEWIDE_SCHEMA

# Long enough that the markers show at any traffic the emulator draws; hero is at its 14-day milestone.
ACCOUNT = {
    "hero": ab_test("Hero headline", "started 14.5 days ago, sample ratio mismatch"),
    "quick-add": ab_test("Quick add", "started 60 days ago, conversion collapse"),
    "sticky-bar": ab_test("Sticky bar", "started 20 days ago, uplift +10%"),
    "theme": ab_test("Spring theme", status="draft"),
}


@pytest.fixture
def account(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return results_project(tmp_path, monkeypatch, ACCOUNT)


def days_ago(days: int) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).strftime("%Y-%m-%d")


def one_error_line(output: str) -> str:
    lines = output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), output
    assert "Traceback" not in output
    return lines[0]


# --- report ---------------------------------------------------------------------------------------


def test_report_shows_each_started_experience_as_tables(account: Path) -> None:
    result = invoke(report_command)
    assert result.exit_code == 0, result.output
    text = result.output
    assert (
        text.index("hero (Hero headline): started, 14.5 days live since")
        < text.index("quick-add")
        < text.index("sticky-bar (Sticky bar): started, 20.0 days live")
    )
    for column in (
        "Variation",
        "Visitors",
        "Orders",
        "Conversion",
        "Revenue / visitor",
        "Uplift (95% interval)",
        "Beats control",
    ):
        assert column in text
    assert "Control (control)" in text and "Verdict: " in text
    assert "Uplift and chance to beat the control are on net revenue per visitor, the primary metric." in text
    assert (
        "Report: 3 experiences with results, over each experience's whole run. Not started yet: theme."
    ) in text
    assert "\x1b" not in text


def test_before_a_verdict_the_report_names_the_primary_metric_the_file_declares_or_says_there_is_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    declared = [
        {"standardEventId": "addToCartRate", "isPrimary": False},
        {"standardEventId": "conversionRate", "isPrimary": True},
    ]
    results_project(
        tmp_path,
        monkeypatch,
        {
            "young": ab_test("Young test", "started 1 days ago", experienceKeyMetrics=declared),
            "unmarked": ab_test("Unmarked test", "started 1 days ago"),
        },
    )
    result = invoke(report_command, "--format", "json")
    assert result.exit_code == 0, result.output
    document = valid_json(result.output, REPORT_SCHEMA)
    verdicts = {e["key"]: (e["verdict"] or {}).get("verdict") for e in document["experiences"]}
    assert verdicts == {"unmarked": "not_ready", "young": "not_ready"}, "no verdict names a metric yet"
    assert {e["key"]: e["primary_metric"] for e in document["experiences"]} == {
        "unmarked": None,
        "young": "conversion_rate",
    }
    text = invoke(report_command).output
    assert "Uplift and chance to beat the control are on conversion rate, the primary metric." in text
    assert "There is no primary metric: the experience marks no standard metric isPrimary" in text


def test_report_in_markdown_has_a_table_per_experience(account: Path) -> None:
    result = invoke(report_command, "--format", "markdown")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("**Report: 3 experiences with results")
    assert "### hero (Hero headline)" in result.output
    assert "| Variation | Visitors | Orders | Conversion |" in result.output
    assert result.output.count("| --- | ---: | ---: |") == 3
    assert result.output.count("**Verdict:**") == 3


def test_report_in_json_follows_its_schema(account: Path) -> None:
    result = invoke(report_command, "--format", "json", "quick-add", "experiences/hero.yaml")
    assert result.exit_code == 0, result.output
    document = valid_json(result.output, REPORT_SCHEMA)
    assert [e["key"] for e in document["experiences"]] == ["hero", "quick-add"]
    collapsed = document["experiences"][1]
    control, challenger = collapsed["variations"]
    assert control["is_control"] and control["uplift"] is None and control["visitors"] > 1000
    assert challenger["conversion_uplift"]["ci_high"] < 0
    assert collapsed["verdict"]["verdict"] == "strong_loss"
    assert collapsed["days_live"] == pytest.approx(60, abs=0.01)
    assert document["start"] is None and document["not_started"] == []


def test_report_over_a_date_range(account: Path) -> None:
    whole = valid_json(invoke(report_command, "--format", "json", "sticky-bar").output, REPORT_SCHEMA)
    part = valid_json(
        invoke(
            report_command, "--format", "json", "sticky-bar", "--start", days_ago(10), "--end", days_ago(4)
        ).output,
        REPORT_SCHEMA,
    )
    assert part["start"] == f"{days_ago(10)}T00:00:00Z" and part["end"] == f"{days_ago(3)}T00:00:00Z"
    visitors = [sum(v["visitors"] for v in doc["experiences"][0]["variations"]) for doc in (whole, part)]
    assert 0 < visitors[1] < visitors[0]
    text = invoke(report_command, "sticky-bar", "--start", days_ago(10), "--end", days_ago(4)).output
    assert f"Report: 1 experience with results, {days_ago(10)} to {days_ago(4)}." in text


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--start", "2026-13-01"), "Error: The start '2026-13-01' is not a date: write YYYY-MM-DD"),
        (("--end", "next tuesday"), "Error: The end 'next tuesday' is not a date"),
        (
            ("--start", "2026-11-30", "--end", "2026-11-01"),
            "Error: The end '2026-11-01' is not after the start",
        ),
        # Before 2001 a Unix time has nine digits, which the API refuses.
        (("--start", "1990-01-01"), "Error: The Intelligems API refused POST /analytics/resource/"),
        (("theme",), "Error: theme: it has never started (pending), so it has no results yet."),
        (("nowhere",), "Error: nowhere: no experience file has that key or path"),
    ],
)
def test_report_bad_input_is_one_sentence(account: Path, args: tuple[str, ...], expected: str) -> None:
    result = invoke(report_command, *args)
    assert result.exit_code == 1
    assert one_error_line(result.output).startswith(expected)


def test_report_of_a_file_not_yet_in_the_account(account: Path) -> None:
    (account / "experiences" / "new.yaml").write_text(
        (account / "experiences" / "theme.yaml").read_text().replace("Spring theme", "Brand new")
    )
    result = invoke(report_command, "new")
    assert result.exit_code == 1
    assert one_error_line(result.output) == (
        "Error: new: not in the account yet, so it has no results (igops apply creates it)."
    )


HELD_OUT = (
    "By design, No banner (the control) has no visitors: its share of traffic is 0% (a personalization that "
    "holds out no one), so there is no uplift or chance to beat the control."
)


def test_a_personalization_that_holds_out_no_one_says_why_its_control_has_no_visitors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    banner = experience(
        "personalization",
        name="Welcome back",
        description="Welcome back, a personalization. [sandbox started 16 days ago]",
        status="started",
        variations=[
            {"name": "No banner", "isControl": True, "percentage": 0},
            {
                "name": "Banner",
                "percentage": 100,
                "onsiteEdits": [{"find": "Hello", "replace": "Welcome back"}],
            },
        ],
        experienceKeyMetrics=[{"standardEventId": "conversionRate", "isPrimary": True}],
    )
    project = results_project(tmp_path, monkeypatch, {"banner": banner})

    text = invoke(report_command).output
    [control] = [line for line in text.splitlines() if line.startswith("No banner")]
    assert control.split() == ["No", "banner", "(control,", "0%", "of", "traffic)", "0", "0"], text
    [challenger] = [line for line in text.splitlines() if line.startswith("Banner ")]
    assert len(challenger.split()) == 5 and "%" in challenger, "visitors, orders and rates; nothing compared"
    assert f"{HELD_OUT} Verdict: none: the control has no visitors by design" in text

    markdown = invoke(report_command, "--format", "markdown").output
    assert "| No banner (control, 0% of traffic) | 0 | 0 |  |  |  |  |" in markdown and HELD_OUT in markdown

    document = valid_json(invoke(report_command, "--format", "json").output, REPORT_SCHEMA)
    held_out, shown = document["experiences"][0]["variations"]
    assert (held_out["percentage"], held_out["visitors"], held_out["conversion_rate"]) == (0, 0, None)
    assert shown["visitors"] > 1000 and shown["uplift"] is None and shown["p2bc"] is None

    # Ending it: the plan shows its results as the report does.
    path = project / "experiences" / "banner.yaml"
    path.write_text(path.read_text().replace("status: started", "status: ended\nwinner: Banner"))
    plan = igops("plan").output
    assert f"results so far: started, 16.0 days live since {days_ago(16)}; b{HELD_OUT[1:]}" in plan, plan
    assert "No banner (control, 0% of traffic)" in plan and "Banner (winner)" in plan
    assert "impact: there is no estimate of the monthly revenue impact: the control has no visitors" in plan


# --- sitewide -------------------------------------------------------------------------------------


def test_sitewide_in_every_format(account: Path) -> None:
    dates = ("--start", days_ago(14), "--end", days_ago(1))
    text = invoke(sitewide_command, *dates)
    assert text.exit_code == 0, text.output
    assert text.output.startswith(
        f"Sitewide, {days_ago(14)} to {days_ago(1)}, against {days_ago(28)} to {days_ago(15)} (the period of "
        "the same length just before); money in USD."
    )
    for label in (
        "Net revenue per visitor",
        "Net revenue",
        "Visitors",
        "Orders",
        "Conversion rate",
        "Previous period",
        "Change",
    ):
        assert label in text.output
    markdown = invoke(sitewide_command, *dates, "--format", "markdown")
    assert "| Figure | Range | Previous period | Change |" in markdown.output
    document = valid_json(invoke(sitewide_command, *dates, "--format", "json").output, SITEWIDE_SCHEMA)
    assert document["has_traffic"] and document["currency"] == "USD"
    assert [f["key"] for f in document["figures"]] == [
        "net_revenue_per_visitor",
        "net_revenue",
        "n_visitors",
        "n_orders",
        "conversion_rate",
    ]
    visitors = next(f for f in document["figures"] if f["key"] == "n_visitors")
    assert visitors["value"] > 10_000 and visitors["previous"] > 10_000
    assert visitors["value"] / visitors["previous"] - 1 == pytest.approx(visitors["change"], abs=1e-4)


def test_sitewide_of_a_range_without_traffic(account: Path) -> None:
    future = (datetime.now(UTC) + timedelta(days=30)).strftime("%Y-%m-%d")
    result = invoke(sitewide_command, "--start", future, "--end", future, "--format", "json")
    document = valid_json(result.output, SITEWIDE_SCHEMA)
    assert not document["has_traffic"] and "no visitors in that range" in document["summary"]
    assert (
        invoke(sitewide_command, "--start", future, "--end", future)
        .output.strip()
        .endswith("no visitors in that range.")
    )


def test_sitewide_without_dates_covers_the_last_30_days_and_says_so(account: Path) -> None:
    before = time.time()
    document = valid_json(invoke(sitewide_command, "--format", "json").output, SITEWIDE_SCHEMA)
    start, end = (datetime.fromisoformat(document[side]).timestamp() for side in ("start", "end"))
    assert before - 60 <= end <= time.time() and end - start == 30 * 86_400
    assert document["has_traffic"]
    assert document["summary"].startswith(f"Sitewide, the last 30 days by default ({document['start'][:10]} ")
    text = invoke(sitewide_command)
    assert text.exit_code == 0, text.output
    assert text.output.startswith("Sitewide, the last 30 days by default (") and "Visitors" in text.output
    markdown = invoke(sitewide_command, "--format", "markdown").output
    assert markdown.startswith("**Sitewide, the last 30 days by default (")
    given = invoke(sitewide_command, "--start", days_ago(14), "--end", days_ago(1)).output
    assert "by default" not in given


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ("--start", "2026-11-01"),
            "Error: --end is needed with --start: give the range's last day too, such as "
            "--start 2026-11-01 --end 2026-11-30, or neither for the last 30 days.",
        ),
        (
            ("--end", "2026-11-30"),
            "Error: --start is needed with --end: give the range's first day too, such as "
            "--start 2026-11-01 --end 2026-11-30, or neither for the last 30 days.",
        ),
        (
            ("--start", "2026-11-01", "--end", "2026-10-01"),
            "Error: The end '2026-10-01' is not after the start",
        ),
        (("--start", "0000-01-01", "--end", "2026-10-01"), "Error: The start '0000-01-01' is not a date"),
    ],
)
def test_sitewide_bad_input_is_one_sentence(account: Path, args: tuple[str, ...], expected: str) -> None:
    result = invoke(sitewide_command, *args)
    assert result.exit_code == 1
    assert one_error_line(result.output).startswith(expected)


def test_sitewide_rate_limited_is_one_sentence(account: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fast_retries(monkeypatch)
    sandbox = new_sandbox(faults=Faults(throttle_rate=1.0))
    with serve_over_http(sandbox) as url:
        result = invoke(sitewide_command, "--api", url, "--start", days_ago(7), "--end", days_ago(1))
    assert result.exit_code == 1
    line = one_error_line(result.output)
    assert "rate limited" in line and "/analytics/sitewide/snapshot" in line and TOKEN not in line


# --- monitor --------------------------------------------------------------------------------------


def test_monitor_alerts_on_the_marked_experiences_and_exits_2(account: Path) -> None:
    result = invoke(monitor_command)
    assert result.exit_code == 2, result.output
    lines = result.output.splitlines()
    assert any(line.startswith("! sample-ratio mismatch  hero (Hero headline): ") for line in lines)
    assert any(
        line.startswith("! conversion collapse  quick-add (Quick add): Variant converts at") for line in lines
    )
    assert any(line.startswith("! milestone  hero (Hero headline): 14 days live today") for line in lines)
    assert "Monitor: " in result.output and "of 3 running experiences." in result.output
    assert "Rules (igops.yaml monitor): sample-ratio mismatch below p 0.001;" in result.output


def test_monitor_as_an_issue_body_and_as_json(account: Path) -> None:
    markdown = invoke(monitor_command, "--format", "markdown")
    assert markdown.exit_code == 2
    assert markdown.output.startswith("**Monitor: ")
    assert "### hero (Hero headline)" in markdown.output
    assert "- **Sample-ratio mismatch:** " in markdown.output
    assert "- **Conversion collapse:** " in markdown.output and "- **Milestone:** " in markdown.output
    document = valid_json(invoke(monitor_command, "--format", "json").output, MONITOR_SCHEMA)
    assert document["fired"] and document["checked"] == ["hero", "quick-add", "sticky-bar"]
    rules = {(alert["rule"], alert["key"]) for alert in document["alerts"]}
    assert {
        ("sample-ratio-mismatch", "hero"),
        ("conversion-collapse", "quick-add"),
        ("milestone", "hero"),
    } <= rules
    srm = next(alert for alert in document["alerts"] if alert["rule"] == "sample-ratio-mismatch")
    assert srm["figures"]["p_value"] < 0.001 and srm["figures"]["degrees_of_freedom"] == 1


def test_monitor_without_alerts_exits_0(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    results_project(
        tmp_path,
        monkeypatch,
        {"steady": ab_test("Steady", "started 20 days ago, srm"), "draft": ab_test("Draft", status="draft")},
        config="monitor:\n  sample_ratio_mismatch: {enabled: false}\n",
    )
    result = invoke(monitor_command)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Monitor: no alerts on 1 running experience.")
    document = valid_json(invoke(monitor_command, "--format", "json").output, MONITOR_SCHEMA)
    assert document == {**document, "fired": False, "alerts": [], "checked": ["steady"]}
    assert document["rules"]["sample_ratio_mismatch"] is None
    assert invoke(monitor_command, "--format", "markdown").output.startswith(
        "**Monitor: no alerts on 1 running experience.**"
    )


# --- monitor: due soon ---------------------------------------------------------------------------------

EST = timezone(timedelta(hours=-5))
HOUR = 3_600
# The other rules stay quiet, whatever traffic the emulator draws: due soon alone is what these look at.
QUIET = (
    "monitor:\n  sample_ratio_mismatch: {enabled: false, p_value: 0.000000001}\n"
    "  conversion_collapse: {enabled: false}\n  milestones: {enabled: false}\n"
    "policies:\n  max-runtime: {level: off}\n"
)


def a_minute() -> float:
    """The current time to the minute, so that a clock and an end written in a file read exactly."""
    return float(math.floor(time.time() / 60) * 60)


def at(seconds: float) -> str:
    """Unix seconds as ISO 8601 at UTC-5, as a file or --now gives a time."""
    return datetime.fromtimestamp(seconds, EST).isoformat()


def end_at(project: Path, key: str, end: float, winner: str | None = None) -> None:
    """The file says: end the experience at `end` (Unix seconds), rolling out `winner`; it still runs."""
    path = project / "experiences" / f"{key}.yaml"
    text = path.read_text(encoding="utf-8")
    assert "status: started\n" in text
    ended = "status: ended\n" + (f"winner: {winner}\n" if winner else "") + f"schedule:\n  end: '{at(end)}'\n"
    path.write_text(text.replace("status: started\n", ended), encoding="utf-8")


def monitored(*clock: str) -> tuple[Result, Result, dict[str, Any]]:
    """igops monitor in every format at the clock (`--now TIME`, or none), the JSON checked by its schema."""
    text = invoke(monitor_command, *clock)
    markdown = invoke(monitor_command, "--format", "markdown", *clock)
    document = valid_json(invoke(monitor_command, "--format", "json", *clock).output, MONITOR_SCHEMA)
    assert text.exit_code == markdown.exit_code == (2 if document["fired"] else 0), text.output
    return text, markdown, document


def due_soon(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [alert for alert in document["alerts"] if alert["rule"] == "due-soon"]


def test_a_scheduled_end_30_hours_ahead_without_the_evidence_is_due_soon_in_every_format(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two days of the emulator's traffic are a few dozen orders per variation, far from the end-gate's 300.
    project = results_project(
        tmp_path,
        monkeypatch,
        {
            "badge": ab_test("Checkout badge", "started 2 days ago"),
            "banner": experience(
                "personalization", name="Banner", description="[sandbox started 2 days ago]", status="started"
            ),
        },
        config=QUIET,
    )
    now = a_minute()
    end_at(project, "badge", now + 30 * HOUR, "Variant")
    end_at(project, "banner", now + 30 * HOUR)  # a personalization has no evidence to wait for
    text, markdown, document = monitored("--now", at(now))
    ends = f"ends at {datetime.fromtimestamp(now + 30 * HOUR, EST):%Y-%m-%d %H:%M} -05:00 (in 1 day 6 hours)"

    assert document["format_version"] == 3 and document["checked"] == ["badge", "banner"]
    assert document["rules"]["due_soon"] == 48
    (alert,) = document["alerts"]
    assert alert["rule"] == "due-soon" and alert["key"] == "badge" and alert["variation"] == "Variant"
    assert alert["due"] == at(now + 30 * HOUR)
    figures = alert["figures"]
    assert figures["hours_left"] == 30 and figures["days_live"] == pytest.approx(3.25, abs=0.01)
    assert figures["min_orders"] == 300 and 0 < figures["fewest_orders"] < 300
    message = alert["message"]
    assert message.startswith(
        f"due soon: {ends} with the winner Variant, before the evidence the end-gate needs is in: "
        "3 days live at the end (7 needed), "
    )
    assert "orders in Variant (300 needed)" in message
    assert message.endswith(
        "Let it run longer (move schedule.end later), or accept the evidence as it is and let it end."
    )

    line = next(line for line in text.output.splitlines() if line.startswith("! due soon  "))
    assert line == f"! due soon  badge (Checkout badge): {message.removeprefix('due soon: ')}"
    assert "Monitor: 1 alert on 1 of 2 running experiences." in text.output
    assert "due soon 48 hours before a scheduled end that lacks the end-gate's evidence" in text.output
    assert "### badge (Checkout badge)" in markdown.output and "banner" not in markdown.output
    assert f"- **Due soon:** {ends} with the winner Variant" in markdown.output


@pytest.mark.parametrize(
    ("marker", "winner", "hours"),
    [
        pytest.param("started 2 days ago", "Variant", 60, id="60-hours-ahead"),
        pytest.param("started 2 days ago", "Variant", -1, id="past-end-due-now"),
        # 150 days of the slowest traffic the emulator draws is hundreds of orders per variation.
        pytest.param("started 150 days ago, uplift +20%", "Control", 30, id="evidence-in"),
    ],
)
def test_a_scheduled_end_further_off_already_due_or_with_its_evidence_in_is_not_due_soon(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, marker: str, winner: str, hours: float
) -> None:
    project = results_project(
        tmp_path, monkeypatch, {"badge": ab_test("Checkout badge", marker)}, config=QUIET
    )
    now = a_minute()
    end_at(project, "badge", now + hours * HOUR, winner)
    text, markdown, document = monitored("--now", at(now))
    assert document["alerts"] == [] and document["checked"] == ["badge"]
    assert text.output.startswith("Monitor: no alerts on 1 running experience.")
    assert "Due soon" not in markdown.output


def test_the_clock_is_the_current_time_unless_now_moves_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tests = {key: ab_test(key.capitalize(), "started 2 days ago") for key in ("badge", "hero")}
    project = results_project(tmp_path, monkeypatch, tests, config=QUIET)
    now = a_minute()
    end_at(project, "badge", now + 60 * HOUR, "Variant")
    end_at(project, "hero", now + 30 * HOUR, "Variant")

    def due_at(*clock: str) -> dict[str, dict[str, Any]]:
        return {alert["key"]: alert for alert in due_soon(monitored(*clock)[2])}

    assert list(due_at()) == ["hero"]
    moved = due_at("--now", at(now + 20 * HOUR))
    assert {key: alert["figures"]["hours_left"] for key, alert in moved.items()} == {"badge": 40, "hero": 10}
    assert "(in 1 day 16 hours)" in moved["badge"]["message"] and "(in 10 hours)" in moved["hero"]["message"]
    # Days live are told by the same clock: the badge's 2 days now are 4.5 at its end.
    assert moved["badge"]["figures"]["days_live"] == pytest.approx(4.5, abs=0.01)
    assert list(due_at("--now", at(now + 31 * HOUR))) == ["badge"]  # the hero's end is due: a plan's now
    assert due_at("--now", at(now + 61 * HOUR)) == {}
    bad = invoke(monitor_command, "--now", "tomorrow")
    assert bad.exit_code == 1
    assert one_error_line(bad.output) == (
        "Error: --now 'tomorrow' is not an ISO 8601 time, such as 2026-11-23T00:00:00-05:00."
    )


@pytest.mark.parametrize("command", [report_command, sitewide_command, monitor_command])
def test_help_has_an_example(command: object) -> None:
    result = invoke(command, "--help")
    assert result.exit_code == 0 and "Example:" in result.output
