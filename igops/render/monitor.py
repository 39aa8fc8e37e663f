"""Monitor alerts: lines for a terminal, a GitHub issue body (bounded), JSON for machines."""

from __future__ import annotations

from collections.abc import Callable

import click

from igops.analytics import Alert, MonitorReport, MonitorRules
from igops.analytics.monitor import COLLAPSE, DUE_SOON, MAX_RUNTIME, MILESTONE, SRM
from igops.documents import json_text
from igops.documents.monitor import monitor_document, summary_line
from igops.render.markdown import DOCUMENT_LIMIT, Section, bounded, experience_heading, more_not_shown
from igops.render.results import lifetime_sentence, markdown_rows
from igops.render.untrusted import markdown_inline, terminal
from igops.text import sentence_case

RULE_TITLES = {
    SRM: "sample-ratio mismatch",
    COLLAPSE: "conversion collapse",
    MILESTONE: "milestone",
    MAX_RUNTIME: "max runtime",
    DUE_SOON: "due soon",
}
_COLOURS = {SRM: "red", COLLAPSE: "red", MILESTONE: "yellow", MAX_RUNTIME: "yellow", DUE_SOON: "yellow"}


def rules_line(rules: MonitorRules) -> str:
    """The rules in force, as one sentence."""
    parts = []
    if rules.sample_ratio_mismatch:
        parts.append(f"sample-ratio mismatch below p {rules.srm_p_value:g}")
    if rules.conversion_collapse:
        parts.append(
            f"conversion collapse beyond {rules.collapse_drop:.0%} once the control has "
            f"{rules.collapse_min_control_orders} orders"
        )
    if rules.milestones and rules.milestone_days:
        parts.append("milestones at " + " and ".join(map(str, rules.milestone_days)) + " days live")
    if rules.max_runtime_days is not None:
        parts.append(f"max runtime beyond {rules.max_runtime_days:g} days live (policies: max-runtime)")
    if rules.due_soon_evidence is not None:
        parts.append(
            f"due soon {rules.due_soon_hours:g} hours before a scheduled end that lacks the end-gate's "
            "evidence (policies: end-gate)"
        )
    return f"Rules (igops.yaml monitor): {'; '.join(parts) or 'none enabled'}."


def render_monitor_text(report: MonitorReport, *, color: bool = False, width: int | None = None) -> str:
    style: Callable[..., str] = click.style if color else (lambda text, **_: text)
    lines = [
        style(f"! {RULE_TITLES[alert.rule]}", fg=_COLOURS[alert.rule], bold=True)
        + f"  {terminal(alert.key)} ({terminal(alert.name)}): {terminal(_message(alert))}"
        for alert in report.alerts
    ]
    closing = [style(summary_line(report), bold=True), rules_line(report.rules)]
    return "\n".join([*lines, "", *closing] if lines else closing)


def _message(alert: Alert) -> str:
    """The alert's sentence without the rule's name it starts with (the line's label says it)."""
    title = RULE_TITLES[alert.rule]
    return alert.message[len(title) + 2 :] if alert.message.startswith(f"{title}: ") else alert.message


def render_monitor_markdown(
    report: MonitorReport, *, color: bool = False, width: int | None = None, max_chars: int = DOCUMENT_LIMIT
) -> str:
    """An issue body: each alerted experience with its alerts and its figures, never over `max_chars`."""
    head = [f"**{markdown_inline(summary_line(report))}**"]
    tail = f"_{markdown_inline(rules_line(report.rules))}_"
    sections = []
    for results in report.checked:
        alerts = report.alerts_of(results.key)
        if not alerts:
            continue
        sections.append(
            Section(
                "\n".join(
                    [
                        experience_heading(results.key, results.name),
                        "",
                        markdown_inline(lifetime_sentence(results)),
                        "",
                        *(
                            f"- **{sentence_case(RULE_TITLES[alert.rule])}:** "
                            f"{markdown_inline(_message(alert))}"
                            for alert in alerts
                        ),
                        "",
                        *markdown_rows(results, markdown_inline),
                    ]
                ),
                results.key,
            )
        )
    return bounded(
        head, sections, more_not_shown("experience", "igops monitor --format json"), max_chars, tail=[tail]
    )


def render_monitor_json(report: MonitorReport, *, color: bool = False, width: int | None = None) -> str:
    return json_text(monitor_document(report))
