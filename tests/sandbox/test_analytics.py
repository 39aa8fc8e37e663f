"""The emulator's analytics: response shapes against the published spec, determinism,
internal consistency of the numbers, and refusal of bad inputs."""

from __future__ import annotations

import base64
import random
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.analytics import DAY, NOW, iso, make_experience
from support.openapi import API_PREFIX, request_validator, require_spec, response_validator, schema_errors

from igops.sandbox import analytics
from igops.sandbox.analytics import (
    dates,
    experience_analytics,
    experience_analytics_by_get,
    sitewide_analytics,
)

RESOURCE = f"{API_PREFIX}/analytics/resource/{{experienceId}}"
SITEWIDE = f"{API_PREFIX}/analytics/sitewide/snapshot"
VERDICTS = {"strong_win", "directional_win", "directional_loss", "strong_loss", "mixed_signals"}


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dates, "_now", lambda: NOW)


EXPERIENCES = {
    "pending": make_experience(1, status="pending"),
    "started-2": make_experience(2, started_days_ago=21),
    "started-4-uneven": make_experience(3, variations=4, percentages=[40, 20, 20, 20], started_days_ago=45),
    "paused-3": make_experience(4, variations=3, status="paused", started_days_ago=40, live_days=12),
    "ended-2-cr": make_experience(
        5, status="ended", started_days_ago=90, live_days=28, primary="conversionRate"
    ),
    "ended-3-profit": make_experience(
        6, variations=3, status="ended", started_days_ago=20, live_days=14, primary="profitPerVisitor"
    ),
    "started-today": make_experience(7, started_days_ago=0.1),
}
WINDOW = {"start": str(NOW - 20 * DAY), "end": str(NOW - 2 * DAY)}
WINDOW_BODY = {"startTs": WINDOW["start"], "endTs": WINDOW["end"]}
GET_QUERIES = {
    "get-empty": {},
    "get-range": {"view": "overview", **WINDOW},
    "get-audience": {"view": "audience", "audience": "device_type", "analyticsViewType": "sitewide_orders"},
    "get-post-test": {"view": "post_test", "audience": "visitor_type"},
    "get-graphs": {"graphs": "conversion_rate,net_revenue_per_visitor", "graphOutput": "base64"},
    "get-bad-graph": {"graphs": "conversion_rate,revenue_per_visitor"},
}
POST_QUERIES = {
    "post-empty": {},
    "post-verdict": {"testResult": True, "analyticsViewType": "test_orders_only"},
    "post-range": {**WINDOW_BODY, "testResult": True},
    "post-audience-top1": {"view": "audience", "audience": "source_site", "topN": 1, "testResult": True},
    "post-audience-country": {"view": "audience", "audience": "country_code"},
    "post-post-test": {"view": "post_test", "includeInTestOrders": False},
    "post-post-test-paths": {"view": "post_test", "audience": "landing_page_full_path", "topN": 3},
    "post-graphs-filters": {
        "graphs": {"ids": ["profit_per_visitor", "net_revenue_from_upsell"], "outputFormat": "png"},
        "filters": {"deviceType": "mobile", "visitorType": "any"},
    },
    "post-channel-graphs": {
        "view": "audience",
        "audience": "source_channel",
        "graphs": {"ids": ["conversion_rate"], "outputFormat": "base64"},
    },
}


def overview(experience: dict[str, Any], **body: Any) -> list[dict[str, Any]]:
    return experience_analytics(experience, body)["metrics"]


def by_get(experience: dict[str, Any], **params: str) -> dict[str, Any]:
    return experience_analytics_by_get(experience, list(params.items()))


def value(row: dict[str, Any], key: str) -> Any:
    return row[key]["value"]


# --- shapes against the spec -------------------------------------------------------------


@pytest.mark.parametrize("experience", EXPERIENCES.values(), ids=EXPERIENCES.keys())
@pytest.mark.parametrize("query", GET_QUERIES.values(), ids=GET_QUERIES.keys())
def test_get_answers_match_the_spec(experience: dict[str, Any], query: dict[str, str]) -> None:
    require_spec()
    body = by_get(experience, **query)
    assert schema_errors(response_validator("get", RESOURCE), body) == []


