"""end-gate: a test ends only on the evidence a team agreed on (days live, orders in every variation, no
sample-ratio mismatch, the winner's odds), said with its figures and, where orders or days are short, when
they will be in; and the API's impact estimate beside the decision, totalled in the summary line.

Hand-built results give exact figures and sentences; the emulator's own answers (its traffic and verdicts
are drawn per experience id, so their figures are read back from the plan, never assumed) show the same
rule on what the API really says."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from support.emulator import new_sandbox
from support.engine import create_as_igops, desired, plan, with_client
from support.files import TYPE_CHANGE, experience
from support.results import ab_test

from igops.analytics.results import ExperienceResults, VariationResult
from igops.config import DEFAULT_PROJECT, PolicySetting
from igops.documents.plan import (
    PLAN_SCHEMA,
    ending_impact,
    plan_document,
    plan_from_document,
    signed_amount,
    summary_line,
)
from igops.engine.rules import PlanInputs, RuleBook, UnsafePlan, assess, raise_if_unsafe, rule_book
from igops.model import Change, ChangeKind, DesiredExperience, ExperiencePlan, Plan, Risk
from igops.render.plan_json import render_plan_json
from igops.render.plan_markdown import render_plan_markdown
from igops.render.plan_text import render_plan_text
from igops.render.results import IMPACT_FORMULA, impact_text
from igops.sandbox import Sandbox
from igops.schemas import load_schema

NOW = 1_790_000_000.0  # the plans' clock in the hand-built cases
DAY = 86_400
GATE = "end-gate"
FORCE_WAY_ON = "Let it run until the evidence is in, or run apply with --force to end it now."
WARN_WAY_ON = "Consider letting it run until the evidence is in."
# Far below any p-value a sound split draws, so that the emulator's random traffic trips no mismatch
# (at the default 0.001, one sound test in a thousand would).
NO_SRM = 1e-9


def book(level: str = "force", **options: Any) -> RuleBook:
    """The built-in rules at their defaults, but end-gate at `level` with `options` over its defaults."""
    settings = dict(DEFAULT_PROJECT.account.policies)
    settings[GATE] = PolicySetting(level, {**settings[GATE].options, **options})
    return rule_book(settings, plugins=())


def gate_risks(made: Plan) -> list[Risk]:
    return [risk for risk in made.risks if risk.rule == GATE]


# --- hand-built results ------------------------------------------------------------------------------


def variation(
    name: str,
    orders: int,
    *,
    control: bool = False,
    visitors: int = 5_000,
    p2bc: float | None = None,
    rpv: float | None = None,
    percentage: float = 50.0,
) -> VariationResult:
    return VariationResult(
        variation_id=f"id-{name}",
        name=name,
        is_control=control,
        percentage=percentage,
        visitors=visitors,
        orders=orders,
        conversion_rate=orders / visitors,
        net_revenue_per_visitor=rpv,
        p2bc=p2bc,
    )


def results(
    key: str,
    days: float,
    *variations: VariationResult,
    est: float | None = None,
    status: str = "started",
    symbol: str = "$",
) -> ExperienceResults:
    return ExperienceResults(
        key=key,
        name=key.replace("-", " ").capitalize(),
        experience_id=f"id-{key}",
        status=status,
        started_at=int(NOW - days * DAY),
        days_live=days,
        primary_metric="conversion_rate",
        variations=variations,
        est_monthly_revenue_increase=est,
        currency_symbol=symbol,
    )


def ending(
    key: str,
    found: ExperienceResults | None,
    winner: str | None,
    *,
    kind: str = "content/advanced",
    live_status: str | None = "started",
) -> tuple[ExperiencePlan, DesiredExperience]:
    """The plan of ending `key` with `winner` on the results `found`, and its file."""
    names = [v.name for v in found.variations] if found is not None else ["Control", "Variant"]
    document = experience(
        kind,
        name=key,
        status="ended",
        variations=[
            {"name": name, "percentage": 100 // len(names) + (index < 100 % len(names))}
            | ({"isControl": True} if index == 0 else TYPE_CHANGE[kind])
            for index, name in enumerate(names)
        ],
        **({"winner": winner} if winner else {}),
    )
    planned = ExperiencePlan(
        key=key,
        name=key,
        path=f"experiences/{key}.yaml",
        experience_id=f"id-{key}",
        live_status=live_status,
        desired_status="ended",
        last_update_ts=1,
        changes=(Change(ChangeKind.END, winner=winner),),
        results=found,
        started_at=found.started_at if found is not None else None,
    )
    return planned, desired(document, key=key)


def judged(*ends: tuple[ExperiencePlan, DesiredExperience], rules: RuleBook | None = None) -> Plan:
    """The plan of these ends, with the risks the rules find at NOW."""
    plans = tuple(planned for planned, _ in ends)
    inputs = PlanInputs(plans, tuple(file for _, file in ends), now=NOW)
    return Plan(plans, risks=assess(inputs, (rules or book()).in_force()))


def the_gate(made: Plan) -> Risk:
    (risk,) = gate_risks(made)
    return risk


def chi_square_p(observed: list[int]) -> float:
    """The p-value of a 50/50 split's chi-square with one degree of freedom: erfc(sqrt(x / 2))."""
    expected = sum(observed) / 2
    statistic = sum((count - expected) ** 2 / expected for count in observed)
    return math.erfc(math.sqrt(statistic / 2))


