"""The schema's fast path: it passes valid files without jsonschema, and is never wrong when it does."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from support.schema_strategies import schema_experiences

from igops.files import schema as schema_module
from igops.files.schema import conforms
from igops.files.yamldoc import parse
from igops.schemas import CONFIG_SCHEMA, EXPERIENCE_SCHEMA, load_schema

REPO = Path(__file__).resolve().parents[2]
EXPERIENCE = load_schema(EXPERIENCE_SCHEMA)
VALIDATOR = Draft202012Validator(EXPERIENCE)
# Values that look alike to Python and differ to JSON Schema, and values at the edges of bounds.
ODD_VALUES = st.sampled_from(
    [
        True,
        False,
        0,
        1,
        1.0,
        -1,
        50.5,
        100,
        101,
        10**12,
        "",
        "x",
        "X" * 300,
        None,
        [],
        [None],
        {},
        {"x": 1},
        "0b6c1a52-4f1e-4c3e-9a57-2d0e5f6a7b8c",
        "onWindowLoad",
    ]
)
ADDED_KEYS = st.sampled_from(["name", "type", "unknownField", "percentage", "enabled"])


def _containers(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [value, *(found for item in value.values() for found in _containers(item))]
    if isinstance(value, list):
        return [value, *(found for item in value for found in _containers(item))]
    return []


@st.composite
def spoiled(draw: st.DrawFn) -> dict[str, Any]:
    """A valid experience with one value replaced, one key dropped or one key added, anywhere."""
    document = copy.deepcopy(draw(schema_experiences()))
    holder = draw(st.sampled_from(_containers(document)))
    if isinstance(holder, list):
        if holder:
            holder[draw(st.integers(0, len(holder) - 1))] = draw(ODD_VALUES)
        else:
            holder.append(draw(ODD_VALUES))
        return document
    action = draw(st.sampled_from(["replace", "drop", "add"]))
    if action == "add" or not holder:
        holder[draw(ADDED_KEYS)] = draw(ODD_VALUES)
    else:
        key = draw(st.sampled_from(sorted(holder)))
        if action == "drop":
            del holder[key]
        else:
            holder[key] = draw(ODD_VALUES)
    return document


@settings(max_examples=300, deadline=None)
@given(spoiled())
def test_the_fast_path_passes_only_what_jsonschema_passes(document: dict[str, Any]) -> None:
    assert not conforms(document, EXPERIENCE, EXPERIENCE) or VALIDATOR.is_valid(document)


@settings(max_examples=50, deadline=None)
@given(schema_experiences())
def test_files_the_schema_generates_take_the_fast_path(document: dict[str, Any]) -> None:
    assert conforms(document, EXPERIENCE, EXPERIENCE)


@pytest.mark.parametrize(
    "path", [*sorted((REPO / "experiences").glob("*.yaml")), REPO / "igops.yaml"], ids=lambda path: path.name
)
def test_the_shipped_files_take_the_fast_path(path: Path) -> None:
    schema = load_schema(CONFIG_SCHEMA if path.name == "igops.yaml" else EXPERIENCE_SCHEMA)
    document = parse(path.read_text(encoding="utf-8"))
    assert document is not None and conforms(document.value, schema, schema)


def test_what_the_fast_path_cannot_tell_goes_to_jsonschema() -> None:
    root = {"$defs": {"n": {"type": "integer"}}}
    assert conforms(2, {"$ref": "#/$defs/n", "description": "two"}, root)
    assert not conforms(2.0, {"type": "integer"}, root)  # an integer to jsonschema, unsure here
    assert not conforms(True, {"enum": [1]}, root) and not conforms([1], {"enum": [[1]]}, root)
    assert not conforms("x", {"format": "email"}, root)  # a keyword it does not know
    assert not conforms(2, {"$ref": "#/$defs/missing"}, root)
    assert not conforms(2, {"$ref": "other.json"}, root) and not conforms(2, {"$ref": "#/$defs/~0"}, root)
    assert not conforms(2, {"$ref": "#/$defs/n/type"}, root)  # a pointer into a value, not a schema
    assert conforms(True, {"minimum": 5, "maxLength": 0, "minItems": 3}, root)  # bounds of other kinds
    assert conforms({"a": 1}, {"additionalProperties": {"type": "integer"}}, root) and conforms(1, True, root)
    nullable_text = {"type": ["string", "null"]}
    assert conforms(None, nullable_text, root) and not conforms(1, nullable_text, root)
    # A condition passes when each branch holds either way; a failing branch is jsonschema's to weigh.
    conditional = {"if": {"type": "integer"}, "then": {"minimum": 5}, "else": {"maxLength": 1}}
    assert conforms(7, conditional, root) and conforms("x", conditional, root)
    assert not conforms(1, conditional, root) and not conforms("xy", conditional, root)
    assert conforms("x", {"contentMediaType": "text/css"}, root)  # an annotation, not a constraint


def test_a_valid_file_is_never_given_to_jsonschema(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(name: str) -> None:
        raise AssertionError("jsonschema called for a valid file")

    monkeypatch.setattr(schema_module, "_validator", refuse)
    document = parse((REPO / "experiences" / "homepage-hero-headline.yaml").read_text(encoding="utf-8"))
    assert document is not None and list(schema_module.schema_findings(document, EXPERIENCE_SCHEMA)) == []
