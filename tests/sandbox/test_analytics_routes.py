"""How analytics and export requests reach the number generator, and how refusals come back."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sandbox_helpers import act, call, create, field_errors, new_sandbox, onsite_edits

pytest.importorskip("igops.sandbox.analytics")

WINDOW = {"start": "2026-01-01T00:00:00Z", "end": "2026-01-15T00:00:00Z"}


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


def test_sitewide_alias_answers_like_the_snapshot() -> None:
    sandbox = new_sandbox()
    snapshot = call(sandbox, "POST", "/analytics/sitewide/snapshot", json=WINDOW)
    alias = call(sandbox, "POST", "/analytics/sitewide", json=WINDOW)
    assert snapshot.status_code == alias.status_code == 200
    assert snapshot.json() == alias.json()


def test_unknown_experiences_get_404() -> None:
    sandbox = new_sandbox()
    response = call(sandbox, "POST", f"/analytics/resource/{uuid.uuid4()}", json={})
    assert response.status_code == 404


def test_sitewide_analytics_has_its_own_small_bucket() -> None:
    sandbox = new_sandbox(rate_limits=True)
    statuses = [call(sandbox, "POST", "/analytics/sitewide", json=WINDOW).status_code for _ in range(11)]
    assert statuses == [200] * 10 + [429]
    assert call(sandbox, "GET", "/experiences-list").status_code == 200


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
    ]
)
FUZZ_SANDBOX, FUZZ_EXPERIENCE = started_experience()


@settings(max_examples=120, deadline=None)
@given(body=st.dictionaries(QUERY_KEYS, JSON_VALUES, max_size=4), target=st.integers(0, 2))
def test_arbitrary_analytics_bodies_never_cause_a_server_error(body: dict, target: int) -> None:
    path = [
        f"/analytics/resource/{FUZZ_EXPERIENCE['id']}",
        "/analytics/sitewide/snapshot",
        f"/analytics/experience/{FUZZ_EXPERIENCE['id']}/export",
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
