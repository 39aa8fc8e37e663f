"""How results read: numbers, ranges, verdicts, and the monitor's issue body within GitHub's limit."""

from __future__ import annotations

from dataclasses import replace

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
from igops.render.results import results_lines, uplift, verdict_text
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


def personalization(
    primary: str | None = "conversion_rate", verdict: Verdict | None = None
) -> ExperienceResults:
    """A personalization that holds out no one: its control has 0% of the traffic, its challenger all."""
    variations = (
        VariationResult("a", "No banner", True, 0, 0, 0, None, None),
        VariationResult("b", "Banner", False, 100, 33_388, 1_002, 0.03, 1.73, None, None),
    )
    return ExperienceResults(
        "banner",
        "Banner",
        "exp",
        "started",
        MIDNIGHT,
        16.0,
        primary,
        variations,
        verdict or Verdict("not_ready"),
    )


def three_way() -> ExperienceResults:
    """An A/B/C test whose third variation was given 0% of the traffic from the start."""
    variations = (
        VariationResult("a", "Control", True, 50, 1_000, 30, 0.03, 1.5),
        VariationResult("b", "B", False, 50, 1_010, 35, 0.035, 1.6, Uplift(0.1, -0.05, 0.2), 0.8),
        VariationResult("c", "C", False, 0, 0, 0, None, None),
    )
    return ExperienceResults("abc", "ABC", "exp", "started", MIDNIGHT, 9.0, "conversion_rate", variations)


NO_CONTROL = (
    "By design, No banner (the control) has no visitors: its share of traffic is 0% (a personalization that "
    "holds out no one), so there is no uplift or chance to beat the control."
)
NO_VERDICT = "none: the control has no visitors by design, so there is nothing to compare."


@pytest.mark.parametrize("primary", ["conversion_rate", None])
def test_a_control_without_visitors_by_design_is_said_so_and_nothing_is_compared_with_it(
    primary: str | None,
) -> None:
    text = render_report_text(Report((personalization(primary),)))
    [control] = [line for line in text.splitlines() if line.startswith("No banner")]
    [challenger] = [line for line in text.splitlines() if line.startswith("Banner ")]
    assert control.split() == ["No", "banner", "(control,", "0%", "of", "traffic)", "0", "0"], control
    assert challenger.split() == ["Banner", "33,388", "1,002", "3.00%", "1.73"], challenger
    assert f"{NO_CONTROL} Verdict: {NO_VERDICT}" in text
    assert "primary metric" not in text, "a metric nothing is compared on"

    markdown = render_report_markdown(Report((personalization(primary),)))
    assert "| No banner (control, 0% of traffic) | 0 | 0 |  |  |  |  |" in markdown
    assert "| Banner | 33,388 | 1,002 | 3.00% | 1.73 |  |  |" in markdown
    assert NO_CONTROL in markdown and f"**Verdict:** {NO_VERDICT}" in markdown

    lines = results_lines(personalization(primary), winner="Banner")
    assert lines[0] == f"results so far: started, 16.0 days live since 2026-11-01; b{NO_CONTROL[1:]}"
    assert lines[2].split()[-2:] == ["0", "0"] and "(control, 0% of traffic)" in lines[2]
    assert lines[3].split() == ["Banner", "(winner)", "33,388", "1,002", "3.00%", "1.73"]
    assert lines[-2:] == [
        f"verdict: {NO_VERDICT}",
        "impact: there is no estimate of the monthly revenue impact: the control has no visitors to compare "
        "with.",
    ]


def test_the_apis_own_verdict_on_a_personalization_is_kept() -> None:
    results = personalization(verdict=Verdict("error", reason="personalizations have no test result"))
    assert "Verdict: none (personalizations have no test result)" in render_report_text(Report((results,)))


def test_a_challenger_without_visitors_by_design_is_said_so_and_the_others_compare_as_ever() -> None:
    text = render_report_text(Report((three_way(),)))
    assert [line.split() for line in text.splitlines() if line.startswith(("Control", "B ", "C "))] == [
        ["Control", "(control)", "1,000", "30", "3.00%", "1.50", "-", "-"],
        ["B", "1,010", "35", "3.50%", "1.60", "+10.0%", "(-5.0%", "to", "+20.0%)", "80%"],
        ["C", "(0%", "of", "traffic)", "0", "0"],
    ]
    assert (
        "Uplift and chance to beat the control are on conversion rate, the primary metric. By design, C has "
        "no visitors: its share of traffic is 0%. Verdict: none given."
    ) in text
    assert results_lines(three_way())[0].endswith(
        "the primary metric. By design, C has no visitors: its share of traffic is 0%."
    )


def test_a_variation_cut_to_0_percent_after_it_had_visitors_shows_them() -> None:
    cut = VariationResult("c", "C", False, 0, 120, 4, 0.033, 1.4, Uplift(0.02), 0.55)
    results = replace(three_way(), variations=(*three_way().variations[:2], cut))
    text = render_report_text(Report((results,)))
    assert "C    " in text and "0% of traffic" not in text and "By design" not in text
    assert [line.split() for line in text.splitlines() if line.startswith("C ")] == [
        ["C", "120", "4", "3.30%", "1.40", "+2.0%", "55%"]
    ]
