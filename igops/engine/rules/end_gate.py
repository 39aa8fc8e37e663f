"""end-gate: a test ends only on the evidence a team agreed on.

Ending a test (a `status: ended` change) needs at least `min_days` live, `min_orders` orders in every
variation, no sample-ratio mismatch (the monitor's test at monitor.sample_ratio_mismatch.p_value) and,
for a winner other than the control, `min_probability` that it beats the control on the primary metric.
It reads the results the end plan already reads; what lacks is said with its figures, and when orders
or days are short, when the test will have them at its current daily rate. Personalizations are exempt.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from igops.analytics.monitor import ratio_test
from igops.analytics.results import ExperienceResults
from igops.config import SRM_P_VALUE
from igops.engine.rules.base import BuiltIn, Finding, Level, PlanInputs, Policy
from igops.model import ChangeKind, ExperiencePlan
from igops.statuses import LiveStatus
from igops.text import counted, sentence_case

DAY_SECONDS = 86_400


def _end_gate(inputs: PlanInputs, policy: Policy) -> Iterator[Finding]:
    for experience in inputs.experiences:
        ending = [change for change in experience.changes if change.kind is ChangeKind.END]
        if ending and inputs.is_test(experience.key):
            finding = _judged(experience, ending[0].winner, inputs.now, policy)
            if finding is not None:
                yield finding


def days_live_at(results: ExperienceResults, now: float) -> float:
    """Days live at `now`: a running test's days go on from its start; a paused one's stopped."""
    if results.status == LiveStatus.STARTED and results.started_at is not None:
        return max(0.0, (now - results.started_at) / DAY_SECONDS)
    return results.days_live or 0.0


def _judged(experience: ExperiencePlan, winner: str | None, now: float, policy: Policy) -> Finding | None:
    results = experience.results
    if results is None:
        if experience.live_status is not None and LiveStatus(experience.live_status).has_run:
            return Finding(
                experience.key,
                "ends without the evidence the end-gate needs: its results could not be read; "
                + _way_on(policy),
                {"results": None},
            )
        return Finding(
            experience.key,
            f"ends without ever having run, so it has none of the evidence the end-gate needs "
            f"({policy['min_days']:g} days live, {policy['min_orders']} orders in every variation): "
            + _way_on(policy),
            {"days_live": 0.0, "min_days": policy["min_days"], "min_orders": policy["min_orders"]},
        )
    days = days_live_at(results, now)
    shortfalls, statements, figures = _evidence(results, winner, days, policy)
    if not shortfalls:
        return None
    projection = _projection(results, days, policy)
    if projection is not None:
        figures["days_to_evidence"] = projection[1]
    told = ", ".join(statements)
    later = f"; {projection[0]}" if projection is not None else ""
    # The way on starts a sentence of its own here (after the projection's full stop).
    way_on = sentence_case(_way_on(policy))
    return Finding(experience.key, f"ends before the evidence is in: {told}{later}. {way_on}", figures)


def _evidence(
    results: ExperienceResults, winner: str | None, days: float, policy: Policy
) -> tuple[list[str], list[str], dict[str, Any]]:
    """What falls short, every figure as a phrase (with what is needed where it falls short), and the
    figures by name."""
    shortfalls: list[str] = []
    # Whole days, counted down: rounded, 6.6 days short of 7 would read "7 days live (7 needed)".
    statements = [
        f"{counted(math.floor(days), 'day')} live"
        + (f" ({policy['min_days']:g} needed)" if days < policy["min_days"] else "")
    ]
    if days < policy["min_days"]:
        shortfalls.append("days")
    figures: dict[str, Any] = {
        "days_live": round(days, 2),
        "min_days": policy["min_days"],
        "orders": {variation.name: variation.orders for variation in results.variations},
        "min_orders": policy["min_orders"],
    }
    short = [variation for variation in results.variations if variation.orders < policy["min_orders"]]
    if short:
        shortfalls.append("orders")
        statements += [
            f"{variation.orders:,} orders in {variation.name} ({policy['min_orders']:,} needed)"
            for variation in short
        ]
    elif results.variations:
        fewest = min(variation.orders for variation in results.variations)
        statements.append(f"at least {fewest:,} orders in every variation")
    test = ratio_test(results)
    if test is not None:
        figures["srm_p_value"] = test.p_value
        if test.p_value < policy[SRM_P_VALUE]:
            shortfalls.append("srm")
            statements.append(
                f"a sample-ratio mismatch (p {test.p_value:.2g}, below {policy[SRM_P_VALUE]:g}), so its "
                "results cannot be trusted"
            )
    chosen = results.variation(winner) if winner is not None else None
    if chosen is not None and not chosen.is_control:
        figures["p2bc"] = chosen.p2bc
        figures["min_probability"] = policy["min_probability"]
        needed = f"{policy['min_probability']:.0%} needed"
        if chosen.p2bc is None:
            shortfalls.append("probability")
            statements.append(f"no probability yet that {winner} beats the control ({needed})")
        elif chosen.p2bc < policy["min_probability"]:
            shortfalls.append("probability")
            statements.append(f"{chosen.p2bc:.0%} to beat the control ({needed})")
        else:
            statements.append(f"{chosen.p2bc:.0%} to beat the control")
    return shortfalls, statements, figures


def _projection(results: ExperienceResults, days: float, policy: Policy) -> tuple[str, int] | None:
    """When the days and the orders needed are in, at the test's daily rate so far: the phrase, and the
    days; None when nothing countable is short or there is no rate to go by."""
    waits: list[tuple[float, str]] = []
    if days < policy["min_days"]:
        needed = policy["min_days"]
        waits.append((needed - days, f"{needed:g} {'day' if needed == 1 else 'days'} live"))
    short = [variation for variation in results.variations if variation.orders < policy["min_orders"]]
    for variation in short:
        if days <= 0 or variation.orders <= 0:
            return None  # no rate to project from
        rate = variation.orders / days
        waits.append(
            (
                (policy["min_orders"] - variation.orders) / rate,
                f"{variation.orders:,} of {policy['min_orders']:,} orders in {variation.name}",
            )
        )
    if not waits:
        return None
    longest, what = max(waits)
    more = math.ceil(longest)
    return f"{what}: about {more} more {'day' if more == 1 else 'days'} at the current rate", more


def _way_on(policy: Policy) -> str:
    if policy.level is Level.FORCE:
        return "let it run until the evidence is in, or run apply with --force to end it now."
    return "consider letting it run until the evidence is in."


END_GATE = BuiltIn("end-gate", _end_gate, uses_clock=True)
