"""max-discount: an offer deeper than a team allows without a second look.

A percentage discount above `max_percent`, or a fixed amount above `max_amount` (when set), in any tier of
any variation's offer. It judges the files alone, so `igops validate` runs it too; in a plan, the files
the plan changes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from igops.engine.rules.base import BuiltIn, Finding, Level, PlanInputs, Policy
from igops.normalize import canonical_desired


def _max_discount(inputs: PlanInputs, policy: Policy) -> Iterator[Finding]:
    for file in inputs.judged_files:
        document = canonical_desired(file.body)
        for variation in document.get("variations") or []:
            for tier, discount, limit in _too_deep(variation.get("offer"), policy):
                yield Finding(
                    file.key,
                    (
                        f"the offer of {variation['name']} gives {discount} off in tier {tier}, more than "
                        f"max-discount allows ({limit}): {_way_on(policy)}"
                    ),
                    {"variation": variation["name"], "tier": tier, "discount": discount, "limit": limit},
                )


def _too_deep(offer: Mapping[str, Any] | None, policy: Policy) -> Iterator[tuple[int, str, str]]:
    """Each tier (from 1) deeper than the policy allows, with its discount and the limit, as written."""
    if not offer:
        return
    percent = offer.get("discountType") == "percentage"
    limit = policy["max_percent"] if percent else policy["max_amount"]
    if limit is None:
        return
    for index, tier in enumerate(offer.get("tiers") or [], start=1):
        discount = tier.get("unitDiscount")
        if isinstance(discount, int | float) and discount > limit:
            yield index, _amount(discount, percent), _amount(limit, percent)


def _amount(value: float, percent: bool) -> str:
    return f"{value:g}%" if percent else f"{value:g}"


def _way_on(policy: Policy) -> str:
    if policy.level is Level.FORCE:
        return "lower it, or run apply with --force if the margin allows it."
    return "check the margin allows it."


MAX_DISCOUNT = BuiltIn("max-discount", _max_discount, needs_account=False)