def test_too_few_days_alone_says_so_and_when_they_will_be_in() -> None:
    found = results("badge", 3, variation("Control", 400, control=True), variation("Variant", 420))
    risk = the_gate(judged(ending("badge", found, "Control")))
    assert risk.key == "badge" and risk.needs_force and risk.level == "force"
    assert risk.message == (
        "ends before the evidence is in: 3 days live (7 needed), at least 400 orders in every variation; "
        f"7 days live: about 4 more days at the current rate. {FORCE_WAY_ON}"
    )
    assert risk.figures["days_live"] == 3.0 and risk.figures["min_days"] == 7
    assert risk.figures["orders"] == {"Control": 400, "Variant": 420} and risk.figures["min_orders"] == 300
    assert risk.figures["days_to_evidence"] == 4
    assert risk.figures["srm_p_value"] == pytest.approx(chi_square_p([5_000, 5_000]))
    assert "p2bc" not in risk.figures, "the control as winner is not asked for odds"


@pytest.mark.parametrize(
    ("days", "shown"),
    [(6.6, "6 days live (7 needed)"), (1.2, "1 day live (7 needed)"), (0.5, "0 days live (7 needed)")],
)
def test_the_days_live_are_whole_days_so_a_shortfall_never_reads_as_enough(days: float, shown: str) -> None:
    """Rounded, 6.6 days read "7 days live (7 needed)"."""
    found = results("badge", days, variation("Control", 400, control=True), variation("Variant", 420))
    risk = the_gate(judged(ending("badge", found, "Control")))
    assert risk.message.startswith(f"ends before the evidence is in: {shown}, at least 400 orders")
    assert risk.figures["days_to_evidence"] == math.ceil(7 - days)


def test_too_few_orders_names_each_short_variation_and_projects_the_slowest() -> None:
    found = results(
        "long-page",
        12,
        variation("Control", 250, control=True),
        variation("Long page", 184),
        variation("Short page", 310),
    )
    risk = the_gate(judged(ending("long-page", found, "Control"), rules=book(min_days=7)))
    # Long page: 116 more at 184 / 12 a day is 7.6 days; Control: 50 more at 250 / 12 is 2.4.
    assert risk.message == (
        "ends before the evidence is in: 12 days live, 250 orders in Control (300 needed), 184 orders in "
        "Long page (300 needed); 184 of 300 orders in Long page: about 8 more days at the current rate. "
        + FORCE_WAY_ON
    )
    assert risk.figures["orders"] == {"Control": 250, "Long page": 184, "Short page": 310}
    assert risk.figures["days_to_evidence"] == 8