@pytest.mark.parametrize("experience", EXPERIENCES.values(), ids=EXPERIENCES.keys())
@pytest.mark.parametrize("query", POST_QUERIES.values(), ids=POST_QUERIES.keys())
def test_post_answers_match_the_spec(experience: dict[str, Any], query: dict[str, Any]) -> None:
    require_spec()
    assert schema_errors(request_validator("post", RESOURCE), query) == []
    body = experience_analytics(experience, query)
    assert schema_errors(response_validator("post", RESOURCE), body) == []


SITEWIDE_QUERIES = {
    "default-range": {},
    "march": {"start": "2025-03-01T00:00:00Z", "end": "2025-03-31T23:59:59.999-05:00"},
    "performance": {"start": "2025-06-01T00:00:00Z", "feature": {"name": "performance"}},
    "order": {"start": "2025-06-01T00:00:00+02:00", "feature": {"name": "order"}},
    "conversion": {"start": "2025-06-01T00:00:00Z", "feature": {"name": "conversion"}},
    "filtered": {"start": "2025-06-01T00:00:00Z", "filters": {"deviceType": "desktop", "allOrders": True}},
    **{
        f"audience-{dimension}": {
            "start": "2025-05-01T00:00:00Z",
            "end": "2025-06-01T00:00:00Z",
            "feature": {"name": "audience", "audience": dimension},
        }
        for dimension in ("device_type", "visitor_type", "source_channel", "source_site", "country_code")
    },
    "future": {"start": "2030-01-01T00:00:00Z", "end": "2030-02-01T00:00:00Z"},
}


@pytest.mark.parametrize("query", SITEWIDE_QUERIES.values(), ids=SITEWIDE_QUERIES.keys())
def test_sitewide_answers_match_the_spec(query: dict[str, Any]) -> None:
    require_spec()
    assert schema_errors(request_validator("post", SITEWIDE), query) == []
    assert schema_errors(response_validator("post", SITEWIDE), sitewide_analytics(query)) == []


# --- determinism -----------------------------------------------------------------------


@pytest.mark.parametrize("query", POST_QUERIES.values(), ids=POST_QUERIES.keys())
def test_same_inputs_give_the_same_answer(query: dict[str, Any]) -> None:
    experience = EXPERIENCES["started-4-uneven"]
    assert experience_analytics(experience, query) == experience_analytics(experience, query)


# The same request in both forms: (GET parameters, POST body).
BOTH_FORMS = {
    "range": ({"view": "overview", **WINDOW}, {"view": "overview", **WINDOW_BODY}),
    "audience": (
        {"view": "audience", "audience": "device_type", "analyticsViewType": "none"},
        {"view": "audience", "audience": "device_type", "analyticsViewType": "none"},
    ),
    "graphs": (
        {"graphs": "conversion_rate,net_revenue_per_visitor", "graphOutput": "base64"},
        {"graphs": {"ids": ["conversion_rate", "net_revenue_per_visitor"], "outputFormat": "base64"}},
    ),
}


@pytest.mark.parametrize(("params", "body"), BOTH_FORMS.values(), ids=BOTH_FORMS.keys())
def test_both_forms_answer_alike(params: dict[str, str], body: dict[str, Any]) -> None:
    experience = EXPERIENCES["started-4-uneven"]
    assert by_get(experience, **params) == experience_analytics(experience, body)


def test_the_post_form_ignores_keys_it_does_not_document() -> None:
    experience = EXPERIENCES["started-2"]
    assert experience_analytics(experience, {"start": "123", "end": "x", "graphOutput": "gif"}) == (
        experience_analytics(experience, {})
    )


def test_another_experience_or_range_gives_other_numbers() -> None:
    first, second = make_experience(11), make_experience(12)
    assert [value(r, "n_visitors") for r in overview(first)] != [
        value(r, "n_visitors") for r in overview(second)
    ]
    assert overview(first, **WINDOW_BODY) != overview(first)


