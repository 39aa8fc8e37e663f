"""The sitewide order distribution: order-value curves for this period and the last, and orders,
revenue and profit by units per order, split into whole parts that add up exactly to the
period's totals, as the snapshot shows them."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from . import dates
from .queries import _segment_filters
from .sitewide import _periods, _sitewide_range, _store_profile, _store_totals, _weeks_back
from .statistics import _normal_cdf, _rounded
from .traffic import Counts, _Profile

_CURVE_POINTS = 50
_CURVE_TOP_QUANTILE_Z = 2.326  # curves run from zero to the 99th percentile of order values
_MAX_UNITS = 10
_VALUE_PER_UNIT_ELASTICITY = 0.7  # an order twice the units is worth about 2^0.7 times as much


def _apportion(total: int, weights: Sequence[float]) -> list[int]:
    """`total` split in proportion to `weights` into whole parts that add up to it exactly."""
    if total < 0:
        return [-part for part in _apportion(-total, weights)]
    mass = sum(weights)
    if total == 0 or mass <= 0:
        return [0] * len(weights)
    exact = [total * weight / mass for weight in weights]
    parts = [math.floor(share) for share in exact]
    # Largest remainders first; ties to the earlier entry, so the split is deterministic.
    for index in sorted(range(len(parts)), key=lambda i: (parts[i] - exact[i], i))[: total - sum(parts)]:
        parts[index] += 1
    return parts


def _apportion_cents(amount: float, weights: Sequence[float]) -> list[float]:
    return [cents / 100 for cents in _apportion(round(amount * 100), weights)]


def _order_values(counts: Counts, profile: _Profile) -> tuple[float, float] | None:
    """(mu, sigma) of a period's log-normal order values, or None without orders.

    The mean is the period's average order value and the median sits where the snapshot's
    median_order_value puts it.
    """
    if counts["n_orders"] <= 0 or counts["net_revenue"] <= 0:
        return None
    sigma = math.sqrt(-2 * math.log(profile.median_ratio))
    return math.log(counts["net_revenue"] / counts["n_orders"]) - sigma**2 / 2, sigma


def _lognormal_density(x: float, mu: float, sigma: float) -> float:
    if x <= 0:
        return 0.0
    return math.exp(-0.5 * ((math.log(x) - mu) / sigma) ** 2) / (x * sigma * math.sqrt(2 * math.pi))


def _lognormal_cdf(x: float, mu: float, sigma: float) -> float:
    return _normal_cdf((math.log(x) - mu) / sigma) if x > 0 else 0.0


def _order_value_curves(
    current: Counts, previous: Counts, profile: _Profile
) -> dict[str, list[dict[str, Any]]]:
    periods = [_order_values(counts, profile) for counts in (current, previous)]
    known = [period for period in periods if period is not None]
    if not known:
        return {"kernel_density_estimate": [], "cumulative_distribution_function": []}
    top = max(math.exp(mu + _CURVE_TOP_QUANTILE_Z * sigma) for mu, sigma in known)
    grid = [round(top * i / (_CURVE_POINTS - 1), 2) for i in range(_CURVE_POINTS)]

    def curve(function: Callable[[float, float, float], float], digits: int) -> list[dict[str, Any]]:
        return [
            {
                "x": x,
                **{
                    name: None if period is None else round(function(x, *period), digits)
                    for name, period in zip(("current_period", "previous_period"), periods, strict=True)
                },
            }
            for x in grid
        ]

    return {
        "kernel_density_estimate": curve(_lognormal_density, 8),
        "cumulative_distribution_function": curve(_lognormal_cdf, 6),
    }


def _unit_breakdown(counts: Counts, profile: _Profile) -> list[dict[str, Any]]:
    """Orders, revenue and profit by units per order, adding up to the period's totals."""
    orders = int(counts["n_orders"])
    if orders <= 0:
        return []
    # Units beyond the first are Poisson, so the mean matches the period's units per order.
    extra = max(0.0, counts["total_units"] / orders - 1)
    by_units = _apportion(
        orders, [math.exp(-extra) * extra**k / math.factorial(k) for k in range(_MAX_UNITS)]
    )
    revenue = _apportion_cents(
        counts["net_revenue"], [n * (k + 1) ** _VALUE_PER_UNIT_ELASTICITY for k, n in enumerate(by_units)]
    )
    # Each order carries the same fixed costs, so larger orders keep more of their revenue.
    fixed = (counts["shipping_cost"] + counts["transaction_fees"]) / orders
    margins = [max(0.0, r - fixed * n) for r, n in zip(revenue, by_units, strict=True)]
    profit = _apportion_cents(counts["gross_profit"], margins if any(margins) else revenue)

    def share(part: float, whole: float) -> dict[str, float | None]:
        return {"value": round(part / whole, 6) if whole else None}

    return [
        {
            "unit_quantity": units,
            "n_orders": {"value": n},
            "net_revenue": {"value": r},
            "gross_profit": {"value": g},
            "pct_orders_by_unit_quantity": share(n, orders),
            "pct_revenue_by_unit_quantity": share(r, counts["net_revenue"]),
            "pct_profit_by_unit_quantity": share(g, counts["gross_profit"]),
        }
        for units, n, r, g in zip(range(1, _MAX_UNITS + 1), by_units, revenue, profit, strict=True)
        if n
    ]


def sitewide_order_distribution(query: dict[str, Any]) -> dict[str, Any]:
    """The 200 body of POST /analytics/sitewide/order-distribution."""
    now = dates._now()
    start, end = _sitewide_range(query, now, _weeks_back(now, 12))
    filters = _segment_filters(query.get("filters"))
    profile = _store_profile()
    current, previous = (
        _rounded(_store_totals(profile, *window, now, filters)) for window in _periods(start, end, now)
    )
    return {
        "currency": "USD",
        "orderValueDistribution": _order_value_curves(current, previous, profile),
        "orderBreakdown": _unit_breakdown(current, profile),
    }
