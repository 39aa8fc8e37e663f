"""How results read: numbers, ranges, verdicts, and the monitor's issue body within GitHub's limit."""

from __future__ import annotations

import pytest

from igops.analytics import (
    ExperienceResults,
    MonitorReport,
    MonitorRules,
    Report,
    Uplift,
    VariationResult,
    Verdict,
)
from igops.analytics.monitor import Alert
from igops.render.monitor import render_monitor_markdown, render_monitor_text, rules_line
from igops.render.report import render_report_markdown, render_report_text
from igops.render.results import uplift, verdict_text
from igops.text import span, window_text

DAY = 86_400
MIDNIGHT = 1_793_491_200  # 2026-11-01T00:00:00Z


@pytest.mark.parametrize(
    ("verdict", "expected"),
    [
        (None, "none given."),
        (Verdict("not_ready"), "not ready (too few days or orders so far)."),
        (Verdict("error", reason="no challenger"), "none (no challenger)"),
        (Verdict("error"), "none (the API gave no reason)"),
        (
            Verdict("strong_win", "Roll it out.", "B", 0.97),
            "strong win for B, 97% to beat the control: Roll it out.",
        ),
        (Verdict("mixed_signals", None, "B"), "mixed signals for B."),
        (Verdict("directional_loss"), "directional loss."),
    ],
)
def test_verdicts_read_as_sentences(verdict: Verdict | None, expected: str) -> None:
    assert verdict_text(verdict) == expected


def test_ranges_read_as_days_when_they_are_whole_days() -> None:
    assert span(MIDNIGHT, MIDNIGHT + 30 * DAY) == "2026-11-01 to 2026-11-30"
    assert span(MIDNIGHT, MIDNIGHT + DAY) == "2026-11-01"
    assert span(MIDNIGHT + 3600, MIDNIGHT + DAY) == "2026-11-01 01:00 UTC to 2026-11-02 00:00 UTC"
    assert window_text(None, None) == "over each experience's whole run"
    assert window_text(MIDNIGHT, None) == "from 2026-11-01 00:00 UTC"
    assert window_text(None, MIDNIGHT) == "up to 2026-11-01 00:00 UTC"


def test_an_uplift_without_its_interval_is_the_value_alone() -> None:
    assert uplift(Uplift(0.123)) == "+12.3%"
    assert uplift(Uplift(-0.05, -0.1, 0.01)) == "-5.0% (-10.0% to +1.0%)"
    assert uplift(None) == "-"


def hostile(key: str = "hero") -> ExperienceResults:
    """Results whose names try to colour a terminal and break markdown and rich markup."""
    variations = (
        VariationResult("a", "[bold]Ctrl|x\x1b[31m", True, 50, 10, 1, 0.1, 1.0),
        VariationResult("b", "B", False, 50, 10, 2, 0.2, 2.0, Uplift(1.0, 0.5, 1.5), 0.9),
    )
    return ExperienceResults(key, "<b>Hero</b>", "exp", "started", None, None, "conversion_rate", variations)


def test_user_data_cannot_colour_a_terminal_or_break_the_markup() -> None:
    report = Report((hostile(),))
    text = render_report_text(report)
    assert "\x1b" not in text and "[bold]Ctrl|x\\x1b[31m (control)" in text
    markdown = render_report_markdown(report)
    assert "<b>" not in markdown and "&lt;b&gt;Hero&lt;/b&gt;" in markdown
    assert "| &#91;bold&#93;Ctrl&#124;x&#92;x1b&#91;31m (control) |" in markdown
    assert "Started." in markdown  # no start known: the status alone


def test_the_monitor_issue_body_stays_within_the_limit_and_says_what_it_left_out() -> None:
    checked = tuple(hostile(f"test-{n}") for n in range(40))
    alerts = tuple(
        Alert("milestone", f"test-{n}", "Hero", "milestone: 7 days live today.") for n in range(40)
    )
    report = MonitorReport(checked, alerts, MonitorRules())
    body = render_monitor_markdown(report, max_chars=3000)
    assert len(body) <= 3000
    assert "more experience(s) not shown: `igops monitor --format json` has them all._" in body
    assert body.endswith(
        "max runtime beyond 35 days live (policies: max-runtime); due soon 48 hours before a scheduled end "
        "that lacks the end-gate's evidence (policies: end-gate)._"
    )
    assert "! milestone  test-0 (Hero): 7 days live today." in render_monitor_text(report)


def test_the_rules_line_says_when_none_is_enabled() -> None:
    off = MonitorRules(
        sample_ratio_mismatch=False,
        conversion_collapse=False,
        milestones=False,
        max_runtime_days=None,
        due_soon=False,
    )
    assert rules_line(off) == "Rules (igops.yaml monitor): none enabled."
