"""Conformance: a realistic scenario through the emulator, every body checked against the spec.

Every request body the scenario sends is validated against the operation's request schema
(so the fixtures are realistic), and every 200 answer against its response schema (the
read schemas are strict: no additional properties, many required fields).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from support.bodies import CREATABLE, as_write, every_field, every_field_revised
from support.emulator import call, create, field_errors, new_sandbox
from support.openapi import (
    API_PREFIX,
    path_template,
    request_validator,
    require_spec,
    response_validator,
    schema_errors,
)

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


def test_every_field_round_trips_and_conforms() -> None:
    require_spec()
    checked = Checked(new_sandbox())
    created = checked("POST", "/experiences", {"experience": every_field()})["experience"]
    assert created["audience"]["elseVariationId"] == created["variations"][0]["id"]
    assert created["experiencePageTargeting"][0]["value"] == ""
    assert created["experiencePageTargeting"][1]["filterType"] == "utm"
    assert created["variations"][1]["onsiteEdits"][0]["isHtml"] is True
    replaced = checked("PUT", f"/experiences/{created['id']}", {"experience": as_write(created)})[
        "experience"
    ]
    assert {**replaced, "lastUpdateTs": 0} == {**created, "lastUpdateTs": 0}
    revised = every_field_revised(replaced)
    checked("PUT", f"/experiences/{created['id']}", {"experience": revised})
    checked("GET", f"/experiences/{created['id']}", includeChangeLog="true")
    checked("GET", "/experiences-list")
    assert checked.problems == []


# The description, walked: which fields it defines, and which of them a body sets. Patterns
# name fields the way the description nests them: "experience.variations[].cartTargeting[].id"
# ("[]" for list items, "{}" for the values of a map).

Schema = dict[str, Any]
Where = tuple[str | int, ...]


def _alternatives(schema: Schema) -> list[Schema]:
    return schema.get("anyOf") or schema.get("oneOf") or []


def _map_values(schema: Schema) -> Schema | None:
    values = schema.get("additionalProperties")
    return values if isinstance(values, dict) else None


def defined_fields(schema: Schema, pattern: str = "") -> Iterator[tuple[str, bool]]:
    """Every field pattern the schema defines, with whether it is required there."""
    for alternative in _alternatives(schema):
        yield from defined_fields(alternative, pattern)
    required = set(schema.get("required", ()))
    for name, field in schema.get("properties", {}).items():
        where = f"{pattern}.{name}" if pattern else name
        yield where, name in required
        yield from defined_fields(field, where)
    if "items" in schema:
        yield from defined_fields(schema["items"], f"{pattern}[]")
    values = _map_values(schema)
    if values is not None:
        yield from defined_fields(values, f"{pattern}{{}}")


def written_fields(
    schema: Schema, value: Any, pattern: str = "", where: Where = ()
) -> Iterator[tuple[str, Where]]:
    """Every field pattern `value` sets, with where in `value` it is set."""
    for alternative in _alternatives(schema):
        if Draft202012Validator(alternative).is_valid(value):
            yield from written_fields(alternative, value, pattern, where)
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        values = _map_values(schema)
        for name, item in value.items():
            if name in properties:
                field = f"{pattern}.{name}" if pattern else name
                yield field, (*where, name)
                yield from written_fields(properties[name], item, field, (*where, name))
            elif values is not None:
                yield from written_fields(values, item, f"{pattern}{{}}", (*where, name))
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            yield from written_fields(schema["items"], item, f"{pattern}[]", (*where, index))


def _is_id(pattern: str) -> bool:
    name = pattern.rsplit(".", 1)[-1]
    return name == "id" or name.endswith("Id")


def _create_request(sandbox: Sandbox) -> tuple[str, dict[str, Any]]:
    return "/experiences", {"experience": every_field()}


def _replace_request(sandbox: Sandbox) -> tuple[str, dict[str, Any]]:
    created = create(sandbox, every_field())
    return f"/experiences/{created['id']}", {"experience": every_field_revised(created)}


# method -> the description's path template, and a request (path, body) setting every field
WRITES: dict[str, tuple[str, Callable[[Sandbox], tuple[str, dict[str, Any]]]]] = {
    "POST": ("/experiences", _create_request),
    "PUT": ("/experiences/{experienceId}", _replace_request),
}


@pytest.mark.parametrize("method", sorted(WRITES))
def test_the_full_fixture_sets_every_field_the_description_defines(method: str) -> None:
    spec = require_spec()
    template, body_for = WRITES[method]
    schema = _request_schema(spec, method, template)
    _, body = body_for(new_sandbox())
    assert schema_errors(request_validator(method, API_PREFIX + template), body) == []
    unset = {field for field, _ in defined_fields(schema)} - {
        field for field, _ in written_fields(schema, body)
    }
    assert sorted(unset) == []


@pytest.mark.parametrize("method", sorted(WRITES))
def test_every_id_the_description_requires_is_required(method: str) -> None:
    spec = require_spec()
    template, body_for = WRITES[method]
    schema = _request_schema(spec, method, template)
    sandbox = new_sandbox()
    path, body = body_for(sandbox)
    required_ids = {field for field, required in defined_fields(schema) if required and _is_id(field)}
    first_site: dict[str, Where] = {}
    for field, where in written_fields(schema, body):
        first_site.setdefault(field, where)
    assert required_ids <= set(first_site), "the fixture must hold every required id"
    accepted = []
    for field in sorted(required_ids):
        where = first_site[field]
        broken = copy.deepcopy(body)
        holder = broken
        for step in where[:-1]:
            holder = holder[step]
        del holder[where[-1]]
        response = call(sandbox, method, path, json=broken)
        named = ".".join(map(str, where))
        if response.status_code != 400 or named not in field_errors(response):
            accepted.append(f"{named}: {response.status_code} {response.text[:200]}")
    assert accepted == []


def _request_schema(spec: dict[str, Any], method: str, template: str) -> Schema:
    operation = spec["paths"][API_PREFIX + template][method.lower()]
    schema: Schema = operation["requestBody"]["content"]["application/json"]["schema"]
    return schema


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
        checked("POST", f"/analytics/experience/{experience_id}/timeseries", {})
        checked(
            "POST",
            f"/analytics/experience/{experience_id}/timeseries",
            {"granularity": "hour", "mode": "noncumulative", "metrics": ["aov", "n_orders"]},
        )
    # The last thirty days: the emulator's store has traffic only in the year before today.
    today = datetime.now(UTC).replace(microsecond=0)
    window = {"start": (today - timedelta(days=30)).isoformat(), "end": today.isoformat()}
    checked("POST", "/analytics/sitewide/snapshot", window)
    checked("POST", "/analytics/sitewide/snapshot", {**window, "feature": {"name": "order"}})
    checked("POST", SITEWIDE_ALIAS, window)
    checked("POST", "/analytics/sitewide/timeseries", {**window, "granularity": "day"})
    checked(
        "POST",
        "/analytics/sitewide/timeseries",
        {**window, "feature": {"name": "audience", "audience": "visitor_type"}},
    )
    checked("POST", "/analytics/sitewide/order-distribution", window)
    checked("POST", "/analytics/sitewide/conversion-funnel", {**window, "entryPoint": "source_channel"})
    assert checked.problems == []
    assert {template for _, template in checked.validated if "/analytics/" in template} == {
        f"{API_PREFIX}/analytics/{path}"
        for path in (
            "resource/{experienceId}",
            "experience/{experienceId}/export",
            "experience/{experienceId}/timeseries",
            "sitewide/snapshot",
            "sitewide/timeseries",
            "sitewide/order-distribution",
            "sitewide/conversion-funnel",
        )
    }
