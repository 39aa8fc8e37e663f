"""Reading the API's answers into results, the winner's verdict, and the date range people type."""

from __future__ import annotations

from typing import Any

import pytest

from igops.analytics import (
    DateError,
    Uplift,
    Window,
    declared_primary,
    experience_results,
    parse_window,
    winner_verdict,
)
from igops.analytics.results import days_live
from igops.analytics.sitewide import sitewide_figures
from igops.documents.results import results_document, results_from_document

DAY = 86_400
NOW = 1_764_000_000  # 2025-11-24T16:00:00Z
LIVE = {
    "id": "exp-1",
    "name": "Hero headline",
    "status": "started",
    "startedAtTs": (NOW - 9 * DAY) * 1000,
    "variations": [
        {"id": "v-b", "name": "Benefit", "isControl": False, "percentage": 50, "order": 1},
        {"id": "v-a", "name": "Control", "isControl": True, "percentage": 50, "order": 0},
    ],
}


def answer(verdict: str = "directional_win", best: str = "v-b", p2bc: float = 0.88) -> dict[str, Any]:
    return {
        "experienceId": "exp-1",
        "metrics": [
            {
                "variation_id": "v-a",
                "n_visitors": {"value": 5000},
                "n_orders": {"value": 150},
                "conversion_rate": {"value": 0.03},
                "net_revenue_per_visitor": {"value": 2.5},
            },
            {
                "variation_id": "v-b",
                "n_visitors": {"value": 5100},
                "n_orders": {"value": 170},
                "conversion_rate": {
                    "value": 0.033333,
                    "uplift": {"value": 0.111, "ci_low": -0.05, "ci_high": 0.29},
                },
                "net_revenue_per_visitor": {
                    "value": 2.7,
                    "p2bc": p2bc,
                    "uplift": {"value": 0.08, "ci_low": -0.04, "ci_high": 0.21},
                },
            },
        ],
        "variations": [{"id": "v-a", "name": "Control"}, {"id": "v-b", "name": "Benefit"}],
        "testResult": {
            "verdict": verdict,
            "action_to_take": "Keep it running.",
            "runtime_days": 9.0,
            "primary_metric": {
                "key": "net_revenue_per_visitor",
                "best_challenger": {"variant": best, "p2bb": p2bc, "uplift": 0.08},
            },
        },
    }


def test_an_answer_becomes_results_per_variation_in_the_configured_order() -> None:
    results = experience_results("hero", LIVE, answer(), NOW)
    control, benefit = results.variations
    assert (control.name, control.is_control, control.visitors) == ("Control", True, 5000)
    assert control.orders == 150
    assert control.uplift is None and control.p2bc is None
    assert (benefit.name, benefit.conversion_rate) == ("Benefit", 0.033333)
    assert benefit.net_revenue_per_visitor == 2.7
    assert benefit.uplift is not None and (benefit.uplift.value, benefit.uplift.low) == (0.08, -0.04)
    assert benefit.p2bc == 0.88
    assert benefit.conversion_uplift is not None and benefit.conversion_uplift.high == 0.29
    assert results.primary_metric == "net_revenue_per_visitor"
    assert results.days_live == pytest.approx(9.0)
    assert results.verdict is not None and results.verdict.best_challenger == "Benefit"
    assert results_from_document(results_document(results)) == results


def test_an_answer_without_a_verdict_has_no_primary_metric_unless_declared_and_tolerates_gaps() -> None:
    bare = {
        "metrics": [
            {
                "variation_id": "v-a",
                "n_visitors": {"value": 10},
                "conversion_rate": {"value": 0.02, "uplift": {"value": 0.1}, "p2bc": 0.7},
            },
            {"variation_id": "v-z"},
            "junk",
        ]
    }
    results = experience_results("hero", LIVE, bare, NOW)
    assert results.verdict is None and results.primary_metric is None
    assert [(v.name, v.visitors, v.conversion_rate, v.uplift) for v in results.variations] == [
        ("Control", 10, 0.02, None),
        ("v-z", 0, None, None),
    ]
    declared = experience_results("hero", LIVE, bare, NOW, declared="conversion_rate")
    assert declared.primary_metric == "conversion_rate"
    assert declared.variations[0].uplift == Uplift(0.1) and declared.variations[0].p2bc == 0.7
    assert results_from_document(results_document(results)) == results