def test_numbers_do_not_depend_on_global_random_state() -> None:
    experience = EXPERIENCES["ended-2-cr"]
    random.seed(1)
    before = experience_analytics(experience, {"testResult": True})
    random.seed(2)
    assert experience_analytics(experience, {"testResult": True}) == before


def test_sitewide_is_deterministic_by_range() -> None:
    march = SITEWIDE_QUERIES["march"]
    assert sitewide_analytics(march) == sitewide_analytics(dict(march))
    april = {"start": "2025-04-01T00:00:00Z", "end": "2025-04-30T23:59:59.999-05:00"}
    assert sitewide_analytics(april)["All"]["n_visitors"] != sitewide_analytics(march)["All"]["n_visitors"]


# --- internal consistency ----------------------------------------------------------------

FUNNEL = (
    "n_visitors",
    "n_visitors_added_to_cart",
    "n_visitors_checkout_started",
    "n_visitors_checkout_contact_info_submitted",
    "n_visitors_checkout_address_info_submitted",
    "n_visitors_ordered",
)


def assert_consistent(experience: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    for row in rows:
        visitors, orders = value(row, "n_visitors"), value(row, "n_orders")
        assert value(row, "n_visitors_ordered") <= orders <= visitors
        funnel = [value(row, key) for key in FUNNEL]
        assert funnel == sorted(funnel, reverse=True)
        if visitors:
            assert value(row, "conversion_rate") == pytest.approx(orders / visitors, abs=1e-6)
            assert value(row, "net_revenue_per_visitor") == pytest.approx(
                value(row, "net_revenue") / visitors, abs=1e-6
            )
        if orders:
            assert value(row, "net_revenue_per_order") == pytest.approx(
                value(row, "net_revenue") / orders, abs=1e-6
            )
        if orders >= 50:
            assert 20 < value(row, "net_revenue_per_order") < 250
    total = sum(value(row, "n_visitors") for row in rows)
    if total >= 5000:
        for row, variation in zip(rows, experience["variations"], strict=True):
            assert value(row, "n_visitors") / total == pytest.approx(variation["percentage"] / 100, abs=0.03)
    statistical = [row for row in rows if "p2bb" in row["conversion_rate"]]
    if statistical:
        assert len(statistical) == len(rows)
        assert sum(row["conversion_rate"]["p2bb"] for row in rows) == pytest.approx(1, abs=1e-3)
        control = next(row for row, v in zip(rows, experience["variations"], strict=True) if v["isControl"])
        assert "p2bc" not in control["conversion_rate"]
        assert "uplift" not in control["conversion_rate"]
        for row in rows:
            if row is not control:
                lift = value(row, "conversion_rate") / value(control, "conversion_rate") - 1
                assert row["conversion_rate"]["uplift"]["value"] == pytest.approx(lift, rel=1e-3, abs=1e-4)
                metric = row["conversion_rate"]
                assert metric["ci_low"] <= metric["value"] <= metric["ci_high"]


def assert_verdict_consistent(experience: dict[str, Any], body: dict[str, Any]) -> None:
    result, rows = body["testResult"], body["metrics"]
    assert result["orders_per_variant"] == {row["variation_id"]: value(row, "n_orders") for row in rows}
    if result["verdict"] == "not_ready":
        return
    assert result["verdict"] in VERDICTS
    primary = result["primary_metric"]["key"]
    challengers = [row for row, v in zip(rows, experience["variations"], strict=True) if not v["isControl"]]
    best = max(challengers, key=lambda row: row[primary]["p2bc"])
    claimed = result["primary_metric"]["best_challenger"]
    assert claimed["variant"] == best["variation_id"]
    assert claimed["p2bb"] == best[primary]["p2bc"]
    assert claimed["uplift"] == best[primary]["uplift"]["value"]
    p = claimed["p2bb"]
    expected = {
        "strong_win": p >= 0.95,
        "directional_win": 0.8 <= p < 0.95,
        "strong_loss": p <= 0.05,
        "directional_loss": 0.05 < p <= 0.2,
        "mixed_signals": 0.2 < p < 0.8 or bool(result["conflicting_metrics"]),
    }
    assert expected[result["verdict"]]
    assert (claimed["uplift"] > 0) == (p > 0.5)


@pytest.mark.parametrize("experience", EXPERIENCES.values(), ids=EXPERIENCES.keys())
def test_numbers_are_internally_consistent(experience: dict[str, Any]) -> None:
    body = experience_analytics(experience, {"testResult": True})
    assert_consistent(experience, body["metrics"])
    assert_verdict_consistent(experience, body)


@given(
    seed=st.integers(0, 10**9),
    shares=st.lists(st.integers(5, 60), min_size=2, max_size=4),
    days_ago=st.floats(0.01, 120),
    live_days=st.one_of(st.none(), st.floats(0.01, 60)),
    status=st.sampled_from(["started", "paused", "ended"]),
)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_experience_is_consistent(
    seed: int, shares: list[int], days_ago: float, live_days: float | None, status: str
) -> None:
    percentages = [100 * s / sum(shares) for s in shares]
    experience = make_experience(
        seed,
        variations=len(shares),
        percentages=percentages,
        status=status,
        started_days_ago=days_ago,
        live_days=live_days if status != "started" else None,
    )
    body = experience_analytics(experience, {"testResult": True})
    assert_consistent(experience, body["metrics"])
    assert_verdict_consistent(experience, body)


def test_verdicts_span_the_outcomes() -> None:
    seen = set()
    for seed in range(60):
        experience = make_experience(seed, variations=2, status="ended", started_days_ago=60, live_days=40)
        seen.add(experience_analytics(experience, {"testResult": True})["testResult"]["verdict"])
    assert {"strong_win", "strong_loss", "mixed_signals"} <= seen


def test_two_variations_probability_to_be_best_is_probability_to_beat_control() -> None:
    rows = overview(EXPERIENCES["ended-2-cr"])
    metric = rows[1]["net_revenue_per_visitor"]
    assert metric["p2bb"] == pytest.approx(metric["p2bc"], abs=1e-6)


def test_a_pending_experience_has_no_visitors() -> None:
    body = experience_analytics(EXPERIENCES["pending"], {"testResult": True})
    assert all(value(row, "n_visitors") == 0 and value(row, "n_orders") == 0 for row in body["metrics"])
    assert all(value(row, "conversion_rate") is None for row in body["metrics"])
    assert body["testResult"]["verdict"] == "not_ready"
    assert body["impact"] == {"est_monthly_revenue_increase": None}


def test_a_fresh_experience_is_not_ready() -> None:
    body = experience_analytics(EXPERIENCES["started-today"], {"testResult": True})
    assert body["testResult"]["verdict"] == "not_ready"
    assert body["testResult"]["runtime_days"] == pytest.approx(0.1, abs=0.01)


def visitors(experience: dict[str, Any], **query: Any) -> int:
    return sum(value(row, "n_visitors") for row in overview(experience, **query))


def test_visitors_grow_with_days_live() -> None:
    experience = make_experience(21, started_days_ago=30)
    start = (NOW - 30 * DAY) * 1000 // 1000
    week, fortnight = (
        visitors(experience, endTs=str(start + 7 * DAY)),
        visitors(experience, endTs=str(start + 14 * DAY)),
    )
    assert 0 < week < fortnight
    assert fortnight / week == pytest.approx(2, rel=0.15)
    assert visitors(experience) > fortnight


def test_traffic_stops_when_an_experience_ends_or_pauses() -> None:
    for status in ("ended", "paused"):
        experience = make_experience(22, status=status, started_days_ago=30, live_days=10)
        stop = NOW - 20 * DAY
        assert (
            visitors(experience)
            == visitors(experience, endTs=str(stop))
            == visitors(experience, endTs=str(stop + DAY))
        )
        assert experience_analytics(experience, {})["latestRunTs"] == stop


def test_the_clock_bounds_a_live_experience(monkeypatch: pytest.MonkeyPatch) -> None:
    experience = make_experience(23, started_days_ago=10)
    today = visitors(experience)
    monkeypatch.setattr(dates, "_now", lambda: NOW + 5 * DAY)
    assert visitors(experience) > today
    assert visitors(experience, endTs=str(NOW)) == today


def test_timestamps_are_seconds() -> None:
    body = experience_analytics(EXPERIENCES["started-2"], {})
    assert len(str(body["latestRunTs"])) == 10


# --- views, filters, graphs ----------------------------------------------------------------


def test_audience_view_breaks_each_variation_down_by_segment() -> None:
    experience = EXPERIENCES["started-4-uneven"]
    body = experience_analytics(experience, {"view": "audience", "audience": "device_type"})
    assert body["datasetId"] == "variation_audience"
    assert len(body["metrics"]) == 4 * 3
    assert sorted(body["audienceOrder"]) == ["desktop", "mobile", "tablet"]
    by_segment: dict[str, int] = {}
    for row in body["metrics"]:
        by_segment[row["audience"]] = by_segment.get(row["audience"], 0) + value(row, "n_visitors")
    assert body["audienceOrder"] == sorted(by_segment, key=lambda s: -by_segment[s])
    assert sum(by_segment.values()) == pytest.approx(visitors(experience), abs=3)
    for segment in by_segment:
        assert_consistent(experience, [row for row in body["metrics"] if row["audience"] == segment])


def test_audience_order_pins_other_and_unknown_last() -> None:
    body = experience_analytics(EXPERIENCES["started-2"], {"view": "audience", "audience": "source_site"})
    assert body["audienceOrder"][-2:] == ["Other", "Unknown"]


def test_top_n_caps_segments() -> None:
    experience = EXPERIENCES["started-2"]
    countries = experience_analytics(experience, {"view": "audience", "audience": "country_code"})
    assert len(countries["audienceOrder"]) == 10
    everything = experience_analytics(
        experience, {"view": "audience", "audience": "country_code", "topN": 1000}
    )
    assert len(everything["audienceOrder"]) > 10
    assert (
        len(
            experience_analytics(experience, {"view": "audience", "audience": "device_type", "topN": 2})[
                "audienceOrder"
            ]
        )
        == 2
    )


def test_post_test_view() -> None:
    experience = EXPERIENCES["ended-2-cr"]
    with_in_test = experience_analytics(experience, {"view": "post_test"})
    without = experience_analytics(experience, {"view": "post_test", "includeInTestOrders": False})
    assert with_in_test["datasetId"] == "variation_post_metrics"
    assert with_in_test["audienceOrder"] == []
    control, challenger = with_in_test["metrics"]
    assert value(control, "n_total_orders") == value(control, "n_post_orders") + value(
        control, "n_eso_orders"
    )
    assert not any("uplift" in metric for key, metric in control.items() if key != "variation_id")
    assert "uplift" in challenger["post_revenue_per_customer"]
    assert "uplift" in challenger["pct_repeat_customers"]
    assert "uplift" not in challenger["n_post_orders"] and "uplift" not in challenger["total_net_revenue"]
    for row in without["metrics"]:
        assert not any(key.startswith(("eso_", "n_eso_")) for key in row)
        assert value(row, "total_net_revenue") == value(row, "post_net_revenue")
        assert value(row, "n_customers") <= value(row, "n_visitors")
    by_segment = experience_analytics(experience, {"view": "post_test", "audience": "visitor_type"})
    assert by_segment["datasetId"] == "variation_post_metrics_audience"
    assert (
        {row["audience"] for row in by_segment["metrics"]}
        == set(by_segment["audienceOrder"])
        == {"new", "returning"}
    )


def test_device_filter_matches_the_audience_breakdown() -> None:
    experience = EXPERIENCES["started-2"]
    mobile = overview(experience, filters={"deviceType": "mobile"})
    breakdown = overview(experience, view="audience", audience="device_type")
    mobile_rows = [row for row in breakdown if row["audience"] == "mobile"]
    for filtered, segment in zip(mobile, mobile_rows, strict=True):
        assert value(filtered, "n_visitors") == pytest.approx(value(segment, "n_visitors"), abs=1)
        assert value(filtered, "n_orders") == pytest.approx(value(segment, "n_orders"), abs=1)
    assert overview(experience, filters={"deviceType": "any"}) == overview(experience)


def test_graphs() -> None:
    experience = EXPERIENCES["started-4-uneven"]
    inline = experience_analytics(
        experience, {"graphs": {"ids": ["conversion_rate"], "outputFormat": "base64"}}
    )
    (graph,) = inline["graphs"]
    assert graph["key"] == "conversion_rate" and graph["type"] == "bar" and "url" not in graph
    assert base64.b64decode(graph["data"]).startswith(b"\x89PNG\r\n\x1a\n")
    linked = by_get(experience, graphs="conversion_rate,profit_per_order")
    assert [g["key"] for g in linked["graphs"]] == ["conversion_rate", "profit_per_order"]
    assert all(g["url"].startswith("https://") for g in linked["graphs"])
    # The deprecated GET form drops the whole list when an id is unknown; POST refuses it.
    assert by_get(experience, graphs="conversion_rate,revenue_per_visitor")["graphs"] == []
    with pytest.raises(ValueError):
        experience_analytics(experience, {"graphs": {"ids": ["revenue_per_visitor"]}})
    assert "graphs" not in experience_analytics(experience, {})


def test_impact_extrapolates_the_best_challenger_to_thirty_days() -> None:
    experience = EXPERIENCES["ended-2-cr"]
    control, challenger = overview(experience)
    gain = (
        (value(challenger, "net_revenue_per_visitor") - value(control, "net_revenue_per_visitor"))
        * (value(control, "n_visitors") + value(challenger, "n_visitors"))
        * (30 / 28)
    )
    impact = experience_analytics(experience, {})["impact"]["est_monthly_revenue_increase"]
    assert impact == pytest.approx(gain, abs=1)


def test_primary_metric_follows_the_key_metrics() -> None:
    body = experience_analytics(EXPERIENCES["ended-3-profit"], {"testResult": True})
    if body["testResult"]["verdict"] != "not_ready":
        assert body["testResult"]["primary_metric"]["key"] == "gross_profit_per_visitor"
    body = experience_analytics(EXPERIENCES["ended-2-cr"], {"testResult": True})
    assert body["testResult"]["primary_metric"]["key"] == "conversion_rate"


def test_one_variation_has_no_verdict() -> None:
    experience = make_experience(31, variations=1)
    assert experience_analytics(experience, {"testResult": True})["testResult"]["verdict"] == "error"


# --- bad inputs --------------------------------------------------------------------------

# name: (POST body, the field the refusal names)
BAD_BODIES = {
    "summary-view": ({"view": "summary"}, "view"),
    "audience-missing": ({"view": "audience"}, "audience"),
    "audience-on-overview": ({"view": "overview", "audience": "device_type"}, "audience"),
    "unknown-audience": ({"view": "audience", "audience": "browser"}, "audience"),
    "short-start": ({"startTs": "123"}, "startTs"),
    "milliseconds": ({"startTs": "1735689600000"}, "startTs"),
    "number": ({"startTs": 1735689600}, "startTs"),
    "null": ({"endTs": None}, "endTs"),
    "signed": ({"startTs": "+735689600"}, "startTs"),
    "other-digits": ({"startTs": "\u0661" * 10}, "startTs"),
    "date-time": ({"endTs": "2025-01-01T00:00:00Z"}, "endTs"),
    "end-before-start": ({"startTs": str(NOW - DAY), "endTs": str(NOW - 2 * DAY)}, "endTs"),
    "view-type": ({"analyticsViewType": "everything"}, "analyticsViewType"),
    "graph-format": ({"graphs": {"ids": ["conversion_rate"], "outputFormat": "svg"}}, "graphs.outputFormat"),
    "graphs-not-object": ({"graphs": ["conversion_rate"]}, "graphs"),
    "graphs-as-text": ({"graphs": "conversion_rate"}, "graphs"),
    "top-n-zero": ({"view": "audience", "audience": "country_code", "topN": 0}, "topN"),
    "top-n-large": ({"view": "audience", "audience": "country_code", "topN": 1001}, "topN"),
    "top-n-text": ({"view": "audience", "audience": "country_code", "topN": "10"}, "topN"),
    "test-result": ({"testResult": "true"}, "testResult"),
    "include-in-test": ({"view": "post_test", "includeInTestOrders": 1}, "includeInTestOrders"),
    "device-filter": ({"filters": {"deviceType": "tablet"}}, "filters.deviceType"),
    "filters-not-object": ({"filters": "mobile"}, "filters"),
}


def assert_refused(compute: Any, query: Any, field: str) -> None:
    with pytest.raises(analytics.AnalyticsQueryError) as raised:
        compute(query)
    message = str(raised.value)
    assert message.endswith(".") and "\n" not in message
    assert raised.value.field == field


@pytest.mark.parametrize(("body", "field"), BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_bad_bodies_are_refused(body: dict[str, Any], field: str) -> None:
    assert_refused(lambda query: experience_analytics(EXPERIENCES["started-2"], query), body, field)


# name: (GET parameters, the field the refusal names)
BAD_PARAMS = {
    "short-start": ([("start", "123")], "start"),
    "milliseconds": ([("end", "1735689600000")], "end"),
    "empty": ([("start", "")], "start"),
    "date": ([("end", "2025-01-01")], "end"),
    "end-before-start": ([("start", str(NOW - DAY)), ("end", str(NOW - 2 * DAY))], "end"),
    "graph-output": ([("graphs", "conversion_rate"), ("graphOutput", "gif")], "graphOutput"),
    "view": ([("view", "summary")], "view"),
    # Only the original query parameters: the POST form's names are not among them.
    "start-ts": ([("startTs", str(NOW - DAY))], "startTs"),
    "test-result": ([("view", "overview"), ("testResult", "true")], "testResult"),
    "top-n": ([("topN", "3")], "topN"),
    "filters": ([("filters", "{}")], "filters"),
    "repeated": ([("view", "overview"), ("view", "audience")], "view"),
}


@pytest.mark.parametrize(("params", "field"), BAD_PARAMS.values(), ids=BAD_PARAMS.keys())
def test_bad_get_parameters_are_refused(params: list[tuple[str, str]], field: str) -> None:
    assert_refused(lambda query: experience_analytics_by_get(EXPERIENCES["started-2"], query), params, field)


# name: (snapshot body, the field the refusal names); dates are in test_analytics_series.py
BAD_SITEWIDE_QUERIES = {
    "end-before-start": ({"start": "2025-02-01T00:00:00Z", "end": "2025-01-01T00:00:00Z"}, "end"),
    "feature-string": ({"feature": "performance"}, "feature"),
    "feature-name": ({"feature": {"name": "revenue"}}, "feature.name"),
    "audience-missing": ({"feature": {"name": "audience"}}, "feature.audience"),
    "audience-unknown": ({"feature": {"name": "audience", "audience": "browser"}}, "feature.audience"),
    "visitor-filter": ({"filters": {"visitorType": "loyal"}}, "filters.visitorType"),
}


@pytest.mark.parametrize(("query", "field"), BAD_SITEWIDE_QUERIES.values(), ids=BAD_SITEWIDE_QUERIES.keys())
def test_bad_sitewide_queries_are_refused(query: dict[str, Any], field: str) -> None:
    assert_refused(sitewide_analytics, query, field)


# --- sitewide numbers ----------------------------------------------------------------------


def test_sitewide_numbers_are_consistent() -> None:
    start = NOW - 28 * DAY
    body = sitewide_analytics({"start": iso(start), "end": iso(NOW)})["All"]
    got = {key: metric["value"] for key, metric in body.items() if isinstance(metric, dict)}
    assert got["n_orders"] <= got["n_visitors"] <= got["n_sessions"]
    assert got["conversion_rate"] == pytest.approx(got["n_orders"] / got["n_visitors"], rel=1e-4)
    assert got["net_revenue_per_visitor"] == pytest.approx(got["net_revenue"] / got["n_visitors"], rel=1e-4)
    assert got["aov"] == pytest.approx(got["net_revenue"] / got["n_orders"], rel=1e-4)
    assert got["median_order_value"] < got["aov"]
    assert 0 < got["gross_margin_pct"] < 1 and got["net_revenue"] < got["gross_revenue"]
    previous = sitewide_analytics({"start": iso(start - 28 * DAY), "end": iso(start)})["All"]
    for key in ("n_visitors", "net_revenue", "conversion_rate"):
        change = got[key] / previous[key]["value"] - 1
        assert body[key]["pct_change"] == pytest.approx(change, abs=1e-5)


def test_sitewide_ranges_add_up() -> None:
    def visitors_between(start: int, end: int) -> int:
        return sitewide_analytics({"start": iso(start), "end": iso(end)})["All"]["n_visitors"]["value"]

    start = NOW - 60 * DAY
    whole = visitors_between(start, start + 30 * DAY)
    halves = visitors_between(start, start + 15 * DAY) + visitors_between(start + 15 * DAY, start + 30 * DAY)
    assert whole == pytest.approx(halves, abs=2)
    assert 3000 * 30 < whole < 15000 * 30


def test_sitewide_feature_subsets() -> None:
    base = {"start": iso(NOW - 7 * DAY)}
    conversion = sitewide_analytics({**base, "feature": {"name": "conversion"}})["All"]
    assert (
        "cogs_configured" not in conversion and "bounce_rate" in conversion and "n_orders" not in conversion
    )
    order = sitewide_analytics({**base, "feature": {"name": "order"}})["All"]
    assert "median_order_value" in order and order["cogs_configured"] is True
    full = sitewide_analytics(base)["All"]
    assert set(order) < set(full)


def test_sitewide_audience_segments_add_up_to_the_total() -> None:
    body = sitewide_analytics(SITEWIDE_QUERIES["audience-device_type"])
    assert set(body) == {"Mobile", "Desktop", "Tablet", "__total"}
    segments = [segment for name, segment in body.items() if name != "__total"]
    total = body["__total"]
    assert sum(s["n_visitors"]["value"] for s in segments) == pytest.approx(
        total["n_visitors"]["value"], abs=3
    )
    # Segment contributions and the mix shift explain the total's change.
    for key in ("conversion_rate", "net_revenue_per_visitor"):
        explained = sum(s[key]["pct_impact_to_total_change"] for s in segments)
        explained += total[key]["impact_from_visitor_mix_shift"]
        assert explained == pytest.approx(total[key]["pct_change"], abs=1e-5)
    assert "impact_from_visitor_mix_shift" not in total["n_visitors"]
    additive = sum(s["n_visitors"]["pct_impact_to_total_change"] for s in segments)
    assert additive == pytest.approx(total["n_visitors"]["pct_change"], abs=1e-4)


def test_sitewide_without_data_is_empty() -> None:
    assert sitewide_analytics(SITEWIDE_QUERIES["future"]) == {}
    audience = {**SITEWIDE_QUERIES["future"], "feature": {"name": "audience", "audience": "device_type"}}
    assert sitewide_analytics(audience) == {}


def test_sitewide_default_range_starts_on_the_monday_of_last_week() -> None:
    # NOW is a Tuesday; a week earlier is Tuesday 2025-07-01, whose week began Monday 2025-06-30.
    explicit = {"start": "2025-06-30T00:00:00Z", "end": iso(NOW)}
    assert sitewide_analytics({}) == sitewide_analytics(explicit)
