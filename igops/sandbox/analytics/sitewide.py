"""The store's own traffic and the sitewide snapshot. The store model, the metric definitions
and the comparison periods live here because the timeseries, the order distribution and the
funnel read the same store the snapshot does, and must agree with it."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

from . import dates
from .dates import _bucket, _data_window, _instant, _window_total
from .queries import AnalyticsQueryError, _choice, _segment_filters
from .segments import _SEGMENTS, _segment_named, _segments, _split
from .statistics import _MONEY, _rounded
from .traffic import DAY, Counts, _empty, _Lift, _Profile, _profile, _rng, _simulate_day, _traffic_factor

_SITEWIDE_SEED = "sitewide"
_FEATURES = ("performance", "audience", "order", "conversion")


class _SitewideMetric(NamedTuple):
    numerator: str
    denominator: str | None = None  # None: an additive total


_SITEWIDE_METRICS: dict[str, _SitewideMetric] = {
    "n_sessions": _SitewideMetric("n_sessions"),
    "n_visitors": _SitewideMetric("n_visitors"),
    "n_orders": _SitewideMetric("n_orders"),
    "gross_revenue": _SitewideMetric("gross_revenue"),
    "net_revenue": _SitewideMetric("net_revenue"),
    "order_cogs": _SitewideMetric("order_cogs"),
    "lost_net_revenue": _SitewideMetric("lost_net_revenue"),
    "discounts": _SitewideMetric("total_discount"),
    "average_discount": _SitewideMetric("total_discount", "n_orders"),
    "conversion_rate": _SitewideMetric("n_orders", "n_visitors"),
    "aov": _SitewideMetric("net_revenue", "n_orders"),
    "net_revenue_per_visitor": _SitewideMetric("net_revenue", "n_visitors"),
    "discount_per_unit": _SitewideMetric("total_discount", "total_units"),
    "shipping_cost": _SitewideMetric("shipping_cost"),
    "transaction_fees": _SitewideMetric("transaction_fees"),
    "tax": _SitewideMetric("tax"),
    "gross_profit": _SitewideMetric("gross_profit"),
    "gross_margin_pct": _SitewideMetric("gross_profit", "net_revenue"),
    "gross_profit_per_visitor": _SitewideMetric("gross_profit", "n_visitors"),
    "oli_net_product_revenue_with_cogs": _SitewideMetric("oli_net_product_revenue_with_cogs"),
    "oli_net_product_revenue": _SitewideMetric("net_product_revenue"),
    "median_order_value": _SitewideMetric("net_revenue", "n_orders"),  # scaled per store
    "average_units_per_order": _SitewideMetric("total_units", "n_orders"),
    "pct_orders_with_free_shipping": _SitewideMetric("n_orders_free_shipping", "n_orders"),
    "net_shipping_revenue_per_order": _SitewideMetric("net_shipping_revenue", "n_orders"),
    "pct_revenue_with_cogs": _SitewideMetric("oli_net_product_revenue_with_cogs", "net_product_revenue"),
    "viewed_collection_page_rate": _SitewideMetric("n_visitors_viewed_collection_page", "n_visitors"),
    "viewed_product_page_rate": _SitewideMetric("n_visitors_viewed_product_page", "n_visitors"),
    "add_to_cart_rate": _SitewideMetric("n_visitors_added_to_cart", "n_visitors"),
    "checkout_begin_rate": _SitewideMetric("n_visitors_checkout_started", "n_visitors"),
    "bounce_rate": _SitewideMetric("n_bounced_sessions", "n_sessions"),
    "abandoned_cart_rate": _SitewideMetric("n_visitors_abandoned_cart", "n_visitors_added_to_cart"),
    "abandoned_checkout_rate": _SitewideMetric(
        "n_visitors_abandoned_checkout", "n_visitors_checkout_started"
    ),
}
# Metrics only the timeseries computes.
_SERIES_METRICS: dict[str, _SitewideMetric] = {
    "aov_pre_discount": _SitewideMetric("revenue_before_discounts", "n_orders"),
    "units_per_order": _SitewideMetric("total_units", "n_orders"),
    "net_revenue_per_unit": _SitewideMetric("net_revenue", "total_units"),
    "gross_revenue_per_unit": _SitewideMetric("gross_revenue", "total_units"),
    "sessions_per_visitor": _SitewideMetric("n_sessions", "n_visitors"),
    "conversion_rate_per_session": _SitewideMetric("n_orders", "n_sessions"),
    "net_revenue_per_session": _SitewideMetric("net_revenue", "n_sessions"),
    "gross_profit_per_session": _SitewideMetric("gross_profit", "n_sessions"),
    "net_product_revenue": _SitewideMetric("net_product_revenue"),
    "net_shipping_revenue": _SitewideMetric("net_shipping_revenue"),
    "unit_quantity": _SitewideMetric("total_units"),
    "lost_orders": _SitewideMetric("lost_orders"),
    "n_free_shipping_orders": _SitewideMetric("n_orders_free_shipping"),
    "cost_of_revenue": _SitewideMetric("cost_of_revenue"),
    "n_visitors_abandoned_cart": _SitewideMetric("n_visitors_abandoned_cart"),
    "n_visitors_abandoned_checkout": _SitewideMetric("n_visitors_abandoned_checkout"),
}
_STORE_METRICS = _SITEWIDE_METRICS | _SERIES_METRICS
_FEATURE_FIELDS: dict[str | None, tuple[str, ...]] = {
    None: tuple(_SITEWIDE_METRICS),
    "performance": (
        "n_visitors",
        "conversion_rate",
        "n_orders",
        "aov",
        "net_revenue",
        "gross_profit",
        "gross_profit_per_visitor",
        "net_revenue_per_visitor",
        "gross_margin_pct",
        "average_discount",
        "pct_revenue_with_cogs",
    ),
    "order": (
        "aov",
        "n_visitors",
        "n_orders",
        "median_order_value",
        "average_units_per_order",
        "pct_orders_with_free_shipping",
        "net_shipping_revenue_per_order",
    ),
    "conversion": (
        "viewed_collection_page_rate",
        "viewed_product_page_rate",
        "add_to_cart_rate",
        "checkout_begin_rate",
        "conversion_rate",
        "bounce_rate",
        "abandoned_cart_rate",
        "abandoned_checkout_rate",
    ),
    "audience": (
        "n_sessions",
        "n_visitors",
        "n_orders",
        "gross_revenue",
        "net_revenue",
        "order_cogs",
        "conversion_rate",
        "aov",
        "net_revenue_per_visitor",
        "shipping_cost",
        "transaction_fees",
        "tax",
        "gross_profit",
        "gross_profit_per_visitor",
        "oli_net_product_revenue_with_cogs",
        "oli_net_product_revenue",
        "pct_revenue_with_cogs",
    ),
}
# Ratio metrics whose total carries the part of its change explained by segment mix.
_MIX_SHIFT = ("conversion_rate", "aov", "net_revenue_per_visitor", "pct_revenue_with_cogs")
_TITLED_DIMENSIONS = ("device_type", "visitor_type")


def _weeks_back(now: int, weeks: int) -> int:
    """Monday 00:00 UTC of the week that held the day `weeks` weeks ago."""
    return _bucket(now - weeks * 7 * DAY, "week")[0]


def _sitewide_range(query: Mapping[str, Any], now: int, default_start: int) -> tuple[int, int]:
    """The asked [start, end): date-time strings; each endpoint has its own default start."""
    start = _instant(query["start"], "start") if "start" in query else default_start
    end = _instant(query["end"], "end") if "end" in query else now
    if end <= start:
        raise AnalyticsQueryError("end", "The end of the range must come after its start.")
    return start, end


@dataclass(frozen=True)
class _SitewideQuery:
    start: int
    end: int
    feature: str | None
    audience: str | None
    filters: list[tuple[str, str]]


def _sitewide_query(query: Mapping[str, Any], now: int, default_start: int) -> _SitewideQuery:
    """A snapshot or timeseries query: range, filters and the `feature` metric set."""
    start, end = _sitewide_range(query, now, default_start)
    feature, name, audience = query.get("feature"), None, None
    if feature is not None:
        if not isinstance(feature, Mapping):
            raise AnalyticsQueryError("feature", "feature must be an object with a name.")
        name = _choice(feature.get("name"), "feature.name", _FEATURES)
        if name == "audience":
            audience = _choice(feature.get("audience"), "feature.audience", _SEGMENTS)
    return _SitewideQuery(start, end, name, audience, _segment_filters(query.get("filters")))


def _periods(start: int, end: int, now: int) -> tuple[tuple[int, int], tuple[int, int]]:
    """The asked range up to now, and the comparison period of the same length just before."""
    end = min(end, now)
    return (start, end), (2 * start - end, start)


def _store_profile() -> _Profile:
    return _profile(_rng(_SITEWIDE_SEED), (6000.0, 12000.0))


def _store_day(profile: _Profile, day: int) -> Counts:
    """The store's traffic on one whole UTC day."""
    return _simulate_day(
        _rng(_SITEWIDE_SEED, "day", day), profile.daily_visitors * _traffic_factor(day), profile, _Lift()
    )


