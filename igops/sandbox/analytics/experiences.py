"""An experience as the traffic model sees it: its variations' profile and true effects
(seeded per variation, so editing one leaves the others alone), the window it was live, and
the counts behind its overview, audience and post-test rows."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..markers import SRM_SHARE, Markers, markers
from .dates import _data_window
from .queries import AnalyticsQueryError
from .segments import _UNCAPPED_DEFAULT_TOP_N, _display_order, _Segment, _segment_named, _segments, _split
from .statistics import _GRAPH_ALIASES, _METRICS, _metric_rows, _rounded
from .traffic import (
    Counts,
    _add,
    _day_overlaps,
    _empty,
    _Lift,
    _part,
    _Profile,
    _profile,
    _rng,
    _simulate_day,
    _traffic_factor,
)

_EFFECT_SCALES = (0.0, 0.03, 0.08, 0.15)  # how different a test's variations truly are
_DEFAULT_PRIMARY = "net_revenue_per_visitor"
_DEFAULT_SECONDARY = ("conversion_rate", "net_revenue_per_order", "net_revenue_per_visitor")


@dataclass(frozen=True)
class _Experience:
    id: str
    variations: list[dict[str, Any]]  # in display order
    baseline: int
    profile: _Profile
    lifts: list[_Lift]
    key_metrics: list[str]  # statistical metric keys, primary first
    # Each variation's visitors as a share of what its percentage promises (a sandbox marker's mismatch).
    traffic: tuple[float, ...] = ()


def _metric_key(event: object) -> str | None:
    """The metrics-row key of a standard event id (conversionRate -> conversion_rate)."""
    if not isinstance(event, str) or not event:
        return None
    key = re.sub(r"(?<!^)(?=[A-Z])", "_", event).lower()
    return _GRAPH_ALIASES.get(key, key)


def _key_metrics(experience: Mapping[str, Any]) -> list[str]:
    """Statistical metric keys of the experience's key metrics, the primary first."""
    metrics = sorted(experience.get("experienceKeyMetrics") or [], key=lambda m: m.get("order", 0))
    primary: Mapping[str, Any] = next((m for m in metrics if m.get("isPrimary")), {})
    primary_key = _metric_key(primary.get("standardEventId"))
    if primary_key not in _METRICS:
        # Custom-event primaries have no model here; revenue per visitor stands in.
        primary_key = _DEFAULT_PRIMARY
    others = (_metric_key(m.get("standardEventId")) for m in metrics if m is not primary)
    return list(dict.fromkeys([primary_key, *(k for k in others if k in _METRICS)]))


def _experience_model(experience: Mapping[str, Any], story: Markers | None = None) -> _Experience:
    experience_id = str(experience["id"])
    variations = sorted(experience.get("variations") or [], key=lambda v: v.get("order", 0))
    if not variations:
        raise AnalyticsQueryError("variations", "The experience has no variations to analyze.")
    baseline = next((i for i, v in enumerate(variations) if v.get("isControl")), 0)
    rng = _rng("experience", experience_id)
    profile = _profile(rng, (300.0, 2500.0))
    scale = rng.choice(_EFFECT_SCALES)
    # Seeded per variation, so editing one variation leaves the others' effects alone.
    effects = [_rng("effect", experience_id, v.get("id")) for v in variations]
    lifts = [
        _Lift()
        if index == baseline
        else _Lift(1 + scale * effect.uniform(-1, 1), 1 + scale / 2 * effect.uniform(-1, 1))
        for index, effect in enumerate(effects)
    ]
    # The story the emulator's scenario tells for it (markers.py) may force the outcome; without one,
    # the experience's own marker, if it has one.
    story = markers(experience) if story is None else story
    if story.add_to_cart is not None or story.purchase is not None:
        forced = _Lift(story.purchase or 1.0, 1.0, story.add_to_cart or 1.0)
        lifts = [_Lift() if index == baseline else forced for index in range(len(variations))]
    traffic = tuple(
        SRM_SHARE if story.sample_ratio_mismatch and index != baseline else 1.0
        for index in range(len(variations))
    )
    return _Experience(experience_id, variations, baseline, profile, lifts, _key_metrics(experience), traffic)


