"""Each monitoring rule, firing and not firing, on results built by hand; and its settings in igops.yaml."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from igops.analytics import EndEvidence, ExperienceResults, MonitorRules, Uplift, VariationResult, monitor
from igops.analytics.monitor import (
    COLLAPSE,
    DUE_SOON,
    MILESTONE,
    SRM,
    ScheduledEnd,
    collapse_alerts,
    due_soon_alerts,
    milestone_alerts,
    sample_ratio_alerts,
)
from igops.config import InvalidConfig, load_project_config

NOW = 1_790_000_000.0  # the monitor's clock
HOUR = 3_600


def variation(
    name: str,
    visitors: int,
    orders: int,
    *,
    control: bool = False,
    percentage: float = 50,
    interval: tuple[float, float] | None = None,
    p2bc: float | None = None,
) -> VariationResult:
    rate = orders / visitors if visitors else None
    uplift = None if interval is None else Uplift((interval[0] + interval[1]) / 2, *interval)
    return VariationResult(
        f"id-{name}", name, control, percentage, visitors, orders, rate, 2.5, None, p2bc, uplift
    )


def results(*variations: VariationResult, days: float | None = 10.0, key: str = "hero") -> ExperienceResults:
    """Results of a test `days` live at NOW (None: never started)."""
    started = None if days is None else int(NOW - days * 86_400)
    return ExperienceResults(
        key, "Hero headline", f"exp-{key}", "started", started, days, "conversion_rate", variations
    )


BALANCED = results(variation("Control", 5_010, 150, control=True), variation("B", 4_990, 148))


def test_a_sample_ratio_mismatch_fires_below_the_p_value() -> None:
    skewed = results(variation("Control", 5_200, 150, control=True), variation("B", 4_800, 140))
    (alert,) = sample_ratio_alerts(skewed, 0.001)  # chi-square 16.0, p 0.00006
    assert alert.rule == SRM and alert.key == "hero"
    assert alert.figures["chi_square"] == pytest.approx(16.0)
    assert "5,200 / 4,800 visitors where the split is 50% / 50%" in alert.message
    assert "chi-square 16.0" in alert.message and "below 0.001" in alert.message


def test_a_sample_ratio_mismatch_does_not_fire_on_a_split_within_chance_or_above_the_p_value() -> None:
    assert sample_ratio_alerts(BALANCED, 0.001) == []
    skewed = results(variation("Control", 5_200, 150, control=True), variation("B", 4_800, 140))
    assert sample_ratio_alerts(skewed, 0.00001) == []  # p is 0.00006
    unknown_split = results(
        variation("Control", 5_200, 150, control=True),
        VariationResult("id-B", "B", False, None, 4_800, 140, 0.03, 2.5),
    )
    assert sample_ratio_alerts(unknown_split, 0.001) == []


def test_a_conversion_collapse_fires_beyond_the_drop_once_settled() -> None:
    collapsed = results(
        variation("Control", 5_000, 150, control=True), variation("B", 5_000, 50, interval=(-0.75, -0.55))
    )
    (alert,) = collapse_alerts(collapsed, 0.3, 30)
    assert alert.rule == COLLAPSE and alert.variation == "B"
    assert alert.figures["change"] == pytest.approx(-2 / 3, abs=1e-6)
    assert "B converts at 1.00% against the control's 3.00% (-66.7%, 95% interval -75.0% to -55.0%)" in (
        alert.message
    )


@pytest.mark.parametrize(
    "experience",
    [
        BALANCED,  # no drop
        # a drop within the threshold
        results(
            variation("Control", 5_000, 150, control=True), variation("B", 5_000, 120, interval=(-0.4, -0.01))
        ),
        # a big drop the interval does not rule out as chance
        results(
            variation("Control", 5_000, 150, control=True), variation("B", 5_000, 50, interval=(-0.8, 0.05))
        ),
        # too few control orders to judge
        results(variation("Control", 500, 20, control=True), variation("B", 500, 2)),
        # no control
        results(variation("A", 5_000, 150), variation("B", 5_000, 50)),
    ],
)
def test_a_conversion_collapse_does_not_fire_short_of_it(experience: ExperienceResults) -> None:
    assert collapse_alerts(experience, 0.3, 30) == []


@pytest.mark.parametrize(
    ("days", "fired"), [(6.99, []), (7.0, [7]), (7.9, [7]), (8.0, []), (14.2, [14]), (15.0, []), (None, [])]
)
def test_a_milestone_fires_on_the_day_it_is_reached(days: float | None, fired: list[int]) -> None:
    alerts = milestone_alerts(results(variation("Control", 100, 1, control=True), days=days), (7, 14))
    assert [alert.figures["days"] for alert in alerts] == fired
    assert all(alert.rule == MILESTONE and "igops report hero" in alert.message for alert in alerts)


def test_monitor_applies_the_enabled_rules_only() -> None:
    skewed = results(variation("Control", 5_200, 150, control=True), variation("B", 4_800, 40), days=7.5)
    quiet = results(variation("Control", 10, 0, control=True), key="quiet")
    everything = monitor([skewed, quiet], MonitorRules(), now=NOW)
    assert [alert.rule for alert in everything.alerts] == [SRM, COLLAPSE, MILESTONE]
    assert everything.fired and len(everything.checked) == 2
    assert everything.alerts_of("quiet") == ()
    nothing = monitor(
        [skewed],
        MonitorRules(sample_ratio_mismatch=False, conversion_collapse=False, milestones=False),
        now=NOW,
    )
    assert not nothing.fired and nothing.alerts == ()


def test_the_rules_come_from_igops_yaml_each_over_its_defaults(tmp_path: Path) -> None:
    assert load_project_config(tmp_path).account.monitor == MonitorRules()
    (tmp_path / "igops.yaml").write_text(
        "monitor:\n  sample_ratio_mismatch: {p_value: 0.01}\n  milestones: {days: [21, 3]}\n"
        "  conversion_collapse: {enabled: false}\n",
        encoding="utf-8",
    )
    rules = load_project_config(tmp_path).account.monitor
    # The end-gate, whose evidence due soon weighs, judges a mismatch by monitor's own threshold.
    assert rules == MonitorRules(
        srm_p_value=0.01,
        milestone_days=(3, 21),
        conversion_collapse=False,
        end_evidence=EndEvidence(srm_p_value=0.01),
    )


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("monitor:\n  sample_ratio_mismatch: {p_value: 0}\n", "$.monitor.sample_ratio_mismatch.p_value"),
        ("monitor:\n  conversion_collapse: {drop: 1.5}\n", "$.monitor.conversion_collapse.drop"),
        ("monitor:\n  milestones: {day: [7]}\n", "$.monitor.milestones"),
        ("monitor:\n  milestones: {days: [0]}\n", "$.monitor.milestones.days[0]"),
        ("monitor:\n  due_soon: {hours: 0}\n", "$.monitor.due_soon.hours"),
    ],
)
def test_bad_monitor_settings_are_located(tmp_path: Path, text: str, where: str) -> None:
    (tmp_path / "igops.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(InvalidConfig) as caught:
        load_project_config(tmp_path)
    assert where in str(caught.value)


# --- due soon -----------------------------------------------------------------------------------------

EST = timezone(timedelta(hours=-5))
NEEDED = EndEvidence()  # the end-gate's defaults: 7 days, 300 orders in every variation, 90% to beat


def ends_in(hours: float, winner: str | None = "B", key: str = "hero") -> ScheduledEnd:
    """The file's schedule.end `hours` after NOW, written at UTC-5."""
    return ScheduledEnd(key, datetime.fromtimestamp(NOW + hours * HOUR, EST), winner)


