"""The emulator's stories: a scenario file names experiences and what their analytics tell; a description's
`[sandbox ...]` marker does the same for one experience the scenario does not name (tests)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from support.analytics import DAY, NOW, make_experience
from support.cli import REPO

from igops.analytics.stats import sample_ratio_test
from igops.sandbox import analytics
from igops.sandbox.analytics import dates
from igops.sandbox.lifecycle import apply_action
from igops.sandbox.markers import COLLAPSE_CONVERSION, Markers, ScenarioError, load_scenario, markers


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dates, "_now", lambda: NOW)


def marked(description: str | None, seed: int = 11, **options: Any) -> dict[str, Any]:
    experience = make_experience(seed, **{"started_days_ago": 14, **options})
    experience["description"] = description
    return experience


def rows(experience: dict[str, Any]) -> list[dict[str, Any]]:
    return list(analytics.experience_analytics(experience, {"testResult": True})["metrics"])


@pytest.mark.parametrize(
    ("description", "expected"),
    [
        (None, Markers()),
        ("An ordinary description.", Markers()),
        ("Hero test [sandbox srm]", Markers(sample_ratio_mismatch=True)),
        ("[Sandbox: Started 9 days ago, Conversion Collapse]", Markers(9.0, purchase=COLLAPSE_CONVERSION)),
        ("[sandbox started 1 day ago; sample ratio mismatch; uplift +8%]", Markers(1.0, True, 1.08)),
        ("[sandbox uplift -5.5%, something else]", Markers(add_to_cart=0.945)),
        ("[sandbox]", Markers()),
    ],
)
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
    experience = {
        **make_experience(13, status="pending"),
        "description": "[sandbox started 9 days ago]",
        "experienceActions": [],
    }
    started = apply_action(experience, "start", stamp)
    assert started["startedAtTs"] == stamp - 9 * DAY * 1000
    paused = apply_action(started, "pause", stamp + 1)
    assert apply_action(paused, "start", stamp + 2)["startedAtTs"] == started["startedAtTs"]
    unmarked = apply_action({**experience, "description": None}, "start", stamp)
    assert unmarked["startedAtTs"] == stamp


# Scenarios: the emulator's own file of stories, by experience name.


def test_a_scenario_tells_the_story_of_the_experience_it_names_over_any_marker() -> None:
    scenario = {"Hero": "started 9 days ago, srm"}
    assert markers({"name": "Hero", "description": "[sandbox collapse]"}, scenario) == Markers(9.0, True)
    assert markers({"name": "Other", "description": "[sandbox collapse]"}, scenario) == Markers(
        purchase=COLLAPSE_CONVERSION
    )
    assert markers({"name": "Other"}, scenario) == Markers()
    told = marked(None)
    assert (
        rows(told)
        != analytics.experience_analytics(
            told, {"testResult": True}, markers({"name": "x"}, {"x": "sample ratio mismatch"})
        )["metrics"]
    )


def test_a_scenario_file_is_a_mapping_of_names_to_directives(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text("# stories\nHero: started 3 days ago\n'Name: with a colon': uplift +2%\n")
    assert load_scenario(good) == {"Hero": "started 3 days ago", "Name: with a colon": "uplift +2%"}
    (tmp_path / "empty.yaml").write_text("# nothing yet\n")
    assert load_scenario(tmp_path / "empty.yaml") == {}
    not_a_mapping = (
        "is not a mapping of experience names to directives (Name: started 12 days ago, uplift +8%)"
    )
    for name, text, reason in [
        ("list.yaml", "- Hero\n", not_a_mapping),
        ("nested.yaml", "Hero: {started: 3}\n", not_a_mapping),
        ("broken.yaml", "Hero: [\n", "is not valid YAML"),
    ]:
        (tmp_path / name).write_text(text)
        with pytest.raises(ScenarioError) as refused:
            load_scenario(tmp_path / name)
        assert str(refused.value) == f"{tmp_path / name} {reason}"
    with pytest.raises(ScenarioError, match="cannot be read"):
        load_scenario(tmp_path / "missing.yaml")


def test_no_example_carries_the_emulators_story_and_the_scenario_names_examples() -> None:
    experiences = REPO / "experiences"
    assert not [path.name for path in experiences.glob("*.yaml") if "[sandbox" in path.read_text().lower()]
    names = {yaml.safe_load(path.read_text())["name"] for path in experiences.glob("*.yaml")}
    told = load_scenario(REPO / "sandbox-scenario.yaml")
    assert told and set(told) <= names
