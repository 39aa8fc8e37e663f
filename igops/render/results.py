"""How results read: numbers as people write them, and one experience's results as rows.

Shared by the report, the monitor's alerts and a plan that ends an experience, so a figure reads
the same wherever it shows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from igops.analytics import ExperienceResults, Uplift, VariationResult, Verdict
from igops.analytics.results import metric_label
from igops.documents.plan import signed_amount
from igops.render.markdown import markdown_table
from igops.render.untrusted import terminal
from igops.text import day, sentence_case

DASH = "-"
COLUMNS = (
    "Variation",
    "Visitors",
    "Orders",
    "Conversion",
    "Revenue / visitor",
    "Uplift (95% interval)",
    "Beats control",
)
# Right-aligned: every column but the variation's name.
NUMERIC = tuple(index > 0 for index in range(len(COLUMNS)))
CONTROL_MARK = " (control)"
WINNER_MARK = " (winner)"


def count(value: float | None) -> str:
    return DASH if value is None else f"{value:,.0f}"


def rate(value: float | None) -> str:
    return DASH if value is None else f"{value:.2%}"


def money(value: float | None) -> str:
    return DASH if value is None else f"{value:,.2f}"


def change(value: float | None) -> str:
    return DASH if value is None else f"{value:+.1%}"


def chance(value: float | None) -> str:
    return DASH if value is None else f"{value:.0%}"


def uplift(value: Uplift | None) -> str:
    if value is None:
        return DASH
    if value.low is None or value.high is None:
        return change(value.value)
    return f"{change(value.value)} ({change(value.low)} to {change(value.high)})"


def lifetime(results: ExperienceResults) -> str:
    """`started, 9.0 days live since 2026-11-17`."""
    status = terminal(results.status)
    if results.days_live is None or results.started_at is None:
        return status
    return f"{status}, {results.days_live:.1f} days live since {day(results.started_at)}"


# When neither the API nor the experience names a primary metric (or it is a custom one).
_NO_PRIMARY = (
    "no primary metric: the experience marks no standard metric isPrimary and the API named none "
    "yet, so there is no uplift or chance to beat the control"
)


def lifetime_sentence(results: ExperienceResults) -> str:
    """`Started, 9.0 days live since 2026-11-17. Uplift and chance ... the primary metric.`"""
    return f"{sentence_case(lifetime(results))}. {primary_note(results)}"


def primary_note(results: ExperienceResults) -> str:
    if results.primary_metric is None:
        return f"There is {_NO_PRIMARY}."
    return (
        f"Uplift and chance to beat the control are on {terminal(metric_label(results.primary_metric))}, "
        "the primary metric."
    )


def verdict_text(verdict: Verdict | None) -> str:
    """The API's verdict as a sentence (without the leading `Verdict:`)."""
    if verdict is None:
        return "none given."
    name = terminal(verdict.verdict.replace("_", " "))
    if verdict.verdict == "not_ready":
        return "not ready (too few days or orders so far)."
    if verdict.verdict == "error":
        return f"none ({terminal(verdict.reason or 'the API gave no reason')})"
    about = ""
    if verdict.best_challenger is not None:
        odds = f", {chance(verdict.p2bb)} to beat the control" if verdict.p2bb is not None else ""
        about = f" for {terminal(verdict.best_challenger)}{odds}"
    advice = f": {terminal(verdict.action)}" if verdict.action else "."
    return f"{name}{about}{advice}"


def variation_cells(variation: VariationResult, winner: str | None = None) -> tuple[str, ...]:
    label = terminal(variation.name)
    if variation.is_control:
        label += CONTROL_MARK
    if winner is not None and variation.name == winner:
        label += WINNER_MARK
    against = (DASH, DASH) if variation.is_control else (uplift(variation.uplift), chance(variation.p2bc))
    return (
        label,
        count(variation.visitors),
        count(variation.orders),
        rate(variation.conversion_rate),
        money(variation.net_revenue_per_visitor),
        *against,
    )


def rows(results: ExperienceResults, winner: str | None = None) -> list[tuple[str, ...]]:
    return [variation_cells(variation, winner) for variation in results.variations]


def aligned(table: Sequence[Sequence[str]], numeric: Sequence[bool] = NUMERIC) -> list[str]:
    """Rows as lines of aligned columns, two spaces apart; numbers to the right."""
    widths = [max(len(row[index]) for row in table) for index in range(len(table[0]))]
    return [
        "  ".join(
            cell.rjust(width) if right else cell.ljust(width)
            for cell, width, right in zip(row, widths, numeric, strict=True)
        ).rstrip()
        for row in table
    ]


def results_heading(results: ExperienceResults) -> str:
    """`started, 21.0 days live since 2026-11-05; uplift and chance ... on conversion rate, ...`"""
    if results.primary_metric is None:
        return f"{lifetime(results)}; {_NO_PRIMARY}."
    return (
        f"{lifetime(results)}; uplift and chance to beat the control on "
        f"{terminal(metric_label(results.primary_metric))}, the primary metric."
    )


def results_lines(results: ExperienceResults, winner: str | None = None) -> list[str]:
    """One experience's results as plain lines: a heading, the aligned table, the verdict, the impact."""
    table = aligned([COLUMNS, *rows(results, winner)])
    return [
        f"results so far: {results_heading(results)}",
        *(f"  {line}" for line in table),
        f"verdict: {verdict_text(results.verdict)}",
        f"impact: {impact_text(results, winner)}",
    ]


# How the API computes its estimate (analytics `impact.est_monthly_revenue_increase`).
IMPACT_FORMULA = "(its net revenue per visitor - the control's) x all visitors x 30 / days of the test"


def impact_text(results: ExperienceResults, winner: str | None) -> str:
    """The API's estimate of the monthly revenue the best challenger adds, and whether the winner is it."""
    challenger = results.estimated_challenger
    if results.est_monthly_revenue_increase is None or challenger is None:
        return "the API has no estimate of the monthly revenue impact yet (too little data)."
    amount = signed_amount(results.est_monthly_revenue_increase, results.currency_symbol)
    estimate = (
        f"the API estimates {terminal(amount)} a month for {terminal(challenger.name)}, the best "
        f"challenger by revenue per visitor, as {IMPACT_FORMULA}"
    )
    if winner is None:
        return f"{estimate}."
    if winner == challenger.name:
        return f"{estimate}; the winner is that challenger."
    return f"{estimate}; the winner {terminal(winner)} is not that challenger, so the estimate is not its."


def results_markdown(
    results: ExperienceResults, escape: Callable[[str], str], winner: str | None = None
) -> str:
    """One experience's results in markdown: a sentence, a table, the verdict; user data through `escape`."""
    return "\n".join(
        [
            f"**Results so far:** {escape(sentence_case(results_heading(results)))}",
            "",
            *markdown_rows(results, escape, winner),
            "",
            f"**Verdict:** {escape(verdict_text(results.verdict))}",
            "",
            f"**Impact:** {escape(sentence_case(impact_text(results, winner)))}",
        ]
    )


def markdown_rows(
    results: ExperienceResults, escape: Callable[[str], str], winner: str | None = None
) -> list[str]:
    """One experience's results as the lines of a GitHub table; its variations' names through `escape`."""
    return markdown_table([COLUMNS, *rows(results, winner)], escape, NUMERIC)