# 14 days live: a week's evidence and more; too few orders for the end-gate, and B not yet ahead enough.
SHORT = results(
    variation("Control", 5_000, 140, control=True), variation("B", 5_000, 120, p2bc=0.62), days=14
)
ENOUGH = results(
    variation("Control", 20_000, 600, control=True), variation("B", 20_000, 700, p2bc=0.97), days=30
)


def test_due_soon_names_the_end_the_winner_and_what_falls_short_with_the_way_on() -> None:
    end = ends_in(30)
    (alert,) = due_soon_alerts(SHORT, end, NOW, 48, NEEDED)
    assert alert.rule == DUE_SOON and alert.key == "hero" and alert.variation == "B"
    assert alert.due == end.due
    assert alert.message == (
        f"due soon: ends at {end.due:%Y-%m-%d %H:%M} -05:00 (in 1 day 6 hours) with the winner B, before the "
        "evidence the end-gate needs is in: 15 days live at the end, 140 orders in Control (300 needed), 120 "
        "orders in B (300 needed), 62% to beat the control (90% needed); 120 of 300 orders in B: about 21 "
        "more days at the current rate. Let it run longer (move schedule.end later), or accept the evidence "
        "as it is and let it end."
    )
    assert alert.figures == {
        "hours_left": 30.0,
        "days_live": 15.25,  # counted to the end: the days will be in by then
        "min_days": 7,
        "min_orders": 300,
        "fewest_orders": 120,
        "srm_p_value": pytest.approx(1.0),
        "p2bc": 0.62,
        "min_probability": 0.9,
        "days_to_evidence": 21,
    }


