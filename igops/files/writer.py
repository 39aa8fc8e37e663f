"""Writing experience files (for `igops import` and `igops show`): canonical, minimal, readable.

A written file holds the schema line (when the project has the schema), the fields in a stable
order a person reads top-down (what it is, its lifecycle, then its variations and targeting),
nothing the API defaults, and code (CSS, JS, HTML: what the schema gives a contentMediaType) as
block scalars. Reading it back gives the same experience.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from igops.files.yamldoc import BlockText, dump_readable
from igops.model import IGOPS_FIELDS
from igops.schemas import EXPERIENCE_SCHEMA, load_schema

# The top-level order a reviewer reads; nested objects follow the schema's own property order.
TOP_ORDER = (
    "name",
    "type",
    "description",
    "status",
    "winner",
    "id",
    "experienceAnalysis",
    "currency",
    "previewPath",
    "productVariantAction",
    "variations",
    "audience",
    "experiencePageTargeting",
    "experienceKeyMetrics",
)

MAX_STEM = 80
# Names Windows reserves for devices, with or without an extension.
_RESERVED = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{n}" for n in range(10)), *(f"lpt{n}" for n in range(10))}
)


def experience_text(document: Mapping[str, Any], directory: Path, schema: Path | None) -> str:
    """The file for `document` (a canonical experience plus igops's own fields) to be written into
    `directory`, in a project whose experience schema is `schema` (see project_schema)."""
    return schema_line(directory, schema) + dump_readable(_ordered(without_defaults(document)))


def project_schema(root: Path) -> Path | None:
    """The experience schema in the project at `root` (the directory of igops.yaml), where `igops init`
    puts it; None when the project has none."""
    schema = root / "schemas" / EXPERIENCE_SCHEMA
    return schema if schema.is_file() else None


def schema_line(directory: Path, schema: Path | None) -> str:
    """The line that points editors at `schema` (a project's, see project_schema) from a file in
    `directory`, by a path relative to that directory as yaml-language-server reads it. Empty without
    a schema, and for a directory outside the project: a path out of it and back in would break as
    soon as either moved."""
    if schema is None:
        return ""
    here, target = Path(os.path.abspath(directory)), Path(os.path.abspath(schema))
    if not here.is_relative_to(target.parent.parent):
        return ""
    return f"# yaml-language-server: $schema={Path(os.path.relpath(target, here)).as_posix()}\n"


def without_defaults(document: Mapping[str, Any]) -> dict[str, Any]:
    """`document` without the values the API would fill in itself: a file states only what differs."""
    schema = load_schema(EXPERIENCE_SCHEMA)
    api = {
        "properties": {key: node for key, node in schema["properties"].items() if key not in IGOPS_FIELDS},
        "required": schema["required"],
    }
    return _object(document, api, schema) | {
        key: document[key] for key in IGOPS_FIELDS if document.get(key) is not None
    }


def _object(value: Mapping[str, Any], node: Mapping[str, Any], root: Mapping[str, Any]) -> dict[str, Any]:
    """The fields an object states, in the schema's order: set, and either required or not the default."""
    required = set(node.get("required", ()))
    code = _code(value, node, root)
    stated: dict[str, Any] = {}
    for key, child in node["properties"].items():
        if value.get(key) is None:
            continue
        resolved = _resolve(child, root)
        default = child.get("default", resolved.get("default"))
        if key in required or not _same(value[key], default):
            text = key in code and isinstance(value[key], str)
            stated[key] = BlockText(value[key]) if text else _value(value[key], resolved, root)
    return stated


def _code(value: Mapping[str, Any], node: Mapping[str, Any], root: Mapping[str, Any]) -> set[str]:
    """The properties of `value` that hold code (CSS, JS, HTML): those the schema gives a contentMediaType,
    on the property itself or in the branch of a condition that `value` takes (an html edit's replace)."""
    branches = [node]
    if "if" in node:
        holds = Draft202012Validator({"$defs": root.get("$defs", {}), **node["if"]}).is_valid(value)
        branches.append(node.get("then" if holds else "else", {}))
    return {
        key
        for branch in branches
        for key, child in branch.get("properties", {}).items()
        if "contentMediaType" in child or "contentMediaType" in _resolve(child, root)
    }


def _value(value: Any, node: Mapping[str, Any], root: Mapping[str, Any]) -> Any:
    if isinstance(value, Mapping) and "properties" in node:
        return _object(value, node, root)
    if isinstance(value, list) and "items" in node:
        items = _resolve(node["items"], root)
        return [_value(item, items, root) for item in value]
    return value


def _same(value: Any, default: Any) -> bool:
    """Equal as JSON, where 0 is not false; null and absent are the same to the API."""

    def text(item: Any) -> str:
        return json.dumps(_without_nulls(item), sort_keys=True)

    return text(value) == text(default)


def _without_nulls(value: Any) -> Any:
    """Null and absent mean the same to the API."""
    if isinstance(value, Mapping):
        return {key: _without_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_without_nulls(item) for item in value]
    return value


def _resolve(node: Mapping[str, Any], root: Mapping[str, Any]) -> Mapping[str, Any]:
    while "$ref" in node:
        target: Any = root
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def _ordered(document: Mapping[str, Any]) -> dict[str, Any]:
    first = {key: document[key] for key in TOP_ORDER if key in document}
    return first | {key: value for key, value in document.items() if key not in first}


def file_stem(name: str, taken: Collection[str] = ()) -> str:
    """A file name (without .yaml) for an experience called `name`: safe on every OS, readable, and
    not one of `taken` (compared without case, as some file systems do)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:MAX_STEM].strip("-") or "experience"
    if stem in _RESERVED:
        stem = f"{stem}-experience"
    used = {item.lower() for item in taken}
    candidate, number = stem, 2
    while candidate in used:
        candidate = f"{stem[: MAX_STEM - 4]}-{number}"
        number += 1
    return candidate
