"""The JSON Schemas shipped with igops, and their violations turned into located sentences."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from typing import Any

from jsonschema import Draft202012Validator, ValidationError

from igops.experience_types import NOT_CREATABLE_TYPES
from igops.fields import FieldClass, classify
from igops.files.errors import did_you_mean, quote
from igops.files.yamldoc import Document
from igops.model import JsonPath, Position, nearest_position
from igops.schemas import EXPERIENCE_SCHEMA, load_schema

# An enum longer than this is not spelled out in a message; the hint and the editor do better.
_MAX_LISTED_CHOICES = 12

_TYPE_NAMES = {
    "string": "text",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping",
    "null": "null",
}


@functools.cache
def _validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(load_schema(name))


def schema_defaults(name: str) -> dict[str, Any]:
    """The top-level defaults a schema declares, keyed by property."""
    properties = load_schema(name)["properties"]
    return {key: spec["default"] for key, spec in properties.items() if "default" in spec}


def schema_findings(document: Document, name: str) -> Iterator[tuple[JsonPath, Position, str]]:
    """Every violation of the schema in the document, each with its field path, position and sentence."""
    errors = list(_validator(name).iter_errors(document.value))
    # A value of the wrong type also fails its enum or bounds; the type is the one thing to say.
    mistyped = {tuple(error.absolute_path) for error in errors if error.validator == "type"}
    for error in errors:
        if error.validator == "type" or tuple(error.absolute_path) not in mistyped:
            yield from _explain(error, document)


def _explain(error: ValidationError, document: Document) -> Iterator[tuple[JsonPath, Position, str]]:
    path: JsonPath = tuple(error.absolute_path)
    keyword, (expected, value) = error.validator, _values(error)
    if keyword == "additionalProperties" and expected is False:
        known = list(_subschema(error).get("properties", {}))
        for key in value:
            if key not in known:
                key_path = (*path, key)
                reason = _igops_owned(key_path) or f"is not a field here{did_you_mean(key, known)}"
                yield key_path, document.keys[key_path], f"{quote(key)} {reason}."
        return
    if keyword == "required":
        position = nearest_position(document.values, path)
        for key in expected:
            if key not in value:
                yield (*path, key), position, f"the required field '{key}' is missing."
        return
    yield path, nearest_position(document.values, path), _sentence(error, path)


# API fields a file cannot set, and why (the field table's classes; igops.fields).
_OWNED_REASONS = {
    FieldClass.ID: "is an id: the server assigns it or igops mints it, and a file never holds one",
    FieldClass.PARENT_ID: "is the id of the enclosing variation, which igops fills in",
    FieldClass.ORDER: "is not written in files: the position in the list is the order",
    FieldClass.READ_ONLY: "is read-only: the API sets it, and a file cannot",
    FieldClass.PASSED_THROUGH: ("is kept as it is set in the dashboard: igops copies it unchanged into every "
                                "update and does not manage it from files"),
}


def _igops_owned(key_path: JsonPath) -> str | None:
    """Why a field of the API's experience is not in the file, when it is one."""
    api_path = "".join("[]" if isinstance(part, int) else f".{part}" for part in key_path).lstrip(".")
    kind = classify(api_path)
    return _OWNED_REASONS.get(kind) if kind is not None else None


def _values(error: ValidationError) -> tuple[Any, Any]:
    """The failed keyword's value in the schema, and the document's value there: any JSON values.
    A validator sets both on every error it yields; the stubs also allow them unset, as on a
    ValidationError made by hand."""
    return error.validator_value, error.instance


def _subschema(error: ValidationError) -> Mapping[str, Any]:
    """The schema object holding the failed keyword (only a boolean schema, holding none, is not one)."""
    assert isinstance(error.schema, Mapping), "a keyword failed, so its schema is an object"
    return error.schema


def _sentence(error: ValidationError, path: JsonPath) -> str:
    keyword, (expected, value) = error.validator, _values(error)
    if keyword == "type":
        wanted = [expected] if isinstance(expected, str) else expected
        return f"expected {' or '.join(_TYPE_NAMES[name] for name in wanted)}, found {_describe(value)}."
    if keyword == "enum":
        return _enum_sentence(value, expected, path)
    if keyword == "minimum":
        return f"{value} is below the minimum of {expected}."
    if keyword == "maximum":
        return f"{value} is above the maximum of {expected}."
    if keyword == "minLength":
        return "must not be empty." if expected == 1 else f"must be at least {expected} characters long."
    if keyword == "maxLength":
        return f"is {len(value)} characters long; at most {expected} are allowed."
    if keyword == "minItems":
        return "needs at least one entry." if expected == 1 else f"needs at least {expected} entries."
    if keyword == "pattern" and expected == load_schema(EXPERIENCE_SCHEMA)["$defs"]["uuid"]["pattern"]:
        return f"{quote(value)} is not a UUID (like 0b6c1a52-4f1e-4c3e-9a57-2d0e5f6a7b8c)."
    if keyword == "pattern":
        return f"{quote(value)} is not of the expected form: {_subschema(error).get('description', expected)}"
    return f"{value!r:.60} is not allowed here ({keyword})."


def _enum_sentence(value: Any, choices: list[Any], path: JsonPath) -> str:
    shown = quote(value) if isinstance(value, str) else _describe(value)
    if path == ("type",) and isinstance(value, str) and value in NOT_CREATABLE_TYPES:
        return (f"{shown} experiences cannot be created through the Intelligems API, so igops cannot "
                f"manage them; use one of {_choices(choices)}.")
    named = [choice for choice in choices if isinstance(choice, str)]
    hint = did_you_mean(value, named) if isinstance(value, str) else ""
    if len(choices) > _MAX_LISTED_CHOICES:
        return f"{shown} is not an accepted value{hint or '; the schema lists the accepted ones'}."
    return f"{shown} is not one of {_choices(choices)}{hint}."


def _choices(choices: list[Any]) -> str:
    return ", ".join("null" if choice is None else f"'{choice}'" for choice in choices)


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {quote(value)}"
    return "a list" if isinstance(value, list) else "a mapping"
