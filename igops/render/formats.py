"""Every `--format` igops offers, declared one way: a `Formats` per kind of document (plan, drift, report,
sitewide, monitor, policies, calendar) names its renderers, its default and what each is for. A new format
is one entry in its `Formats` (and a test): the command's `--format` choices and help are built from it
(cli/common.py format_option), and its output is rendered through it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from igops.analytics import MonitorReport, Report, SitewideFigures
from igops.engine import Policies, StoreListing
from igops.model import Calendar, DriftReport, Plan, StorePlans
from igops.render.calendar import render_calendar_json, render_calendar_markdown, render_calendar_text
from igops.render.calendar_ics import render_calendar_ics
from igops.render.drift import render_drift_json, render_drift_markdown, render_drift_text
from igops.render.monitor import render_monitor_json, render_monitor_markdown, render_monitor_text
from igops.render.plan_json import render_plan_json
from igops.render.plan_markdown import render_plan_markdown
from igops.render.plan_text import render_plan_text
from igops.render.policies import render_policies_json, render_policies_text
from igops.render.report import render_report_json, render_report_markdown, render_report_text
from igops.render.sitewide import render_sitewide_json, render_sitewide_markdown, render_sitewide_text
from igops.render.store_plans import (
    render_store_plans_json,
    render_store_plans_markdown,
    render_store_plans_text,
)
from igops.render.stores import render_stores_json, render_stores_text

T = TypeVar("T")
T_contra = TypeVar("T_contra", contravariant=True)


class Renderer(Protocol[T_contra]):
    """Every renderer takes what it shows, whether colour is wanted (only text uses it) and the terminal's
    width (None off a terminal; only tables use it)."""

    def __call__(self, subject: T_contra, /, *, color: bool = False, width: int | None = None) -> str: ...


@dataclass(frozen=True)
class Formats(Generic[T]):
    """The formats of one kind of document: name -> (renderer, what it is for, as `--format`'s help says it:
    `for terminals`), and the one shown when none is asked for."""

    entries: Mapping[str, tuple[Renderer[T], str]]
    default: str = "text"

    def __post_init__(self) -> None:
        if self.default not in self.entries:
            raise ValueError(f"The default format {self.default!r} is not one of {list(self.entries)}.")

    def __iter__(self) -> Iterator[str]:
        return iter(self.entries)

    @property
    def names(self) -> list[str]:
        return list(self.entries)

    @property
    def help(self) -> str:
        """`text for terminals, markdown for PR comments, json for machines (...).`"""
        return ", ".join(f"{name} {purpose}" for name, (_, purpose) in self.entries.items()) + "."

    def render(self, subject: T, name: str, *, color: bool = False, width: int | None = None) -> str:
        renderer, _ = self.entries[name]
        return renderer(subject, color=color, width=width)


PLAN_FORMATS = Formats[Plan](
    {
        "text": (render_plan_text, "for terminals"),
        "markdown": (render_plan_markdown, "for PR comments"),
        "json": (render_plan_json, "for machines (schemas/plan.schema.json)"),
    }
)
# The same choices as PLAN_FORMATS, for a repository with several stores.
STORE_PLAN_FORMATS = Formats[StorePlans](
    {
        "text": (render_store_plans_text, "for terminals"),
        "markdown": (render_store_plans_markdown, "for PR comments"),
        "json": (
            render_store_plans_json,
            "for machines (schemas/plan.schema.json; with stores: schemas/store-plans.schema.json)",
        ),
    }
)
DRIFT_FORMATS = Formats[DriftReport](
    {
        "text": (render_drift_text, "for terminals"),
        "markdown": (render_drift_markdown, "for an issue body"),
        "json": (render_drift_json, "for machines (schemas/drift.schema.json)"),
    }
)
REPORT_FORMATS = Formats[Report](
    {
        "text": (render_report_text, "for terminals (tables)"),
        "markdown": (render_report_markdown, "for Slack or an issue"),
        "json": (render_report_json, "for machines (schemas/report.schema.json)"),
    }
)
SITEWIDE_FORMATS = Formats[SitewideFigures](
    {
        "text": (render_sitewide_text, "for terminals (a table)"),
        "markdown": (render_sitewide_markdown, "for Slack or an issue"),
        "json": (render_sitewide_json, "for machines (schemas/sitewide.schema.json)"),
    }
)
MONITOR_FORMATS = Formats[MonitorReport](
    {
        "text": (render_monitor_text, "for terminals"),
        "markdown": (render_monitor_markdown, "for an issue body"),
        "json": (render_monitor_json, "for machines (schemas/monitor.schema.json)"),
    }
)
POLICY_FORMATS = Formats[Policies](
    {
        "text": (render_policies_text, "for terminals"),
        "json": (render_policies_json, "for machines"),
    }
)
CALENDAR_FORMATS = Formats[Calendar](
    {
        "text": (render_calendar_text, "for terminals"),
        "markdown": (render_calendar_markdown, "for an issue or a wiki page"),
        "json": (render_calendar_json, "for machines (schemas/calendar.schema.json)"),
        "ics": (render_calendar_ics, "for calendar apps (iCalendar, to publish as a feed)"),
    }
)
STORES_FORMATS = Formats[StoreListing](
    {
        "text": (render_stores_text, "for terminals"),
        "json": (render_stores_json, "for a workflow's strategy.matrix (include: store, token_env)"),
    }
)
