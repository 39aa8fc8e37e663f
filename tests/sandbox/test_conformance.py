"""Conformance: a realistic scenario through the emulator, every body checked against the spec.

Every request body the scenario sends is validated against the operation's request schema
(so the fixtures are realistic), and every 200 answer against its response schema (the
read schemas are strict: no additional properties, many required fields).
"""

from __future__ import annotations

import uuid
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
from sandbox_helpers import CREATABLE, as_write, call, new_sandbox, offer, personalization

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


def every_optional_field() -> dict[str, Any]:
    """A write body that sets every optional field the emulator models, nulls included."""
    body = personalization("Every field")
    body["currency"] = {
        "code": "EUR",
        "symbol": "€",
        "country": "DE",
        "suffix": " EUR",
        "options": {"a": [1]},
    }
    body["experiencePageTargeting"] = [
        {"expression": None},
        {
            "expression": [
                {"query": {"key": "utm_source", "value": "mail", "filter": "startsWith", "type": "utm"}},
                {"operator": "or"},
                {"query": {"key": "path", "value": "", "filter": "isNotNull", "type": "landingPage"}},
            ]
        },
    ]
    body["experienceKeyMetrics"].append(
        {
            "order": 1,
            "isPrimary": False,
            "standardEventId": None,
            "experienceCustomMetricId": str(uuid.uuid4()),
        }
    )
    body["audience"].update(
        elseExcludeFromAnalytics=True,
        evaluationFrequency=3,
        elseVariationIndex="0",
        excludeCurrency={
            "exclude": True,
            "currency": "EUR",
            "country": "DE",
            "region": "BE",
            "city": "Berlin",
        },
    )
    body["audience"]["filters"][0].update(expressionType="custom", excludeFromAnalytics=True)
    challenger = body["variations"][1]
    challenger.update(
        priceChange="10",
        priceChangeUnit="percent",
        priceRoundingType="nearest",
        priceRoundingAmount="0.99",
        excludeProducts=True,
        includeProducts=False,
        onsiteInjection={
            "customCss": None,
            "customJs": "void 0",
            "jsInjectionMode": {"type": "timeout", "timeout": 500},
            "source": "ai",
        },
        redirects=[
            {
                "group": 1,
                "originUrl": "/a",
                "destinationUrl": None,
                "queryParams": [{"key": "ref", "value": "ig"}],
                "skip": True,
                "isThemeTest": False,
                "isTemplateTest": False,
                "templateType": None,
                "templateSuffixes": None,
                "redirectOnce": True,
                "filter": "matchesRegex",
                "find": "^/a$",
                "redirectType": "partialReplacement",
            }
        ],
        offer={
            **offer()["variations"][1]["offer"],
            "isTest": True,
            "maximumDollarDiscount": 25,
            "requireSameItem": True,
            "subscriptionApplicationType": "oneTimeAndFirstSub",
            "shippingDiscount": {
                "id": str(uuid.uuid4()),
                "discountType": "dollar",
                "unitDiscount": 5,
                "rateFilter": {
                    "type": "name",
                    "rules": [{"id": "r1", "operator": "contains", "name": "Std"}],
                },
                "countryFilter": {"allow": ["US"], "exclude": []},
                "discountLabel": "Cheaper shipping",
            },
        },
    )
    challenger["onsiteEdits"][0].update(
        title="Greeting",
        isRegex=True,
        skip=False,
        remove=False,
        groupId="g1",
        insertType="afterbegin",
        imageSearchUrl=None,
        source="ai",
        onsiteEditType="html",
    )
    return body


def test_every_optional_field_round_trips_and_conforms() -> None:
    require_spec()
    checked = Checked(new_sandbox())
    created = checked("POST", "/experiences", {"experience": every_optional_field()})["experience"]
    assert created["audience"]["elseVariationId"] == created["variations"][0]["id"]
    assert created["experiencePageTargeting"][0]["value"] == ""
    assert created["experiencePageTargeting"][1]["filterType"] == "utm"
    assert created["variations"][1]["onsiteEdits"][0]["isHtml"] is True
    replaced = checked("PUT", f"/experiences/{created['id']}", {"experience": as_write(created)})[
        "experience"
    ]
    assert {**replaced, "lastUpdateTs": 0} == {**created, "lastUpdateTs": 0}
    checked("GET", f"/experiences/{created['id']}", includeChangeLog="true")
    checked("GET", "/experiences-list")
    assert checked.problems == []


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
