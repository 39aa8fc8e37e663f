"""Authentication, unknown resources and routes."""

from __future__ import annotations

import uuid

import pytest
from support.bodies import as_write, onsite_edits
from support.emulator import TOKEN, call, create, new_sandbox

ENDPOINTS = [
    ("GET", "/experiences-list"),
    ("GET", "/experiences/{id}"),
    ("POST", "/experiences"),
    ("PUT", "/experiences/{id}"),
    ("POST", "/experiences/{id}/actions/start"),
    ("GET", "/analytics/resource/{id}"),
    ("POST", "/analytics/resource/{id}"),
    ("POST", "/analytics/sitewide/snapshot"),
    ("POST", "/analytics/sitewide"),
    ("POST", "/analytics/sitewide/timeseries"),
    ("POST", "/analytics/sitewide/order-distribution"),
    ("POST", "/analytics/sitewide/conversion-funnel"),
    ("POST", "/analytics/experience/{id}/timeseries"),
    ("POST", "/analytics/experience/{id}/export"),
]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
@pytest.mark.parametrize("token", [None, "", "wrong-token", TOKEN + "x", TOKEN[:-1]])
def test_missing_empty_or_wrong_tokens_get_the_same_401(method: str, path: str, token: str | None) -> None:
    sandbox = new_sandbox()
    experience = create(sandbox, onsite_edits())
    response = call(sandbox, method, path.format(id=experience["id"]), token=token, json={})
    assert response.status_code == 401
    assert response.json() == {"error": "Unauthorized"}
    assert not any(name.startswith("x-ratelimit") for name in response.headers)
    assert len(sandbox.writes) == 1


def test_the_token_is_never_echoed() -> None:
    sandbox = new_sandbox()
    responses = [
        call(sandbox, "GET", "/experiences-list", token="guess-" + TOKEN),
        call(sandbox, "POST", "/experiences", json={"experience": {"name": TOKEN}}),
        call(sandbox, "GET", "/nowhere"),
    ]
    for response in responses:
        assert TOKEN not in response.text
        assert all(TOKEN not in value for value in response.headers.values())
    assert TOKEN not in repr(sandbox.requests)


def test_unknown_experience_gets_404() -> None:
    sandbox = new_sandbox()
    missing = str(uuid.uuid4())
    # Bodies the description accepts: what is refused is the experience, not the body.
    replacement = {"experience": as_write(create(sandbox, onsite_edits()))}
    for method, path in ENDPOINTS:
        if "{id}" not in path:
            continue
        body = replacement if method == "PUT" else {"exportType": "orders"}
        response = call(sandbox, method, path.format(id=missing), json=body)
        assert response.status_code == 404, (method, path, response.text)
        assert response.json() == {"error": "Not found"}


def test_unknown_routes_and_methods() -> None:
    sandbox = new_sandbox()
    response = call(sandbox, "GET", "/experiments")
    assert (response.status_code, response.json()) == (404, {"error": "Not found"})
    response = call(sandbox, "DELETE", f"/experiences/{uuid.uuid4()}")
    assert (response.status_code, response.json()) == (405, {"error": "Method not allowed"})


def test_ids_are_matched_case_insensitively() -> None:
    sandbox = new_sandbox()
    experience = create(sandbox, onsite_edits())
    assert call(sandbox, "GET", f"/experiences/{experience['id'].upper()}").status_code == 200
