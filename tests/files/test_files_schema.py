"""The schemas themselves: valid 2020-12, documented, closed, shipped, and true to the API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator
from support.api_shape import CREATE_PATH, api_experience_schema, create_body
from support.openapi import request_validator, schema_errors
from support.schema_compare import differences

from igops.files import load_experiences
from igops.schemas import (
    CALENDAR_SCHEMA,
    CONFIG_SCHEMA,
    DRIFT_SCHEMA,
    EXPERIENCE_SCHEMA,
    MONITOR_SCHEMA,
    REPORT_SCHEMA,
    SITEWIDE_SCHEMA,
    STORE_PLANS_SCHEMA,
    load_schema,
)

REPO = Path(__file__).resolve().parents[2]
SCHEMAS = (
    STORE_PLANS_SCHEMA,
    EXPERIENCE_SCHEMA,
    CONFIG_SCHEMA,
    DRIFT_SCHEMA,
    REPORT_SCHEMA,
    SITEWIDE_SCHEMA,
    MONITOR_SCHEMA,
    CALENDAR_SCHEMA,
)
EXAMPLES = sorted((REPO / "experiences").glob("*.yaml"))


# Conditions and what they add: about the enclosing object's own properties, never new ones.
CONDITIONAL = ("if", "then", "else")


def _object_schemas(node: Any, where: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        if "properties" in node:
            yield where, node
        for key, child in node.items():
            if key not in CONDITIONAL:
                yield from _object_schemas(child, f"{where}/{key}")
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from _object_schemas(child, f"{where}/{index}")


@pytest.mark.parametrize("name", SCHEMAS)
def test_schema_is_a_valid_2020_12_schema(name: str) -> None:
    schema = load_schema(name)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


# igops.yaml's policies name plug-in rules too, with thresholds of their own: the engine refuses, located, a
# name no installed rule has (tests/engine/test_policies.py).
# stores: names of the repository's own choosing, each checked against propertyNames.
OPEN_BY_DESIGN = {
    "#/properties/policies",
    "#/properties/policies/additionalProperties",
    "#/properties/stores",
}


@pytest.mark.parametrize("name", SCHEMAS)
def test_every_property_has_a_one_line_description_and_objects_are_closed(name: str) -> None:
    for where, node in _object_schemas(load_schema(name)):
        if where.endswith("/properties"):
            continue
        if where in OPEN_BY_DESIGN:
            continue
        assert node.get("additionalProperties") is False, f"{where} accepts unknown properties"
        for key, prop in node["properties"].items():
            description = prop.get("description", "")
            assert description and "\n" not in description and len(description) <= 120, f"{where}.{key}"


@pytest.mark.parametrize("name", SCHEMAS)
def test_conditions_speak_only_of_their_objects_own_properties(name: str) -> None:
    for where, node in _object_schemas(load_schema(name)):
        own = set(node["properties"])
        for branch in CONDITIONAL:
            condition = node.get(branch, {})
            named = set(condition.get("properties", {})) | set(condition.get("required", ()))
            assert named <= own, f"{where}/{branch} names {named - own}"


@pytest.mark.parametrize("name", SCHEMAS)
def test_shipped_copy_is_the_editors_schema(name: str) -> None:
    root_copy = (REPO / "schemas" / name).read_bytes()
    shipped = (REPO / "igops" / "schemas" / name).read_bytes()
    assert shipped == root_copy, f"igops/schemas/{name} is stale: cp schemas/*.json igops/schemas/"


def test_schema_has_every_writable_api_field_with_its_types_enums_and_defaults() -> None:
    api_experience, spec = api_experience_schema()
    mine = load_schema(EXPERIENCE_SCHEMA)
    found = list(differences(mine, mine, api_experience, spec, ""))
    # The file narrows `type` to what the API can create; that is the only intended difference.
    assert [line for line in found if not line.startswith("type: enum")] == []
    assert set(mine["properties"]["type"]["enum"]) < set(api_experience["properties"]["type"]["enum"])


def _example(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return document


def test_examples_cover_every_type_family_and_status() -> None:
    documents = [_example(path) for path in EXAMPLES]
    assert len(documents) >= 6
    assert {document["type"] for document in documents} == set(
        load_schema(EXPERIENCE_SCHEMA)["properties"]["type"]["enum"]
    )
    assert {document["status"] for document in documents} == {"draft", "started", "paused", "ended"}


@pytest.mark.parametrize("path", EXAMPLES, ids=[path.name for path in EXAMPLES])
def test_example_is_valid_and_names_its_schema(path: Path) -> None:
    assert path.read_text(encoding="utf-8").startswith(
        "# yaml-language-server: $schema=../schemas/experience.schema.json\n"
    )
    result = load_experiences([path])
    assert result.ok, [str(error) for error in result.errors]


@pytest.mark.parametrize("path", EXAMPLES, ids=[path.name for path in EXAMPLES])
def test_example_is_an_acceptable_create_body(path: Path) -> None:
    api_experience, spec = api_experience_schema()
    body = create_body(_example(path), api_experience, spec)
    assert [variation["order"] for variation in body["experience"]["variations"]] == list(
        range(len(body["experience"]["variations"]))
    )
    assert schema_errors(request_validator("POST", CREATE_PATH), body) == []
    json.dumps(body)


def test_readme_full_example_is_a_valid_example_file() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Experience files", 1)[1]
    example = section.split("```yaml\n", 1)[1].split("```\n", 1)[0]
    assert example in {path.read_text(encoding="utf-8") for path in EXAMPLES}