def _store_totals(
    profile: _Profile, start: int, end: int, now: int, filters: Sequence[tuple[str, str]]
) -> Counts:
    """The store's traffic in [start, end), as far as it holds data, narrowed by the filters."""
    totals = _window_total(
        *_data_window(start, end, now), functools.partial(_store_day, profile), _empty(profile)
    )
    for dimension, label in filters:
        totals = _split(totals, _segment_named(_segments(dimension, _SITEWIDE_SEED), label))
    return totals


def _segment_title(dimension: str, label: str) -> str:
    # Sitewide audience segment names are capitalised where experience rows use raw values.
    return label.title() if dimension in _TITLED_DIMENSIONS else label


def _metric_value(totals: Counts, key: str, profile: _Profile) -> float | None:
    """A metric from rounded counts: totals as they are, ratios to six places, None over zero."""
    metric = _STORE_METRICS[key]
    if metric.denominator is None:
        value = totals[metric.numerator]
        return round(value, 2) if metric.numerator in _MONEY else round(value)
    if not totals[metric.denominator]:
        return None
    scale = profile.median_ratio if key == "median_order_value" else 1.0
    return round(totals[metric.numerator] / totals[metric.denominator] * scale, 6)


def _change(current: float | None, previous: float | None) -> float | None:
    if current is None or not previous:
        return None
    return round((current - previous) / previous, 6)


