"""The sitewide timeseries: a data point per day, week or month and a summary of the window.
A visitor who comes back in another bucket is counted again there, as the API counts distinct
visitors per bucket, so the points do not add up to the snapshot's visitors."""

from __future__ import annotations

from typing import Any

from . import dates
from .dates import _bucket_label, _buckets, _data_window
from .queries import _choice
from .segments import _segments, _split
from .sitewide import (
    _FEATURE_FIELDS,
    _SITEWIDE_SEED,
    _STORE_METRICS,
    _metric_value,
    _segment_title,
    _sitewide_query,
    _store_profile,
    _store_totals,
    _weeks_back,
)
from .statistics import _rounded
from .traffic import DAY, Counts, _add, _Profile

_SERIES_GRANULARITIES = ("day", "week", "month")
_PERFORMANCE_SERIES = (
    "n_visitors",
    "n_orders",
    "conversion_rate",
    "aov",
    "net_revenue",
    "net_revenue_per_visitor",
    "gross_profit",
    "gross_profit_per_visitor",
    "gross_margin_pct",
    "pct_revenue_with_cogs",
)
_ORDER_SERIES = (
    "n_orders",
    "aov",
    "aov_pre_discount",
    "units_per_order",
    "net_revenue_per_unit",
    "gross_revenue_per_unit",
    "discount_per_unit",
    "pct_orders_with_free_shipping",
    "net_shipping_revenue_per_order",
)
# Every metric the endpoint computes: the performance and order sets, and twenty more.
_FULL_SERIES = tuple(
    dict.fromkeys(
        (
            *_PERFORMANCE_SERIES,
            *_ORDER_SERIES,
            "n_sessions",
            "sessions_per_visitor",
            "conversion_rate_per_session",
            "net_revenue_per_session",
            "gross_profit_per_session",
            "gross_revenue",
            "net_product_revenue",
            "net_shipping_revenue",
            "order_cogs",
            "oli_net_product_revenue",
            "oli_net_product_revenue_with_cogs",
            "unit_quantity",
            "lost_orders",
            "lost_net_revenue",
            "n_free_shipping_orders",
            "discounts",
            "shipping_cost",
            "transaction_fees",
            "tax",
            "cost_of_revenue",
        )
    )
)
_SERIES_FIELDS: dict[str | None, tuple[str, ...]] = {
    None: _FULL_SERIES,
    "audience": _FULL_SERIES,
    "performance": _PERFORMANCE_SERIES,
    "order": _ORDER_SERIES,
    "conversion": (
        *_FEATURE_FIELDS["conversion"],
        "n_sessions",
        "n_visitors",
        "n_visitors_abandoned_cart",
        "n_visitors_abandoned_checkout",
    ),
}
_UNSUMMARIZED = ("sessions_per_visitor",)
# Nominal bucket lengths in days: what a summary rescales window sums to.
_BUCKET_DAYS = {"day": 1.0, "week": 7.0, "month": 30.5}
_RETURN_DAYS = 3.0  # how many days apart a returning visitor's visits typically are


def _revisit_share(profile: _Profile, bucket_days: float, window_days: float) -> float:
    """How far a bucket's distinct visitors exceed its share of the window's unique visitors.

    Visitors counted in one bucket are counted again in any other bucket they come back in,
    the more often the shorter the buckets; a bucket spanning the window counts each once.
    """
    if bucket_days >= window_days:
        return 0.0
    returning = (profile.sessions_per_visitor - 1) * _RETURN_DAYS / (_RETURN_DAYS + bucket_days)
    return returning * (1 - bucket_days / window_days)


def _distinct_per_bucket(counts: Counts, revisits: float) -> Counts:
    """Every distinct-visitor count as a bucket counts it; orders, money and units add up."""
    return {
        key: value * (1 + revisits) if key.startswith("n_visitors") else value
        for key, value in counts.items()
    }


def _series_summary(
    shown: list[Counts], fields: tuple[str, ...], scale: float, profile: _Profile
) -> dict[str, Any]:
    """Additive metrics as the window sum rescaled to one bucket; ratios of the window sums.

    Visitor counts are summed over buckets too, so visitor-denominated ratios carry the
    same overcount the description warns about.
    """
    totals = _add(*shown)
    summary: dict[str, float | None] = {}
    for key in fields:
        if key in _UNSUMMARIZED:
            continue
        metric = _STORE_METRICS[key]
        if metric.denominator is None:
            summary[key] = round(totals[metric.numerator] * scale, 6)
        else:
            summary[key] = _metric_value(totals, key, profile)
    return summary


def _series_segment(
    points: list[tuple[str, Counts]], fields: tuple[str, ...], scale: float, profile: _Profile
) -> dict[str, Any]:
    """One segment of a timeseries: a data point per bucket and, given data, their summary."""
    if not points:
        return {"data": []}
    return {
        "data": [{"dt": dt, **{key: _metric_value(c, key, profile) for key in fields}} for dt, c in points],
        "summary": _series_summary([c for _, c in points], fields, scale, profile),
    }


def sitewide_timeseries(query: dict[str, Any]) -> dict[str, Any]:
    """The 200 body of POST /analytics/sitewide/timeseries."""
    now = dates._now()
    request = _sitewide_query(query, now, _weeks_back(now, 12))
    granularity = _choice(query.get("granularity", "week"), "granularity", _SERIES_GRANULARITIES)
    profile = _store_profile()
    start, end = _data_window(request.start, request.end, now)
    window_days = (end - start) / DAY
    bucket_days = _BUCKET_DAYS[granularity]
    revisits = _revisit_share(profile, bucket_days, window_days)
    buckets = [
        (
            _bucket_label(first, "%Y-%m-%dT%H:%M:%S"),
            (lo, hi),
            _distinct_per_bucket(_store_totals(profile, lo, hi, now, request.filters), revisits),
        )
        for first, lo, hi in _buckets(start, end, granularity)
    ]
    scale = bucket_days / window_days if buckets else 0.0
    fields = _SERIES_FIELDS[request.feature]
    if request.audience is None:
        points = [(dt, _rounded(totals)) for dt, _, totals in buckets]
        segments = {"All": _series_segment(points, fields, scale, profile)}
    else:
        by_label: dict[str, list[tuple[str, Counts]]] = {
            segment.label: [] for segment in _segments(request.audience, _SITEWIDE_SEED)
        }
        for dt, window, totals in buckets:
            for segment in _segments(request.audience, _SITEWIDE_SEED, window):
                by_label[segment.label].append((dt, _rounded(_split(totals, segment))))
        segments = {
            _segment_title(request.audience, label): _series_segment(points, fields, scale, profile)
            for label, points in by_label.items()
        }
    return {"currency": "USD", "granularity": granularity, "segments": segments}