def test_the_projection_takes_the_longer_of_the_days_and_the_orders_and_says_one_day() -> None:
    slow = results("badge", 3, variation("Control", 30, control=True), variation("Variant", 45))
    risk = the_gate(judged(ending("badge", slow, "Control")))
    # Control: 270 more at 10 a day, 27 days; the week needs 4.
    assert "; 30 of 300 orders in Control: about 27 more days at the current rate. " in risk.message
    almost = results("badge", 10, variation("Control", 295, control=True), variation("Variant", 301))
    risk = the_gate(judged(ending("badge", almost, "Control")))
    assert "; 295 of 300 orders in Control: about 1 more day at the current rate. " in risk.message


def test_no_projection_without_a_rate_to_go_by() -> None:
    found = results("badge", 10, variation("Control", 0, control=True), variation("Variant", 320))
    risk = the_gate(judged(ending("badge", found, "Control")))
    assert risk.message == (
        f"ends before the evidence is in: 10 days live, 0 orders in Control (300 needed). {FORCE_WAY_ON}"
    )
    assert "days_to_evidence" not in risk.figures


def test_a_sample_ratio_mismatch_alone_says_so_with_its_p_value() -> None:
    visitors = [6_000, 5_000]
    found = results(
        "badge",
        20,
        variation("Control", 500, control=True, visitors=visitors[0]),
        variation("Variant", 520, visitors=visitors[1]),
    )
    risk = the_gate(judged(ending("badge", found, "Control")))
    p_value = chi_square_p(visitors)
    assert p_value < 1e-15 and risk.figures["srm_p_value"] == pytest.approx(p_value, rel=1e-6)
    assert risk.message == (
        "ends before the evidence is in: 20 days live, at least 500 orders in every variation, a "
        f"sample-ratio mismatch (p {p_value:.2g}, below 0.001), so its results cannot be trusted. "
        + FORCE_WAY_ON
    )
    assert "days_to_evidence" not in risk.figures, "nothing countable is short: no projection"
    # The threshold is the monitor's (monitor.sample_ratio_mismatch.p_value): below it, no finding.
    assert gate_risks(judged(ending("badge", found, "Control"), rules=book(srm_p_value=p_value / 10))) == []


def test_a_challenger_winner_below_min_probability_alone_says_its_odds() -> None:
    found = results(
        "badge", 30, variation("Control", 800, control=True), variation("Variant", 820, p2bc=0.71)
    )
    risk = the_gate(judged(ending("badge", found, "Variant")))
    assert risk.message == (
        "ends before the evidence is in: 30 days live, at least 800 orders in every variation, 71% to beat "
        f"the control (90% needed). {FORCE_WAY_ON}"
    )
    assert risk.figures["p2bc"] == 0.71 and risk.figures["min_probability"] == 0.9
    no_odds = replace(found, variations=(found.variations[0], replace(found.variations[1], p2bc=None)))
    risk = the_gate(judged(ending("badge", no_odds, "Variant")))
    assert "no probability yet that Variant beats the control (90% needed)" in risk.message
    assert risk.figures["p2bc"] is None
    # Its odds are asked of a challenger only: ending on the control asks nothing of the variant's.
    assert gate_risks(judged(ending("badge", found, "Control"))) == []
    assert gate_risks(judged(ending("badge", found, "Variant"), rules=book(min_probability=0.7))) == []


def test_every_condition_at_once_in_the_issues_own_words() -> None:
    found = results(
        "long-page",
        12,
        variation("Control", 320, control=True, visitors=6_000),
        variation("Long page", 184, p2bc=0.71, visitors=5_000),
    )
    risk = the_gate(judged(ending("long-page", found, "Long page")))
    assert risk.message.startswith(
        "ends before the evidence is in: 12 days live, 184 orders in Long page (300 needed), a sample-ratio "
        "mismatch (p "
    )
    assert risk.message.endswith(
        "so its results cannot be trusted, 71% to beat the control (90% needed); 184 of 300 orders in Long "
        f"page: about 8 more days at the current rate. {FORCE_WAY_ON}"
    )