@pytest.mark.parametrize(
    ("metrics", "primary"),
    [
        ([{"standardEventId": "conversionRate", "isPrimary": True}], "conversion_rate"),
        (
            [
                {"standardEventId": "addToCartRate"},
                {"standardEventId": "netRevenuePerVisitor", "isPrimary": True},
            ],
            "net_revenue_per_visitor",
        ),
        ([{"standardEventId": "profitPerVisitor", "isPrimary": True}], "gross_profit_per_visitor"),
        ([{"standardEventId": "pctOrdersFreeShipping", "isPrimary": True}], "pct_orders_free_shipping"),
        ([{"experienceCustomMetricId": "c1", "isPrimary": True}], None),
        ([{"standardEventId": "conversionRate"}], None),
        (None, None),
        ("junk", None),
        ([None, 5], None),
    ],
    ids=[
        "conversion",
        "second",
        "profit-alias",
        "acronym-free",
        "custom",
        "none-primary",
        "absent",
        "text",
        "junk-items",
    ],
)
def test_the_declared_primary_metric_is_the_analytics_key_of_the_standard_event_marked_primary(
    metrics: object, primary: str | None
) -> None:
    assert declared_primary(metrics) == primary


@pytest.mark.parametrize(
    ("status", "stopped", "expected"),
    [
        ("started", None, 9.0),
        ("paused", "pausedAtTs", 4.0),
        ("ended", "endedAtTs", 4.0),
        ("pending", None, None),
    ],
)
def test_days_live_run_from_the_start_to_the_pause_the_end_or_now(
    status: str, stopped: str | None, expected: float | None
) -> None:
    live = {**LIVE, "status": status, **({stopped: (NOW - 5 * DAY) * 1000} if stopped else {})}
    if status == "pending":
        live["startedAtTs"] = None
    assert days_live(live, NOW) == (pytest.approx(expected) if expected is not None else None)


@pytest.mark.parametrize(
    ("verdict", "best", "winner", "expected"),
    [
        ("strong_loss", "v-b", "Benefit", "strong_loss"),
        ("directional_win", "v-b", "Benefit", "directional_win"),
        ("strong_loss", "v-other", "Benefit", "strong_loss"),  # every challenger trails when the best does
        ("directional_loss", "v-other", "Benefit", None),  # the verdict is about another challenger
        ("strong_loss", "v-b", "Control", None),  # keeping the control is never a loss against it
        ("strong_loss", "v-b", "Nobody", None),
        ("not_ready", "v-b", "Benefit", None),
    ],
)
def test_the_winners_verdict_is_the_apis_when_it_is_about_that_variation(
    verdict: str, best: str, winner: str, expected: str | None
) -> None:
    results = experience_results("hero", LIVE, answer(verdict, best), NOW)
    assert winner_verdict(results, winner) == expected


def test_a_bare_date_is_a_whole_utc_day_and_a_date_time_keeps_its_zone() -> None:
    window = parse_window("2026-11-01", "2026-11-30")
    assert (window.start, window.end) == (1_793_491_200, 1_796_083_200)  # Nov 1 00:00 to Dec 1 00:00 UTC
    assert window.resource_query() == {"startTs": "1793491200", "endTs": "1796083200"}
    assert window.sitewide_query() == {"start": "2026-11-01T00:00:00Z", "end": "2026-12-01T00:00:00Z"}
    zoned = parse_window("2026-11-01T09:00:00+01:00", "2026-11-01T10:00:00Z")
    assert zoned.sitewide_query() == {"start": "2026-11-01T08:00:00Z", "end": "2026-11-01T10:00:00Z"}
    assert parse_window(None, None) == Window() and Window().resource_query() == {}


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2026-13-01", None, "The start '2026-13-01' is not a date: write YYYY-MM-DD"),
        (None, "yesterday", "The end 'yesterday' is not a date"),
        ("2026-11-30", "2026-11-01", "The end '2026-11-01' is not after the start '2026-11-30'"),
        ("2026-11-01T10:00Z", "2026-11-01T10:00Z", "is not after the start"),
        (None, "9999-12-31", "The end '9999-12-31' is out of range"),
    ],
)
def test_dates_that_cannot_be_asked_for_are_one_sentence(
    start: str | None, end: str | None, message: str
) -> None:
    with pytest.raises(DateError, match=message.replace("(", r"\(")) as caught:
        parse_window(start, end)
    assert "\n" not in str(caught.value)


def test_sitewide_figures_and_their_comparison_period() -> None:
    window = parse_window("2025-11-01", "2025-11-10")
    answer = {
        "All": {
            "currency": "USD",
            "n_visitors": {"value": 100_000, "pct_change": 0.25},
            "net_revenue": {"value": 250_000.0, "pct_change": -1.0},
            "conversion_rate": {"value": None},
        }
    }
    figures = sitewide_figures(answer, window, NOW)
    assert figures.currency == "USD" and figures.has_traffic
    assert (figures.comparison_start, figures.comparison_end) == (window.start - 10 * DAY, window.start)
    by_key = {figure.key: figure for figure in figures.figures}
    assert by_key["n_visitors"].previous == pytest.approx(80_000)
    assert by_key["net_revenue"].previous is None  # a fall of 100% leaves nothing to divide
    assert by_key["conversion_rate"].value is None and by_key["n_orders"].value is None
    empty = sitewide_figures({}, window, NOW)
    assert not empty.has_traffic and empty.currency is None
