"""Sandbox markers: a description's `[sandbox ...]` makes one experience tell a chosen story."""

from __future__ import annotations

from typing import Any

import pytest
from analytics_support import DAY, NOW, make_experience

from igops.analytics.stats import sample_ratio_test
from igops.sandbox import analytics
from igops.sandbox.analytics import dates
from igops.sandbox.lifecycle import apply_action
from igops.sandbox.markers import COLLAPSE_CONVERSION, Markers, markers


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dates, "_now", lambda: NOW)


def marked(description: str | None, seed: int = 11, **options: Any) -> dict[str, Any]:
    experience = make_experience(seed, **{"started_days_ago": 14, **options})
    experience["description"] = description
    return experience


def rows(experience: dict[str, Any]) -> list[dict[str, Any]]:
    return list(analytics.experience_analytics(experience, {"testResult": True})["metrics"])


@pytest.mark.parametrize(("description", "expected"), [
    (None, Markers()),
    ("An ordinary description.", Markers()),
    ("Hero test [sandbox srm]", Markers(sample_ratio_mismatch=True)),
    ("[Sandbox: Started 9 days ago, Conversion Collapse]", Markers(9.0, purchase=COLLAPSE_CONVERSION)),
    ("[sandbox started 1 day ago; sample ratio mismatch; uplift +8%]", Markers(1.0, True, 1.08)),
    ("[sandbox uplift -5.5%, something else]", Markers(add_to_cart=0.945)),
    ("[sandbox]", Markers()),
])
def test_markers_are_read_from_the_description(description: str | None, expected: Markers) -> None:
    assert markers({"description": description}) == expected


def test_an_unmarked_experience_is_unchanged_and_a_marked_one_is_deterministic() -> None:
    assert rows(marked(None)) == rows(marked("Nothing for the sandbox here."))
    assert rows(marked("[sandbox srm]")) == rows(marked("[sandbox srm]"))


def test_a_sample_ratio_mismatch_gives_challengers_too_few_visitors() -> None:
    plain, skewed = rows(marked(None)), rows(marked("[sandbox sample ratio mismatch]"))
    assert skewed[0]["n_visitors"] == plain[0]["n_visitors"]  # the control keeps its traffic
    assert 0.8 < skewed[1]["n_visitors"]["value"] / plain[1]["n_visitors"]["value"] < 0.9
    test = sample_ratio_test([row["n_visitors"]["value"] for row in skewed], [50, 50])
    assert test is not None and test.p_value < 1e-6
    balanced = sample_ratio_test([row["n_visitors"]["value"] for row in plain], [50, 50])
    assert balanced is not None and balanced.p_value > 0.001


def test_a_conversion_collapse_is_a_strong_loss() -> None:
    experience = marked("[sandbox collapse]")
    body = analytics.experience_analytics(experience, {"testResult": True})
    control, challenger = body["metrics"]
    assert challenger["conversion_rate"]["uplift"]["ci_high"] < -0.4
    assert body["testResult"]["verdict"] == "strong_loss"
    assert control["n_visitors"] == rows(marked(None))[0]["n_visitors"]


def test_an_uplift_sets_the_challengers_true_conversion() -> None:
    experience = marked("[sandbox uplift +30%]", started_days_ago=60)
    _, challenger = rows(experience)
    assert 0.15 < challenger["conversion_rate"]["uplift"]["value"] < 0.45
    assert 0.2 < challenger["add_to_cart_rate"]["uplift"]["value"] < 0.4


def test_a_first_start_is_dated_back_and_a_resume_keeps_it() -> None:
    stamp = NOW * 1000
    experience = {**make_experience(13, status="pending"), "description": "[sandbox started 9 days ago]",
                  "experienceActions": []}
    started = apply_action(experience, "start", stamp)
    assert started["startedAtTs"] == stamp - 9 * DAY * 1000
    paused = apply_action(started, "pause", stamp + 1)
    assert apply_action(paused, "start", stamp + 2)["startedAtTs"] == started["startedAtTs"]
    unmarked = apply_action({**experience, "description": None}, "start", stamp)
    assert unmarked["startedAtTs"] == stamp