def _seconds(ms: Any) -> int | None:
    return None if ms is None else int(float(ms) // 1000)


def _analysis_window(
    experience: Mapping[str, Any], start: int | None, end: int | None, now: int
) -> tuple[int, int, int]:
    """(start, end, latest data time) of the traffic in the asked range, in Unix seconds."""
    horizon = min(end if end is not None else now, now)
    started = _seconds(experience.get("startedAtTs"))
    if started is None or experience.get("status") == "pending":
        return horizon, horizon, horizon
    stopped = _seconds(experience.get("endedAtTs") or experience.get("pausedAtTs"))
    live_until = min(horizon, stopped) if stopped is not None else horizon
    first = _data_window(started if start is None else max(started, start), live_until, now)[0]
    return first, max(first, live_until), live_until


def _filter_segments(model: _Experience, filters: Sequence[tuple[str, str]]) -> list[_Segment]:
    return [_segment_named(_segments(dimension, model.id), label) for dimension, label in filters]


def _variation_day(model: _Experience, index: int, segments: Sequence[_Segment], day: int) -> Counts:
    """One variation's traffic on one whole UTC day, narrowed to the filtered segments."""
    variation = model.variations[index]
    share = float(variation.get("percentage", 0)) / 100 * (model.traffic[index] if model.traffic else 1.0)
    expected = model.profile.daily_visitors * _traffic_factor(day) * share
    rng = _rng("experience-day", model.id, variation.get("id"), day)
    counts = _simulate_day(rng, expected, model.profile, model.lifts[index])
    for segment in segments:
        counts = _split(counts, segment)
    return counts


def _daily(
    model: _Experience, start: int, end: int, filters: Sequence[tuple[str, str]]
) -> list[list[Counts]]:
    """Per day of the window, the traffic of each variation."""
    segments = _filter_segments(model, filters)
    return [
        [
            _part(_variation_day(model, index, segments, day), fraction)
            for index in range(len(model.variations))
        ]
        for day, fraction in _day_overlaps(start, end)
    ]


def _variation_totals(model: _Experience, days: list[list[Counts]]) -> list[Counts]:
    empty = _empty(model.profile)
    return [_add(empty, *(day[i] for day in days)) for i in range(len(model.variations))]


def _audience_rows(
    model: _Experience, totals: list[Counts], dimension: str, top_n: int | None
) -> tuple[list[dict[str, Any]], list[str], list[tuple[str, list[Counts]]]]:
    """Rows per (segment, variation), the display order, and the kept segments' counts."""
    segments = _segments(dimension, model.id)
    split = [(s.label, [_rounded(_split(t, s)) for t in totals]) for s in segments]
    split.sort(key=lambda item: -sum(c["n_visitors"] for c in item[1]))
    limit = top_n if top_n is not None else _UNCAPPED_DEFAULT_TOP_N.get(dimension)
    kept = split[:limit] if limit is not None else split
    ids = [str(v["id"]) for v in model.variations]
    rows = []
    for label, counts in kept:
        for row in _metric_rows(counts, ids, model.baseline, model.profile.order_cv):
            rows.append({"audience": label, **row})
    order = _display_order({label: sum(c["n_visitors"] for c in counts) for label, counts in kept})
    return rows, order, kept


_POST_FAMILIES = ("post", "eso", "total")


def _post_test_counts(counts: Counts, profile: _Profile, lift: float, days: float) -> Counts:
    """Customers won during the test and what they bought afterwards."""
    customers = counts["n_visitors_ordered"]
    # Repeat purchases accumulate over the weeks after a first order.
    maturity = 1 - math.exp(-days / 45)
    repeaters = round(customers * min(1.0, profile.repeat_rate * lift * maturity))
    post_orders = round(repeaters * profile.repeat_orders)
    order_value = counts["net_revenue"] / counts["n_orders"] if counts["n_orders"] else 0.0
    post_revenue = round(post_orders * order_value * 0.95, 2)
    return {
        "n_visitors": counts["n_visitors"],
        "n_customers": customers,
        "n_repeat_customers": repeaters,
        "n_post_orders": post_orders,
        "post_net_revenue": post_revenue,
        "post_gross_profit": round(post_revenue * profile.margin, 2),
        "n_eso_orders": counts["n_orders"],
        "eso_net_revenue": counts["net_revenue"],
        "eso_gross_profit": counts["gross_profit"],
    }


def _post_test_fields(counts: Counts, include_in_test: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    """(totals, rates) of one post-test row; rates are the fields that carry uplift."""

    def ratio(numerator: float, denominator: float) -> float | None:
        return round(numerator / denominator, 6) if denominator else None

    visitors, customers = counts["n_visitors"], counts["n_customers"]
    totals: dict[str, float] = {"n_visitors": visitors, "n_customers": customers}
    rates: dict[str, float | None] = {
        "customers_per_visitor": ratio(customers, visitors),
        "pct_repeat_customers": ratio(counts["n_repeat_customers"], customers),
    }
    families = _POST_FAMILIES if include_in_test else ("post", "total")
    for family in families:
        if family == "total":
            extra = ("eso",) if include_in_test else ()
            orders = sum(counts[f"n_{f}_orders"] for f in ("post", *extra))
            revenue = round(sum(counts[f"{f}_net_revenue"] for f in ("post", *extra)), 2)
            profit = round(sum(counts[f"{f}_gross_profit"] for f in ("post", *extra)), 2)
        else:
            orders = counts[f"n_{family}_orders"]
            revenue = counts[f"{family}_net_revenue"]
            profit = counts[f"{family}_gross_profit"]
        totals |= {
            f"n_{family}_orders": orders,
            f"{family}_net_revenue": revenue,
            f"{family}_gross_profit": profit,
        }
        for name, amount in (("orders", orders), ("revenue", revenue), ("profit", profit)):
            rates[f"{family}_{name}_per_visitor"] = ratio(amount, visitors)
            rates[f"{family}_{name}_per_customer"] = ratio(amount, customers)
    return totals, rates


def _post_test_rows(
    model: _Experience,
    groups: list[tuple[str | None, list[Counts]]],
    include_in_test: bool,
    days: float,
) -> list[dict[str, Any]]:
    repeat_lifts = [
        1.0 if i == model.baseline else _rng("repeat", model.id, v.get("id")).uniform(0.9, 1.1)
        for i, v in enumerate(model.variations)
    ]
    rows = []
    for label, counts in groups:
        fields = [
            _post_test_fields(_post_test_counts(c, model.profile, lift, days), include_in_test)
            for c, lift in zip(counts, repeat_lifts, strict=True)
        ]
        baseline_rates = fields[model.baseline][1]
        for index, (variation, (totals, rates)) in enumerate(zip(model.variations, fields, strict=True)):
            row: dict[str, Any] = {"variation_id": str(variation["id"])}
            if label is not None:
                row["audience"] = label
            row |= {key: {"value": value} for key, value in totals.items()}
            for key, value in rates.items():
                row[key] = {"value": value}
                base = baseline_rates[key]
                if index != model.baseline:
                    lifted = round(value / base - 1, 6) if value is not None and base else None
                    row[key]["uplift"] = {"value": lifted}
            rows.append(row)
    return rows