def test_enough_evidence_is_no_finding() -> None:
    found = results(
        "badge", 30, variation("Control", 800, control=True), variation("Variant", 820, p2bc=0.95)
    )
    assert gate_risks(judged(ending("badge", found, "Variant"))) == []
    exactly = results(
        "badge", 7, variation("Control", 300, control=True), variation("Variant", 300, p2bc=0.9)
    )
    assert gate_risks(judged(ending("badge", exactly, "Variant"))) == [], "the thresholds are reached"


def test_warn_shows_and_never_refuses_force_refuses_off_is_silent() -> None:
    found = results("badge", 3, variation("Control", 40, control=True), variation("Variant", 62))
    warned = judged(ending("badge", found, "Control"), rules=book("warn"))
    risk = the_gate(warned)
    assert not risk.needs_force and risk.level == "warn" and risk.message.endswith(WARN_WAY_ON)
    raise_if_unsafe(warned)
    forced = judged(ending("badge", found, "Control"))
    with pytest.raises(UnsafePlan) as refused:
        raise_if_unsafe(forced)
    assert str(refused.value) == f"Error: policy end-gate: badge: {the_gate(forced).message}"
    raise_if_unsafe(forced, force=True)
    silent = judged(ending("badge", found, "Control"), rules=book("off"))
    assert gate_risks(silent) == []


def test_a_paused_test_counts_the_days_it_ran_not_the_days_since_it_started() -> None:
    found = replace(
        results("badge", 5, variation("Control", 400, control=True), variation("Variant", 420)),
        status="paused",
        started_at=int(NOW - 40 * DAY),
    )
    risk = the_gate(judged(ending("badge", found, "Control", live_status="paused")))
    assert risk.message.startswith("ends before the evidence is in: 5 days live (7 needed), ")
    assert risk.figures["days_live"] == 5.0


def test_personalizations_are_exempt() -> None:
    found = results("welcome", 1, variation("Control", 2, control=True), variation("Variant", 1))
    exempt = judged(ending("welcome", found, "Variant", kind="personalization"))
    assert gate_risks(exempt) == []
    offer = judged(ending("welcome", None, None, kind="personalization/offer", live_status="pending"))
    assert gate_risks(offer) == []


def test_an_end_without_results_has_no_evidence() -> None:
    never_ran = the_gate(judged(ending("badge", None, "Control", live_status="pending")))
    assert the_gate(judged(ending("badge", None, "Control", live_status=None))) == never_ran  # created now
    assert never_ran.message == (
        "ends without ever having run, so it has none of the evidence the end-gate needs (7 days live, 300 "
        "orders in every variation): let it run until the evidence is in, or run apply with --force to end "
        "it now."
    )
    unread = the_gate(judged(ending("badge", None, "Control")))
    assert unread.message.startswith(
        "ends without the evidence the end-gate needs: its results could not be read; let it run"
    )
    assert unread.figures == {"results": None}


def test_the_finding_in_text_markdown_and_json() -> None:
    found = results("badge", 3, variation("Control", 40, control=True), variation("Variant", 62, p2bc=0.6))
    for level, flag in (("force", "⛔ end-gate (needs --force)"), ("warn", "⚠️ end-gate (warning)")):
        made = judged(ending("badge", found, "Variant"), rules=book(level))
        risk = the_gate(made)
        label = flag.split(" ", 1)[1]
        assert f"! {label}: {risk.message}" in render_plan_text(made)
        assert f"> **{flag}:** {risk.message}" in render_plan_markdown(made)
        document = json.loads(render_plan_json(made))
        assert list(Draft202012Validator(load_schema(PLAN_SCHEMA)).iter_errors(document)) == []
        (shown,) = [item for item in document["risks"] if item["rule"] == GATE]
        assert shown["kind"] == GATE and shown["key"] == "badge" and shown["message"] == risk.message
        assert shown["level"] == level and shown["needs_force"] == (level == "force")
        assert shown["figures"] == {
            "days_live": 3.0,
            "min_days": 7,
            "orders": {"Control": 40, "Variant": 62},
            "min_orders": 300,
            "srm_p_value": pytest.approx(1.0),
            "p2bc": 0.6,
            "min_probability": 0.9,
            "days_to_evidence": 20,  # Control: 260 more at 40 / 3 a day, 19.5; Variant: 238 at 62 / 3, 11.5
        }
        again = plan_from_document(document)
        assert [(r.rule, r.needs_force, r.message) for r in again.risks] == [
            (r.rule, r.needs_force, r.message) for r in made.risks
        ]


