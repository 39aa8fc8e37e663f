"""Safety rails: each refuses without --force (naming the rule and the way on) and passes with it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.apply import by_name, describe_differently, edit, edit_config, forced, refused, use_sandbox
from support.cli import igops, make_live_equal
from support.emulator import new_sandbox

from igops.sandbox import Sandbox

HERO = "homepage-hero-headline"
HERO_NAME = "Homepage hero headline"


@pytest.fixture
def sandbox(project: Path) -> Sandbox:
    make_live_equal(project)  # every example live as its file says
    return new_sandbox(project / "account.json")


def test_more_changes_than_max_changes_in_igops_yaml(
    project: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = use_sandbox(monkeypatch, sandbox)
    edit_config(project, "max: 25", "max: 2")
    describe_differently(project, HERO, "bundle-and-save", "spring-theme-refresh")
    [error] = refused(sandbox, api)
    assert error == (
        "Error: policy max-changes: the plan makes 3 changes, more than max-changes allows (2): review it, "
        "then run apply with --force, or raise policies.max-changes.max in igops.yaml (or --max-changes)."
    )
    assert igops("apply", "--auto-approve", "--api", api, "--max-changes", "3").exit_code == 0
    assert len(sandbox.writes) == 3


def test_more_changes_than_the_max_changes_option(
    project: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = use_sandbox(monkeypatch, sandbox)
    describe_differently(project, HERO, "bundle-and-save")
    [error] = refused(sandbox, api, "--max-changes", "1")
    assert "the plan makes 2 changes, more than max-changes allows (1)" in error and "--force" in error
    forced(api, "--max-changes", "1")
    assert len(sandbox.writes) == 2


def test_changing_the_split_of_a_running_test(
    project: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = use_sandbox(monkeypatch, sandbox)
    path = project / "experiences" / f"{HERO}.yaml"
    path.write_text(
        path.read_text()
        .replace("percentage: 50", "percentage: 60", 1)
        .replace("percentage: 50", "percentage: 40", 1)
    )
    [error] = refused(sandbox, api)
    assert error == (
        f"Error: policy running-split: {HERO}: changes the traffic split or the variations of a running "
        "test, which mixes two setups in its results: pause or end it first, or run apply with --force."
    )
    forced(api)
    hero = by_name(sandbox.experiences())[HERO_NAME]
    assert [v["percentage"] for v in hero["variations"]] == [60, 40] and hero["status"] == "started"


def test_changing_the_variations_of_a_running_test(
    project: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = use_sandbox(monkeypatch, sandbox)
    added = (
        "  - name: Short headline\n    percentage: 0\n    onsiteEdits:\n"
        "      - {find: Shop the collection, replace: Free shipping, onsiteEditType: text}\n"
    )
    edit(project, HERO, "variations:\n", "variations:\n" + added)
    [error] = refused(sandbox, api)
    assert f"{HERO}: changes the traffic split or the variations of a running test" in error
    forced(api)
    hero = by_name(sandbox.experiences())[HERO_NAME]
    assert [v["name"] for v in hero["variations"]] == ["Short headline", "Control", "Free shipping headline"]


def test_the_split_of_a_paused_test_is_no_rail_and_the_rail_can_be_switched_off(
    project: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = use_sandbox(monkeypatch, sandbox)
    edit(project, "long-form-landing-page", "percentage: 50", "percentage: 70")
    edit(project, "long-form-landing-page", "percentage: 50", "percentage: 30")
    assert igops("apply", "--auto-approve", "--api", api).exit_code == 0
    edit(project, HERO, "percentage: 50", "percentage: 70")
    edit(project, HERO, "percentage: 50", "percentage: 30")
    edit_config(project, "running-split: {level: force}", "running-split: {level: warn}")
    result = igops("apply", "--auto-approve", "--api", api)
    assert result.exit_code == 0, result.output
    assert (
        "! running-split (warning): changes the traffic split or the variations of a running test, which "
        "mixes two setups in its results: pause or end it first if that matters."
    ) in result.output, "still warns"


def test_ending_without_a_winner(project: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    api = use_sandbox(monkeypatch, sandbox)
    edit(project, "long-form-landing-page", "status: paused", "status: ended")
    [error] = refused(sandbox, api)
    assert error == (
        "Error: policy end-without-winner: long-form-landing-page: ends without a winner: add winner: to the "
        "file, or run apply with --force to end it with no variation rolled out."
    )
    forced(api)
    [end] = sandbox.writes
    assert end.path.endswith("/actions/end") and end.body.get("variationId") is None
    assert by_name(sandbox.experiences())["Sleep landing page, long form vs short form"]["status"] == "ended"


def test_every_rail_at_once_lists_every_rule_and_force_passes_them(
    project: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = use_sandbox(monkeypatch, sandbox)
    edit(project, "long-form-landing-page", "status: paused", "status: ended")
    edit(project, HERO, "percentage: 50", "percentage: 55")
    edit(project, HERO, "percentage: 50", "percentage: 45")
    errors = refused(sandbox, api, "--max-changes", "1")
    assert [error.split(": ")[2].split()[0] for error in errors] == ["the", HERO, "long-form-landing-page"]
    forced(api, "--max-changes", "1")
    assert len(sandbox.writes) == 2


def test_every_rail_is_in_every_format_of_the_plan_and_apply_enforces_the_saved_one(
    project: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the reviewer sees on the pull request is what apply enforces."""
    api = use_sandbox(monkeypatch, sandbox)
    edit(project, "long-form-landing-page", "status: paused", "status: ended")
    edit(project, HERO, "percentage: 50", "percentage: 55")
    edit(project, HERO, "percentage: 50", "percentage: 45")
    edit_config(project, "max: 25", "max: 1")
    kinds = {"max-changes", "running-split", "end-without-winner"}

    text = igops("plan", "--api", api).output
    markdown = igops("plan", "--api", api, "--format", "markdown").output
    document = json.loads(igops("plan", "--api", api, "--format", "json").output)
    blocking = [risk for risk in document["risks"] if risk["needs_force"]]
    assert {risk["kind"] for risk in blocking} == kinds
    # end-gate, a warning at its default level, judges the end too (it never ran: no evidence).
    assert [risk["rule"] for risk in document["risks"] if not risk["needs_force"]] == ["end-gate"]
    for risk in document["risks"]:
        label = f"{risk['rule']} ({'needs --force' if risk['needs_force'] else 'warning'})"
        assert f"! {label}: {risk['message']}" in text
        assert f"{label}:** {risk['message']}".replace("_", "&#95;") in markdown

    assert igops("plan", "--api", api, "--out", "plan.json").exit_code == 0
    refused = igops("apply", "plan.json", "--api", api)
    assert refused.exit_code == 1 and sandbox.writes == []
    sentences = [
        f"Error: policy {risk['rule']}: {(risk['key'] + ': ') if risk['key'] else ''}{risk['message']}"
        for risk in blocking
    ]
    assert [line for line in refused.output.splitlines() if line.startswith("Error: ")] == sentences
    assert igops("apply", "plan.json", "--api", api, "--force").exit_code == 0
    assert len(sandbox.writes) == 2


def test_a_saved_plan_cannot_be_reshaped_at_apply(
    project: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = use_sandbox(monkeypatch, sandbox)
    describe_differently(project, HERO)
    assert igops("plan", "--api", api, "--out", "plan.json").exit_code == 0
    for option in (("--target", HERO), ("--max-changes", "5"), ("--resend", HERO)):
        result = igops("apply", "plan.json", "--api", api, *option)
        assert result.exit_code == 1, option
        assert f"{option[0]} shapes a fresh plan; a saved plan runs as it was made" in result.output
    assert sandbox.writes == []
