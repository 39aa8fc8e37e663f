"""Field-by-field comparison of the experience file schema with the API's create schema.

Both schemas are flattened to one comparable shape per field (types, enum, default, bounds,
properties, items), so the test can say exactly which field drifted from the API.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from igops.fields import MAPPED, FieldClass, classify
from igops.model import IGOPS_FIELDS

# API fields the file leaves out by design: the field table gives each its class and reason
# (ids, orders, passed-through fields, and fields the file names differently).
FILE_NAMES_OF_MAPPED = {mapped.file_path for mapped in MAPPED}


def left_out_by_design(api_path: str) -> bool:
    return classify(api_path) not in (None, FieldClass.MODELLED, FieldClass.WRITE_ONLY) and not any(
        api_path == mapped.write_path == mapped.file_path for mapped in MAPPED
    )


@dataclass
class Flat:
    types: set[str] = field(default_factory=set)
    enum: set[Any] | None = None
    default: Any = ...
    bounds: dict[str, Any] = field(default_factory=dict)
    properties: dict[str, Any] = field(default_factory=dict)
    required: set[str] | None = None
    items: Any = None


_BOUNDS = ("minimum", "maximum", "minLength", "maxLength", "minItems", "pattern")


def flatten(schema: dict[str, Any], root: dict[str, Any]) -> Flat:
    """Merge $ref, anyOf and oneOf alternatives into one description of the allowed values."""
    flat = Flat()
    _merge(schema, root, flat)
    return flat


def _merge(schema: dict[str, Any], root: dict[str, Any], flat: Flat) -> None:
    if "$ref" in schema:
        target: Any = root
        for token in schema["$ref"].removeprefix("#/").split("/"):
            target = target[token]
        _merge(target, root, flat)
    for alternative in schema.get("anyOf", []) + schema.get("oneOf", []):
        _merge(alternative, root, flat)
    declared = schema.get("type")
    if declared is not None:
        flat.types |= {declared} if isinstance(declared, str) else set(declared)
    values = schema.get("enum", [schema["const"]] if "const" in schema else None)
    if values is not None:
        flat.enum = (flat.enum or set()) | set(values)
    if "default" in schema:
        flat.default = schema["default"]
    flat.bounds |= {key: schema[key] for key in _BOUNDS if key in schema}
    for name, subschema in schema.get("properties", {}).items():
        flat.properties.setdefault(name, []).append(subschema)
    if "required" in schema:
        required = set(schema["required"])
        flat.required = required if flat.required is None else flat.required & required
    if "items" in schema:
        flat.items = schema["items"]


def differences(
    mine: dict[str, Any], my_root: dict[str, Any], api: dict[str, Any], api_root: dict[str, Any], path: str
) -> Iterator[str]:
    """Every way the file's field at `path` disagrees with the API's field."""
    ours, theirs = flatten(mine, my_root), flatten(api, api_root)
    if "null" in theirs.types and theirs.enum:
        theirs.enum.add(None)
    if ours.types != theirs.types:
        yield f"{path}: types {sorted(ours.types)} != API {sorted(theirs.types)}"
    if ours.enum != theirs.enum:
        yield f"{path}: enum {ours.enum} != API {theirs.enum}"
    if theirs.default is not ... and ours.default != theirs.default:
        yield f"{path}: default {ours.default!r} != API {theirs.default!r}"
    if ours.bounds != theirs.bounds:
        yield f"{path}: bounds {ours.bounds} != API {theirs.bounds}"
    extra = (ours.required or set()) - (theirs.required or set()) - IGOPS_FIELDS
    if extra:
        yield f"{path}: requires {sorted(extra)} that the API does not"
    for name in sorted(set(ours.properties) | set(theirs.properties)):
        child = f"{path}.{name}" if path else name
        if name not in theirs.properties:
            if not (path == "" and name in IGOPS_FIELDS) and child not in FILE_NAMES_OF_MAPPED:
                yield f"{child}: not an API field"
        elif name not in ours.properties:
            if not left_out_by_design(child):
                yield f"{child}: API field missing from the file schema"
        elif not left_out_by_design(child):
            yield from differences(
                {"anyOf": ours.properties[name]},
                my_root,
                {"anyOf": theirs.properties[name]},
                api_root,
                child,
            )
    if ours.items is not None and theirs.items is not None:
        yield from differences(ours.items, my_root, theirs.items, api_root, f"{path}[]")
