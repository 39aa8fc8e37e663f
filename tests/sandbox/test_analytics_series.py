"""The emulator's date handling, its bounded history, and the analytics beyond the snapshot:
sitewide timeseries, order distribution and conversion funnel, and experience timeseries."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from support.analytics import DAY, NOW, iso, make_experience
from support.openapi import API_PREFIX, request_validator, require_spec, response_validator, schema_errors

from igops.sandbox.analytics import (
    HISTORY_DAYS,
    MAX_HOURLY_DAYS,
    AnalyticsQueryError,
    dates,
    experience_analytics,
    experience_timeseries,
    sitewide_analytics,
    sitewide_conversion_funnel,
    sitewide_order_distribution,
    sitewide_timeseries,
)

SITEWIDE = f"{API_PREFIX}/analytics/sitewide"
EXPERIENCE_SERIES = f"{API_PREFIX}/analytics/experience/{{experienceId}}/timeseries"
SITEWIDE_ENDPOINTS: dict[str, Callable[[dict], dict]] = {
    "snapshot": sitewide_analytics,
    "timeseries": sitewide_timeseries,
    "order-distribution": sitewide_order_distribution,
    "conversion-funnel": sitewide_conversion_funnel,
}
HISTORY_START = (NOW // DAY - HISTORY_DAYS) * DAY
JUNE = {"start": "2025-06-01T00:00:00Z", "end": "2025-06-29T00:00:00Z"}
FUTURE = {"start": "2030-01-01T00:00:00Z", "end": "2030-02-01T00:00:00Z"}
EVERYTHING = {"start": "0000-01-01T00:00:00Z", "end": "9999-12-31T23:59:59.999999+23:59"}


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dates, "_now", lambda: NOW)


def refused_field(compute: Callable[[Any], Any], query: Any) -> str:
    with pytest.raises(AnalyticsQueryError) as raised:
        compute(query)
    return raised.value.field


# --- date-times -------------------------------------------------------------------------------

BAD_DATE_TIMES = {
    "date-only": "2025-01-01",
    "no-zone": "2025-01-01T00:00:00",
    "hours-only": "2025-01-01T00Z",
    "no-seconds": "2025-01-01T00:00Z",
    "space": "2025-01-01 00:00:00Z",
    "lowercase": "2025-01-01t00:00:00z",
    "compact-offset": "2025-01-01T00:00:00+0000",
    "offset-seconds": "2025-01-01T00:00:00+00:00:00",
    "offset-minutes": "2025-01-01T00:00:00+00:60",
    "offset-hours": "2025-01-01T00:00:00+24:00",
    "basic-format": "20250101T000000Z",
    "week-date": "2025-W01-1T00:00:00Z",
    "february-30": "2025-02-30T00:00:00Z",
    "not-a-leap-year": "2100-02-29T00:00:00Z",
    "month-13": "2025-13-01T00:00:00Z",
    "hour-24": "2025-01-01T24:00:00Z",
    "leap-second": "2025-06-30T23:59:60Z",
    "five-digit-year": "12025-01-01T00:00:00Z",
    "other-digits": "\u0662\u0660\u0662\u0665-01-01T00:00:00Z",
    "trailing-newline": "2025-01-01T00:00:00Z\n",
    "epoch-seconds": 1735689600,
    "epoch-text": "1735689600",
    "null": None,
}


@pytest.mark.parametrize("endpoint", SITEWIDE_ENDPOINTS.values(), ids=SITEWIDE_ENDPOINTS.keys())
@pytest.mark.parametrize("value", BAD_DATE_TIMES.values(), ids=BAD_DATE_TIMES.keys())
@pytest.mark.parametrize("field", ["start", "end"])
def test_sitewide_dates_must_be_date_times_with_a_zone(
    endpoint: Callable[[dict], dict], value: object, field: str
) -> None:
    assert refused_field(endpoint, {field: value}) == field


@pytest.mark.parametrize("endpoint", SITEWIDE_ENDPOINTS.values(), ids=SITEWIDE_ENDPOINTS.keys())
def test_sitewide_ranges_must_not_end_before_they_start(endpoint: Callable[[dict], dict]) -> None:
    assert refused_field(endpoint, {"start": JUNE["end"], "end": JUNE["start"]}) == "end"


def date_times() -> st.SearchStrategy[str]:
    """Strings shaped like date-times: each part mostly valid, now and then just out of range."""

    def numbers(low: int, high: int, *wrong: str) -> st.SearchStrategy[str]:
        return st.sampled_from([f"{n:02d}" for n in range(low, high + 1)] + list(wrong))

    return st.builds(
        "{}-{}-{}{}{}:{}{}{}".format,
        st.integers(0, 9999).map("{:04d}".format),
        numbers(1, 12, "00", "13"),
        numbers(1, 31, "00", "32"),
        st.sampled_from(["T", "T", "T", "t", " "]),
        numbers(0, 23, "24"),
        numbers(0, 59, "60"),
        st.sampled_from(["", ":00", ":59", ":30.5", ":07.123456789", ":60", ".", ":5"]),
        st.sampled_from(["Z", "+05:30", "-23:59", "+00:00", "z", "", "+24:00", "-00:60", "+0530"]),
    )


@given(text=date_times())
@example(text="0000-02-29T00:00:00Z")
@example(text="2025-06-01T00:00Z")
@example(text="2000-02-29T00:00:00Z")
@example(text="1900-02-29T00:00:00Z")
@example(text="2100-02-29T00:00:00Z")
@example(text="2024-02-29T12:00:00.5+05:30")
@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_exactly_the_date_times_the_description_allows_are_accepted(text: str) -> None:
    spec = require_spec()
    body = spec["paths"][f"{SITEWIDE}/snapshot"]["post"]["requestBody"]["content"]["application/json"]
    start = body["schema"]["properties"]["start"]
    assert start["format"] == "date-time"
    # Its pattern, and its format: RFC 3339 wants the seconds the pattern leaves optional.
    with_seconds = re.search(r"T\d\d:\d\d:\d\d", text) is not None
    allowed = re.fullmatch(start["pattern"], text) is not None and with_seconds
    try:
        sitewide_analytics({"start": text, "end": "9999-12-31T23:59:59-23:59"})
        accepted = True
    except AnalyticsQueryError as refusal:
        accepted = refusal.field != "start"  # a refused end means the start was read
    assert accepted == allowed, text


def test_every_documented_date_time_form_names_the_same_instant() -> None:
    forms = [
        "2025-06-01T00:00:00Z",
        "2025-06-01T00:00:00.000Z",
        "2025-06-01T00:00:00.999999Z",
        "2025-05-31T19:00:00-05:00",
        "2025-06-01T05:30:00+05:30",
    ]
    answers = [sitewide_analytics({"start": form, "end": JUNE["end"]}) for form in forms]
    assert all(answer == answers[0] for answer in answers)
    assert answers[0] != sitewide_analytics({"start": "2025-06-01T00:01:00Z", "end": JUNE["end"]})


def test_the_extremes_of_the_format_are_accepted() -> None:
    assert sitewide_analytics({"start": "0000-02-29T00:00:00Z", "end": "2000-02-29T00:00:00Z"}) == {}
    assert sitewide_analytics(EVERYTHING)["All"]["n_visitors"]["value"] > 0


# --- the store's history bounds every answer ------------------------------------------------


@pytest.mark.parametrize("endpoint", SITEWIDE_ENDPOINTS.values(), ids=SITEWIDE_ENDPOINTS.keys())
def test_any_range_costs_at_most_the_history(endpoint: Callable[[dict], dict]) -> None:
    started = time.perf_counter()
    everything = endpoint(EVERYTHING)
    assert time.perf_counter() - started < 3  # simulating every day since year 0 takes minutes
    assert everything == endpoint({"start": iso(HISTORY_START), "end": iso(NOW)})


def test_nothing_happened_before_the_history() -> None:
    before = {"start": iso(HISTORY_START - 30 * DAY), "end": iso(HISTORY_START)}
    assert sitewide_analytics(before) == {}
    assert sitewide_timeseries(before)["segments"] == {"All": {"data": []}}
    first_day = {"start": iso(HISTORY_START), "end": iso(HISTORY_START + DAY)}
    assert sitewide_analytics(first_day)["All"]["n_visitors"]["pct_change"] is None


def test_an_experience_older_than_the_history_counts_from_its_start() -> None:
    old = make_experience(41, started_days_ago=3 * HISTORY_DAYS)
    body = experience_analytics(old, {"testResult": True})
    assert body["testResult"]["runtime_days"] == pytest.approx((NOW - HISTORY_START) / DAY, abs=0.01)
    assert body["metrics"] == experience_analytics(old, {"startTs": str(HISTORY_START)})["metrics"]


# --- sitewide timeseries -------------------------------------------------------------------

SERIES_QUERIES = {
    "default": {},
    "day": {**JUNE, "granularity": "day"},
    "month": {**JUNE, "granularity": "month", "filters": {"deviceType": "mobile"}},
    "performance": {**JUNE, "feature": {"name": "performance"}},
    "order": {**JUNE, "feature": {"name": "order"}},
    "conversion": {**JUNE, "feature": {"name": "conversion"}},
    "audience": {**JUNE, "feature": {"name": "audience", "audience": "source_site"}},
    "future": FUTURE,
}


@pytest.mark.parametrize("query", SERIES_QUERIES.values(), ids=SERIES_QUERIES.keys())
def test_sitewide_timeseries_matches_the_spec(query: dict[str, Any]) -> None:
    require_spec()
    template = f"{SITEWIDE}/timeseries"
    assert schema_errors(request_validator("post", template), query) == []
    assert schema_errors(response_validator("post", template), sitewide_timeseries(query)) == []


def series(query: dict[str, Any], segment: str = "All") -> dict[str, Any]:
    return sitewide_timeseries(query)["segments"][segment]


def total(points: list[dict[str, Any]], key: str) -> float:
    return sum(point[key] for point in points)


def snapshot(query: dict[str, Any]) -> dict[str, Any]:
    body = sitewide_analytics(query)["All"]
    return {key: metric["value"] for key, metric in body.items() if isinstance(metric, dict)}


def test_buckets_are_days_mondays_or_months_and_cover_the_range() -> None:
    days = series({**JUNE, "granularity": "day"})["data"]
    assert [p["dt"] for p in days[:2]] == ["2025-06-01T00:00:00", "2025-06-02T00:00:00"]
    assert len(days) == 28
    weeks = [p["dt"] for p in series(JUNE)["data"]]
    assert weeks[0] == "2025-05-26T00:00:00"  # the Monday of the week holding June 1st
    assert all(datetime.fromisoformat(dt).weekday() == 0 for dt in weeks) and len(weeks) == 5
    months = series({"start": "2025-01-15T00:00:00Z", "end": "2025-03-02T00:00:00Z", "granularity": "month"})
    assert [p["dt"] for p in months["data"]] == [f"2025-0{m}-01T00:00:00" for m in (1, 2, 3)]


def test_the_default_range_starts_on_the_monday_twelve_weeks_back() -> None:
    # NOW is Tuesday 2025-07-08; twelve weeks earlier is Tuesday 2025-04-15.
    data = series({})["data"]
    assert data[0]["dt"] == "2025-04-14T00:00:00"
    assert series({}) == series({"start": "2025-04-14T00:00:00Z", "end": iso(NOW)})


def test_summing_buckets_recovers_additive_totals_but_not_visitors() -> None:
    whole = snapshot(JUNE)
    for granularity in ("day", "week"):
        data = series({**JUNE, "granularity": granularity})["data"]
        assert total(data, "n_orders") == pytest.approx(whole["n_orders"], abs=len(data))
        assert total(data, "net_revenue") == pytest.approx(whole["net_revenue"], abs=len(data) * 0.01)
        assert total(data, "n_visitors") > whole["n_visitors"] * 1.02
    daily = total(series({**JUNE, "granularity": "day"})["data"], "n_visitors")
    weekly = total(series({**JUNE, "granularity": "week"})["data"], "n_visitors")
    assert daily > weekly
    # A bucket spanning the whole range counts each visitor once.
    (month,) = series({**JUNE, "granularity": "month"})["data"]
    assert month["n_visitors"] == pytest.approx(whole["n_visitors"], abs=1)


def test_data_points_are_ratios_of_their_own_counts() -> None:
    for point in series({**JUNE, "granularity": "day"})["data"]:
        assert point["conversion_rate"] == pytest.approx(point["n_orders"] / point["n_visitors"], abs=1e-6)
        assert point["aov"] == pytest.approx(point["net_revenue"] / point["n_orders"], abs=1e-6)
        assert point["sessions_per_visitor"] == pytest.approx(
            point["n_sessions"] / point["n_visitors"], abs=1e-6
        )
        assert point["n_orders"] <= point["n_visitors"] <= point["n_sessions"]
        assert point["cost_of_revenue"] == pytest.approx(
            point["net_revenue"] - point["gross_profit"], abs=0.02
        )


def test_the_summary_rescales_sums_to_one_bucket_and_takes_ratios_of_the_sums() -> None:
    segment = series(JUNE)  # weekly buckets over 28 days
    data, summary = segment["data"], segment["summary"]
    assert "sessions_per_visitor" in data[0] and "sessions_per_visitor" not in summary
    assert set(summary) == set(data[0]) - {"dt", "sessions_per_visitor"}
    scale = 7 / 28
    assert summary["n_orders"] == pytest.approx(total(data, "n_orders") * scale, abs=1e-6)
    assert summary["n_visitors"] == pytest.approx(total(data, "n_visitors") * scale, abs=1e-6)
    assert summary["aov"] == pytest.approx(total(data, "net_revenue") / total(data, "n_orders"), abs=1e-6)
    # Visitor-denominated ratios divide by the summed (overcounted) visitors.
    assert summary["conversion_rate"] == pytest.approx(
        total(data, "n_orders") / total(data, "n_visitors"), abs=1e-6
    )
    assert summary["conversion_rate"] < snapshot(JUNE)["conversion_rate"]


def test_each_feature_returns_its_own_metric_set() -> None:
    def fields(feature: dict[str, Any] | None) -> set[str]:
        query = {**JUNE, "feature": feature} if feature else JUNE
        return set(series(query)["data"][0]) - {"dt"}

    everything = fields(None)
    assert len(everything) == 37
    assert "median_order_value" not in everything and "average_discount" not in everything
    assert fields({"name": "performance"}) == {
        "n_visitors",
        "n_orders",
        "conversion_rate",
        "aov",
        "net_revenue",
        "net_revenue_per_visitor",
        "gross_profit",
        "gross_profit_per_visitor",
        "gross_margin_pct",
        "pct_revenue_with_cogs",
    }
    order = fields({"name": "order"})
    assert len(order) == 9 and {"aov_pre_discount", "discount_per_unit"} <= order
    assert len(everything - fields({"name": "performance"}) - order) == 20
    conversion = fields({"name": "conversion"})
    assert len(conversion) == 12 and {"bounce_rate", "n_visitors_abandoned_checkout"} <= conversion


def test_audience_series_are_per_segment_and_add_up() -> None:
    query = {**JUNE, "granularity": "day", "feature": {"name": "audience", "audience": "device_type"}}
    segments = sitewide_timeseries(query)["segments"]
    assert set(segments) == {"Mobile", "Desktop", "Tablet"}
    whole = series({**JUNE, "granularity": "day"})["data"]
    for index, point in enumerate(whole):
        parts = [segments[name]["data"][index] for name in segments]
        assert {part["dt"] for part in parts} == {point["dt"]}
        assert sum(part["n_orders"] for part in parts) == pytest.approx(point["n_orders"], abs=3)


def test_sitewide_series_refuse_hours_and_bad_features() -> None:
    assert refused_field(sitewide_timeseries, {"granularity": "hour"}) == "granularity"
    assert refused_field(sitewide_timeseries, {"granularity": None}) == "granularity"
    assert refused_field(sitewide_timeseries, {"feature": {"name": "funnel"}}) == "feature.name"


# --- sitewide order distribution ---------------------------------------------------------------


@pytest.mark.parametrize("query", [{}, JUNE, {**JUNE, "filters": {"visitorType": "new"}}, EVERYTHING])
def test_order_distribution_matches_the_spec(query: dict[str, Any]) -> None:
    require_spec()
    template = f"{SITEWIDE}/order-distribution"
    assert schema_errors(request_validator("post", template), query) == []
    assert schema_errors(response_validator("post", template), sitewide_order_distribution(query)) == []


def test_the_unit_breakdown_adds_up_to_the_snapshot() -> None:
    rows = sitewide_order_distribution(JUNE)["orderBreakdown"]
    whole = snapshot(JUNE)
    assert [row["unit_quantity"] for row in rows] == list(range(1, len(rows) + 1))
    assert sum(row["n_orders"]["value"] for row in rows) == whole["n_orders"]
    assert sum(row["net_revenue"]["value"] for row in rows) == pytest.approx(whole["net_revenue"], abs=0.005)
    assert sum(row["gross_profit"]["value"] for row in rows) == pytest.approx(
        whole["gross_profit"], abs=0.005
    )
    units = sum(row["unit_quantity"] * row["n_orders"]["value"] for row in rows) / whole["n_orders"]
    assert units == pytest.approx(whole["average_units_per_order"], abs=0.02)
    for key in ("pct_orders_by_unit_quantity", "pct_revenue_by_unit_quantity", "pct_profit_by_unit_quantity"):
        assert sum(row[key]["value"] for row in rows) == pytest.approx(1, abs=1e-4)
    # Larger orders are worth more each.
    per_order = [row["net_revenue"]["value"] / row["n_orders"]["value"] for row in rows[:3]]
    assert per_order == sorted(per_order)


def test_order_value_curves_compare_two_periods() -> None:
    curves = sitewide_order_distribution(JUNE)["orderValueDistribution"]
    density, cumulative = curves["kernel_density_estimate"], curves["cumulative_distribution_function"]
    assert [p["x"] for p in density] == [p["x"] for p in cumulative] == sorted(p["x"] for p in density)
    for period in ("current_period", "previous_period"):
        values = [p[period] for p in cumulative]
        assert values == sorted(values) and values[0] == 0 and 0.95 < values[-1] <= 1
        assert all(p[period] >= 0 for p in density)
    # The curve's median sits at the snapshot's median order value.
    median = next(p["x"] for p in cumulative if p["current_period"] >= 0.5)
    step = cumulative[1]["x"]
    assert median == pytest.approx(snapshot(JUNE)["median_order_value"], abs=step)


def test_a_period_without_orders_has_null_curves() -> None:
    first_month = {"start": iso(HISTORY_START), "end": iso(HISTORY_START + 30 * DAY)}
    curves = sitewide_order_distribution(first_month)["orderValueDistribution"]
    assert all(
        p["previous_period"] is None and p["current_period"] is not None
        for p in curves["kernel_density_estimate"]
    )
    future = sitewide_order_distribution(FUTURE)
    assert (
        future["orderBreakdown"] == [] and future["orderValueDistribution"]["kernel_density_estimate"] == []
    )


# --- sitewide conversion funnel ---------------------------------------------------------------

FUNNEL_QUERIES = {
    "default": {},
    "channels": {**JUNE, "entryPoint": "source_channel"},
    "sites": {**JUNE, "entryPoint": "source_site", "filters": {"deviceType": "desktop"}},
    "converted": {**JUNE, "conversionFunnel": {"converted": True}},
    "pinned": {**JUNE, "conversionFunnel": {"landingPageType": "PDP", "secondPageType": "Cart"}},
    "nothing": FUTURE,
}


@pytest.mark.parametrize("query", FUNNEL_QUERIES.values(), ids=FUNNEL_QUERIES.keys())
def test_conversion_funnel_matches_the_spec(query: dict[str, Any]) -> None:
    require_spec()
    template = f"{SITEWIDE}/conversion-funnel"
    assert schema_errors(request_validator("post", template), query) == []
    assert schema_errors(response_validator("post", template), sitewide_conversion_funnel(query)) == []


@pytest.mark.parametrize("query", FUNNEL_QUERIES.values(), ids=FUNNEL_QUERIES.keys())
def test_the_funnel_is_a_consistent_sankey(query: dict[str, Any]) -> None:
    data = sitewide_conversion_funnel(query)["data"]
    nodes, links = data["nodes"], data["links"]
    steps = {node["name"]: node["step"] for node in nodes}
    assert len(steps) == len(nodes)
    entering = sum(node["value"] for node in nodes if node["step"] == 1)
    for node in nodes:
        inflow = sum(link["value"] for link in links if link["target"] == node["name"])
        outflow = sum(link["value"] for link in links if link["source"] == node["name"])
        assert node["value"] == (inflow if node["step"] > 1 else outflow)
        assert outflow in (0, node["value"])
        assert node["pct"] == round(node["value"] / entering, 6)
    for link in links:
        assert link["value"] > 0 and steps[link["source"]] == link["step"] == steps[link["target"]] - 1
    assert set(steps.values()) == set(range(1, max(steps.values(), default=0) + 1))
    assert [(n["step"], -n["value"]) for n in nodes] == sorted((n["step"], -n["value"]) for n in nodes)
    assert [(k["step"], -k["value"]) for k in links] == sorted((k["step"], -k["value"]) for k in links)


def funnel(query: dict[str, Any]) -> dict[str, int]:
    return {node["name"]: node["value"] for node in sitewide_conversion_funnel(query)["data"]["nodes"]}


def step(nodes: dict[str, int], prefix: str) -> dict[str, int]:
    return {name: value for name, value in nodes.items() if name.startswith(prefix)}


def test_the_funnel_follows_the_snapshot_counts() -> None:
    nodes, whole = funnel(JUNE), snapshot(JUNE)
    assert nodes["Mobile"] + nodes["Desktop"] == whole["n_visitors"]
    assert nodes["Added to Cart"] == pytest.approx(whole["add_to_cart_rate"] * whole["n_visitors"], abs=1)
    assert nodes["Started Checkout"] == pytest.approx(
        whole["checkout_begin_rate"] * whole["n_visitors"], abs=1
    )
    assert nodes["Bounced"] / whole["n_visitors"] == pytest.approx(whole["bounce_rate"], abs=1e-3)
    assert len(step(nodes, "Landing: ")) <= 6 and len(step(nodes, "2nd Page: ")) <= 6
    # Filters narrow the visitors; a filter on the entry point's dimension leaves one node.
    mobile = {**JUNE, "filters": {"deviceType": "mobile"}}
    filtered = funnel(mobile)
    assert "Desktop" not in filtered and filtered["Mobile"] == snapshot(mobile)["n_visitors"]


def test_entry_points_pivot_step_one_without_filtering() -> None:
    visitors = snapshot(JUNE)["n_visitors"]
    new_returning = funnel({**JUNE, "entryPoint": "visitor_type"})
    assert new_returning["New"] + new_returning["Returning"] == visitors
    sites = sitewide_conversion_funnel({**JUNE, "entryPoint": "source_site"})["data"]["nodes"]
    first = [node["name"] for node in sites if node["step"] == 1]
    assert len(first) == 6 and "Other" in first and "Google" in first
    assert not any(name.endswith(".com") for name in first)
    assert sum(node["value"] for node in sites if node["step"] == 1) == visitors
    # Anything else, of any type, means device type; the legacy `audience` key is ignored.
    for odd in ("country_code", 7, None, {"x": 1}):
        assert funnel({**JUNE, "entryPoint": odd}) == funnel(JUNE)
    assert funnel({**JUNE, "audience": "visitor_type"}) == funnel(JUNE)


def test_stage_flags_narrow_the_visitors_who_enter() -> None:
    whole = funnel(JUNE)
    converted = funnel({**JUNE, "conversionFunnel": {"converted": True, "addedToCart": True}})
    assert converted["Mobile"] + converted["Desktop"] == converted["Converted"] == whole["Converted"]
    assert not {"Bounced", "Abandoned Cart", "Abandoned Checkout"} & set(converted)
    bounced = funnel({**JUNE, "conversionFunnel": {"bounced": True, "converted": False}})
    assert bounced["Mobile"] + bounced["Desktop"] == bounced["Bounced"] == whole["Bounced"]
    assert "Added to Cart" not in bounced and "Exited before Add to Cart" not in bounced
    nobody = funnel({**JUNE, "conversionFunnel": {"bounced": True, "converted": True}})
    assert nobody == {}
    viewed = funnel({**JUNE, "conversionFunnel": {"viewedProductPage": True}})
    assert 0 < viewed["Converted"] < whole["Converted"]


def test_page_pins_keep_one_journey() -> None:
    whole = funnel(JUNE)
    pinned = funnel({**JUNE, "conversionFunnel": {"landingPageType": "PDP"}})
    assert list(step(pinned, "Landing: ")) == ["Landing: PDP"]
    assert pinned["Landing: PDP"] == pytest.approx(whole["Landing: PDP"], rel=0.01)
    second = funnel({**JUNE, "conversionFunnel": {"secondPageType": "Search"}})
    assert list(step(second, "2nd Page: ")) == ["2nd Page: Search"] and "Bounced" not in second


def test_bad_funnel_options_are_refused() -> None:
    refusals = [
        ([], "conversionFunnel"),
        ({"converted": "yes"}, "conversionFunnel.converted"),
        ({"landingPageType": "Home"}, "conversionFunnel.landingPageType"),
    ]
    for options, field in refusals:
        assert refused_field(sitewide_conversion_funnel, {"conversionFunnel": options}) == field


# --- experience timeseries ----------------------------------------------------------------------

LIVE = make_experience(51, variations=3, started_days_ago=40)
ENDED = make_experience(52, status="ended", started_days_ago=60, live_days=20)
SERIES_BODIES = {
    "default": {},
    "hourly": {"granularity": "hour", "mode": "noncumulative", "metrics": ["n_visitors", "aov"]},
    "weekly": {
        "granularity": "week",
        "metrics": ["n_orders", "net_revenue"],
        "filters": {"deviceType": "mobile"},
    },
    "monthly": {"granularity": "month", "startTs": str(NOW - 20 * DAY), "endTs": str(NOW - DAY)},
    "no-metrics": {"metrics": []},
}


@pytest.mark.parametrize(
    "experience", [LIVE, ENDED, make_experience(53, status="pending")], ids=["live", "ended", "pending"]
)
@pytest.mark.parametrize("body", SERIES_BODIES.values(), ids=SERIES_BODIES.keys())
def test_experience_timeseries_matches_the_spec(experience: dict[str, Any], body: dict[str, Any]) -> None:
    require_spec()
    assert schema_errors(request_validator("post", EXPERIENCE_SERIES), body) == []
    answer = experience_timeseries(experience, body)
    assert schema_errors(response_validator("post", EXPERIENCE_SERIES), answer) == []


def test_the_cumulative_series_ends_at_the_overview_totals() -> None:
    answer = experience_timeseries(
        LIVE, {"metrics": ["n_visitors", "n_orders", "net_revenue", "conversion_rate"]}
    )
    rows = experience_analytics(LIVE, {})["metrics"]
    assert list(answer["segments"]) == [v["name"] for v in LIVE["variations"]]
    for variation, row in zip(LIVE["variations"], rows, strict=True):
        data = answer["segments"][variation["name"]]["data"]
        assert len(data) == 41  # a partial day at each end of forty days
        last = data[-1]
        assert last["n_visitors"] == pytest.approx(row["n_visitors"]["value"], abs=1)
        assert last["n_orders"] == pytest.approx(row["n_orders"]["value"], abs=1)
        assert last["net_revenue"] == pytest.approx(row["net_revenue"]["value"], abs=0.05)
        visitors = [point["n_visitors"] for point in data]
        assert visitors == sorted(visitors)
        assert all(
            p["conversion_rate"] == pytest.approx(p["n_orders"] / p["n_visitors"], abs=1e-6)
            for p in data
            if p["n_visitors"]
        )


def test_noncumulative_buckets_add_up_to_the_cumulative_series() -> None:
    body = {"granularity": "week", "metrics": ["n_orders"]}
    running = experience_timeseries(LIVE, body)["segments"]
    buckets = experience_timeseries(LIVE, {**body, "mode": "noncumulative"})["segments"]
    for name, segment in running.items():
        parts = [point["n_orders"] for point in buckets[name]["data"]]
        assert sum(parts) == pytest.approx(segment["data"][-1]["n_orders"], abs=len(parts))
        assert [p["dt"] for p in segment["data"]] == [p["dt"] for p in buckets[name]["data"]]


def test_bucket_labels_follow_the_granularity() -> None:
    def labels(granularity: str) -> list[str]:
        answer = experience_timeseries(LIVE, {"granularity": granularity})
        return [p["dt"] for p in answer["segments"]["Control"]["data"]]

    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:00:00", dt) for dt in labels("hour"))
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2} 00:00:00", dt) for dt in labels("day"))
    weeks = labels("week")
    assert all(datetime.strptime(dt, "%Y-%m-%d").replace(tzinfo=UTC).weekday() == 0 for dt in weeks)
    assert labels("month") == ["2025-05-01", "2025-06-01", "2025-07-01"]


def test_series_stay_within_the_experience_life() -> None:
    started = ENDED["startedAtTs"] // 1000
    stopped = ENDED["endedAtTs"] // 1000
    wide = {"startTs": str(started - 10 * DAY), "endTs": str(NOW), "granularity": "day"}
    data = experience_timeseries(ENDED, wide)["segments"]["Control"]["data"]
    first, last = (datetime.strptime(data[i]["dt"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC) for i in (0, -1))
    assert first.timestamp() == started // DAY * DAY and last.timestamp() == stopped // DAY * DAY


def test_an_hourly_series_covers_at_most_its_latest_days() -> None:
    data = experience_timeseries(LIVE, {"granularity": "hour"})["segments"]["Control"]["data"]
    assert len(data) == MAX_HOURLY_DAYS * 24 + 1
    assert data[-1]["dt"] == datetime.fromtimestamp(NOW, UTC).strftime("%Y-%m-%d %H:00:00")


def test_profit_metrics_come_with_cogs_coverage() -> None:
    assert experience_timeseries(LIVE, {})["cogsConfigured"] is True
    assert "cogsConfigured" not in experience_timeseries(LIVE, {"metrics": ["n_orders"]})


def test_variations_with_the_same_name_get_their_own_segments() -> None:
    twins = make_experience(54, variations=2)
    twins["variations"][1]["name"] = twins["variations"][0]["name"]
    segments = experience_timeseries(twins, {})["segments"]
    assert len(segments) == 2 and twins["variations"][1]["id"] in list(segments)[1]


BAD_SERIES_BODIES = {
    "granularity": ({"granularity": "minute"}, "granularity"),
    "mode": ({"mode": "running"}, "mode"),
    "metrics-text": ({"metrics": "conversion_rate"}, "metrics"),
    "metric": ({"metrics": ["revenue"]}, "metrics"),
    "start-number": ({"startTs": NOW - DAY}, "startTs"),
    "end-milliseconds": ({"endTs": str(NOW * 1000)}, "endTs"),
    "end-before-start": ({"startTs": str(NOW - DAY), "endTs": str(NOW - 2 * DAY)}, "endTs"),
    "filters": ({"filters": {"visitorType": "loyal"}}, "filters.visitorType"),
}


@pytest.mark.parametrize(("body", "field"), BAD_SERIES_BODIES.values(), ids=BAD_SERIES_BODIES.keys())
def test_bad_experience_series_bodies_are_refused(body: dict[str, Any], field: str) -> None:
    assert refused_field(lambda query: experience_timeseries(LIVE, query), body) == field