# --- the impact estimate, hand-built -------------------------------------------------------------------


def three_way(key: str, est: float | None, *, symbol: str = "$") -> ExperienceResults:
    """Results where the control earns most per visitor, B least, C most of the challengers, D unknown."""
    return results(
        key,
        30,
        variation("Control", 900, control=True, rpv=5.0, percentage=25),
        variation("B", 880, rpv=2.1, p2bc=0.2, percentage=25),
        variation("C", 910, rpv=2.4, p2bc=0.3, percentage=25),
        variation("D", 905, rpv=None, percentage=25),
        est=est,
        symbol=symbol,
    )


def test_the_estimated_challenger_is_the_best_revenue_per_visitor_but_the_controls() -> None:
    found = three_way("trio", 8_400)
    assert found.estimated_challenger is not None and found.estimated_challenger.name == "C"
    lone = results("solo", 10, variation("Control", 10, control=True, rpv=1.0))
    assert lone.estimated_challenger is None


def test_the_impact_sentence_says_whether_the_winner_is_the_estimated_challenger() -> None:
    found = three_way("trio", 8_400)
    estimate = f"the API estimates +$8,400 a month for C, the best challenger by revenue per visitor, as {IMPACT_FORMULA}"  # noqa: E501 (the sentence as it reads)
    assert impact_text(found, "C") == f"{estimate}; the winner is that challenger."
    assert impact_text(found, "B") == (
        f"{estimate}; the winner B is not that challenger, so the estimate is not its."
    )
    assert impact_text(found, None) == f"{estimate}."
    assert impact_text(replace(found, est_monthly_revenue_increase=-120.4, currency_symbol="€"), "C") == (
        f"the API estimates -€120 a month for C, the best challenger by revenue per visitor, as {IMPACT_FORMULA}; the winner is that "  # noqa: E501 (the sentence as it reads)
        "challenger."
    )
    assert impact_text(three_way("trio", None), "C") == (
        "the API has no estimate of the monthly revenue impact yet (too little data)."
    )


def test_the_summary_totals_the_ends_whose_winner_is_the_estimated_challenger() -> None:
    trio = ending("trio", three_way("trio", 8_400.4), "C")
    pair = ending(
        "pair",
        results(
            "pair",
            20,
            variation("Control", 500, control=True, rpv=3.0),
            variation("Variant", 520, rpv=3.2, p2bc=0.97),
            est=1_200,
        ),
        "Variant",
    )
    kept = ending("kept", three_way("kept", 999), "Control")
    other = ending("other", three_way("other", 4_000), "B")

    both = judged(trio, pair)
    assert ending_impact(both).total == pytest.approx(9_600.4) and ending_impact(both).counted == 2
    assert summary_line(both) == (
        "Plan: 0 to create, 0 to update, 2 lifecycle actions (end 2). 2 tests to end: estimated +$9,600 a "
        "month."
    )
    assert plan_document(both)["summary"]["est_monthly_revenue_increase"] == pytest.approx(9_600.4)

    some = judged(trio, pair, kept, other)
    assert summary_line(some).endswith(
        "4 tests to end: estimated +$9,600 a month from 2 of them (the others' winners have no estimate)."
    )
    assert plan_document(some)["summary"]["est_monthly_revenue_increase"] == pytest.approx(9_600.4)

    for none in (judged(kept), judged(other), judged(kept, other)):
        assert ending_impact(none).total is None
        assert "to end: estimated" not in summary_line(none)
        assert plan_document(none)["summary"]["est_monthly_revenue_increase"] is None


