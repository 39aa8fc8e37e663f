"""The report: tables on a terminal (rich), markdown for Slack or an issue, JSON for machines."""

from __future__ import annotations

import io

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from igops.analytics import ExperienceResults, Report
from igops.documents import json_text
from igops.documents.results import report_document, summary_line
from igops.render.markdown import DOCUMENT_LIMIT, Section, bounded, experience_heading, more_not_shown
from igops.render.results import (
    COLUMNS,
    NUMERIC,
    lifetime,
    lifetime_sentence,
    markdown_rows,
    primary_note,
    results_verdict,
    rows,
)
from igops.render.untrusted import markdown_inline, terminal

# Off a terminal nothing has to fit a screen: tables keep their natural width, up to this.
TEXT_WIDTH = 200


def render_report_text(report: Report, *, color: bool = False, width: int | None = None) -> str:
    console = text_console(color, width)
    for results in report.experiences:
        console.print(
            Text.assemble(
                (terminal(results.key), "bold"), f" ({terminal(results.name)}): ", lifetime(results)
            ),
            soft_wrap=True,
        )
        console.print(results_table(results))
        console.print(Text(f"{primary_note(results)} Verdict: {results_verdict(results)}"), soft_wrap=True)
        console.print()
    console.print(Text(summary_line(report), style="bold"), soft_wrap=True)
    return captured(console)


def text_console(color: bool, width: int | None) -> Console:
    """A console that writes into a string: coloured only when asked, never reading markup in data."""
    return Console(
        file=io.StringIO(),
        width=width or TEXT_WIDTH,
        color_system="standard" if color else None,
        force_terminal=color,
        highlight=False,
        emoji=False,
        markup=False,
        soft_wrap=False,
    )


def captured(console: Console) -> str:
    file = console.file
    assert isinstance(file, io.StringIO)
    # A row whose last cells are blank (a variation without visitors by design) ends in padding.
    return "\n".join(line.rstrip() for line in file.getvalue().rstrip("\n").split("\n"))


def results_table(results: ExperienceResults, winner: str | None = None) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, collapse_padding=True)
    body = rows(results, winner)
    for index, (title, numeric) in enumerate(zip(COLUMNS, NUMERIC, strict=True)):
        # On a narrow terminal titles, names and intervals wrap between words; a number never splits.
        words = [*title.split(), *(cell for row in body for cell in [row[index]] if " " not in cell)]
        table.add_column(
            title, justify="right" if numeric else "left", overflow="fold", min_width=max(map(len, words))
        )
    for cells in body:
        table.add_row(*(Text(cell) for cell in cells))
    return table


def render_report_markdown(
    report: Report, *, color: bool = False, width: int | None = None, max_chars: int = DOCUMENT_LIMIT
) -> str:
    """For Slack or an issue: an experience a section, never over `max_chars`."""
    sections = [
        Section(
            "\n".join(
                [
                    experience_heading(results.key, results.name),
                    "",
                    markdown_inline(lifetime_sentence(results)),
                    "",
                    *markdown_rows(results, markdown_inline),
                    "",
                    f"**Verdict:** {markdown_inline(results_verdict(results))}",
                ]
            ),
            results.key,
        )
        for results in report.experiences
    ]
    return bounded(
        [f"**{markdown_inline(summary_line(report))}**"],
        sections,
        more_not_shown("experience", "igops report --format json"),
        max_chars,
    )


def render_report_json(report: Report, *, color: bool = False, width: int | None = None) -> str:
    return json_text(report_document(report))
