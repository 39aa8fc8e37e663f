"""Analytics: results per experience, sitewide figures and monitoring rules.

Pure functions over the API's answers, returning plain dataclasses; the engine asks the account
(igops.engine.operations: Session.report, .sitewide, .monitor) and igops.render shows them.
"""

from __future__ import annotations

from igops.analytics.dates import DateError, Window, parse_window, recent_window
from igops.analytics.evidence import EndEvidence
from igops.analytics.monitor import Alert, MonitorReport, MonitorRules, ScheduledEnd, monitor
from igops.analytics.results import (
    ExperienceResults,
    Report,
    Uplift,
    VariationResult,
    Verdict,
    declared_primary,
    experience_results,
    winner_verdict,
)
from igops.analytics.sitewide import SITEWIDE_DEFAULT_DAYS, Figure, SitewideFigures, sitewide_figures
from igops.analytics.stats import RatioTest, chi_square_survival, sample_ratio_test

__all__ = [
    "SITEWIDE_DEFAULT_DAYS",
    "Alert",
    "DateError",
    "EndEvidence",
    "ExperienceResults",
    "Figure",
    "MonitorReport",
    "MonitorRules",
    "RatioTest",
    "Report",
    "ScheduledEnd",
    "SitewideFigures",
    "Uplift",
    "VariationResult",
    "Verdict",
    "Window",
    "chi_square_survival",
    "declared_primary",
    "experience_results",
    "monitor",
    "parse_window",
    "recent_window",
    "sample_ratio_test",
    "sitewide_figures",
    "winner_verdict",
]
