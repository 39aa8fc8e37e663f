"""The field table against the API description: every field of the experience is in one class.

Walks the create and replace request bodies and the detail and list answers of the API
description. A field the API adds later fails here until it is given a class.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from support.openapi import require_spec
from support.schema_compare import flatten

from igops.fields import (
    IDS,
    MAPPED,
    ORDERS,
    PARENT_IDS,
    PASSED_THROUGH,
    READ_ONLY,
    WRITE_ONLY,
    FieldClass,
    classify,
)
from igops.model import IGOPS_FIELDS
from igops.schemas import EXPERIENCE_SCHEMA, load_schema

PREFIX = "/v25-10-beta"
DETAIL = f"{PREFIX}/experiences/{{experienceId}}"


def _experience_schemas() -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    spec = require_spec()
    paths = spec["paths"]

    def body(method: str, path: str) -> dict[str, Any]:
        schema = paths[path][method]["requestBody"]["content"]["application/json"]["schema"]
        return flatten(schema, spec).properties["experience"][0]

    def answer(path: str) -> dict[str, Any]:
        return paths[path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]

    listed = flatten(answer(f"{PREFIX}/experiences-list"), spec).properties["experiencesList"][0]
    return {
        "POST": (body("post", f"{PREFIX}/experiences"), spec),
        "PUT": (body("put", DETAIL), spec),
        "GET": (flatten(answer(DETAIL), spec).properties["experience"][0], spec),
        "LIST": (flatten(listed, spec).items, spec),
    }


# Classes that cover a whole subtree: nothing under them needs a class of its own.
WHOLE = (FieldClass.READ_ONLY, FieldClass.PASSED_THROUGH, FieldClass.WRITE_ONLY)


def field_paths(schema: dict[str, Any], root: dict[str, Any], path: str = "") -> Iterator[tuple[str, Any]]:
    """Every property path under `schema`, with the flattened description of its values."""
    flat = flatten(schema, root)
    for name, alternatives in flat.properties.items():
        child = f"{path}.{name}" if path else name
        yield child, flatten({"anyOf": alternatives}, root)
        if classify(child) not in WHOLE:
            yield from field_paths({"anyOf": alternatives}, root, child)
    if flat.items is not None:
        yield from field_paths(flat.items, root, f"{path}[]")


def _file_paths() -> dict[str, Any]:
    schema = load_schema(EXPERIENCE_SCHEMA)
    api_fields = {key: node for key, node in schema["properties"].items() if key not in IGOPS_FIELDS}
    return dict(field_paths({"type": "object", "properties": api_fields}, schema))


FILE_PATHS = _file_paths()


def as_file_path(api_path: str) -> str:
    """An API path (write or read name) in the file's names."""
    for mapped in MAPPED:
        for name in (mapped.write_path, mapped.read_path):
            if api_path == name or api_path.startswith((name + ".", name + "[]")):
                return mapped.file_path + api_path[len(name) :]
    return api_path


def as_api_path(file_path: str, read: bool) -> str:
    for mapped in MAPPED:
        if file_path == mapped.file_path or file_path.startswith(
            (mapped.file_path + ".", mapped.file_path + "[]")
        ):
            name = mapped.read_path if read else mapped.write_path
            return name + file_path[len(mapped.file_path) :]
    return file_path


def _all_paths(which: str) -> dict[str, Any]:
    schema, root = _experience_schemas()[which]
    return dict(field_paths(schema, root))


@pytest.mark.parametrize("which", ["POST", "PUT", "GET", "LIST"])
def test_every_api_field_is_in_exactly_one_class(which: str) -> None:
    unclassified = [
        path for path in _all_paths(which) if classify(path) is None and as_file_path(path) not in FILE_PATHS
    ]
    assert unclassified == [], f"{which}: fields of the API that the field table does not classify"
    doubly = [
        path
        for path in _all_paths(which)
        if as_file_path(path) in FILE_PATHS
        and classify(path) not in (None, FieldClass.MAPPED, FieldClass.WRITE_ONLY)
    ]
    assert doubly == [], f"{which}: fields both in the file and given another class"


def test_every_table_entry_names_a_field_of_the_api() -> None:
    post, put, get = _all_paths("POST"), _all_paths("PUT"), _all_paths("GET")
    assert {path for path in READ_ONLY if path not in get and path not in _all_paths("LIST")} == set()
    assert {path for path in READ_ONLY if path in put} == set(), "read-only fields are not writable"
    assert {identity.path for identity in IDS if identity.path not in put} == set()
    assert {path for path in PARENT_IDS | ORDERS | PASSED_THROUGH if path not in put} == set()
    assert {path for path in PASSED_THROUGH if path not in get} == set()
    assert {path for path in WRITE_ONLY if path not in post or path in get} == set()
    for mapped in MAPPED:
        assert mapped.write_path in post and mapped.read_path in get, mapped


def test_the_ids_the_api_wants_on_create_are_exactly_the_ones_igops_mints() -> None:
    schema, root = _experience_schemas()["POST"]
    wanted = set()
    for path, flat in [("", flatten(schema, root)), *field_paths(schema, root)]:
        entity, where = flat, path
        if flat.items is not None:  # a list of entities: the id is on each item
            entity, where = flatten(flat.items, root), f"{path}[]"
        if "id" in (entity.required or set()) and classify(where) not in WHOLE:
            wanted.add(f"{where}.id" if where else "id")
    assert wanted == {identity.path for identity in IDS if identity.on_create}


def test_every_modelled_field_is_written_and_read_back() -> None:
    post, get = _all_paths("POST"), _all_paths("GET")
    for path in FILE_PATHS:
        assert as_api_path(path, read=False) in post, f"{path} is not an API field"
        if not path.startswith(tuple(WRITE_ONLY)):
            # A field the API takes and never returns flaps forever unless the table says write-only.
            assert as_api_path(path, read=True) in get, f"{path} is never returned: classify it"


def test_a_file_that_leaves_a_field_out_means_what_the_api_returns_for_it() -> None:
    """Where the API always returns a field, the file's default must be what it returns when unset."""
    get = _all_paths("GET")
    schema = load_schema(EXPERIENCE_SCHEMA)
    mismatched = []
    for path, flat in FILE_PATHS.items():
        read = get.get(as_api_path(path, read=True))
        parent, _, name = path.rpartition(".")
        holder = FILE_PATHS[parent.removesuffix("[]")] if parent else flatten(schema, schema)
        if parent.endswith("[]"):
            holder = flatten(holder.items, schema)
        required = holder.required or set()
        if read is None or read.default is ... or name in required:
            continue
        if read.default is not None and flat.default != read.default:
            mismatched.append(f"{path}: file default {flat.default!r}, API returns {read.default!r}")
    assert mismatched == []
    assert schema["$defs"]["offer"]["properties"]["tiers"]["default"] == []


def test_renamed_fields_keep_their_parent() -> None:
    """A mapping renames the last step only: the value stays inside the same entity."""
    for mapped in MAPPED:
        parents = {path.rsplit(".", 1)[0] for path in (mapped.file_path, mapped.write_path, mapped.read_path)}
        assert len(parents) == 1, mapped
