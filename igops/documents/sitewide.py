"""Sitewide figures as JSON data (schemas/sitewide.schema.json), and their summary line."""

from __future__ import annotations

from typing import Any

from igops.analytics import SitewideFigures
from igops.analytics.dates import iso
from igops.text import span, terminal

SITEWIDE_FORMAT_VERSION = 1


def summary_line(figures: SitewideFigures) -> str:
    currency = f"; money in {terminal(figures.currency)}" if figures.currency else ""
    covered = span(figures.start, figures.end)
    if figures.recent_days is not None:
        covered = f"the last {figures.recent_days} days by default ({covered})"
    if not figures.has_traffic:
        return f"Sitewide, {covered}: no visitors in that range."
    return (
        f"Sitewide, {covered}, against "
        f"{span(figures.comparison_start, figures.comparison_end)} (the period of the same length just "
        f"before){currency}."
    )


def sitewide_document(figures: SitewideFigures) -> dict[str, Any]:
    """The figures as JSON data (schemas/sitewide.schema.json)."""
    return {
        "format_version": SITEWIDE_FORMAT_VERSION,
        "summary": summary_line(figures),
        "start": iso(figures.start),
        "end": iso(figures.end),
        "comparison_start": iso(figures.comparison_start),
        "comparison_end": iso(figures.comparison_end),
        "currency": figures.currency,
        "has_traffic": figures.has_traffic,
        "figures": [
            {
                "key": figure.key,
                "label": figure.label,
                "value": figure.value,
                "previous": None if figure.previous is None else round(figure.previous, 6),
                "change": figure.change,
            }
            for figure in figures.figures
        ],
    }
