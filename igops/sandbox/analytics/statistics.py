"""The statistics of an experience's metrics rows: each metric's estimate and spread, intervals,
uplift and the chances to beat the control or be best. Every figure is computed from rounded
counts, so a rate shown is exactly the ratio of the counts shown beside it."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, NamedTuple

from .traffic import Counts

_Z95 = 1.959963984540054
_GRID = 96  # Simpson intervals per variation when integrating probability to be best


class _Metric(NamedTuple):
    numerator: str
    denominator: str
    spread: str  # "rate": a share of the denominator; "mean": an average per unit
    buyers: str | None = None  # set for money per visitor: most visitors spend nothing


_METRICS: dict[str, _Metric] = {
    "conversion_rate": _Metric("n_orders", "n_visitors", "rate"),
    "add_to_cart_rate": _Metric("n_visitors_added_to_cart", "n_visitors", "rate"),
    "abandoned_cart_rate": _Metric("n_visitors_abandoned_cart", "n_visitors_added_to_cart", "rate"),
    "abandoned_checkout_rate": _Metric(
        "n_visitors_abandoned_checkout", "n_visitors_checkout_started", "rate"
    ),
    "checkout_begin_rate": _Metric("n_visitors_checkout_started", "n_visitors", "rate"),
    "checkout_enter_contact_info_rate": _Metric(
        "n_visitors_checkout_contact_info_submitted", "n_visitors", "rate"
    ),
    "checkout_address_submitted_rate": _Metric(
        "n_visitors_checkout_address_info_submitted", "n_visitors", "rate"
    ),
    "view_product_page_rate": _Metric("n_visitors_viewed_product_page", "n_visitors", "rate"),
    "view_collection_page_rate": _Metric("n_visitors_viewed_collection_page", "n_visitors", "rate"),
    "net_revenue_per_visitor": _Metric("net_revenue", "n_visitors", "mean", "n_orders"),
    "net_revenue_per_order": _Metric("net_revenue", "n_orders", "mean"),
    "net_product_revenue_per_order": _Metric("net_product_revenue", "n_orders", "mean"),
    "net_shipping_revenue_per_order": _Metric("net_shipping_revenue", "n_orders", "mean"),
    "avg_units_per_order": _Metric("total_units", "n_orders", "mean"),
    "avg_product_revenue_per_unit": _Metric("net_product_revenue", "total_units", "mean"),
    "gross_profit_per_visitor": _Metric("gross_profit", "n_visitors", "mean", "n_orders"),
    "gross_profit_per_order": _Metric("gross_profit", "n_orders", "mean"),
    "pct_orders_free_shipping": _Metric("n_orders_free_shipping", "n_orders", "rate"),
    "avg_discount_per_all_orders": _Metric("total_discount", "n_orders", "mean"),
    "avg_discount_per_discounted_order": _Metric("total_discount", "n_orders_discounted", "mean"),
    "pct_subscription_orders": _Metric("n_subscription_orders", "n_orders", "rate"),
    "subscription_orders_per_visitor": _Metric("n_subscription_orders", "n_visitors", "rate"),
    "subscription_revenue_per_visitor": _Metric(
        "subscription_revenue", "n_visitors", "mean", "n_subscription_orders"
    ),
    "subscription_revenue_per_order": _Metric("subscription_revenue", "n_subscription_orders", "mean"),
    "subscription_product_revenue_per_order": _Metric(
        "subscription_product_revenue", "n_subscription_orders", "mean"
    ),
    "subscription_gross_profit_per_visitor": _Metric(
        "subscription_gross_profit", "n_visitors", "mean", "n_subscription_orders"
    ),
    "pct_orders_with_post_purchase_offer": _Metric("n_orders_post_purchase_offer", "n_orders", "rate"),
    "pct_orders_with_upsell": _Metric("n_orders_upsell", "n_orders", "rate"),
}

# Counts and totals reported on every overview row as bare {value} objects.
_REPORTED_TOTALS = (
    "n_visitors",
    "n_orders",
    "net_revenue",
    "net_product_revenue",
    "gross_profit",
    "total_units",
    "total_discount",
    "n_orders_discounted",
    "n_subscription_orders",
    "subscription_product_revenue",
    "net_revenue_from_post_purchase_offer",
    "net_revenue_from_upsell",
    "n_visitors_viewed_product_page",
    "n_visitors_viewed_collection_page",
    "n_visitors_added_to_cart",
    "n_visitors_checkout_started",
    "n_visitors_checkout_contact_info_submitted",
    "n_visitors_checkout_address_info_submitted",
    "n_visitors_abandoned_cart",
    "n_visitors_abandoned_checkout",
    "n_visitors_ordered",
)
_MONEY = frozenset(
    {
        "net_revenue",
        "net_product_revenue",
        "net_shipping_revenue",
        "gross_revenue",
        "revenue_before_discounts",
        "lost_net_revenue",
        "total_discount",
        "order_cogs",
        "shipping_cost",
        "transaction_fees",
        "cost_of_revenue",
        "tax",
        "gross_profit",
        "oli_net_product_revenue_with_cogs",
        "subscription_revenue",
        "subscription_product_revenue",
        "subscription_gross_profit",
        "net_revenue_from_post_purchase_offer",
        "net_revenue_from_upsell",
    }
)
# Graph ids that name a metric under another key in the metrics rows.
_GRAPH_ALIASES = {
    "profit_per_visitor": "gross_profit_per_visitor",
    "profit_per_order": "gross_profit_per_order",
    "subscription_profit_per_visitor": "subscription_gross_profit_per_visitor",
}
_GRAPH_METRICS = (
    *(key for key in _METRICS if key not in _GRAPH_ALIASES.values()),
    *_GRAPH_ALIASES,
    "net_revenue_from_post_purchase_offer",
    "net_revenue_from_upsell",
)


def _rounded(counts: Counts) -> Counts:
    """Counts as the API shows them: whole visitors and orders, money in cents."""
    shown = {key: round(value, 2) if key in _MONEY else round(value) for key, value in counts.items()}
    shown["n_visitors_abandoned_cart"] = (
        shown["n_visitors_added_to_cart"] - shown["n_visitors_checkout_started"]
    )
    shown["n_visitors_abandoned_checkout"] = (
        shown["n_visitors_checkout_started"] - shown["n_visitors_ordered"]
    )
    return shown


class _Estimate(NamedTuple):
    value: float | None  # None when the denominator is zero
    se: float  # standard error; zero when the sample shows no spread


def _estimate(counts: Mapping[str, float], metric: _Metric, order_cv: float) -> _Estimate:
    units = counts[metric.denominator]
    if units <= 0:
        return _Estimate(None, 0.0)
    value = counts[metric.numerator] / units
    if metric.spread == "rate":
        return _Estimate(value, math.sqrt(max(0.0, value * (1 - value)) / units))
    if metric.buyers is None:
        return _Estimate(value, value * order_cv / math.sqrt(units))
    # A visitor spends nothing, or one order's worth with the order-value spread.
    buyers = counts[metric.buyers]
    per_buyer = counts[metric.numerator] / buyers if buyers else 0.0
    second_moment = buyers / units * per_buyer**2 * (1 + order_cv**2)
    return _Estimate(value, math.sqrt(max(0.0, second_moment - value**2) / units))


def _usable(estimate: _Estimate) -> bool:
    # Only positive values with spread have a distribution to compare (profit can be negative).
    return estimate.value is not None and estimate.value > 0 and estimate.se > 0


def _normal_cdf(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def _prob_beat(challenger: _Estimate, baseline: _Estimate) -> float:
    assert challenger.value is not None and baseline.value is not None
    spread = math.hypot(challenger.se, baseline.se)
    return _normal_cdf((challenger.value - baseline.value) / spread)


def _prob_best(estimates: list[_Estimate]) -> list[float]:
    """P(each is the highest) for independent normal estimates, by numerical integration."""
    if len(estimates) == 2:
        first = _prob_beat(estimates[0], estimates[1])
        return [first, 1 - first]
    raw = []
    for i, own in enumerate(estimates):
        assert own.value is not None
        others = [e for j, e in enumerate(estimates) if j != i]
        low, step = own.value - 6 * own.se, 12 * own.se / _GRID
        total = 0.0
        for k in range(_GRID + 1):
            x = low + k * step
            density = math.exp(-0.5 * ((x - own.value) / own.se) ** 2)
            for other in others:
                assert other.value is not None
                density *= _normal_cdf((x - other.value) / other.se)
            total += density * (1 if k in (0, _GRID) else 4 if k % 2 else 2)
        raw.append(total * step / 3 / (own.se * math.sqrt(2 * math.pi)))
    norm = sum(raw) or 1.0
    return [p / norm for p in raw]


def _interval(value: float, se: float) -> tuple[float, float]:
    # Every metric here is non-negative, so a lower bound below zero says nothing.
    return max(0.0, value - _Z95 * se), value + _Z95 * se


def _uplift(challenger: _Estimate, baseline: _Estimate) -> dict[str, float]:
    """Relative lift with a delta-method interval on the log of the ratio."""
    assert challenger.value and baseline.value
    ratio = challenger.value / baseline.value
    log_se = math.hypot(challenger.se / challenger.value, baseline.se / baseline.value)
    low, high = ratio * math.exp(-_Z95 * log_se) - 1, ratio * math.exp(_Z95 * log_se) - 1
    return {
        "value": round(ratio - 1, 6),
        "ci_low": round(low, 6),
        "ci_high": round(high, 6),
        "plus_minus": round((high - low) / 2, 6),
    }


def _compare(estimates: list[_Estimate], baseline: int) -> list[dict[str, Any]]:
    """Metric objects for variations measured on the same metric, against a baseline."""
    objects: list[dict[str, Any]] = []
    for estimate in estimates:
        shown: dict[str, Any] = {"value": None if estimate.value is None else round(estimate.value, 6)}
        if _usable(estimate):
            assert estimate.value is not None
            low, high = _interval(estimate.value, estimate.se)
            shown |= {
                "ci_low": round(low, 6),
                "ci_high": round(high, 6),
                "plus_minus": round((high - low) / 2, 6),
            }
        objects.append(shown)
    if len(estimates) < 2 or not all(map(_usable, estimates)):
        return objects  # no sampling distribution to compare
    for shown, p2bb in zip(objects, _prob_best(estimates), strict=True):
        shown["p2bb"] = round(p2bb, 6)
    for index, (shown, estimate) in enumerate(zip(objects, estimates, strict=True)):
        if index != baseline:
            shown["p2bc"] = round(_prob_beat(estimate, estimates[baseline]), 6)
            shown["uplift"] = _uplift(estimate, estimates[baseline])
    return objects


def _metric_rows(
    counts: list[Counts], ids: list[str], baseline: int, order_cv: float
) -> list[dict[str, Any]]:
    """One overview row per variation: totals as {value}, statistics per metric."""
    rows: list[dict[str, Any]] = [
        {"variation_id": variation_id, **{key: {"value": c[key]} for key in _REPORTED_TOTALS}}
        for variation_id, c in zip(ids, counts, strict=True)
    ]
    for key, metric in _METRICS.items():
        estimates = [_estimate(c, metric, order_cv) for c in counts]
        for row, shown in zip(rows, _compare(estimates, baseline), strict=True):
            row[key] = shown
    return rows
