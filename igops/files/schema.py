"""The JSON Schemas shipped with igops, and their violations turned into located sentences."""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Callable, Iterator, Mapping
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
    schema = load_schema(name)
    if conforms(document.value, schema, schema):
        return
    errors = list(_validator(name).iter_errors(document.value))
    # A value of the wrong type also fails its enum or bounds; the type is the one thing to say.
    mistyped = {tuple(error.absolute_path) for error in errors if error.validator == "type"}
    for error in errors:
        if error.validator == "type" or tuple(error.absolute_path) not in mistyped:
            yield from _explain(error, document)


# The fast path. jsonschema takes about half a millisecond for an experience, most of validating
# a thousand files, and nearly all files are valid: this says so directly for the few keywords
# igops's schemas use. It is only ever sure of validity: anything it does not know (a keyword, a
# float where an integer is expected, a value outside an enum by its own strict reckoning) sends
# the document to jsonschema, which finds and explains every violation as before.

Check = Callable[[Any, Any, Mapping[str, Any], Mapping[str, Any]], bool]

# Keywords that describe, never constrain.
_ANNOTATIONS = frozenset(
    {"$schema", "$id", "$defs", "$comment", "title", "description", "default", "examples", "contentMediaType"}
)
_SCALAR_TYPES = (str, int, float, bool, type(None))
# JSON types by Python type, exactly: a bool is no number, and an integer-valued float is left to jsonschema.
_JSON_TYPES = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "null": (type(None),),
    "object": (dict,),
    "array": (list,),
}


def conforms(value: Any, node: Any, root: Mapping[str, Any]) -> bool:
    """True when `value` certainly satisfies the schema `node` (`root` holds what `$ref` points at);
    False when it does not, or when this cannot tell."""
    if isinstance(node, bool):
        return node
    if not isinstance(node, dict):
        return False
    for keyword, expected in node.items():
        if keyword in _ANNOTATIONS:
            continue
        check = _CHECKS.get(keyword)
        if check is None or not check(value, expected, node, root):
            return False
    return True


def _of_type(value: Any, expected: Any, node: Mapping[str, Any], root: Mapping[str, Any]) -> bool:
    if isinstance(expected, str):
        return type(value) in _JSON_TYPES.get(expected, ())
    return any(type(value) in _JSON_TYPES.get(name, ()) for name in expected)


def _in_enum(value: Any, expected: Any, node: Mapping[str, Any], root: Mapping[str, Any]) -> bool:
    return isinstance(value, _SCALAR_TYPES) and any(
        type(choice) is type(value) and choice == value for choice in expected
    )


def _properties(value: Any, expected: Any, node: Mapping[str, Any], root: Mapping[str, Any]) -> bool:
    return type(value) is not dict or all(
        conforms(value[key], child, root) for key, child in expected.items() if key in value
    )


def _additional(value: Any, expected: Any, node: Mapping[str, Any], root: Mapping[str, Any]) -> bool:
    known = node.get("properties", {})
    return type(value) is not dict or all(
        conforms(item, expected, root) for key, item in value.items() if key not in known
    )


def _items(value: Any, expected: Any, node: Mapping[str, Any], root: Mapping[str, Any]) -> bool:
    return type(value) is not list or all(conforms(item, expected, root) for item in value)


def _branch(value: Any, expected: Any, node: Mapping[str, Any], root: Mapping[str, Any]) -> bool:
    # `then` and `else` both holding is enough whichever way `if` goes, so `if` itself needs no check.
    return conforms(value, expected, root)


def _reference(value: Any, expected: Any, node: Mapping[str, Any], root: Mapping[str, Any]) -> bool:
    # Only plain pointers into the same schema; escaped or remote ones are jsonschema's to follow.
    if not isinstance(expected, str) or not expected.startswith("#/") or "~" in expected or "%" in expected:
        return False
    target: Any = root
    for part in expected[2:].split("/"):
        if not isinstance(target, dict) or part not in target:
            return False
        target = target[part]
    return conforms(value, target, root)


def _constraint(
    kind: tuple[type, ...], measure: Callable[[Any], Any], holds: Callable[[Any, Any], bool]
) -> Check:
    """A keyword that constrains values of one kind (JSON Schema lets the others pass it)."""

    def check(value: Any, expected: Any, node: Mapping[str, Any], root: Mapping[str, Any]) -> bool:
        return type(value) not in kind or holds(measure(value), expected)

    return check


def _identity(value: Any) -> Any:
    return value


_CHECKS: dict[str, Check] = {
    "type": _of_type,
    "enum": _in_enum,
    "properties": _properties,
    "additionalProperties": _additional,
    "items": _items,
    "$ref": _reference,
    "if": lambda value, expected, node, root: True,
    "then": _branch,
    "else": _branch,
    "required": _constraint((dict,), _identity, lambda value, keys: all(key in value for key in keys)),
    "minimum": _constraint((int, float), _identity, operator.ge),
    "maximum": _constraint((int, float), _identity, operator.le),
    "minLength": _constraint((str,), len, operator.ge),
    "maxLength": _constraint((str,), len, operator.le),
    "minItems": _constraint((list,), len, operator.ge),
    "minProperties": _constraint((dict,), len, operator.ge),
    "pattern": _constraint((str,), _identity, lambda text, pattern: re.search(pattern, text) is not None),
}


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
    FieldClass.PASSED_THROUGH: (
        "is kept as it is set in the dashboard: igops copies it unchanged into every "
        "update and does not manage it from files"
    ),
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
    if keyword == "minProperties":
        fields = ", ".join(_subschema(error).get("properties", {}))
        if not fields:  # a mapping of names the file chooses, such as igops.yaml's stores
            return "needs at least one entry." if expected == 1 else f"needs at least {expected} entries."
        return (
            f"needs at least one of its fields ({fields})." if expected == 1 else f"needs {expected} of them."
        )
    if keyword == "pattern" and expected == load_schema(EXPERIENCE_SCHEMA)["$defs"]["uuid"]["pattern"]:
        return f"{quote(value)} is not a UUID (like 0b6c1a52-4f1e-4c3e-9a57-2d0e5f6a7b8c)."
    if keyword == "pattern":
        return f"{quote(value)} is not of the expected form: {_subschema(error).get('description', expected)}"
    return f"{value!r:.60} is not allowed here ({keyword})."


def _enum_sentence(value: Any, choices: list[Any], path: JsonPath) -> str:
    shown = quote(value) if isinstance(value, str) else _describe(value)
    if path == ("type",) and isinstance(value, str) and value in NOT_CREATABLE_TYPES:
        return (
            f"{shown} experiences cannot be created through the Intelligems API, so igops cannot "
            f"manage them; use one of {_choices(choices)}."
        )
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
