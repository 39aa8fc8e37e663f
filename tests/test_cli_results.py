"""igops report, sitewide and monitor against the emulator: every format (JSON against its schema), and
bad input as one sentence with exit 1.

The commands are called as command objects: the group in igops/cli/__init__.py registers them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from support.cli import fast_retries
from support.emulator import TOKEN, new_sandbox, serve_over_http
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


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--start", "2026-11-01"), "Error: --end DATE is needed: the range's first and last day"),
        ((), "Error: --start and --end DATE is needed"),
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


@pytest.mark.parametrize("command", [report_command, sitewide_command, monitor_command])
def test_help_has_an_example(command: object) -> None:
    result = invoke(command, "--help")
    assert result.exit_code == 0 and "Example:" in result.output
