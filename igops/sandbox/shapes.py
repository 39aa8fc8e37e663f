"""A small vocabulary for checking and normalizing JSON request bodies.

Each shape both validates a value and returns its normalized form: defaults filled in,
unknown object keys dropped (the API ignores them), integers made ints. Problems are
collected per field path rather than raised, so one answer can name every bad field.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# What the named formats of JSON Schema accept (RFC 4122 and RFC 3339: seconds are not optional).
_FORMATS = {
    "uuid": re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE),
    "date-time": re.compile(
        r"[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[Tt]([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)"
        r"(\.[0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])"
    ),
}
_FORMAT_MESSAGES = {"uuid": "Invalid uuid", "date-time": "Invalid datetime"}
# Free-form JSON values are stored and echoed; bounded depth keeps them from exhausting
# the recursion limit when they are serialized later.
MAX_FREEFORM_DEPTH = 32


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


@dataclass
class Issues:
    """Messages per field path (dotted, list indexes as numbers), plus request-level ones."""

    fields: dict[str, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    def add(self, path: str, message: str) -> None:
        self.fields.setdefault(path or "body", []).append(message)

    def __bool__(self) -> bool:
        return bool(self.fields or self.general)

    def merge(self, other: Issues) -> None:
        for path, messages in other.fields.items():
            self.fields.setdefault(path, []).extend(messages)
        self.general.extend(other.general)


def natural(text: str) -> int | None:
    """`text` as a non-negative integer if it is one written in (at most 16) ASCII digits.

    str.isdigit alone accepts digits int() refuses, such as superscripts, and int() refuses
    very long numbers; both would otherwise surface as server errors.
    """
    if text.isascii() and text.isdigit() and len(text) <= 16:
        return int(text)
    return None


def join(path: str, key: str | int) -> str:
    return f"{path}.{key}" if path else str(key)


def json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


class Shape:
    """Base: nullable handling; subclasses implement `_clean` for non-null values."""

    expected = "value"

    def __init__(self, *, nullable: bool = False) -> None:
        self.nullable = nullable

    def clean(self, value: object, path: str, issues: Issues) -> Any:
        if value is None:
            if not self.nullable:
                issues.add(path, f"Expected {self.expected}, received null")
            return None
        return self._clean(value, path, issues)

    def _clean(self, value: Any, path: str, issues: Issues) -> Any:
        raise NotImplementedError


class Str(Shape):
    expected = "string"

    def __init__(
        self,
        *,
        enum: tuple[str, ...] | None = None,
        min_length: int = 0,
        max_length: int | None = None,
        pattern: str | None = None,
        format: str | None = None,
        nullable: bool = False,
    ) -> None:
        super().__init__(nullable=nullable)
        if format is not None and format not in _FORMATS:
            raise ValueError(f"unknown string format {format!r}")
        self.enum = enum
        self.min_length = min_length
        self.max_length = max_length
        self.pattern = None if pattern is None else _ecmascript(pattern)
        self.format = format

    def _clean(self, value: Any, path: str, issues: Issues) -> Any:
        if not isinstance(value, str):
            issues.add(path, f"Expected string, received {json_type(value)}")
        elif self.enum is not None and value not in self.enum:
            options = " | ".join(f"'{option}'" for option in self.enum)
            issues.add(path, f"Invalid enum value. Expected {options}, received '{value[:100]}'")
        elif len(value) < self.min_length:
            issues.add(path, f"String must contain at least {self.min_length} character(s)")
        elif self.max_length is not None and len(value) > self.max_length:
            issues.add(path, f"String must contain at most {self.max_length} character(s)")
        elif self.format is not None and not _FORMATS[self.format].fullmatch(value):
            issues.add(path, _FORMAT_MESSAGES[self.format])
        elif self.pattern is not None and not self.pattern.search(value):
            issues.add(path, _FORMAT_MESSAGES.get(self.format or "", "Invalid format"))
        return value


def _ecmascript(pattern: str) -> re.Pattern[str]:
    """A JSON Schema pattern (an ECMAScript regular expression) as Python's `re` reads it.

    ECMAScript's `\\d` is ASCII only, and its `$` matches only at the very end, where Python's
    also matches before a final line break: ASCII mode, and `$` outside classes made `\\Z`.
    """
    translated, escaped, in_class = [], False, False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char in "[]":
            in_class = char == "["
        elif char == "$" and not in_class:
            char = "\\Z"
        translated.append(char)
    return re.compile("".join(translated), re.ASCII)


class Num(Shape):
    expected = "number"

    def __init__(
        self,
        *,
        integer: bool = False,
        minimum: float | None = None,
        maximum: float | None = None,
        exclusive_minimum: float | None = None,
        nullable: bool = False,
    ) -> None:
        super().__init__(nullable=nullable)
        self.integer = integer
        self.minimum = minimum
        self.maximum = maximum
        self.exclusive_minimum = exclusive_minimum
        if integer:
            self.expected = "integer"

    def _clean(self, value: Any, path: str, issues: Issues) -> Any:
        # bool is an int subclass in Python but never a JSON number.
        if isinstance(value, bool) or not isinstance(value, int | float):
            issues.add(path, f"Expected {self.expected}, received {json_type(value)}")
            return value
        # JSON numbers are doubles to every other client: refuse what a double cannot hold.
        if not math.isfinite(value) if isinstance(value, float) else abs(value) > sys.float_info.max:
            issues.add(path, "Number must be finite")
            return value
        if self.integer:
            if isinstance(value, float) and not value.is_integer():
                issues.add(path, "Expected integer, received float")
                return value
            value = int(value)
        if self.minimum is not None and value < self.minimum:
            issues.add(path, f"Number must be greater than or equal to {self.minimum:g}")
        elif self.exclusive_minimum is not None and value <= self.exclusive_minimum:
            issues.add(path, f"Number must be greater than {self.exclusive_minimum:g}")
        elif self.maximum is not None and value > self.maximum:
            issues.add(path, f"Number must be less than or equal to {self.maximum:g}")
        return value


class Bool(Shape):
    expected = "boolean"

    def _clean(self, value: Any, path: str, issues: Issues) -> Any:
        if not isinstance(value, bool):
            issues.add(path, f"Expected boolean, received {json_type(value)}")
        return value


class Const(Shape):
    def __init__(self, value: str, *, nullable: bool = False) -> None:
        super().__init__(nullable=nullable)
        self.value = value
        self.expected = f"'{value}'"

    def _clean(self, value: Any, path: str, issues: Issues) -> Any:
        if value != self.value:
            issues.add(path, f"Invalid literal value, expected '{self.value}'")
        return value


class Freeform(Shape):
    """Any JSON value the API stores as given (bounded in depth)."""

    def _clean(self, value: Any, path: str, issues: Issues) -> Any:
        if _depth(value) > MAX_FREEFORM_DEPTH:
            issues.add(path, f"Value nests deeper than {MAX_FREEFORM_DEPTH} levels")
        return value


def _depth(value: Any) -> int:
    stack = [(value, 1)]
    deepest = 0
    while stack:
        current, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > MAX_FREEFORM_DEPTH:
            break
        if isinstance(current, dict):
            stack.extend((item, depth + 1) for item in current.values())
        elif isinstance(current, list):
            stack.extend((item, depth + 1) for item in current)
    return deepest


class Either(Shape):
    """The first alternative that accepts the value wins.

    When none does, but exactly one failed only below the value itself (it is the right kind of
    value, with bad contents), its messages are the useful ones: they name the nested field.
    """

    def __init__(self, *alternatives: Shape, nullable: bool = False) -> None:
        super().__init__(nullable=nullable)
        self.alternatives = alternatives
        self.expected = " or ".join(alternative.expected for alternative in alternatives)

    def _clean(self, value: Any, path: str, issues: Issues) -> Any:
        nested: list[Issues] = []
        for alternative in self.alternatives:
            trial = Issues()
            cleaned = alternative.clean(value, path, trial)
            if not trial:
                return cleaned
            if path not in trial.fields:
                nested.append(trial)
        if len(nested) == 1:
            issues.merge(nested[0])
        else:
            issues.add(path, f"Expected {self.expected}, received {json_type(value)}")
        return value


class Tagged(Shape):
    """One of several object shapes, chosen by the constant value of one property (`tag`).

    Choosing by the tag, rather than trying each shape, lets a refusal name the bad field inside
    the chosen shape instead of only saying that no shape fits.
    """

    expected = "object"

    def __init__(self, tag: str, *variants: Obj, nullable: bool = False) -> None:
        super().__init__(nullable=nullable)
        self.tag = tag
        # Each variant declares its own tag as a Const property, so the cleaned value keeps it.
        self.variants = {_const(variant.props[tag].shape): variant for variant in variants}

    def _clean(self, value: Any, path: str, issues: Issues) -> Any:
        if not isinstance(value, dict):
            issues.add(path, f"Expected object, received {json_type(value)}")
            return value
        kind = value.get(self.tag)
        variant = self.variants.get(kind) if isinstance(kind, str) else None
        if variant is None:
            options = " | ".join(f"'{option}'" for option in self.variants)
            issues.add(join(path, self.tag), f"Invalid discriminator value. Expected {options}")
            return value
        return variant.clean(value, path, issues)


def _const(shape: Shape) -> str:
    assert isinstance(shape, Const), f"a tag property must be a Const, not {type(shape).__name__}"
    return shape.value


class Arr(Shape):
    expected = "array"

    def __init__(self, item: Shape, *, min_items: int = 0, nullable: bool = False) -> None:
        super().__init__(nullable=nullable)
        self.item = item
        self.min_items = min_items

    def _clean(self, value: Any, path: str, issues: Issues) -> Any:
        if not isinstance(value, list):
            issues.add(path, f"Expected array, received {json_type(value)}")
            return value
        if len(value) < self.min_items:
            issues.add(path, f"Array must contain at least {self.min_items} element(s)")
        return [self.item.clean(item, join(path, index), issues) for index, item in enumerate(value)]


class Keyed(Shape):
    """An object whose keys are free and whose every value has one shape (a map)."""

    expected = "object"

    def __init__(self, item: Shape, *, nullable: bool = False) -> None:
        super().__init__(nullable=nullable)
        self.item = item

    def _clean(self, value: Any, path: str, issues: Issues) -> Any:
        if not isinstance(value, dict):
            issues.add(path, f"Expected object, received {json_type(value)}")
            return value
        return {key: self.item.clean(item, join(path, key), issues) for key, item in value.items()}


@dataclass(frozen=True)
class Prop:
    """One object property: its shape, whether it must be present, and its default."""

    shape: Shape
    required: bool = False
    default: Any = MISSING


class Obj(Shape):
    expected = "object"

    def __init__(self, props: Mapping[str, Prop], *, nullable: bool = False) -> None:
        super().__init__(nullable=nullable)
        self.props = dict(props)

    def _clean(self, value: Any, path: str, issues: Issues) -> Any:
        if not isinstance(value, dict):
            issues.add(path, f"Expected object, received {json_type(value)}")
            return value
        cleaned: dict[str, Any] = {}
        for name, prop in self.props.items():
            where = join(path, name)
            if name in value:
                cleaned[name] = prop.shape.clean(value[name], where, issues)
            elif prop.required:
                issues.add(where, "Required")
            elif prop.default is not MISSING:
                # Defaults are immutable values or fresh copies, never shared between bodies.
                cleaned[name] = _copy(prop.default)
        return cleaned


def _copy(value: Any) -> Any:
    if isinstance(value, list):
        return [_copy(item) for item in value]
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    return value
