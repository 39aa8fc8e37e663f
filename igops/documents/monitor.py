"""The monitor's alerts as JSON data (schemas/monitor.schema.json), and their summary line."""

from __future__ import annotations

from typing import Any

from igops.analytics import MonitorReport
from igops.text import counted

MONITOR_FORMAT_VERSION = 3  # 2: the max-runtime rule; 3: due soon (rules.due_soon, an alert's due)


def summary_line(report: MonitorReport) -> str:
    running = counted(len(report.checked), "running experience")
    if not report.fired:
        return f"Monitor: no alerts on {running}."
    alerted = len({alert.key for alert in report.alerts})
    return f"Monitor: {counted(len(report.alerts), 'alert')} on {alerted} of {running}."


def monitor_document(report: MonitorReport) -> dict[str, Any]:
    """The alerts as JSON data (schemas/monitor.schema.json)."""
    rules = report.rules
    return {
        "format_version": MONITOR_FORMAT_VERSION,
        "summary": summary_line(report),
        "fired": report.fired,
        "checked": [results.key for results in report.checked],
        "rules": {
            "sample_ratio_mismatch": rules.srm_p_value if rules.sample_ratio_mismatch else None,
            "conversion_collapse": rules.collapse_drop if rules.conversion_collapse else None,
            "milestones": list(rules.milestone_days) if rules.milestones else [],
            "max_runtime": rules.max_runtime_days,
            "due_soon": rules.due_soon_hours if rules.due_soon_evidence is not None else None,
        },
        "alerts": [
            {
                "rule": alert.rule,
                "key": alert.key,
                "name": alert.name,
                "variation": alert.variation,
                "message": alert.message,
                "figures": dict(alert.figures),
                "due": None if alert.due is None else alert.due.isoformat(),
            }
            for alert in report.alerts
        ],
    }
