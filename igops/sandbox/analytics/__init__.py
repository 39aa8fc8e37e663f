"""Plausible, deterministic analytics for the emulator.

Numbers come from a small traffic model rather than from stored data. Each store (or
experience) gets a profile of funnel rates and order values drawn from a random generator
seeded by its identity; each UTC day of traffic is drawn from a generator seeded by that
identity and the day. A date range is therefore the sum of its days: the same range always
gives the same answer, a longer range contains a shorter one, and numbers grow as an
experience stays live. Wall-clock time only decides where data lies, never what the numbers
are: there is no traffic from the future, and none from before the store's history began,
`HISTORY_DAYS` whole UTC days before today. So no date range, however long, costs more than
that many simulated days (and an hourly series covers at most `MAX_HOURLY_DAYS`).

Every figure in a response is derived from rounded counts (visitors, orders, revenue, ...),
so rates are exactly the ratios of the counts shown next to them.

The endpoints' entry points are re-exported here. Each module of the package has one job and
imports only from modules earlier in this list: traffic, segments, statistics, queries, dates;
experiences, verdicts, charts, results (an experience's results); sitewide, series, orders,
funnel (the store's figures); experience_series.
"""

from __future__ import annotations

from .dates import HISTORY_DAYS, MAX_HOURLY_DAYS
from .experience_series import experience_timeseries
from .funnel import sitewide_conversion_funnel
from .orders import sitewide_order_distribution
from .queries import AnalyticsQueryError
from .results import experience_analytics, experience_analytics_by_get
from .series import sitewide_timeseries
from .sitewide import sitewide_analytics

__all__ = [
    "HISTORY_DAYS",
    "MAX_HOURLY_DAYS",
    "AnalyticsQueryError",
    "experience_analytics",
    "experience_analytics_by_get",
    "experience_timeseries",
    "sitewide_analytics",
    "sitewide_conversion_funnel",
    "sitewide_order_distribution",
    "sitewide_timeseries",
]
