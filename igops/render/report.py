"""The report: tables on a terminal (rich), markdown for Slack or an issue, JSON for machines."""

from __future__ import annotations

import io
import json
from typing import Any, Protocol

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from igops.analytics import ExperienceResults, Report, results_document
from igops.analytics.dates import iso
from igops.render.markdown import DOCUMENT_LIMIT, Section, bounded, experience_heading, more_not_shown
from igops.render.results import (
    COLUMNS,
    NUMERIC,
    lifetime,
    lifetime_sentence,
    markdown_rows,
    primary_note,
    rows,
    verdict_text,
)
from igops.render.untrusted import markdown_inline, terminal
from igops.text import counted, window_text

REPORT_FORMAT_VERSION = 2  # 2: primary_metric may be null (the file marks none)
# Off a terminal nothing has to fit a screen: tables keep their natural width, up to this.
TEXT_WIDTH = 200


def summary_line(report: Report) -> str:
    shown = counted(len(report.experiences), "experience")
    line = f"Report: {shown} with results, {window_text(report.window_start, report.window_end)}."
    if report.not_started:
        line += f" Not started yet: {', '.join(report.not_started)}."
    return terminal(line)


def render_report_text(report: Report, *, color: bool = False, width: int | None = None) -> str:
    console = text_console(color, width)
    for results in report.experiences:
        console.print(Text.assemble((terminal(results.key), "bold"), f" ({terminal(results.name)}): ",
                                    lifetime(results)), soft_wrap=True)
        console.print(results_table(results))
        console.print(Text(f"{primary_note(results)} Verdict: {verdict_text(results.verdict)}"),
                      soft_wrap=True)
        console.print()
    console.print(Text(summary_line(report), style="bold"), soft_wrap=True)
    return captured(console)


def text_console(color: bool, width: int | None) -> Console:
    """A console that writes into a string: coloured only when asked, never reading markup in data."""
    return Console(file=io.StringIO(), width=width or TEXT_WIDTH, color_system="standard" if color else None,
                   force_terminal=color, highlight=False, emoji=False, markup=False, soft_wrap=False)


def captured(console: Console) -> str:
    file = console.file
    assert isinstance(file, io.StringIO)
    return file.getvalue().rstrip("\n")


def results_table(results: ExperienceResults, winner: str | None = None) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, collapse_padding=True)
    body = rows(results, winner)
    for index, (title, numeric) in enumerate(zip(COLUMNS, NUMERIC, strict=True)):
        # On a narrow terminal titles, names and intervals wrap between words; a number never splits.
        words = [*title.split(), *(cell for row in body for cell in [row[index]] if " " not in cell)]
        table.add_column(title, justify="right" if numeric else "left", overflow="fold",
                         min_width=max(map(len, words)))
    for cells in body:
        table.add_row(*(Text(cell) for cell in cells))
    return table


def render_report_markdown(report: Report, *, color: bool = False, width: int | None = None,
                           max_chars: int = DOCUMENT_LIMIT) -> str:
    """For Slack or an issue: an experience a section, never over `max_chars`."""
    sections = [Section("\n".join([
        experience_heading(results.key, results.name), "",
        markdown_inline(lifetime_sentence(results)), "",
        *markdown_rows(results, markdown_inline), "",
        f"**Verdict:** {markdown_inline(verdict_text(results.verdict))}"]), results.key)
        for results in report.experiences]
    return bounded([f"**{markdown_inline(summary_line(report))}**"], sections,
                   more_not_shown("experience", "igops report --format json"), max_chars)


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


def render_report_json(report: Report, *, color: bool = False, width: int | None = None) -> str:
    return json.dumps(report_document(report), indent=2, sort_keys=True, ensure_ascii=False)


class ReportRenderer(Protocol):
    def __call__(self, report: Report, *, color: bool = False, width: int | None = None) -> str: ...


REPORT_FORMATS: dict[str, ReportRenderer] = {
    "text": render_report_text,
    "markdown": render_report_markdown,
    "json": render_report_json,
}
