"""A plan that ends an experience carries its results next to the chosen winner, and a winner the API
calls a strong loss against the control is a rail that needs --force."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from support.cli import igops
from support.emulator import new_sandbox
from support.engine import create_as_igops, desired, plan, with_client
from support.files import experience
from support.results import ab_test, results_project

from igops.api import IntelligemsClient, ServerError
from igops.documents.plan import PLAN_SCHEMA, plan_document, plan_from_document
from igops.engine import UnsafePlan, raise_if_unsafe
from igops.model import DesiredExperience, Plan
from igops.render.plan_json import render_plan_json
from igops.render.plan_markdown import render_plan_markdown
from igops.render.plan_text import render_plan_text
from igops.sandbox import Sandbox
from igops.schemas import load_schema

# Long enough for a verdict at any traffic the emulator draws.
COLLAPSED = "started 60 days ago, conversion collapse"


def live_then_ending(marker: str, winner: str | None) -> tuple[Sandbox, DesiredExperience]:
    """A sandbox where the test runs, and its file asking to end it with `winner`."""
    sandbox = new_sandbox()
    running = desired(ab_test("Checkout badge", marker), key="badge")
    with_client(sandbox, lambda client: create_as_igops(client, running))
    ending = ab_test("Checkout badge", marker, status="ended", **({"winner": winner} if winner else {}))
    return sandbox, desired(ending, key="badge")


def risk_kinds(made: Plan) -> list[str]:
    """The rules that need --force here (the policies at level warn, end-gate and primary-metric, have
    their own tests)."""
    return [risk.rule for risk in made.blocking_risks]


def test_an_end_plan_shows_the_results_beside_the_winner() -> None:
    sandbox, ending = live_then_ending("started 12 days ago, uplift +10%", "Variant")
    made = plan(sandbox, [ending])
    (badge,) = made.experiences
    assert badge.results is not None and badge.results.key == "badge"
    assert badge.results.days_live == pytest.approx(12, abs=0.01)
    assert [v.name for v in badge.results.variations] == ["Control", "Variant"]
    assert all(v.visitors > 0 for v in badge.results.variations)
    text = render_plan_text(made)
    assert "      winner: Variant\n      results so far: started, 12.0 days live since " in text
    assert "Variant (winner)" in text and "Control (control)" in text and "      verdict: " in text
    markdown = render_plan_markdown(made)
    assert "**Results so far:** Started, 12.0 days live since " in markdown
    assert "| Variant (winner) | " in markdown and "**Verdict:** " in markdown
    assert markdown.index("**Results so far:**") < markdown.index("</details>")


def test_the_results_travel_with_the_plan_document() -> None:
    sandbox, ending = live_then_ending("started 12 days ago", "Variant")
    made = plan(sandbox, [ending])
    document = json.loads(render_plan_json(made))
    assert list(Draft202012Validator(load_schema(PLAN_SCHEMA)).iter_errors(document)) == []
    assert document["experiences"][0]["results"]["variations"][1]["name"] == "Variant"
    again = plan_from_document(document)
    assert again.experiences[0].results is not None
    assert render_plan_text(again) == render_plan_text(made)


def test_plans_that_end_nothing_read_no_results_and_keep_their_document() -> None:
    sandbox = new_sandbox()
    made = plan(sandbox, [desired(ab_test("New test", "started 5 days ago"), key="new")])
    assert made.experiences[0].results is None
    assert "results" not in plan_document(made)["experiences"][0]
    assert not any("/analytics/" in request.path for request in sandbox.requests)


def test_a_strong_loss_winner_needs_force() -> None:
    sandbox, ending = live_then_ending(COLLAPSED, "Variant")
    made = plan(sandbox, [ending])
    assert made.experiences[0].results is not None
    assert made.experiences[0].results.verdict is not None
    assert made.experiences[0].results.verdict.verdict == "strong_loss"
    (risk,) = made.blocking_risks
    assert risk.rule == "strong-loss-winner" and risk.needs_force and risk.key == "badge"
    assert risk.message.startswith(
        "ends with the winner Variant, which the API's verdict calls a strong loss against the control ("
    )
    assert (
        "chance to beat the control): name the control as winner, or run apply with --force" in risk.message
    )
    with pytest.raises(UnsafePlan, match="policy strong-loss-winner: badge: ends with the winner Variant"):
        raise_if_unsafe(made)
    raise_if_unsafe(made, force=True)
    assert "! strong-loss-winner (needs --force): ends with the winner Variant" in render_plan_text(made)
    assert "strong-loss-winner (needs --force):** ends with the winner Variant" in render_plan_markdown(made)
    [document] = [risk for risk in plan_document(made)["risks"] if risk["needs_force"]]
    assert document["kind"] == document["rule"] == "strong-loss-winner" and document["level"] == "force"


@pytest.mark.parametrize(
    ("marker", "winner"),
    [
        (COLLAPSED, "Control"),  # keeping the control is the safe choice
        ("started 12 days ago, uplift +10%", "Variant"),  # no strong loss
        ("started 1 day ago, conversion collapse", "Variant"),  # too early for a verdict
    ],
)
def test_other_winners_are_no_rail(marker: str, winner: str) -> None:
    sandbox, ending = live_then_ending(marker, winner)
    made = plan(sandbox, [ending])
    # The emulator's numbers are random per experience id: a +10% uplift can still read as a strong
    # loss by chance (about 1 run in 75), and then the rail is right to fire. The rule is the point.
    verdict = made.experiences[0].results.verdict if made.experiences[0].results else None
    strong_loss = verdict is not None and verdict.verdict == "strong_loss" and winner != "Control"
    assert ("strong-loss-winner" in risk_kinds(made)) == strong_loss


def test_an_end_without_a_winner_keeps_its_own_rail_and_shows_the_results() -> None:
    sandbox, ending = live_then_ending(COLLAPSED, None)
    made = plan(sandbox, [ending])
    assert risk_kinds(made) == ["end-without-winner"]
    assert "(no winner)\n      results so far: " in render_plan_text(made)


def test_results_that_cannot_be_read_are_noted_and_the_plan_goes_on(monkeypatch: pytest.MonkeyPatch) -> None:
    sandbox, ending = live_then_ending(COLLAPSED, "Variant")

    async def failing(self: IntelligemsClient, experience_id: str, query: Any = None) -> dict[str, Any]:
        raise ServerError("The Intelligems API kept failing (HTTP 500).")

    monkeypatch.setattr(IntelligemsClient, "experience_analytics", failing)
    made = plan(sandbox, [ending])
    (badge,) = made.experiences
    assert badge.results is None and [change.kind.value for change in badge.changes] == ["end"]
    assert badge.notes[-1] == (
        "its current results could not be read: The Intelligems API kept failing (HTTP 500)."
    )


def test_apply_refuses_a_strong_loss_winner_without_force_fresh_or_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    results_project(tmp_path, monkeypatch, {"badge": ab_test("Checkout badge", COLLAPSED)})
    badge = tmp_path / "experiences" / "badge.yaml"
    badge.write_text(badge.read_text().replace("status: started", "status: ended\nwinner: Variant"))
    shown = igops("plan", "--out", "plan.json")
    assert shown.exit_code == 0, shown.output
    assert "results so far: started, 60.0 days live" in shown.output and "Variant (winner)" in shown.output
    refused = igops("apply", "plan.json")
    assert refused.exit_code == 1
    assert (
        "Error: policy strong-loss-winner: badge: ends with the winner Variant, which the API's verdict "
        "calls a strong loss"
    ) in refused.output
    fresh = igops("apply", "--auto-approve")
    assert fresh.exit_code == 1 and "strong loss" in fresh.output
    forced = igops("apply", "plan.json", "--force")
    assert forced.exit_code == 0, forced.output
    assert igops("plan", "--detailed-exitcode").exit_code == 0


def test_the_examples_file_shape_is_unchanged_by_results() -> None:
    # The results of a plan are the account's, never the file's: an experience document has no results.
    assert "results" not in experience("content/advanced")