@pytest.mark.parametrize(
    ("hours", "fires"),
    [(-1, False), (0, False), (0.1, True), (30, True), (48, True), (48.1, False), (60, False)],
)
def test_due_soon_fires_only_while_the_end_is_after_the_clock_and_at_most_the_window_ahead(
    hours: float, fires: bool
) -> None:
    # A past end is due now: a plan carries it out, and the end-gate judges it there.
    assert bool(due_soon_alerts(SHORT, ends_in(hours), NOW, 48, NEEDED)) is fires


def test_due_soon_says_nothing_of_an_end_whose_evidence_is_in() -> None:
    assert due_soon_alerts(ENOUGH, ends_in(30), NOW, 48, NEEDED) == []
    # The control as winner needs no odds: the days, the orders and the split are the evidence.
    no_odds = results(variation("Control", 20_000, 600, control=True), variation("B", 20_000, 700), days=30)
    assert due_soon_alerts(no_odds, ends_in(30, "Control"), NOW, 48, NEEDED) == []
    (alert,) = due_soon_alerts(no_odds, ends_in(30, "B"), NOW, 48, NEEDED)
    assert "no probability yet that B beats the control (90% needed)" in alert.message


def test_due_soon_counts_the_days_to_the_end_and_the_end_gates_thresholds_are_its_own() -> None:
    young = replace(ENOUGH, started_at=int(NOW - 6.5 * 86_400), days_live=6.5)
    assert due_soon_alerts(young, ends_in(30), NOW, 48, NEEDED) == [], "7.75 days live at the end"
    (alert,) = due_soon_alerts(young, ends_in(6), NOW, 48, NEEDED)
    assert "6 days live at the end (7 needed)" in alert.message
    assert "; 7 days live: about 1 more day at the current rate. " in alert.message
    lenient = EndEvidence(min_days=1, min_orders=100, min_probability=0.5)
    assert due_soon_alerts(SHORT, ends_in(30), NOW, 48, lenient) == []


def test_monitor_checks_due_soon_unless_it_or_the_end_gate_is_off() -> None:
    quiet = MonitorRules(sample_ratio_mismatch=False, conversion_collapse=False, milestones=False)
    found = monitor([SHORT, ENOUGH], quiet, ends=[ends_in(30), ends_in(30, key="other")], now=NOW)
    assert [(alert.rule, alert.key) for alert in found.alerts] == [(DUE_SOON, "hero")]
    assert monitor([SHORT], quiet, ends=[ends_in(30)], now=NOW + 31 * HOUR).alerts == ()
    assert monitor([SHORT], replace(quiet, due_soon_hours=24), ends=[ends_in(30)], now=NOW).alerts == ()
    for off in (replace(quiet, due_soon=False), replace(quiet, end_evidence=None)):
        assert monitor([SHORT], off, ends=[ends_in(30)], now=NOW).alerts == ()


def test_due_soon_comes_from_igops_yaml_with_the_end_gates_evidence(tmp_path: Path) -> None:
    (tmp_path / "igops.yaml").write_text(
        "monitor:\n  due_soon: {hours: 24}\npolicies:\n  end-gate: {min_orders: 100, min_probability: 0.8}\n",
        encoding="utf-8",
    )
    rules = load_project_config(tmp_path).account.monitor
    assert rules.due_soon and rules.due_soon_hours == 24
    assert rules.end_evidence == EndEvidence(min_orders=100, min_probability=0.8)
    (tmp_path / "igops.yaml").write_text("policies:\n  end-gate: {level: off}\n", encoding="utf-8")
    rules = load_project_config(tmp_path).account.monitor
    assert rules.due_soon_hours == 48 and rules.due_soon_evidence is None
