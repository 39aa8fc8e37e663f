"""Conformance: a realistic scenario through the emulator, every body checked against the spec.

Every request body the scenario sends is validated against the operation's request schema
(so the fixtures are realistic), and every 200 answer against its response schema (the
read schemas are strict: no additional properties, many required fields).
"""

from __future__ import annotations

from typing import Any

import pytest
from openapi_support import (
    API_PREFIX,
    path_template,
    request_validator,
    require_spec,
    response_validator,
    schema_errors,
)
from sandbox_helpers import CREATABLE, as_write, call, new_sandbox

from igops.sandbox import Sandbox

SITEWIDE_ALIAS = "/analytics/sitewide"
SNAPSHOT = f"{API_PREFIX}/analytics/sitewide/snapshot"


class Checked:
    """Sends requests, validating bodies both ways; collects every schema violation."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.problems: list[str] = []
        self.validated: set[tuple[str, str]] = set()

    def __call__(self, method: str, path: str, body: dict[str, Any] | None = None, **params: Any) -> Any:
        template = SNAPSHOT if path == SITEWIDE_ALIAS else path_template(API_PREFIX + path)
        assert template is not None, f"no spec operation for {path}"
        if body is not None:
            for problem in schema_errors(request_validator(method, template), body):
                self.problems.append(f"request {method} {path}: {problem}")
        kwargs: dict[str, Any] = {"params": params} if params else {}
        if body is not None:
            kwargs["json"] = body
        response = call(self.sandbox, method, path, **kwargs)
        assert response.status_code == 200, f"{method} {path}: {response.status_code} {response.text[:500]}"
        for problem in schema_errors(response_validator(method, template), response.json()):
            self.problems.append(f"response {method} {path}: {problem}")
        self.validated.add((method, template))
        return response.json()


def test_experience_endpoints_conform() -> None:
    require_spec()
    checked = Checked(new_sandbox())
    created = {
        kind: checked("POST", "/experiences", {"experience": build()})["experience"]
        for kind, build in CREATABLE.items()
    }
    for kind, experience in created.items():
        experience_id = experience["id"]
        checked("GET", f"/experiences/{experience_id}")
        replacement = as_write(experience)
        replacement["description"] = f"{kind}, revised"
        replacement["variations"][0]["percentage"] = 40
        replacement["variations"][1]["percentage"] = 60
        checked("PUT", f"/experiences/{experience_id}", {"experience": replacement})
        checked("POST", f"/experiences/{experience_id}/actions/start", {})
        checked("POST", f"/experiences/{experience_id}/actions/pause", {})
        checked("POST", f"/experiences/{experience_id}/actions/start", {"variationId": None})
        winner = experience["variations"][1]["id"]
        checked(
            "POST",
            f"/experiences/{experience_id}/actions/end",
            {"variationId": winner, "updatePricesToVariation": False},
        )
        checked("GET", f"/experiences/{experience_id}", includeChangeLog="true")
    checked("GET", "/experiences-list")
    checked("GET", "/experiences-list", page=2, limit=3)
    checked("GET", "/experiences-list", status="ended", category="personalization", module="content")
    assert checked.problems == []
    assert len(checked.validated) == 5


def test_analytics_and_export_endpoints_conform() -> None:
    require_spec()
    pytest.importorskip("igops.sandbox.analytics")
    checked = Checked(new_sandbox())
    experiences = [
        checked("POST", "/experiences", {"experience": build()})["experience"] for build in CREATABLE.values()
    ]
    for experience in experiences:
        checked("POST", f"/experiences/{experience['id']}/actions/start", {})
    for experience in experiences:
        experience_id = experience["id"]
        checked("GET", f"/analytics/resource/{experience_id}")
        checked("GET", f"/analytics/resource/{experience_id}", view="audience", audience="device_type")
        checked("POST", f"/analytics/resource/{experience_id}", {"view": "overview", "testResult": True})
        checked("POST", f"/analytics/experience/{experience_id}/export", {"exportType": "orders"})
    window = {"start": "2026-01-01T00:00:00Z", "end": "2026-01-31T00:00:00Z"}
    checked("POST", "/analytics/sitewide/snapshot", window)
    checked("POST", "/analytics/sitewide/snapshot", {**window, "feature": {"name": "order"}})
    checked("POST", SITEWIDE_ALIAS, window)
    assert checked.problems == []
