"""What each operation accepts: the description's request schemas (request_schemas.py) as shapes.

A shape checks a value and normalizes it the way the API reads it: defaults filled in, keys the
schema does not declare dropped. So a request is refused exactly when the description calls it
invalid, and the rules the description states only in prose are checked apart (rules.py).
Parameters arrive as text: integers and booleans are read from it before they are checked.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from .errors import validation_error
from .request_schemas import SCHEMAS
from .shapes import (
    MISSING,
    Arr,
    Bool,
    Const,
    Either,
    Freeform,
    Issues,
    Keyed,
    Num,
    Obj,
    Prop,
    Shape,
    Str,
    Tagged,
)
from .write_schema import OMITTED

Schema = Mapping[str, Any]

# Every keyword the request schemas use. One the emulator does not know stops it from starting,
# rather than being ignored: it could refuse values the emulator would wrongly accept.
_KEYWORDS = frozenset(
    {
        "type",
        "enum",
        "const",
        "default",
        "format",
        "pattern",
        "minLength",
        "maxLength",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "items",
        "minItems",
        "properties",
        "required",
        "additionalProperties",
        "propertyNames",
        "anyOf",
        "oneOf",
    }
)
_NULL = {"type": "null"}

# Where the description's prose is kinder than its schema, the prose is what the API does:
# any conversion-funnel entry point it does not know (of any type) means device_type.
_AS_THE_PROSE_SAYS: dict[str, dict[str, Schema]] = {"getSitewideConversionFunnel": {"entryPoint": {}}}

# How a parameter's text is read, by the type of its schema (no other type is described).
_INTEGER_TEXT = re.compile(r"-?[0-9]{1,20}")
_BOOLEAN_TEXT = {"true": True, "false": False}
_PARAMETER_KINDS = ("string", "integer", "boolean")


def compile_schema(schema: Schema, omitted: Mapping[str, Any] | None = None) -> Shape:
    """The shape accepting exactly the values `schema` accepts.

    `omitted` maps fields, named as the schema nests them ("experience.variations[].offer"),
    to the value a value without them gets where the schema names no default of its own.
    """
    compiler = _Compiler(omitted or {})
    shape = compiler.shape(schema, "")
    unused = set(compiler.omitted) - compiler.used
    if unused:
        raise ValueError(f"fields the request schema does not have: {sorted(unused)}")
    return shape


class _Compiler:
    def __init__(self, omitted: Mapping[str, Any]) -> None:
        self.omitted = omitted
        self.used: set[str] = set()

    def shape(self, schema: Schema, pattern: str, *, nullable: bool = False) -> Shape:
        """The shape of the field `pattern`, accepting `null` too when `nullable`."""
        unknown = set(schema) - _KEYWORDS
        if unknown:
            raise ValueError(f"request schema keywords the emulator does not know: {sorted(unknown)}")
        if "anyOf" in schema or "oneOf" in schema:
            return self.union(schema, pattern, nullable)
        kind = schema.get("type")
        if "const" in schema:
            return Const(schema["const"], nullable=nullable)
        if kind == "string":
            return Str(
                enum=tuple(schema["enum"]) if "enum" in schema else None,
                min_length=schema.get("minLength", 0),
                max_length=schema.get("maxLength"),
                pattern=schema.get("pattern"),
                format=schema.get("format"),
                nullable=nullable,
            )
        if kind in ("number", "integer"):
            return Num(
                integer=kind == "integer",
                minimum=schema.get("minimum"),
                maximum=schema.get("maximum"),
                exclusive_minimum=schema.get("exclusiveMinimum"),
                nullable=nullable,
            )
        if kind == "boolean":
            return Bool(nullable=nullable)
        if kind == "array":
            items = self.shape(schema["items"], f"{pattern}[]")
            return Arr(items, min_items=schema.get("minItems", 0), nullable=nullable)
        if kind == "object":
            return self.object(schema, pattern, nullable)
        if kind is None and not schema:
            return Freeform(nullable=True)
        raise ValueError(f"a request schema the emulator cannot check: {dict(schema)}")

    def union(self, schema: Schema, pattern: str, nullable: bool) -> Shape:
        alternatives = schema.get("anyOf") or schema["oneOf"]
        kept = [alternative for alternative in alternatives if alternative != _NULL]
        nullable = nullable or len(kept) < len(alternatives)
        if len(kept) == 1:
            return self.shape(kept[0], pattern, nullable=nullable)
        shapes = [self.shape(alternative, pattern) for alternative in kept]
        tag = _tag(kept)
        if tag is not None:
            # Alternatives that all have the tag among their properties compiled to objects.
            return Tagged(tag, *(cast(Obj, shape) for shape in shapes), nullable=nullable)
        if "oneOf" in schema:
            # Either takes the first alternative that fits, oneOf wants exactly one: the same
            # only when the alternatives exclude each other, as distinct tags make them.
            raise ValueError(f"a oneOf whose alternatives no tag tells apart, at {pattern}")
        return Either(*shapes, nullable=nullable)

    def object(self, schema: Schema, pattern: str, nullable: bool) -> Shape:
        if "properties" not in schema:
            # A map: JSON object keys are always strings, so that is all a key schema may ask.
            if schema.get("propertyNames", {"type": "string"}) != {"type": "string"}:
                raise ValueError(f"a key schema the emulator cannot check, at {pattern}")
            values = self.shape(schema.get("additionalProperties", {}), f"{pattern}{{}}")
            return Keyed(values, nullable=nullable)
        required = set(schema.get("required", ()))
        props = {}
        for name, field in schema["properties"].items():
            where = f"{pattern}.{name}" if pattern else name
            props[name] = Prop(self.shape(field, where), name in required, self.default(field, where))
        return Obj(props, nullable=nullable)

    def default(self, field: Schema, pattern: str) -> Any:
        if "default" in field:
            return field["default"]
        if pattern in self.omitted:
            self.used.add(pattern)
            return self.omitted[pattern]
        return MISSING


def _tag(alternatives: list[Schema]) -> str | None:
    """The property every alternative object requires with a constant of its own, if any."""
    if not all(alternative.get("type") == "object" for alternative in alternatives):
        return None
    for name in alternatives[0].get("properties", {}):
        values = [
            alternative["properties"].get(name, {}).get("const")
            if name in alternative.get("required", ())
            else None
            for alternative in alternatives
        ]
        if all(isinstance(value, str) for value in values) and len(set(values)) == len(values):
            return str(name)
    return None


@dataclass(frozen=True)
class Parameter:
    name: str
    location: str  # "path" or "query"
    required: bool
    kind: str  # the schema's type, which says how to read the text
    shape: Shape
    default: Any

    def read(self, text: str) -> Any:
        """The value `text` stands for; text that stands for none is checked as it is."""
        if self.kind == "integer" and _INTEGER_TEXT.fullmatch(text):
            return int(text)
        if self.kind == "boolean":
            return _BOOLEAN_TEXT.get(text, text)
        return text


@dataclass(frozen=True)
class Accepted:
    """A request the description calls valid: its parameters read, its body normalized."""

    params: dict[str, Any]
    body: dict[str, Any]
    sent: dict[str, Any]  # the body as it came


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # with the description's names of its parameters: /v25-10-beta/experiences/{experienceId}
    parameters: tuple[Parameter, ...]
    body: Shape | None

    def accept(self, path: Mapping[str, str], query: Mapping[str, str], body: dict[str, Any]) -> Accepted:
        """The request's values, or ErrorAnswer (400) naming every field the description refuses."""
        issues = Issues()
        params: dict[str, Any] = {}
        for parameter in self.parameters:
            given = (path if parameter.location == "path" else query).get(parameter.name)
            if given is None:
                if parameter.required:
                    issues.add(parameter.name, "Required")
                elif parameter.default is not MISSING:
                    params[parameter.name] = parameter.default
                continue
            params[parameter.name] = parameter.shape.clean(parameter.read(given), parameter.name, issues)
        cleaned = {} if self.body is None else self.body.clean(body, "", issues)
        if issues:
            raise validation_error(issues)
        return Accepted(params, cleaned, body)


@functools.cache
def operation(operation_id: str) -> Operation:
    """The operation of the description with this id, ready to check requests."""
    described = SCHEMAS[operation_id]
    for parameter in described["parameters"]:
        if parameter["schema"].get("type") not in _PARAMETER_KINDS:
            raise ValueError(f"a parameter the emulator cannot read: {parameter['name']} of {operation_id}")
    parameters = tuple(
        Parameter(
            name=parameter["name"],
            location=parameter["in"],
            required=parameter["required"],
            kind=parameter["schema"]["type"],
            shape=compile_schema(parameter["schema"]),
            default=parameter["schema"].get("default", MISSING),
        )
        for parameter in described["parameters"]
    )
    body = described["body"]
    if body is not None:
        body = {**body, "properties": {**body["properties"], **_AS_THE_PROSE_SAYS.get(operation_id, {})}}
    shape = None if body is None else compile_schema(body, OMITTED.get(operation_id))
    return Operation(described["method"], described["path"], parameters, shape)