def _segment_body(
    current: Counts, previous: Counts, fields: tuple[str, ...], feature: str | None, profile: _Profile
) -> dict[str, Any]:
    body: dict[str, Any] = {"currency": "USD"}
    if feature != "conversion":
        body |= {"cogs_configured": True, "cogs_coverage_pct": round(profile.cogs_coverage, 4)}
    for key in fields:
        value = _metric_value(current, key, profile)
        body[key] = {"value": value, "pct_change": _change(value, _metric_value(previous, key, profile))}
    return body


def _impact_to_total(
    key: str, segment: tuple[Counts, Counts], total: tuple[Counts, Counts], profile: _Profile
) -> float | None:
    """A segment's contribution to the total's relative change over the comparison period.

    Additive metrics: the segment's own change over the previous total. Ratio metrics: the
    segment's change in rate weighted by its previous share, so the contributions plus the
    mix shift add up to the total's change.
    """
    metric = _SITEWIDE_METRICS[key]
    before_total = _metric_value(total[1], key, profile)
    if not before_total:
        return None
    if metric.denominator is None:
        return round((segment[0][metric.numerator] - segment[1][metric.numerator]) / before_total, 6)
    now_rate, before_rate = (_metric_value(c, key, profile) for c in segment)
    if now_rate is None or before_rate is None or not total[1][metric.denominator]:
        return None
    weight = segment[1][metric.denominator] / total[1][metric.denominator]
    return round(weight * (now_rate - before_rate) / before_total, 6)


def _audience_snapshot(
    request: _SitewideQuery, current: Counts, previous: Counts, profile: _Profile
) -> dict[str, Any]:
    assert request.audience is not None
    previous_start = 2 * request.start - request.end
    segments_now = _segments(request.audience, _SITEWIDE_SEED, (request.start, request.end))
    segments_before = _segments(request.audience, _SITEWIDE_SEED, (previous_start, request.start))
    fields = _FEATURE_FIELDS["audience"]
    totals = (_rounded(current), _rounded(previous))
    snapshot: dict[str, Any] = {}
    impacts: dict[str, float] = dict.fromkeys(fields, 0.0)
    for now_segment, before_segment in zip(segments_now, segments_before, strict=True):
        pair = (_rounded(_split(current, now_segment)), _rounded(_split(previous, before_segment)))
        body = _segment_body(*pair, fields, "audience", profile)
        for key in fields:
            impact = _impact_to_total(key, pair, totals, profile)
            body[key]["pct_impact_to_total_change"] = impact
            impacts[key] += impact or 0.0
        snapshot[_segment_title(request.audience, now_segment.label)] = body
    total = _segment_body(*totals, fields, "audience", profile)
    for key in _MIX_SHIFT:
        change = total[key]["pct_change"]
        total[key]["impact_from_visitor_mix_shift"] = (
            None if change is None else round(change - impacts[key], 6)
        )
    snapshot["__total"] = total
    return snapshot


def sitewide_analytics(query: dict[str, Any]) -> dict[str, Any]:
    """The 200 body of POST /analytics/sitewide/snapshot (also served as /analytics/sitewide)."""
    now = dates._now()
    request = _sitewide_query(query, now, _weeks_back(now, 1))
    profile = _store_profile()
    (start, end), (previous_start, _) = _periods(request.start, request.end, now)
    current = _store_totals(profile, start, end, now, request.filters)
    if round(current["n_visitors"]) == 0:
        return {}
    previous = _store_totals(profile, previous_start, start, now, request.filters)
    if request.feature == "audience":
        return _audience_snapshot(replace(request, end=end), current, previous, profile)
    fields = _FEATURE_FIELDS[request.feature]
    return {"All": _segment_body(_rounded(current), _rounded(previous), fields, request.feature, profile)}
