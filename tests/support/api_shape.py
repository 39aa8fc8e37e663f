"""An experience file turned into the body of POST /experiences, for conformance tests.

Fills what the file leaves implicit, guided by the API's own schema: `order` from list
positions, null for required nullable fields, an empty object where every field of a
required object has a default, and generated ids where the API wants client ids.
"""

from __future__ import annotations

import uuid
from typing import Any

from igops.model import IGOPS_FIELDS
from support.openapi import require_spec
from support.schema_compare import flatten

CREATE_PATH = "/v25-10-beta/experiences"


def api_experience_schema() -> tuple[dict[str, Any], dict[str, Any]]:
    """The API's schema of the created experience, and the spec its references resolve in (or skip)."""
    spec = require_spec()
    body = spec["paths"][CREATE_PATH]["post"]["requestBody"]["content"]["application/json"]["schema"]
    return body["properties"]["experience"], spec


def create_body(
    document: dict[str, Any], api_experience: dict[str, Any], api_root: dict[str, Any]
) -> dict[str, Any]:
    fields = {key: value for key, value in document.items() if key not in IGOPS_FIELDS}
    return {"experience": _fill(fields, api_experience, api_root, 0)}


def _fill(value: Any, schema: dict[str, Any], root: dict[str, Any], index: int) -> Any:
    flat = flatten(schema, root)
    if isinstance(value, list) and flat.items is not None:
        return [_fill(item, flat.items, root, position) for position, item in enumerate(value)]
    if not isinstance(value, dict) or not flat.properties:
        return value
    filled = {
        key: _fill(item, {"anyOf": flat.properties[key]}, root, index) if key in flat.properties else item
        for key, item in value.items()
    }
    for key in sorted((flat.required or set()) - set(value)):
        filled[key] = _missing(key, {"anyOf": flat.properties[key]}, root, index)
    return filled


def _missing(key: str, schema: dict[str, Any], root: dict[str, Any], index: int) -> Any:
    flat = flatten(schema, root)
    if key == "order":
        return index
    if key == "id":
        return str(uuid.uuid4()) if "pattern" in flat.bounds else f"rule-{index}"
    if "null" in flat.types:
        return None
    if "object" in flat.types:
        return _fill({}, schema, root, index)
    raise AssertionError(f"the file cannot leave out the required field {key}")