def test_the_impact_shows_in_text_and_markdown_and_survives_the_json() -> None:
    made = judged(ending("trio", three_way("trio", 8_400), "C"), ending("kept", three_way("kept", 50), "B"))
    text = render_plan_text(made)
    assert (
        f"      impact: the API estimates +$8,400 a month for C, the best challenger by revenue per visitor, as {IMPACT_FORMULA}; the "  # noqa: E501 (the sentence as it reads)
        "winner is that challenger.\n"
    ) in text
    assert (
        "      impact: the API estimates +$50 a month for C, the best challenger by revenue per visitor, as ("
        in text
    )
    assert "the winner B is not that challenger, so the estimate is not its." in text
    assert "2 tests to end: estimated +$8,400 a month from 1 of them" in text
    markdown = render_plan_markdown(made)
    assert (
        "**Impact:** The API estimates +$8,400 a month for C, the best challenger by revenue per visitor, as ("  # noqa: E501 (the sentence as it reads)
        in markdown
    )
    assert "**Impact:** The API estimates +$50 a month for C" in markdown
    assert "2 tests to end: estimated +$8,400 a month from 1 of them" in markdown
    document = json.loads(render_plan_json(made))
    assert list(Draft202012Validator(load_schema(PLAN_SCHEMA)).iter_errors(document)) == []
    assert document["summary"]["est_monthly_revenue_increase"] == 8_400
    assert [item["results"]["impact"] for item in document["experiences"]] == [
        {"est_monthly_revenue_increase": 8_400},
        {"est_monthly_revenue_increase": 50},
    ]
    again = plan_from_document(document)
    assert summary_line(again) == summary_line(made) and render_plan_text(again) == text


# --- the emulator's answers --------------------------------------------------------------------------


def live_then_ending(
    marker: str, winner: str | None, *, kind: str = "content/advanced", **fields: Any
) -> tuple[Sandbox, DesiredExperience]:
    """A sandbox where the test runs with the story `marker`, and its file asking to end it with `winner`."""
    sandbox = new_sandbox()
    running = desired(typed(ab_test("Checkout badge", marker, **fields), kind), key="badge")
    with_client(sandbox, lambda client: create_as_igops(client, running))
    chosen = {"winner": winner} if winner else {}
    document = ab_test("Checkout badge", marker, status="ended", **fields, **chosen)
    return sandbox, desired(typed(document, kind), key="badge")


def typed(document: dict[str, Any], kind: str) -> dict[str, Any]:
    """The test `document` as an experience of type `kind`: its challengers carry what that type needs."""
    if document["type"] == kind:
        return document
    variations = [
        {key: value for key, value in item.items() if key not in TYPE_CHANGE[document["type"]]}
        | ({} if item.get("isControl") else TYPE_CHANGE[kind])
        for item in document["variations"]
    ]
    return document | {"type": kind, "variations": variations}


def planned_end(marker: str, winner: str | None, rules: RuleBook, **fields: Any) -> tuple[Sandbox, Plan]:
    sandbox, ending_file = live_then_ending(marker, winner, **fields)
    return sandbox, plan(sandbox, [ending_file], rules=rules)


def test_the_emulator_too_few_days() -> None:
    _, made = planned_end("started 3 days ago", "Control", book(min_orders=0, srm_p_value=NO_SRM))
    risk = the_gate(made)
    fewest = min(risk.figures["orders"].values())
    assert risk.message == (
        f"ends before the evidence is in: 3 days live (7 needed), at least {fewest:,} orders in every "
        f"variation; 7 days live: about 4 more days at the current rate. {FORCE_WAY_ON}"
    )
    assert risk.figures["days_live"] == pytest.approx(3, abs=0.01) and risk.figures["days_to_evidence"] == 4


