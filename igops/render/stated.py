"""What an experience file states: a canonical value without the parts that equal the API's defaults.

The plan carries experiences in canonical form, every default filled in (igops.normalize), so a
new experience or an added variation would list a dozen `false`s and `[]`s nobody wrote. The
experience schema declares the defaults (they are the API's); leaving out what equals them shows
what the file says, and a value the file states that differs from its default is always kept.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from igops.model import JsonPath
from igops.schemas import EXPERIENCE_SCHEMA, load_schema

Node = Mapping[str, Any]


def stated(value: Any, path: JsonPath) -> Any:
    """`value`, found at `path` in a canonical experience, without what equals the API's defaults.

    A path the schema does not know leaves the value as it is: nothing is dropped on a guess.
    """
    return _without_defaults(value, _node_at(path))


def _node_at(path: JsonPath) -> Node:
    node = _resolve(load_schema(EXPERIENCE_SCHEMA))
    for step in path:
        # A list's items are reached by position, and variations also by name (`variations["B"]`).
        child = node.get("items") if "items" in node else node.get("properties", {}).get(step)
        node = _resolve(child or {})
    return node


def _without_defaults(value: Any, node: Node) -> Any:
    if isinstance(value, Mapping):
        properties = node.get("properties", {})
        return {
            key: _without_defaults(item, _resolve(properties.get(key, {})))
            for key, item in value.items()
            if not _is_default(item, properties.get(key, {}))
        }
    if isinstance(value, list):
        return [_without_defaults(item, _resolve(node.get("items", {}))) for item in value]
    return value


def _is_default(value: Any, node: Node) -> bool:
    # A default may sit on the property itself or on the definition it refers to (normalize reads both).
    default = node.get("default", _resolve(node).get("default"))
    # The canonical form leaves null out, so a default's nulls are left out before comparing.
    return default is not None and _same(value, _without_nulls(default))


def _without_nulls(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _without_nulls(item) for key, item in value.items() if item is not None}
    return value


def _same(first: Any, second: Any) -> bool:
    # Compared as JSON, so that `0` is not taken for the default `false` (in Python, 0 == False).
    return json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)


def _resolve(node: Node) -> Node:
    # The schema refers only to its own definitions (`#/$defs/variation`).
    while "$ref" in node:
        node = load_schema(EXPERIENCE_SCHEMA)["$defs"][node["$ref"].removeprefix("#/$defs/")]
    return node
