"""Requests are checked against the description's request schemas, which the emulator carries.

igops/sandbox/request_schemas.py is generated from the description; here it is regenerated when
the description is on this machine and must come out the same. Then what the schemas say is what
the emulator refuses: query parameters, path parameters and bodies of every operation, analytics
included, with the documented 400 envelope naming each field.
"""

from __future__ import annotations

from typing import Any

import pytest
from request_schema_source import TARGET, description, generate, render
from starlette.routing import Route
from support.bodies import as_write, onsite_edits
from support.emulator import act, call, create, field_errors, new_sandbox

from igops.sandbox.operations import compile_schema
from igops.sandbox.request_schemas import SCHEMAS
from igops.sandbox.shapes import Issues

WINDOW = {"start": "2025-06-01T00:00:00Z", "end": "2025-06-29T00:00:00Z"}


def test_the_committed_schemas_are_the_descriptions() -> None:
    directory = description()
    if directory is None:
        pytest.skip("the API description is not on this machine")
    assert TARGET.read_text(encoding="utf-8") == render(generate(directory)), (
        "the description changed: run python tests/sandbox/request_schema_source.py"
    )


def test_every_described_operation_is_served() -> None:
    routes = [route for route in new_sandbox().app.routes if isinstance(route, Route)]
    served = {(method, route.path) for route in routes for method in route.methods or ()}
    assert {(operation["method"], operation["path"]) for operation in SCHEMAS.values()} <= served


def refused(response: Any) -> list[str]:
    assert response.status_code == 400, response.text
    return sorted(field_errors(response))


@pytest.mark.parametrize(
    ("value", "accepted"),
    [
        ("2025-06-01T00:00:00Z", True),
        ("2025-06-01T00:00:00.123+05:30", True),
        ("2025-06-01T00:00Z", False),  # the pattern allows it, the date-time format does not
        ("2025-02-30T00:00:00Z", False),  # the format allows it, the pattern does not
        ("2025-06-01t00:00:00z", False),
        ("2025-06-01T00:00:00Z\n", False),
    ],
)
@pytest.mark.parametrize("path", ["snapshot", "timeseries", "order-distribution", "conversion-funnel"])
def test_sitewide_date_times_are_what_the_pattern_and_the_format_allow(
    path: str, value: str, accepted: bool
) -> None:
    response = call(new_sandbox(), "POST", f"/analytics/sitewide/{path}", json={**WINDOW, "start": value})
    if accepted:
        assert response.status_code == 200, response.text
    else:
        assert refused(response) == ["start"]


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ("mobile", "filters"),
        ({"deviceType": 5}, "filters.deviceType"),
        ({"deviceType": "tablet"}, "filters.deviceType"),
        ({"sourceSitesOrChannels": ["Nowhere"]}, "filters.sourceSitesOrChannels.0"),
        ({"countryCodes": "US"}, "filters.countryCodes"),
        ({"landingPage": {"landingPageUrlPath": "/"}}, "filters.landingPage.landingPageUrlPathFilterType"),
        ({"maxZScore": True}, "filters.maxZScore"),
    ],
)
def test_filters_of_the_wrong_type_are_refused_everywhere(filters: Any, field: str) -> None:
    sandbox = new_sandbox()
    experience = create(sandbox, onsite_edits())
    act(sandbox, experience["id"], "start")
    for path in (
        "/analytics/sitewide/snapshot",
        "/analytics/sitewide/conversion-funnel",
        f"/analytics/resource/{experience['id']}",
        f"/analytics/experience/{experience['id']}/timeseries",
        f"/analytics/experience/{experience['id']}/export",
    ):
        body = {**WINDOW, "exportType": "orders", "filters": filters}
        assert refused(call(sandbox, "POST", path, json=body)) == [field], path


def test_numbers_are_held_to_the_described_bounds() -> None:
    sandbox = new_sandbox()
    experience = create(sandbox, onsite_edits())
    path = f"/analytics/resource/{experience['id']}"
    breakdown = {"view": "audience", "audience": "device_type"}
    assert refused(call(sandbox, "POST", path, json={**breakdown, "topN": 0})) == ["topN"]
    assert call(sandbox, "POST", path, json={**breakdown, "topN": 1}).status_code == 200


def test_an_entry_point_the_funnel_does_not_know_means_device_type_as_the_prose_says() -> None:
    sandbox = new_sandbox()
    answers = [
        call(sandbox, "POST", "/analytics/sitewide/conversion-funnel", json={**WINDOW, "entryPoint": point})
        for point in ("device_type", "browser", 7, None)
    ]
    assert all(answer.status_code == 200 for answer in answers)
    assert len({answer.text for answer in answers}) == 1


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/experiences-list", {"page": "1.5"}, "page"),
        ("/experiences-list", {"limit": "-1"}, "limit"),
        ("/experiences-list", {"module": "banners"}, "module"),
        ("/experiences/{id}", {"includeChangeLog": "1"}, "includeChangeLog"),
        ("/analytics/resource/{id}", {"graphOutput": "svg"}, "graphOutput"),
        ("/analytics/resource/{id}", {"view": "everything"}, "view"),
    ],
)
def test_query_parameters_are_read_and_checked_as_described(
    path: str, params: dict[str, str], field: str
) -> None:
    sandbox = new_sandbox()
    experience = create(sandbox, onsite_edits())
    assert refused(call(sandbox, "GET", path.format(id=experience["id"]), params=params)) == [field]


def test_path_parameters_are_checked_as_described() -> None:
    sandbox = new_sandbox()
    experience = create(sandbox, onsite_edits())
    assert refused(call(sandbox, "GET", "/experiences/not-an-id")) == ["experienceId"]
    assert refused(call(sandbox, "GET", f"/experiences/{experience['id']}%0A")) == ["experienceId"]
    assert refused(call(sandbox, "POST", f"/experiences/{experience['id']}/actions/archive")) == ["action"]
    # The description types the PUT's id as any string: one that names nothing is unknown.
    response = call(sandbox, "PUT", "/experiences/not-an-id", json={"experience": as_write(experience)})
    assert response.status_code == 404


def test_a_body_is_normalized_as_described() -> None:
    shape = compile_schema(SCHEMAS["getExperienceTimeseries"]["body"])
    issues = Issues()
    assert shape.clean({"mode": "noncumulative", "unknown": 1}, "", issues) == {
        "granularity": "day",
        "mode": "noncumulative",
        "metrics": ["conversion_rate", "net_revenue_per_visitor", "gross_profit_per_visitor"],
    }
    assert not issues


@pytest.mark.parametrize(
    ("schema", "complaint"),
    [
        ({"type": "array", "items": {}, "maxItems": 3}, "keywords the emulator does not know"),
        ({"type": "string", "format": "email"}, "unknown string format"),
        (
            {"oneOf": [{"type": "object", "properties": {}}, {"type": "object", "properties": {}}]},
            "no tag tells apart",
        ),
        ({"type": "tuple"}, "cannot check"),
    ],
)
def test_a_schema_the_emulator_cannot_check_exactly_stops_it(schema: dict[str, Any], complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        compile_schema(schema)


def test_a_default_for_a_field_the_schema_does_not_have_stops_it() -> None:
    schema = {"type": "object", "properties": {"kept": {"type": "string"}}}
    assert compile_schema(schema, {"kept": None}).clean({}, "", Issues()) == {"kept": None}
    with pytest.raises(ValueError, match="fields the request schema does not have"):
        compile_schema(schema, {"gone": None})
