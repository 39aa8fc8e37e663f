"""How analytics and export requests reach the number generator, and how refusals come back."""

from __future__ import annotations

import uuid

import pytest
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