def test_the_emulator_too_few_orders_and_the_projection_from_the_figures() -> None:
    # Two days of the emulator's traffic are a few dozen orders per variation, far from 300.
    _, made = planned_end("started 2 days ago", "Control", book(min_days=1, srm_p_value=NO_SRM))
    risk = the_gate(made)
    orders, days = risk.figures["orders"], risk.figures["days_live"]
    assert set(orders) == {"Control", "Variant"} and max(orders.values()) < 300
    assert risk.message.startswith(
        "ends before the evidence is in: 2 days live, "
        f"{orders['Control']:,} orders in Control (300 needed), {orders['Variant']:,} orders in Variant "
        "(300 needed); "
    )
    # The slowest variation at its own daily rate so far: (300 - orders) / (orders / days) more days (a tie
    # may name either).
    waits = {name: (300 - count) * days / count for name, count in orders.items()}
    slowest = [name for name in orders if waits[name] == max(waits.values())]
    more = risk.figures["days_to_evidence"]
    # days_live is rounded to hundredths in the figures; the rule counted with the unrounded days.
    count = orders[slowest[0]]
    assert more in {math.ceil((300 - count) * d / count) for d in (days - 0.005, days, days + 0.005)}
    assert any(
        risk.message.endswith(
            f"; {count:,} of 300 orders in {name}: about {more} more days at the current rate. {FORCE_WAY_ON}"
        )
        for name in slowest
    ), risk.message


def test_the_emulator_sample_ratio_mismatch() -> None:
    _, made = planned_end("started 30 days ago, srm", "Control", book(min_orders=0))
    risk = the_gate(made)
    p_value = risk.figures["srm_p_value"]
    assert p_value < 0.001
    assert risk.message.endswith(
        f", a sample-ratio mismatch (p {p_value:.2g}, below 0.001), so its results cannot be trusted. "
        + FORCE_WAY_ON
    )
    assert "needed" not in risk.message and "days_to_evidence" not in risk.figures


def test_the_emulator_challenger_without_the_odds() -> None:
    # A collapsed checkout: the variant has next to no chance to beat the control.
    _, made = planned_end(
        "started 60 days ago, conversion collapse", "Variant", book(min_orders=0, srm_p_value=NO_SRM)
    )
    risk = the_gate(made)
    odds = risk.figures["p2bc"]
    assert odds is not None and odds < 0.9 and risk.figures["min_probability"] == 0.9
    assert risk.message.endswith(f", {odds:.0%} to beat the control (90% needed). {FORCE_WAY_ON}")
    assert risk.message.startswith("ends before the evidence is in: 60 days live, at least ")
    # strong-loss-winner judges the same end by the API's verdict; end-gate's is the evidence.
    assert {risk.rule for risk in made.blocking_risks} <= {GATE, "strong-loss-winner"}


def test_the_emulator_long_running_test_ending_on_the_control_passes() -> None:
    # 150 days of the emulator's slowest traffic is still hundreds of orders per variation.
    _, made = planned_end("started 150 days ago, uplift +20%", "Control", book(srm_p_value=NO_SRM))
    assert made.experiences[0].results is not None
    assert min(v.orders for v in made.experiences[0].results.variations) >= 300
    assert gate_risks(made) == []


def test_plans_without_an_end_read_no_analytics_even_with_the_gate_at_force() -> None:
    sandbox = new_sandbox()
    running = desired(ab_test("Checkout badge", "started 3 days ago"), key="badge")
    with_client(sandbox, lambda client: create_as_igops(client, running))
    description = "Checkout badge, reworded. [sandbox started 3 days ago]"
    reworded = desired(ab_test("Checkout badge") | {"description": description}, key="badge")
    fresh = desired(ab_test("New test", "started 3 days ago"), key="new")
    made = plan(sandbox, [reworded, fresh], rules=book())
    assert made.has_changes and gate_risks(made) == []
    assert not any("/analytics/" in request.path for request in sandbox.requests)
    # An end reads its results once, and only the ended experience's.
    sandbox, ending_file = live_then_ending("started 3 days ago", "Control")
    made = plan(sandbox, [ending_file], rules=book())
    live_id = made.experiences[0].experience_id
    assert [
        request.path.rsplit("/", 1)[-1] for request in sandbox.requests if "/analytics/" in request.path
    ] == [live_id]


