"""Bounded documents leave out the largest sections first, and only as many as it takes."""

from __future__ import annotations

from igops.analytics import ExperienceResults, MonitorReport, VariationResult
from igops.analytics.monitor import Alert
from igops.model import Drift, DriftReport, FieldChange, Finding
from igops.render.drift import render_drift_markdown
from igops.render.markdown import GAP, Section, bounded, left_out
from igops.render.monitor import render_monitor_markdown


def _note(indexes: object) -> str:
    return "note"


def test_nothing_is_left_out_when_everything_fits_without_a_note() -> None:
    assert left_out(["a" * 10, "b" * 10], 24, _note) == []


def test_the_largest_go_first_and_no_more_than_needed() -> None:
    sections = ["a" * 30, "b" * 5, "c" * 50, "d" * 40]
    # 2 + 30 + 2 + 5 + 2 + 50 + 2 + 40 = 133: without c, 81 and the note (2 + 4) fit 90, not 80.
    assert left_out(sections, 80, _note) == [2, 3]
    assert left_out(sections, 90, _note) == [2]


def test_of_two_the_same_size_the_later_goes_first() -> None:
    assert left_out(["a" * 10, "b" * 10, "c" * 10], 30, _note) == [2]


def test_everything_goes_when_not_even_the_note_fits() -> None:
    assert left_out(["a" * 10, "b" * 10], 3, _note) == [0, 1]


def test_kept_sections_keep_their_order_and_end_with_the_note() -> None:
    sections = [Section("a" * 30), Section("b" * 5), Section("c" * 50)]
    assert bounded(["h"], sections, lambda left: f"{len(left)} left out", 61) == GAP.join(
        ["h", "a" * 30, "b" * 5, "1 left out"]
    )


def _drifted(key: str, text: str) -> Drift:
    return Drift(
        key,
        key,
        f"experiences/{key}.yaml",
        Finding.CHANGED,
        "way out",
        "started",
        experience_id=key,
        last_update_ts=1_764_151_339_000,
        live_status="started",
        fields=(FieldChange("variations[0].onsiteInjection.customCss", ".a {}\n", text),),
    )


def test_one_huge_drift_leaves_out_its_own_section_alone() -> None:
    huge = "\n".join(f".rule-{index} {{ color: red; }}" for index in range(5_000))
    report = DriftReport(
        (_drifted("aaa-huge", huge), *(_drifted(f"small-{n}", ".b {}\n") for n in range(5))), checked=6
    )
    body = render_drift_markdown(report, max_chars=20_000)
    assert len(body) <= 20_000
    assert "### aaa-huge" not in body and all(f"### small-{n} " in body for n in range(5))
    assert body.endswith("_1 more section(s) not shown: `igops drift --format json` has them all._")


def _results(key: str) -> ExperienceResults:
    return ExperienceResults(
        key,
        "Hero",
        "exp",
        "started",
        None,
        None,
        "conversion_rate",
        (
            VariationResult("a", "A", True, 50, 10, 1, 0.1, 1.0),
            VariationResult("b", "B", False, 50, 10, 2, 0.2, 2.0),
        ),
    )


def test_the_monitor_leaves_out_the_largest_experiences_first() -> None:
    checked = (_results("aaa-long-" + "x" * 3_000), *(_results(f"test-{n}") for n in range(3)))
    alerts = tuple(Alert("milestone", results.key, "Hero", "milestone: 7 days live.") for results in checked)
    body = render_monitor_markdown(MonitorReport(checked, alerts), max_chars=4_000)
    assert len(body) <= 4_000
    assert "aaa-long" not in body and all(f"### test-{n} " in body for n in range(3))
