"""Store-wide figures for a date range, and for the period the API compares it with.

The API answers each figure's value for the range and its relative change against the period of the
same length just before it; the previous value shown is derived from those two.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from igops.analytics.dates import Window

# The range sitewide figures cover when none is given, as analytics tools default to a recent window.
SITEWIDE_DEFAULT_DAYS = 30

# (API key, label, kind): kind decides how a value reads (count, rate, money).
FIGURES = (
    ("net_revenue_per_visitor", "Net revenue per visitor", "money"),
    ("net_revenue", "Net revenue", "money"),
    ("n_visitors", "Visitors", "count"),
    ("n_orders", "Orders", "count"),
    ("conversion_rate", "Conversion rate", "rate"),
)


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    kind: str  # "count", "rate" or "money"
    value: float | None
    change: float | None  # relative to the comparison period (0.05 = +5%)

    @property
    def previous(self) -> float | None:
        """The comparison period's value, from the value and its change."""
        if self.value is None or self.change is None or self.change == -1:
            return None
        return self.value / (1 + self.change)


@dataclass(frozen=True)
class SitewideFigures:
    start: int
    end: int
    comparison_start: int
    comparison_end: int
    currency: str | None
    figures: tuple[Figure, ...]
    recent_days: int | None = None  # the range is the last this many days, chosen for want of one given

    @property
    def has_traffic(self) -> bool:
        return any(figure.key == "n_visitors" and figure.value for figure in self.figures)


def sitewide_figures(
    answer: Mapping[str, Any], window: Window, now: float, recent_days: int | None = None
) -> SitewideFigures:
    """The figures of the API's snapshot `answer` for `window` (both ends given); `now` in Unix seconds
    bounds the range the way the API does (there is no traffic from the future). `recent_days` says the
    window is the default one, the last that many days."""
    assert window.start is not None and window.end is not None
    segment = answer.get("All")
    if not isinstance(segment, Mapping):
        segment = next((value for value in answer.values() if isinstance(value, Mapping)), {})
    end = max(window.start, min(window.end, int(now)))
    figures = tuple(Figure(key, label, kind, *_cell(segment.get(key))) for key, label, kind in FIGURES)
    currency = segment.get("currency")
    return SitewideFigures(
        window.start,
        window.end,
        2 * window.start - end,
        window.start,
        currency if isinstance(currency, str) else None,
        figures,
        recent_days,
    )


def _cell(cell: Any) -> tuple[float | None, float | None]:
    if not isinstance(cell, Mapping):
        return None, None
    return _number(cell.get("value")), _number(cell.get("pct_change"))


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