def test_the_emulator_personalization_is_exempt() -> None:
    sandbox, ending_file = live_then_ending("started 1 day ago", "Variant", kind="personalization")
    made = plan(sandbox, [ending_file], rules=book())
    assert [change.kind for change in made.experiences[0].changes] == [ChangeKind.END]
    assert gate_risks(made) == []


def test_the_emulator_impact_is_its_estimate_of_the_best_challenger() -> None:
    _, made = planned_end("started 12 days ago, uplift +8%", "Variant", book("off"))
    found = made.experiences[0].results
    assert found is not None and found.est_monthly_revenue_increase is not None
    control, variant = found.variations
    # The emulator's formula, from the figures it shows (each rounded, so a few dollars either way).
    visitors = control.visitors + variant.visitors
    assert control.net_revenue_per_visitor is not None and variant.net_revenue_per_visitor is not None
    gain = (variant.net_revenue_per_visitor - control.net_revenue_per_visitor) * visitors * 30 / 12
    assert found.est_monthly_revenue_increase == pytest.approx(gain, abs=2 + abs(gain) * 1e-4)
    amount = signed_amount(found.est_monthly_revenue_increase, "$")
    assert summary_line(made).endswith(f" 1 test to end: estimated {amount} a month.")
    assert (
        f"impact: the API estimates {amount} a month for Variant, the best challenger by revenue per visitor, as ("  # noqa: E501 (the sentence as it reads)
        in render_plan_text(made)
    )
    assert "; the winner is that challenger." in render_plan_text(made)
    assert f"**Impact:** The API estimates {amount} a month for Variant" in render_plan_markdown(made)
    document = json.loads(render_plan_json(made))
    assert document["summary"]["est_monthly_revenue_increase"] == found.est_monthly_revenue_increase
    assert document["summary"]["line"] == summary_line(made)


def test_the_emulator_impact_of_an_end_on_the_control_is_no_total() -> None:
    _, made = planned_end("started 12 days ago, uplift +8%", "Control", book("off"))
    assert made.experiences[0].results is not None
    assert made.experiences[0].results.est_monthly_revenue_increase is not None
    assert ending_impact(made).total is None and "to end: estimated" not in summary_line(made)
    assert "; the winner Control is not that challenger, so the estimate is not its." in render_plan_text(
        made
    )
    assert json.loads(render_plan_json(made))["summary"]["est_monthly_revenue_increase"] is None


def test_the_emulator_impact_with_two_challengers_is_about_the_better_one() -> None:
    variations = [
        {"name": "Control", "isControl": True, "percentage": 34},
        {"name": "B", "percentage": 33, **TYPE_CHANGE["content/advanced"]},
        {"name": "C", "percentage": 33, "onsiteInjection": {"customCss": ".hero { color: blue; }"}},
    ]
    _, made = planned_end("started 20 days ago, uplift +10%", "B", book("off"), variations=variations)
    found = made.experiences[0].results
    assert found is not None and found.est_monthly_revenue_increase is not None
    challengers = [v for v in found.variations if not v.is_control]
    best = max(challengers, key=lambda v: v.net_revenue_per_visitor or 0.0)
    assert found.estimated_challenger == best
    control = found.control
    assert control is not None and control.net_revenue_per_visitor is not None
    assert best.net_revenue_per_visitor is not None
    gain = (
        (best.net_revenue_per_visitor - control.net_revenue_per_visitor)
        * sum(v.visitors for v in found.variations)
        * 30
        / 20
    )
    assert found.est_monthly_revenue_increase == pytest.approx(gain, abs=2 + abs(gain) * 1e-4)
    # The same results, ended on each challenger in turn: only the estimated one's end is totalled.
    for name in ("B", "C"):
        (planned,) = made.experiences
        renamed = replace(
            made, experiences=(replace(planned, changes=(Change(ChangeKind.END, winner=name),)),)
        )
        total = ending_impact(renamed).total
        assert total == (found.est_monthly_revenue_increase if name == best.name else None), name
        said = impact_text(found, name)
        assert said.endswith("the winner is that challenger.") == (name == best.name)
