"""Each monitoring rule, firing and not firing, on results built by hand; and its settings in igops.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest

from igops.analytics import ExperienceResults, MonitorRules, Uplift, VariationResult, monitor
from igops.analytics.monitor import (
    COLLAPSE,
    MILESTONE,
    SRM,
    collapse_alerts,
    milestone_alerts,
    sample_ratio_alerts,
)
from igops.config import InvalidConfig, load_project_config


def variation(
    name: str,
    visitors: int,
    orders: int,
    *,
    control: bool = False,
    percentage: float = 50,
    interval: tuple[float, float] | None = None,
) -> VariationResult:
    rate = orders / visitors if visitors else None
    uplift = None if interval is None else Uplift((interval[0] + interval[1]) / 2, *interval)
    return VariationResult(
        f"id-{name}", name, control, percentage, visitors, orders, rate, 2.5, None, None, uplift
    )


def results(*variations: VariationResult, days: float | None = 10.0, key: str = "hero") -> ExperienceResults:
    return ExperienceResults(
        key, "Hero headline", f"exp-{key}", "started", 1_700_000_000, days, "conversion_rate", variations
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
    everything = monitor([skewed, quiet], MonitorRules())
    assert [alert.rule for alert in everything.alerts] == [SRM, COLLAPSE, MILESTONE]
    assert everything.fired and len(everything.checked) == 2
    assert everything.alerts_of("quiet") == ()
    nothing = monitor(
        [skewed], MonitorRules(sample_ratio_mismatch=False, conversion_collapse=False, milestones=False)
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
    assert rules == MonitorRules(srm_p_value=0.01, milestone_days=(3, 21), conversion_collapse=False)


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("monitor:\n  sample_ratio_mismatch: {p_value: 0}\n", "$.monitor.sample_ratio_mismatch.p_value"),
        ("monitor:\n  conversion_collapse: {drop: 1.5}\n", "$.monitor.conversion_collapse.drop"),
        ("monitor:\n  milestones: {day: [7]}\n", "$.monitor.milestones"),
        ("monitor:\n  milestones: {days: [0]}\n", "$.monitor.milestones.days[0]"),
    ],
)
def test_bad_monitor_settings_are_located(tmp_path: Path, text: str, where: str) -> None:
    (tmp_path / "igops.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(InvalidConfig) as caught:
        load_project_config(tmp_path)
    assert where in str(caught.value)
