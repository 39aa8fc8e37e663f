"""The experience timeseries: each variation's metrics per hour, day, week or month, cumulative
or not. It sums the same daily counts as the experience's results, so its last cumulative
point matches what the results show for the same range."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from ..markers import Markers
from . import dates
from .dates import MAX_HOURLY_DAYS, _bucket_label, _buckets, _window_total
from .experiences import _analysis_window, _Experience, _experience_model, _filter_segments, _variation_day
from .queries import AnalyticsQueryError, _choice, _epoch_range, _segment_filters
from .segments import _Segment
from .sitewide import _metric_value
from .statistics import _rounded
from .traffic import DAY, _add, _empty

_EXPERIENCE_GRANULARITIES = ("hour", "day", "week", "month")
_SERIES_MODES = ("cumulative", "noncumulative")
_EXPERIENCE_SERIES_METRICS = (
    "conversion_rate",
    "net_revenue_per_visitor",
    "gross_profit_per_visitor",
    "aov",
    "n_visitors",
    "n_orders",
    "net_revenue",
)
_DEFAULT_SERIES_METRICS = ("conversion_rate", "net_revenue_per_visitor", "gross_profit_per_visitor")
_PROFIT_METRICS = ("gross_profit_per_visitor",)
_DT_PATTERNS = {
    "hour": "%Y-%m-%d %H:%M:%S",
    "day": "%Y-%m-%d %H:%M:%S",
    "week": "%Y-%m-%d",
    "month": "%Y-%m-%d",
}


def _series_metrics(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise AnalyticsQueryError("metrics", "metrics must be an array.")
    return tuple(dict.fromkeys(_choice(key, "metrics", _EXPERIENCE_SERIES_METRICS) for key in value))


def _segment_names(model: _Experience) -> list[str]:
    names = [str(variation.get("name", "")) for variation in model.variations]
    # Segments are keyed by variation name; a repeated name is told apart by the variation id.
    return [
        name if names.count(name) == 1 else f"{name} ({variation['id']})"
        for name, variation in zip(names, model.variations, strict=True)
    ]


def _variation_series(
    model: _Experience,
    index: int,
    segments: Sequence[_Segment],
    buckets: list[tuple[int, int, int]],
    cumulative: bool,
    granularity: str,
    metrics: tuple[str, ...],
) -> list[dict[str, Any]]:
    # Hourly buckets share their day's traffic: simulate each day once.
    day_counts = functools.cache(functools.partial(_variation_day, model, index, segments))
    empty = _empty(model.profile)
    running, points = empty, []
    for first, start, end in buckets:
        counts = _window_total(start, end, day_counts, empty)
        running = _add(running, counts) if cumulative else counts
        shown = _rounded(running)
        points.append(
            {
                "dt": _bucket_label(first, _DT_PATTERNS[granularity]),
                **{key: _metric_value(shown, key, model.profile) for key in metrics},
            }
        )
    return points


def experience_timeseries(
    experience: dict[str, Any], body: dict[str, Any], story: Markers | None = None
) -> dict[str, Any]:
    """The 200 body of POST /analytics/experience/{id}/timeseries for a stored experience, telling
    `story`."""
    start, end = _epoch_range(body, "startTs", "endTs")
    granularity = _choice(body.get("granularity", "day"), "granularity", _EXPERIENCE_GRANULARITIES)
    mode = _choice(body.get("mode", "cumulative"), "mode", _SERIES_MODES)
    metrics = _series_metrics(body.get("metrics", list(_DEFAULT_SERIES_METRICS)))
    filters = _segment_filters(body.get("filters"))
    model = _experience_model(experience, story)
    first, last, _ = _analysis_window(experience, start, end, dates._now())
    if granularity == "hour":
        first = max(first, last - MAX_HOURLY_DAYS * DAY)
    buckets = _buckets(first, last, granularity)
    segments = _filter_segments(model, filters)
    answer: dict[str, Any] = {
        "currency": "USD",
        "granularity": granularity,
        "mode": mode,
        "experienceId": model.id,
        "experienceName": str(experience.get("name", "")),
        "variations": [
            {"id": str(v["id"]), "name": str(v.get("name", "")), "isControl": bool(v.get("isControl"))}
            for v in model.variations
        ],
    }
    if any(key in _PROFIT_METRICS for key in metrics):
        answer |= {"cogsConfigured": True, "cogsCoveragePct": round(model.profile.cogs_coverage, 4)}
    answer["segments"] = {
        name: {
            "data": _variation_series(
                model, index, segments, buckets, mode == "cumulative", granularity, metrics
            )
        }
        for index, name in enumerate(_segment_names(model))
    }
    return answer
