"""How analytics and export requests reach the number generator, and how refusals come back."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.bodies import onsite_edits
from support.emulator import act, call, create, field_errors, new_sandbox

pytest.importorskip("igops.sandbox.analytics")

# Two weeks ending a week ago: within the year of traffic the emulator's store keeps.
_TODAY = datetime.now(UTC).replace(microsecond=0)
WINDOW = {"start": (_TODAY - timedelta(days=21)).isoformat(), "end": (_TODAY - timedelta(days=7)).isoformat()}


def started_experience() -> tuple:
    sandbox = new_sandbox()
    experience = create(sandbox, onsite_edits())
    act(sandbox, experience["id"], "start")
    return sandbox, experience


def test_get_and_post_forms_answer_alike() -> None:
    sandbox, experience = started_experience()
    path = f"/analytics/resource/{experience['id']}"
    by_get = call(sandbox, "GET", path, params={"view": "overview"})
    by_post = call(sandbox, "POST", path, json={"view": "overview"})
    assert by_get.status_code == by_post.status_code == 200
    assert by_get.headers["content-type"] == "application/json"
    assert {row["variation_id"] for row in by_get.json()["metrics"]} == {
        v["id"] for v in experience["variations"]
    }
    assert by_post.json()["experienceId"] == experience["id"]


def test_bad_analytics_inputs_get_the_400_envelope() -> None:
    sandbox, experience = started_experience()
    response = call(sandbox, "GET", f"/analytics/resource/{experience['id']}", params={"view": "sideways"})
    assert response.status_code == 400
    assert "view" in field_errors(response)
    response = call(sandbox, "POST", "/analytics/sitewide/snapshot", json={"start": "yesterday"})
    assert response.status_code == 400
    field_errors(response)
    response = call(sandbox, "POST", f"/analytics/resource/{experience['id']}", json=[])
    assert response.status_code == 400


def test_the_get_form_takes_only_its_documented_parameters() -> None:
    sandbox, experience = started_experience()
    path = f"/analytics/resource/{experience['id']}"
    documented = {
        "view": "audience",
        "audience": "device_type",
        "analyticsViewType": "none",
        "start": "1700000000",
        "end": "1900000000",
        "graphs": "conversion_rate",
        "graphOutput": "base64",
    }
    assert call(sandbox, "GET", path, params=documented).status_code == 200
    for extra in ("testResult", "topN", "startTs", "filters", "includeInTestOrders", "unknown"):
        response = call(sandbox, "GET", path, params={"view": "overview", extra: "1"})
        assert response.status_code == 400
        assert list(field_errors(response)) == [extra]
    repeated = call(sandbox, "GET", f"{path}?view=overview&view=audience")
    assert list(field_errors(repeated)) == ["view"]


SITEWIDE_PATHS = [
    "/analytics/sitewide/snapshot",
    "/analytics/sitewide",
    "/analytics/sitewide/timeseries",
    "/analytics/sitewide/order-distribution",
    "/analytics/sitewide/conversion-funnel",
]


@pytest.mark.parametrize("path", SITEWIDE_PATHS)
def test_sitewide_dates_are_refused_with_the_envelope(path: str) -> None:
    sandbox = new_sandbox()
    assert call(sandbox, "POST", path, json=WINDOW).status_code == 200
    for start in ("2026-01-01", "1767225600", 1767225600, None, "2026-01-01T00:00:00+0100"):
        response = call(sandbox, "POST", path, json={**WINDOW, "start": start})
        assert response.status_code == 400
        assert list(field_errors(response)) == ["start"]


def test_experience_timeseries_answers_per_variation() -> None:
    sandbox, experience = started_experience()
    path = f"/analytics/experience/{experience['id']}/timeseries"
    response = call(sandbox, "POST", path, json={"granularity": "hour", "metrics": ["n_visitors"]})
    assert response.status_code == 200
    body = response.json()
    assert body["experienceId"] == experience["id"] and body["granularity"] == "hour"
    assert set(body["segments"]) == {v["name"] for v in experience["variations"]}
    assert list(field_errors(call(sandbox, "POST", path, json={"startTs": "2026-01-01"}))) == ["startTs"]
    assert (
        call(sandbox, "POST", f"/analytics/experience/{uuid.uuid4()}/timeseries", json={}).status_code == 404
    )


def test_sitewide_alias_answers_like_the_snapshot() -> None:
    sandbox = new_sandbox()
    snapshot = call(sandbox, "POST", "/analytics/sitewide/snapshot", json=WINDOW)
    alias = call(sandbox, "POST", "/analytics/sitewide", json=WINDOW)
    assert snapshot.status_code == alias.status_code == 200
    assert snapshot.json() == alias.json() and snapshot.json()["All"]["n_visitors"]["value"] > 0


def test_unknown_experiences_get_404() -> None:
    sandbox = new_sandbox()
    response = call(sandbox, "POST", f"/analytics/resource/{uuid.uuid4()}", json={})
    assert response.status_code == 404


def test_sitewide_analytics_has_its_own_small_bucket() -> None:
    sandbox = new_sandbox(rate_limits=True)
    statuses = [call(sandbox, "POST", "/analytics/sitewide", json=WINDOW).status_code for _ in range(11)]
    assert statuses == [200] * 10 + [429]
    assert call(sandbox, "GET", "/experiences-list").status_code == 200


def test_every_sitewide_endpoint_draws_on_the_sitewide_bucket() -> None:
    sandbox = new_sandbox(rate_limits=True)
    answers = [call(sandbox, "POST", SITEWIDE_PATHS[i % 5], json=WINDOW) for i in range(10)]
    assert [a.headers["x-ratelimit-limit"] for a in answers] == ["10"] * 10
    assert [a.headers["x-ratelimit-remaining"] for a in answers] == [str(9 - i) for i in range(10)]
    assert all(call(sandbox, "POST", path, json=WINDOW).status_code == 429 for path in SITEWIDE_PATHS)


def test_experience_timeseries_draws_on_the_experience_bucket() -> None:
    sandbox = new_sandbox(rate_limits=True)
    experience = create(sandbox, onsite_edits())
    response = call(sandbox, "POST", f"/analytics/experience/{experience['id']}/timeseries", json={})
    assert response.status_code == 200
    assert (response.headers["x-ratelimit-limit"], response.headers["x-ratelimit-remaining"]) == ("50", "48")


def test_export_answers_a_download_and_checks_its_type() -> None:
    sandbox, experience = started_experience()
    path = f"/analytics/experience/{experience['id']}/export"
    response = call(sandbox, "POST", path, json={"exportType": "order_line_items"})
    assert response.status_code == 200
    body = response.json()
    assert body["format"] == "csv" and body["expiresIn"] == 900 and body["url"].endswith(".csv")
    assert body["experienceName"] == experience["name"]
    assert "exportType" in field_errors(call(sandbox, "POST", path, json={"exportType": "everything"}))
    assert "exportType" in field_errors(call(sandbox, "POST", path, json={}))


JSON_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
JSON_VALUES = st.recursive(
    JSON_LEAVES,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)
QUERY_KEYS = st.sampled_from(
    [
        "view",
        "audience",
        "analyticsViewType",
        "start",
        "end",
        "startTs",
        "endTs",
        "filters",
        "graphs",
        "testResult",
        "topN",
        "includeInTestOrders",
        "feature",
        "exportType",
        "granularity",
        "mode",
        "metrics",
        "entryPoint",
        "conversionFunnel",
    ]
)
FUZZ_SANDBOX, FUZZ_EXPERIENCE = started_experience()


@settings(max_examples=200, deadline=None)
@given(body=st.dictionaries(QUERY_KEYS, JSON_VALUES, max_size=4), target=st.integers(0, 6))
def test_arbitrary_analytics_bodies_never_cause_a_server_error(body: dict, target: int) -> None:
    path = [
        f"/analytics/resource/{FUZZ_EXPERIENCE['id']}",
        f"/analytics/experience/{FUZZ_EXPERIENCE['id']}/timeseries",
        f"/analytics/experience/{FUZZ_EXPERIENCE['id']}/export",
        *SITEWIDE_PATHS[2:],
        "/analytics/sitewide/snapshot",
    ][target]
    response = call(FUZZ_SANDBOX, "POST", path, json=body)
    assert response.status_code in (200, 400), response.text
    if response.status_code == 400:
        field_errors(response)


@settings(max_examples=60, deadline=None)
@given(params=st.dictionaries(QUERY_KEYS, st.text(max_size=12), max_size=4))
def test_arbitrary_analytics_queries_never_cause_a_server_error(params: dict) -> None:
    response = call(FUZZ_SANDBOX, "GET", f"/analytics/resource/{FUZZ_EXPERIENCE['id']}", params=params)
    assert response.status_code in (200, 400), response.text
