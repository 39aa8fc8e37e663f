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
# Marks after a variation's name: what it is, and why it has no figures.
CONTROL_MARK, ZERO_SHARE_MARK, WINNER_MARK = "control", "0% of traffic", "winner"


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
    """What the uplift and the chance to beat the control are on, and why a variation has no visitors."""
    by_design = _by_design(results)
    if results.nothing_to_compare:
        return f"{sentence_case(by_design)}."
    if results.primary_metric is None:
        note = f"There is {_NO_PRIMARY}."
    else:
        note = (
            f"Uplift and chance to beat the control are on {terminal(metric_label(results.primary_metric))}, "
            "the primary metric."
        )
    return f"{note} {sentence_case(by_design)}." if by_design else note


def _by_design(results: ExperienceResults) -> str:
    """Why variations have no visitors when their share of traffic is 0%, as a clause; "" when none has.

    A personalization that holds out no one gives its control 0%: then nothing can be compared with it."""
    empty = [variation for variation in results.variations if variation.empty_by_design]
    if not empty:
        return ""
    names = ", ".join(
        f"{terminal(variation.name)} (the control)" if variation.is_control else terminal(variation.name)
        for variation in empty
    )
    one = len(empty) == 1
    clause = (
        f"by design, {names} {'has' if one else 'have'} no visitors: "
        f"{'its share of traffic is' if one else 'their shares of traffic are'} 0%"
    )
    if results.nothing_to_compare:
        clause += (
            " (a personalization that holds out no one), so there is no uplift or chance to beat the control"
        )
    return clause


def results_verdict(results: ExperienceResults) -> str:
    """An experience's verdict as a sentence (without the leading `Verdict:`)."""
    return verdict_text(results.verdict, compared=not results.nothing_to_compare)


def verdict_text(verdict: Verdict | None, *, compared: bool = True) -> str:
    """The API's verdict as a sentence (without the leading `Verdict:`). Not `compared`: the control has
    no visitors by design, so waiting brings no verdict."""
    if not compared and (verdict is None or verdict.verdict == "not_ready"):
        return "none: the control has no visitors by design, so there is nothing to compare."
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


def variation_cells(
    variation: VariationResult, winner: str | None = None, *, compared: bool = True
) -> tuple[str, ...]:
    """A variation's row. A variation without visitors by design (0% of traffic) shows no rates, and
    when that is the control (not `compared`) no variation shows an uplift or a chance to beat it:
    blanks, not the dash of missing figures."""
    marks = [
        mark
        for mark, applies in (
            (CONTROL_MARK, variation.is_control),
            (ZERO_SHARE_MARK, variation.empty_by_design),
            (WINNER_MARK, winner is not None and variation.name == winner),
        )
        if applies
    ]
    label = terminal(variation.name) + (f" ({', '.join(marks)})" if marks else "")
    if variation.empty_by_design:
        return (label, count(variation.visitors), count(variation.orders), "", "", "", "")
    if not compared:
        against = ("", "")
    elif variation.is_control:
        against = (DASH, DASH)
    else:
        against = (uplift(variation.uplift), chance(variation.p2bc))
    return (
        label,
        count(variation.visitors),
        count(variation.orders),
        rate(variation.conversion_rate),
        money(variation.net_revenue_per_visitor),
        *against,
    )


def rows(results: ExperienceResults, winner: str | None = None) -> list[tuple[str, ...]]:
    compared = not results.nothing_to_compare
    return [variation_cells(variation, winner, compared=compared) for variation in results.variations]


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
    by_design = _by_design(results)
    if results.nothing_to_compare:
        return f"{lifetime(results)}; {by_design}."
    if results.primary_metric is None:
        heading = f"{lifetime(results)}; {_NO_PRIMARY}."
    else:
        heading = (
            f"{lifetime(results)}; uplift and chance to beat the control on "
            f"{terminal(metric_label(results.primary_metric))}, the primary metric."
        )
    return f"{heading} {sentence_case(by_design)}." if by_design else heading


def results_lines(results: ExperienceResults, winner: str | None = None) -> list[str]:
    """One experience's results as plain lines: a heading, the aligned table, the verdict, the impact."""
    table = aligned([COLUMNS, *rows(results, winner)])
    return [
        f"results so far: {results_heading(results)}",
        *(f"  {line}" for line in table),
        f"verdict: {results_verdict(results)}",
        f"impact: {impact_text(results, winner)}",
    ]


# How the API computes its estimate (analytics `impact.est_monthly_revenue_increase`).
IMPACT_FORMULA = "(its net revenue per visitor - the control's) x all visitors x 30 / days of the test"


def impact_text(results: ExperienceResults, winner: str | None) -> str:
    """The API's estimate of the monthly revenue the best challenger adds, and whether the winner is it."""
    challenger = results.estimated_challenger
    if results.est_monthly_revenue_increase is None and results.nothing_to_compare:
        return (
            "there is no estimate of the monthly revenue impact: the control has no visitors to compare with."
        )
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
            f"**Verdict:** {escape(results_verdict(results))}",
            "",
            f"**Impact:** {escape(sentence_case(impact_text(results, winner)))}",
        ]
    )


def markdown_rows(
    results: ExperienceResults, escape: Callable[[str], str], winner: str | None = None
) -> list[str]:
    """One experience's results as the lines of a GitHub table; its variations' names through `escape`."""
    return markdown_table([COLUMNS, *rows(results, winner)], escape, NUMERIC)
