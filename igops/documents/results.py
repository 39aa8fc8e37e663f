"""Results as JSON data and back, and the report's document (schemas/report.schema.json) with its summary
line.

One experience's results are the report's `--format json` entries and a saved plan's end results alike: the
layout is `$defs/experienceResults` of schemas/report.schema.json (plan.schema.json holds the same
definition, kept equal by a test).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from igops.analytics.dates import iso
from igops.analytics.results import ExperienceResults, Report, Uplift, VariationResult, Verdict
from igops.text import counted, terminal, window_text

REPORT_FORMAT_VERSION = 3  # 2: primary_metric may be null (the file marks none); 3: impact


def summary_line(report: Report) -> str:
    """`Report: 2 experiences with results, over each experience's whole run.`, then what has not started."""
    shown = counted(len(report.experiences), "experience")
    line = f"Report: {shown} with results, {window_text(report.window_start, report.window_end)}."
    if report.not_started:
        line += f" Not started yet: {', '.join(report.not_started)}."
    return terminal(line)


def report_document(report: Report) -> dict[str, Any]:
    """The report as JSON data (schemas/report.schema.json)."""
    return {
        "format_version": REPORT_FORMAT_VERSION,
        "summary": summary_line(report),
        "start": None if report.window_start is None else iso(report.window_start),
        "end": None if report.window_end is None else iso(report.window_end),
        "experiences": [results_document(results) for results in report.experiences],
        "not_started": list(report.not_started),
    }


def results_document(results: ExperienceResults) -> dict[str, Any]:
    return {
        "key": results.key,
        "name": results.name,
        "experience_id": results.experience_id,
        "status": results.status,
        "started_at": None if results.started_at is None else iso(results.started_at),
        "started_at_ts": results.started_at,
        "days_live": None if results.days_live is None else round(results.days_live, 2),
        "primary_metric": results.primary_metric,
        "variations": [_variation_document(variation) for variation in results.variations],
        "verdict": None
        if results.verdict is None
        else {
            "verdict": results.verdict.verdict,
            "action": results.verdict.action,
            "best_challenger": results.verdict.best_challenger,
            "p2bb": results.verdict.p2bb,
            "uplift": results.verdict.uplift,
            "reason": results.verdict.reason,
        },
        "impact": {"est_monthly_revenue_increase": results.est_monthly_revenue_increase},
        "currency_symbol": results.currency_symbol,
    }


def results_from_document(document: Mapping[str, Any]) -> ExperienceResults:
    """The results a document (valid against the schema) describes."""
    verdict = document["verdict"]
    return ExperienceResults(
        key=document["key"],
        name=document["name"],
        experience_id=document["experience_id"],
        status=document["status"],
        started_at=document["started_at_ts"],
        days_live=document["days_live"],
        primary_metric=document["primary_metric"],
        variations=tuple(_variation(item) for item in document["variations"]),
        verdict=None
        if verdict is None
        else Verdict(
            verdict["verdict"],
            verdict["action"],
            verdict["best_challenger"],
            verdict["p2bb"],
            verdict["uplift"],
            verdict["reason"],
        ),
        est_monthly_revenue_increase=document["impact"]["est_monthly_revenue_increase"],
        currency_symbol=document["currency_symbol"],
    )


def _variation_document(variation: VariationResult) -> dict[str, Any]:
    return {
        "variation_id": variation.variation_id,
        "name": variation.name,
        "is_control": variation.is_control,
        "percentage": variation.percentage,
        "visitors": variation.visitors,
        "orders": variation.orders,
        "conversion_rate": variation.conversion_rate,
        "net_revenue_per_visitor": variation.net_revenue_per_visitor,
        "uplift": _uplift_document(variation.uplift),
        "p2bc": variation.p2bc,
        "conversion_uplift": _uplift_document(variation.conversion_uplift),
    }


def _uplift_document(uplift: Uplift | None) -> dict[str, Any] | None:
    return None if uplift is None else {"value": uplift.value, "ci_low": uplift.low, "ci_high": uplift.high}


def _uplift(document: Mapping[str, Any] | None) -> Uplift | None:
    return None if document is None else Uplift(document["value"], document["ci_low"], document["ci_high"])


def _variation(document: Mapping[str, Any]) -> VariationResult:
    return VariationResult(
        variation_id=document["variation_id"],
        name=document["name"],
        is_control=document["is_control"],
        percentage=document["percentage"],
        visitors=document["visitors"],
        orders=document["orders"],
        conversion_rate=document["conversion_rate"],
        net_revenue_per_visitor=document["net_revenue_per_visitor"],
        uplift=_uplift(document["uplift"]),
        p2bc=document["p2bc"],
        conversion_uplift=_uplift(document["conversion_uplift"]),
    )
