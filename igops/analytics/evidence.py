"""The evidence a test needs before it ends, as the end-gate policy sets it: at least `min_days` live,
`min_orders` orders in every variation, no sample-ratio mismatch (below `srm_p_value`) and, for a winner
other than the control, `min_probability` that it beats the control on the primary metric.

Pure: results in, what falls short out, said with its figures, and when the days and the orders will be in
at the test's daily rate so far. The end-gate judges a plan's end by it; igops monitor, an end a schedule
brings near.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from igops.analytics.results import ExperienceResults
from igops.analytics.stats import RatioTest, sample_ratio_test
from igops.statuses import LiveStatus
from igops.text import counted

DAY_SECONDS = 86_400
DAYS, ORDERS, SRM, PROBABILITY = "days", "orders", "srm", "probability"


@dataclass(frozen=True)
class EndEvidence:
    """What a test needs before it ends: the end-gate's options in igops.yaml `policies`, by their names
    there (the sample-ratio threshold is `monitor`'s, which config passes on); these are the defaults."""

    min_days: float = 7
    min_orders: int = 300
    min_probability: float = 0.9
    srm_p_value: float = 0.001


@dataclass(frozen=True)
class Evidence:
    """How results measure up: the conditions that fall short (DAYS, ORDERS, SRM, PROBABILITY), every
    figure as a phrase (with what is needed where it falls short), and the figures by name."""

    shortfalls: tuple[str, ...]
    statements: tuple[str, ...]
    figures: dict[str, Any]


def days_live_at(results: ExperienceResults, now: float) -> float:
    """Days live at `now`: a running test's days go on from its start; a paused one's stopped."""
    if results.status == LiveStatus.STARTED and results.started_at is not None:
        return max(0.0, (now - results.started_at) / DAY_SECONDS)
    return results.days_live or 0.0


def ratio_test(results: ExperienceResults) -> RatioTest | None:
    """The chi-square of the experience's visitors against its configured split (None: nothing to test)."""
    shared = [v for v in results.variations if v.percentage is not None]
    if len(shared) != len(results.variations):
        return None
    return sample_ratio_test([v.visitors for v in shared], [v.percentage or 0.0 for v in shared])


def judged(
    results: ExperienceResults, winner: str | None, days: float, needed: EndEvidence, *, days_at: str = ""
) -> Evidence:
    """How `results`, `days` live (at the moment `days_at` names, such as "at the end"; none: now), measure
    up to `needed` for an end that rolls out `winner`."""
    shortfalls: list[str] = []
    # Whole days, counted down: rounded, 6.6 days short of 7 would read "7 days live (7 needed)".
    statements = [
        f"{counted(math.floor(days), 'day')} live"
        + (f" {days_at}" if days_at else "")
        + (f" ({needed.min_days:g} needed)" if days < needed.min_days else "")
    ]
    if days < needed.min_days:
        shortfalls.append(DAYS)
    figures: dict[str, Any] = {
        "days_live": round(days, 2),
        "min_days": needed.min_days,
        "orders": {variation.name: variation.orders for variation in results.variations},
        "min_orders": needed.min_orders,
    }
    short = [variation for variation in results.variations if variation.orders < needed.min_orders]
    if short:
        shortfalls.append(ORDERS)
        statements += [
            f"{variation.orders:,} orders in {variation.name} ({needed.min_orders:,} needed)"
            for variation in short
        ]
    elif results.variations:
        fewest = min(variation.orders for variation in results.variations)
        statements.append(f"at least {fewest:,} orders in every variation")
    test = ratio_test(results)
    if test is not None:
        figures["srm_p_value"] = test.p_value
        if test.p_value < needed.srm_p_value:
            shortfalls.append(SRM)
            statements.append(
                f"a sample-ratio mismatch (p {test.p_value:.2g}, below {needed.srm_p_value:g}), so its "
                "results cannot be trusted"
            )
    chosen = results.variation(winner) if winner is not None else None
    if chosen is not None and not chosen.is_control:
        figures["p2bc"] = chosen.p2bc
        figures["min_probability"] = needed.min_probability
        wanted = f"{needed.min_probability:.0%} needed"
        if chosen.p2bc is None:
            shortfalls.append(PROBABILITY)
            statements.append(f"no probability yet that {winner} beats the control ({wanted})")
        elif chosen.p2bc < needed.min_probability:
            shortfalls.append(PROBABILITY)
            statements.append(f"{chosen.p2bc:.0%} to beat the control ({wanted})")
        else:
            statements.append(f"{chosen.p2bc:.0%} to beat the control")
    return Evidence(tuple(shortfalls), tuple(statements), figures)


def projection(results: ExperienceResults, days: float, needed: EndEvidence) -> tuple[str, int] | None:
    """When the days and the orders needed are in, at the test's daily rate so far (`days` live): the
    phrase, and the days; None when nothing countable is short or there is no rate to go by."""
    waits: list[tuple[float, str]] = []
    if days < needed.min_days:
        least = needed.min_days
        waits.append((least - days, f"{least:g} {'day' if least == 1 else 'days'} live"))
    short = [variation for variation in results.variations if variation.orders < needed.min_orders]
    for variation in short:
        if days <= 0 or variation.orders <= 0:
            return None  # no rate to project from
        rate = variation.orders / days
        waits.append(
            (
                (needed.min_orders - variation.orders) / rate,
                f"{variation.orders:,} of {needed.min_orders:,} orders in {variation.name}",
            )
        )
    if not waits:
        return None
    longest, what = max(waits)
    more = math.ceil(longest)
    return f"{what}: about {more} more {'day' if more == 1 else 'days'} at the current rate", more
