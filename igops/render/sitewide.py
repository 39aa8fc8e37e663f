"""Sitewide figures: a table on a terminal (rich), markdown for Slack or an issue, JSON for machines."""

from __future__ import annotations

from rich import box
from rich.table import Table
from rich.text import Text

from igops.analytics import Figure, SitewideFigures
from igops.documents import json_text
from igops.documents.sitewide import sitewide_document, summary_line
from igops.render.markdown import Section, bounded, markdown_table, more_not_shown
from igops.render.report import captured, text_console
from igops.render.results import change, count, money, rate
from igops.render.untrusted import markdown_inline

_COLUMNS = ("Figure", "Range", "Previous period", "Change")
_NUMERIC = (False, True, True, True)


def _shown(figure: Figure, value: float | None) -> str:
    if figure.kind == "money":
        return money(value)
    if figure.kind == "rate":
        return rate(value)
    return count(value)


def _rows(figures: SitewideFigures) -> list[tuple[str, ...]]:
    return [
        (figure.label, _shown(figure, figure.value), _shown(figure, figure.previous), change(figure.change))
        for figure in figures.figures
    ]


def render_sitewide_text(figures: SitewideFigures, *, color: bool = False, width: int | None = None) -> str:
    console = text_console(color, width)
    console.print(Text(summary_line(figures), style="bold"), soft_wrap=True)
    if figures.has_traffic:
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
        for title, numeric in zip(_COLUMNS, _NUMERIC, strict=True):
            table.add_column(title, justify="right" if numeric else "left")
        for row in _rows(figures):
            table.add_row(*(Text(cell) for cell in row))
        console.print(table)
    return captured(console)


def render_sitewide_markdown(
    figures: SitewideFigures, *, color: bool = False, width: int | None = None
) -> str:
    head = f"**{markdown_inline(summary_line(figures))}**"
    if not figures.has_traffic:
        return head
    table = markdown_table([_COLUMNS, *_rows(figures)], markdown_inline, _NUMERIC)
    # A few figures: far within the limit, bounded all the same, as every document is.
    return bounded(
        [head], [Section("\n".join(table))], more_not_shown("table", "igops sitewide --format json")
    )


def render_sitewide_json(figures: SitewideFigures, *, color: bool = False, width: int | None = None) -> str:
    return json_text(sitewide_document(figures))
