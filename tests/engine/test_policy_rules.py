"""The experiment policies in plans made against the emulator: for each of overlap, freeze, max-discount,
primary-metric, max-runtime and blast-radius, a plan that trips it and one that does not, and the finding in
the text, the pull request comment and the JSON plan alike (rule, experience, figures, level)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from support.emulator import new_sandbox
from support.engine import create_as_igops, desired, plan, with_client
from support.files import experience, offer

from igops.documents.plan import PLAN_SCHEMA, plan_document
from igops.engine.rules import DEFAULT_BOOK, Level, PlanInputs, Policy, RuleBook, assess
from igops.model import Change, ChangeKind, DesiredExperience, ExperiencePlan, Plan, Risk
from igops.render.plan_markdown import render_plan_markdown
from igops.render.plan_text import render_plan_text
from igops.render.untrusted import markdown_inline
from igops.sandbox import Sandbox
from igops.schemas import load_schema

PLAN_VALIDATOR = Draft202012Validator(load_schema(PLAN_SCHEMA))
DAY = 86_400
METRICS = [{"standardEventId": "conversionRate", "isPrimary": True}]
Documents = Mapping[str, dict[str, Any]]


def a_test(name: str, *, status: str = "started", **fields: Any) -> dict[str, Any]:
    """A content/advanced test judged on one primary metric (so primary-metric has nothing to say)."""
    return experience("content/advanced", name=name, status=status, experienceKeyMetrics=METRICS, **fields)


def on_path(comparison: str, value: str) -> list[dict[str, Any]]:
    return [
        {"expression": [{"query": {"type": "urlPath", "key": "path", "filter": comparison, "value": value}}]}
    ]


def files(documents: Documents) -> list[DesiredExperience]:
    return [desired(document, key) for key, document in documents.items()]


def seeded(documents: Documents, *, unmanaged: Documents | None = None) -> Sandbox:
    """An emulator holding each document's experience at its status, as applies (or, for `unmanaged`, the
    dashboard) left them."""
    sandbox = new_sandbox()

    async def create_all(client):  # type: ignore[no-untyped-def]
        for experience_file in files({**documents, **(unmanaged or {})}):
            await create_as_igops(client, experience_file)

    with_client(sandbox, create_all)
    return sandbox


def book(rule: str, level: str = "warn", **options: Any) -> RuleBook:
    """The built-in rules at their defaults, but `rule` at `level` with `options` over its thresholds."""
    return RuleBook(
        tuple(
            replace(entry, policy=Policy(Level(level), {**entry.policy.options, **options}))
            if entry.rule.name == rule
            else entry
            for entry in DEFAULT_BOOK.entries
        )
    )


def label(risk: Risk) -> str:
    return f"{risk.rule} ({'needs --force' if risk.needs_force else 'warning'})"


def shown_everywhere(made: Plan, rule: str, key: str | None = "") -> Risk:
    """The plan's one finding of `rule` (about `key`, when given), once checked in the text (under its
    experience, or the plan's own at the end), the markdown comment (in its experience's section) and the
    JSON plan (against its schema)."""
    [risk] = [risk for risk in made.risks if risk.rule == rule and key in ("", risk.key)]
    text = render_plan_text(made)
    line = f"! {label(risk)}: {risk.message}"
    if risk.key is None:
        assert f"\n{line}\n" in text, text
    else:
        [experience_plan] = [e for e in made.experiences if e.key == risk.key]
        heading = f"{risk.key} ({experience_plan.name})"
        assert heading in text and f"\n      {line}" in text, text
        assert text.index(heading) < text.index(line)
    markdown = render_plan_markdown(made)
    flag = "⛔" if risk.needs_force else "⚠️"
    quoted = f"> **{flag} {markdown_inline(label(risk))}:** {markdown_inline(risk.message)}"
    if risk.key is None:
        assert quoted in markdown.split("<details>")[0], markdown
    else:
        [section] = [
            part for part in markdown.split("<details>") if f"<b>{markdown_inline(risk.key)}</b>" in part
        ]
        assert quoted in section, markdown
    document = plan_document(made)
    assert list(PLAN_VALIDATOR.iter_errors(document)) == []
    [item] = [item for item in document["risks"] if item["rule"] == rule and item["key"] == risk.key]
    assert item == {
        "kind": rule,
        "rule": rule,
        "key": risk.key,
        "message": risk.message,
        "needs_force": risk.needs_force,
        "level": "force" if risk.needs_force else "warn",
        "figures": dict(risk.figures),
    }
    return risk


def said_nowhere(made: Plan, rule: str) -> None:
    assert [risk for risk in made.risks if risk.rule == rule] == []
    assert f"! {rule} (" not in render_plan_text(made)
    assert f"{markdown_inline(rule)} (" not in render_plan_markdown(made)
    assert [item for item in plan_document(made)["risks"] if item["rule"] == rule] == []


def iso(moment: float, hours: int = -5) -> str:
    """The moment in ISO 8601 with a UTC offset of `hours`, to the second."""
    return datetime.fromtimestamp(int(moment), timezone(timedelta(hours=hours))).isoformat()


# --- each rule's scenario: a plan that trips it at the given book ------------------------------------------


def overlapping(rules: RuleBook) -> Plan:
    """socks, reworded, runs where products runs."""
    running = {
        "products": a_test("All products", experiencePageTargeting=on_path("startsWith", "/products")),
        "socks": a_test("Socks", experiencePageTargeting=on_path("equals", "/products/socks")),
    }
    sandbox = seeded(running)
    return plan(
        sandbox, files({**running, "socks": {**running["socks"], "description": "Reworded."}}), rules=rules
    )


def frozen(rules: RuleBook) -> Plan:
    now = time.time()
    window = {"name": "BFCM", "start": iso(now - DAY), "end": iso(now + DAY)}
    rules = rules.with_option("freeze", "windows", [window])
    sandbox = seeded({"theme": a_test("Theme", status="draft")})
    return plan(sandbox, files({"theme": a_test("Theme")}), rules=rules, now=now)


def deep_offer(percent: float = 45, *, status: str = "draft") -> dict[str, Any]:
    tiers = [
        {"minimumUnits": 2, "maximumUnits": 2, "unitDiscount": 10},
        {"minimumUnits": 3, "maximumUnits": 9, "unitDiscount": percent},
    ]
    document = experience("personalization/offer", name="Bundle", status=status)
    document["variations"][1]["offer"] = offer(discountType="percentage", tiers=tiers)
    return document


def discounting(rules: RuleBook) -> Plan:
    return plan(new_sandbox(), files({"bundle": deep_offer()}), rules=rules)


def unmeasured(rules: RuleBook) -> Plan:
    document = experience("content/advanced", name="Unmeasured", status="draft")
    return plan(new_sandbox(), files({"unmeasured": document}), rules=rules)


def long_running(rules: RuleBook) -> Plan:
    old = {"old": a_test("Old", description="Long since decided. [sandbox started 40 days ago]")}
    return plan(seeded(old), files(old), rules=rules)


def four_running() -> dict[str, dict[str, Any]]:
    return {f"t{number}": a_test(f"Test {number}") for number in range(1, 5)}


def paused(documents: Documents, *keys: str) -> dict[str, dict[str, Any]]:
    return {
        key: {**document, "status": "paused"} if key in keys else document
        for key, document in documents.items()
    }


def moving_many(rules: RuleBook) -> Plan:
    running = four_running()
    return plan(seeded(running), files(paused(running, "t1", "t2", "t3")), rules=rules)


@dataclass(frozen=True)
class Scenario:
    rule: str
    make: Callable[[RuleBook], Plan]
    key: str | None  # the experience the finding is about, None for the plan's own


SCENARIOS = [
    Scenario("overlap", overlapping, "socks"),
    Scenario("freeze", frozen, "theme"),
    Scenario("max-discount", discounting, "bundle"),
    Scenario("primary-metric", unmeasured, "unmeasured"),
    Scenario("max-runtime", long_running, "old"),
    Scenario("blast-radius", moving_many, None),
]


@pytest.mark.parametrize("level", ["warn", "force"])
@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda scenario: scenario.rule)
def test_each_rule_is_shown_in_every_format_at_its_level(scenario: Scenario, level: str) -> None:
    risk = shown_everywhere(scenario.make(book(scenario.rule, level)), scenario.rule)
    assert risk.key == scenario.key
    assert risk.needs_force is (level == "force")
    assert risk.figures, "the figures the message states, for machines"
    assert ("--force" in risk.message) is (level == "force"), (
        "the way on names --force only when it is needed"
    )


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda scenario: scenario.rule)
def test_each_rule_turned_off_says_nothing(scenario: Scenario) -> None:
    said_nowhere(scenario.make(book(scenario.rule, "off")), scenario.rule)


def test_every_new_rule_warns_by_default_and_the_rails_refuse() -> None:
    levels = {entry.rule.name: entry.policy.level.value for entry in DEFAULT_BOOK.entries}
    assert levels == {
        "max-changes": "force",
        "running-split": "force",
        "end-without-winner": "force",
        "strong-loss-winner": "force",
        "end-gate": "warn",
        "overlap": "warn",
        "freeze": "warn",
        "max-discount": "warn",
        "primary-metric": "warn",
        "max-runtime": "warn",
        "blast-radius": "warn",
    }


# --- overlap -------------------------------------------------------------------------------------------


def test_overlap_names_the_other_test_and_the_pages_both_match() -> None:
    risk = shown_everywhere(overlapping(DEFAULT_BOOK), "overlap")
    assert risk.message.startswith(
        "runs at the same time as products (All products) on pages both can match (here: the URL path is "
        "/products/socks; products: the URL path starts with /products), and their audiences are not apart"
    )
    assert risk.figures == {
        "other": "products",
        "pages": "the URL path is /products/socks",
        "other_pages": "the URL path starts with /products",
    }


def test_overlap_in_a_plan_only_of_pairs_the_plan_changes() -> None:
    running = {
        "products": a_test("All products", experiencePageTargeting=on_path("startsWith", "/products")),
        "socks": a_test("Socks", experiencePageTargeting=on_path("equals", "/products/socks")),
        "home": a_test("Home", experiencePageTargeting=on_path("equals", "/")),
    }
    sandbox = seeded(running)
    said_nowhere(plan(sandbox, files(running)), "overlap")
    # Reworded, home still runs apart from the others.
    said_nowhere(
        plan(sandbox, files({**running, "home": {**running["home"], "description": "New."}})), "overlap"
    )
    moved = {
        **running,
        "socks": {**running["socks"], "experiencePageTargeting": on_path("startsWith", "/pages")},
    }
    said_nowhere(plan(sandbox, files(moved)), "overlap")
    said_nowhere(plan(sandbox, files(paused(running, "socks"))), "overlap")


def test_overlap_of_a_new_test_with_a_running_one() -> None:
    running = {"products": a_test("All products", experiencePageTargeting=on_path("startsWith", "/products"))}
    sitewide = a_test("Sitewide theme")
    made = plan(seeded(running), files({**running, "sitewide": sitewide}))
    risk = shown_everywhere(made, "overlap")
    assert (risk.key, risk.figures["other"], risk.figures["pages"]) == ("sitewide", "products", "every page")
    # Drafted, it runs nowhere yet.
    said_nowhere(
        plan(seeded(running), files({**running, "sitewide": {**sitewide, "status": "draft"}})), "overlap"
    )


def test_overlap_leaves_tests_for_other_currencies_and_personalizations_alone() -> None:
    usd = {"enabled": True, "excludeCurrency": {"exclude": True, "currency": "USD"}}
    eur = {"enabled": True, "excludeCurrency": {"exclude": True, "currency": "EUR"}}
    running = {"usd": a_test("Dollars", audience=usd)}
    added = {"eur": a_test("Euros", audience=eur)}
    said_nowhere(plan(seeded(running), files({**running, **added})), "overlap")
    banner = {"banner": experience("personalization", name="Banner", status="started")}
    said_nowhere(plan(seeded(running), files({**running, **banner})), "overlap")


# --- freeze --------------------------------------------------------------------------------------------


def test_freeze_holds_back_starts_ends_and_running_splits_naming_the_window() -> None:
    now = time.time()
    window = {"name": "BFCM", "start": iso(now - DAY), "end": iso(now + DAY)}
    before = {
        "draft": a_test("Draft", status="draft"),
        "resplit": a_test("Resplit"),
        "ending": a_test("Ending"),
        "pausing": a_test("Pausing"),
        "reworded": a_test("Reworded"),
    }
    sandbox = seeded(before)
    resplit = a_test("Resplit")
    resplit["variations"][0]["percentage"], resplit["variations"][1]["percentage"] = 30, 70
    after = {
        "draft": a_test("Draft"),
        "resplit": resplit,
        "ending": a_test("Ending", status="ended", winner="Variant"),
        "pausing": a_test("Pausing", status="paused"),
        "reworded": a_test("Reworded", description="Only the words."),
    }
    rules = book("freeze", "force", windows=[window])
    made = plan(sandbox, files(after), rules=rules, now=now)
    found = {risk.key: risk for risk in made.risks if risk.rule == "freeze"}
    assert list(found) == ["draft", "resplit", "ending"], "a pause, or new words, is not held back"
    during = f"during the freeze window BFCM ({window['start']} to {window['end']})"
    assert (
        found["draft"].message == f"starts {during}: wait until the window ends, or run apply with --force."
    )
    assert found["resplit"].message.startswith(
        f"changes the split or the variations of a running test {during}"
    )
    assert found["ending"].message.startswith(f"ends {during}")
    assert found["ending"].figures == {
        "window": "BFCM",
        "start": window["start"],
        "end": window["end"],
        "changes": ["ends"],
    }
    for key in found:
        assert shown_everywhere(made, "freeze", key).needs_force

    for outside in (now - 2 * DAY, now + DAY, now + 2 * DAY):
        said_nowhere(plan(sandbox, files(after), rules=rules, now=outside), "freeze")


def test_a_window_is_read_with_its_utc_offset() -> None:
    """The window ends at midnight in New York: 05:00 UTC, so 04:59:59 UTC is inside and 05:00 is not."""
    window = {"name": "BFCM", "start": "2026-11-23T00:00:00-05:00", "end": "2026-12-02T00:00:00-05:00"}
    starting = ExperiencePlan(
        "d", "D", "experiences/d.yaml", "id-d", "draft", "started", 1, (Change(ChangeKind.START),)
    )
    rules = book("freeze", windows=[window]).in_force()
    last_second = datetime(2026, 12, 2, 4, 59, 59, tzinfo=UTC).timestamp()
    assert [risk.rule for risk in assess(PlanInputs((starting,), now=last_second), rules)] == ["freeze"]
    assert assess(PlanInputs((starting,), now=last_second + 1), rules) == ()
    first_second = datetime(2026, 11, 23, 5, 0, 0, tzinfo=UTC).timestamp()
    assert [risk.rule for risk in assess(PlanInputs((starting,), now=first_second), rules)] == ["freeze"]
    assert assess(PlanInputs((starting,), now=first_second - 1), rules) == ()


def test_the_plan_clock_is_the_system_clock_unless_given(monkeypatch: pytest.MonkeyPatch) -> None:
    window = {"name": "Launch", "start": "2030-01-01T00:00:00Z", "end": "2030-01-08T00:00:00Z"}
    sandbox = seeded({"theme": a_test("Theme", status="draft")})
    rules = book("freeze", windows=[window])
    said_nowhere(plan(sandbox, files({"theme": a_test("Theme")}), rules=rules), "freeze")
    monkeypatch.setattr(time, "time", lambda: datetime(2030, 1, 3, tzinfo=UTC).timestamp())
    risk = shown_everywhere(plan(sandbox, files({"theme": a_test("Theme")}), rules=rules), "freeze")
    assert risk.figures["window"] == "Launch" and risk.figures["changes"] == ["starts"]


# --- max-discount --------------------------------------------------------------------------------------


def test_max_discount_names_the_variation_the_tier_and_both_percentages() -> None:
    risk = shown_everywhere(discounting(DEFAULT_BOOK), "max-discount")
    assert risk.message == (
        "the offer of Variant gives 45% off in tier 2, more than max-discount allows (30%): check the margin "
        "allows it."
    )
    assert risk.figures == {"variation": "Variant", "tier": 2, "discount": "45%", "limit": "30%"}


@pytest.mark.parametrize(("percent", "found"), [(30, False), (30.5, True), (29, False)])
def test_a_percentage_equal_to_the_limit_passes(percent: float, found: bool) -> None:
    made = plan(new_sandbox(), files({"bundle": deep_offer(percent)}))
    assert [risk.rule for risk in made.risks if risk.rule == "max-discount"] == (
        ["max-discount"] if found else []
    )


def fixed_offer(amount: float) -> dict[str, Any]:
    document = experience("personalization/offer", name="Five off", status="draft")
    tiers = [{"minimumUnits": 1, "maximumUnits": 99, "unitDiscount": amount}]
    document["variations"][1]["offer"] = offer(discountType="dollar", tiers=tiers)
    return document


def test_a_fixed_amount_is_held_to_max_amount_only_when_it_is_set() -> None:
    big = files({"five": fixed_offer(20)})
    said_nowhere(plan(new_sandbox(), big), "max-discount")
    risk = shown_everywhere(
        plan(new_sandbox(), big, rules=book("max-discount", max_amount=15)), "max-discount"
    )
    assert risk.figures == {"variation": "Variant", "tier": 1, "discount": "20", "limit": "15"}
    assert "gives 20 off in tier 1, more than max-discount allows (15)" in risk.message
    said_nowhere(plan(new_sandbox(), big, rules=book("max-discount", max_amount=20)), "max-discount")


def test_max_discount_judges_only_the_offers_a_plan_changes() -> None:
    deep = {"bundle": deep_offer()}
    sandbox = seeded(deep)
    said_nowhere(plan(sandbox, files(deep)), "max-discount")
    reworded = {"bundle": {**deep["bundle"], "description": "Reworded."}}
    assert shown_everywhere(plan(sandbox, files(reworded)), "max-discount").key == "bundle"


# --- primary-metric ------------------------------------------------------------------------------------


def test_primary_metric_says_what_to_declare() -> None:
    risk = shown_everywhere(unmeasured(DEFAULT_BOOK), "primary-metric")
    assert risk.message == (
        "declares no primary key metric: name the one metric it is judged on in experienceKeyMetrics with "
        "isPrimary: true (such as standardEventId: netRevenuePerVisitor), before it runs."
    )
    assert risk.figures == {"primary_metrics": 0}


def test_one_primary_metric_passes_and_personalizations_are_exempt() -> None:
    measured = {"measured": a_test("Measured", status="draft")}
    said_nowhere(plan(new_sandbox(), files(measured)), "primary-metric")
    banner = {"banner": experience("personalization", name="Banner", status="draft")}
    said_nowhere(plan(new_sandbox(), files(banner)), "primary-metric")
    said_nowhere(plan(new_sandbox(), files({"bundle": deep_offer()})), "primary-metric")


# --- max-runtime ---------------------------------------------------------------------------------------


def test_max_runtime_counts_the_days_since_the_first_start() -> None:
    risk = shown_everywhere(long_running(DEFAULT_BOOK), "max-runtime")
    assert risk.message == (
        "has run 40 days, longer than max-runtime allows (35): a test that long has its answer or will not "
        "get one; end it with a winner (status: ended), or raise max_days."
    )
    assert risk.figures["max_days"] == 35 and risk.figures["days_live"] == pytest.approx(40, abs=0.01)


def test_a_test_the_plan_pauses_or_ends_is_not_held_to_max_runtime() -> None:
    old = {"old": a_test("Old", description="Long since decided. [sandbox started 40 days ago]")}
    sandbox = seeded(old)
    said_nowhere(plan(sandbox, files(paused(old, "old"))), "max-runtime")
    ending = {"old": {**old["old"], "status": "ended", "winner": "Variant"}}
    said_nowhere(plan(sandbox, files(ending)), "max-runtime")


def test_max_runtime_follows_max_days_and_leaves_personalizations_alone() -> None:
    recent = {"recent": a_test("Recent", description="Three weeks. [sandbox started 21 days ago]")}
    sandbox = seeded(recent)
    said_nowhere(plan(sandbox, files(recent)), "max-runtime")
    risk = shown_everywhere(
        plan(sandbox, files(recent), rules=book("max-runtime", max_days=14)), "max-runtime"
    )
    assert "has run 21 days, longer than max-runtime allows (14)" in risk.message
    banner = {
        "banner": experience(
            "personalization",
            name="Banner",
            status="started",
            description="On and on. [sandbox started 90 days ago]",
        )
    }
    said_nowhere(plan(seeded(banner), files(banner)), "max-runtime")


def _running_for(
    days: float, *, desired_status: str = "started", changes: tuple[Change, ...] = ()
) -> PlanInputs:
    now = 2_000_000_000.0
    started = ExperiencePlan(
        "t",
        "T",
        "experiences/t.yaml",
        "id-t",
        "started",
        desired_status,
        1,
        changes,
        started_at=int(now - days * DAY),
    )
    return PlanInputs((started,), (desired(a_test("T"), "t"),), now=now)


@pytest.mark.parametrize(("days", "flagged"), [(34.9, False), (35, False), (35.01, True), (400, True)])
def test_max_runtime_flags_only_beyond_max_days(days: float, flagged: bool) -> None:
    found = [
        risk.rule
        for risk in assess(_running_for(days), DEFAULT_BOOK.in_force())
        if risk.rule == "max-runtime"
    ]
    assert found == (["max-runtime"] if flagged else [])


def test_max_runtime_spares_a_test_the_plan_stops() -> None:
    stopping = _running_for(60, desired_status="paused", changes=(Change(ChangeKind.PAUSE),))
    assert [risk.rule for risk in assess(stopping, DEFAULT_BOOK.in_force())] == []


# --- blast-radius --------------------------------------------------------------------------------------


def test_blast_radius_is_the_plans_own_finding_with_its_counts() -> None:
    risk = shown_everywhere(moving_many(DEFAULT_BOOK), "blast-radius")
    assert risk.message == (
        "the plan starts, pauses or ends 3 experiences (pause 3) while 4 are running, more than blast-radius "
        "allows (50% of them, 2): review it, or split the change."
    )
    assert risk.figures == {"lifecycle_actions": 3, "running": 4, "max_share": 0.5}


def test_blast_radius_allows_up_to_its_share() -> None:
    running = four_running()
    said_nowhere(plan(seeded(running), files(paused(running, "t1", "t2"))), "blast-radius")
    wider = book("blast-radius", max_share=0.75)
    said_nowhere(plan(seeded(running), files(paused(running, "t1", "t2", "t3")), rules=wider), "blast-radius")


def test_blast_radius_is_silent_while_fewer_than_min_running_run() -> None:
    three = {f"t{number}": a_test(f"Test {number}") for number in range(1, 4)}
    said_nowhere(plan(seeded(three), files(paused(three, "t1", "t2", "t3"))), "blast-radius")
    fewer = book("blast-radius", min_running=3)
    assert shown_everywhere(
        plan(seeded(three), files(paused(three, "t1", "t2", "t3")), rules=fewer), "blast-radius"
    )


def test_blast_radius_counts_the_running_experiences_no_file_manages() -> None:
    three = {f"t{number}": a_test(f"Test {number}") for number in range(1, 4)}
    sandbox = seeded(three, unmanaged={"dashboard": a_test("Made in the dashboard")})
    risk = shown_everywhere(plan(sandbox, files(paused(three, "t1", "t2", "t3"))), "blast-radius")
    assert risk.figures == {"lifecycle_actions": 3, "running": 4, "max_share": 0.5}


def test_blast_radius_counts_starts_and_ends_too() -> None:
    running = four_running()
    drafts = {f"d{number}": a_test(f"Draft {number}", status="draft") for number in range(1, 3)}
    sandbox = seeded({**running, **drafts})
    after = {
        **running,
        "t1": {**running["t1"], "status": "ended", "winner": "Variant"},
        **{key: {**document, "status": "started"} for key, document in drafts.items()},
    }
    risk = shown_everywhere(plan(sandbox, files(after)), "blast-radius")
    assert "starts, pauses or ends 3 experiences (start 2, end 1) while 4 are running" in risk.message


def test_blast_radius_counts_the_running_tests_a_target_leaves_out() -> None:
    five = {f"t{number}": a_test(f"Test {number}") for number in range(1, 6)}
    sandbox = seeded(five)
    pausing = files(paused(five, "t1", "t2", "t3"))
    whole = shown_everywhere(plan(sandbox, pausing), "blast-radius")
    targeted = shown_everywhere(plan(sandbox, pausing, targets=["t1", "t2", "t3"]), "blast-radius")
    assert whole.figures == targeted.figures == {"lifecycle_actions": 3, "running": 5, "max_share": 0.5}
    # Six running: three is half of them, allowed, however few files the plan targets.
    six = {**five, "t6": a_test("Test 6")}
    sandbox = seeded(six)
    for targets in ([], ["t1", "t2", "t3", "t4"]):
        said_nowhere(plan(sandbox, files(paused(six, "t1", "t2", "t3")), targets=targets), "blast-radius")
