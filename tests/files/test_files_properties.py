"""Property tests: generated valid experiences pass, and any mutation of one is reported, never raised."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.api_shape import CREATE_PATH, api_experience_schema, create_body
from support.files import FILE, check, dump, messages
from support.openapi import request_validator, schema_errors
from support.strategies import experiences

from igops.files import FileResult, check_text
from igops.files.discovery import decode

YAML_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(experiences())
def test_generated_valid_experiences_validate(document: dict[str, Any]) -> None:
    result = check(document)
    assert not result.errors, messages(result)
    desired = result.experience
    assert desired is not None
    assert (desired.name, desired.type, desired.status) == (
        document["name"],
        document["type"],
        document["status"],
    )
    assert (desired.winner, desired.id) == (document.get("winner"), document.get("id"))
    assert dict(desired.body) == {
        key: value for key, value in document.items() if key not in ("status", "winner", "id")
    }


@pytest.fixture(scope="module")
def api_schema() -> tuple[dict[str, Any], dict[str, Any]]:
    return api_experience_schema()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=experiences())
def test_generated_valid_experiences_are_acceptable_create_bodies(
    api_schema: tuple[dict[str, Any], dict[str, Any]], document: dict[str, Any]
) -> None:
    body = create_body(document, *api_schema)
    assert schema_errors(request_validator("POST", CREATE_PATH), body) == []


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, (*prefix, index))
    return found


scalars = st.none() | st.booleans() | st.integers(-(10**20), 10**20) | st.text(max_size=20)
json_values = st.recursive(
    scalars | st.floats(allow_nan=False, allow_infinity=False),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=12), children, max_size=3)
    ),
    max_leaves=8,
)


@st.composite
def structural_mutations(draw: st.DrawFn) -> str:
    document = draw(experiences())
    target = draw(st.sampled_from(_paths(document)[1:]))
    parent: Any = document
    for part in target[:-1]:
        parent = parent[part]
    action = draw(st.sampled_from(["delete", "replace", "add key"]))
    if action == "delete":
        del parent[target[-1]]
    elif action == "replace":
        parent[target[-1]] = draw(json_values)
    elif isinstance(parent[target[-1]], dict):
        parent[target[-1]][draw(st.text(min_size=1, max_size=15))] = draw(json_values)
    return dump(document)


@st.composite
def textual_mutations(draw: st.DrawFn) -> str:
    lines = dump(draw(experiences())).splitlines(keepends=True)
    where = draw(st.integers(0, len(lines) - 1))
    action = draw(st.sampled_from(["drop line", "repeat line", "tab", "splice", "truncate"]))
    if action == "drop line":
        del lines[where]
    elif action == "repeat line":
        lines.insert(where, lines[where])
    elif action == "tab":
        lines[where] = "\t" + lines[where]
    elif action == "splice":
        column = draw(st.integers(0, len(lines[where])))
        lines[where] = lines[where][:column] + draw(st.text(max_size=8)) + lines[where][column:]
    else:
        lines = [*lines[:where], lines[where][: draw(st.integers(0, len(lines[where])))]]
    return "".join(lines)


def _assert_located(result: FileResult, source: str) -> None:
    last_line = len(YAML_LINE_BREAK.split(source))
    for error in result.errors:
        assert 1 <= error.position.line <= last_line and error.position.column >= 1, error
        assert error.message and "\n" not in error.message and error.message.endswith("."), error
        assert str(error).startswith(f"{FILE}:{error.position.line}:{error.position.column}: $"), error
    assert (result.experience is None) or all(error.file == FILE for error in result.errors)


@FAST
@given(structural_mutations() | textual_mutations())
def test_mutations_give_located_errors_not_exceptions(source: str) -> None:
    _assert_located(check_text(source, FILE), source)


@FAST
@given(st.binary(max_size=200))
def test_arbitrary_bytes_give_located_errors_not_exceptions(data: bytes) -> None:
    decoded = decode(FILE, data)
    if isinstance(decoded, str):
        _assert_located(check_text(decoded, FILE), decoded)
    else:
        assert decoded.position.line >= 1 and decoded.message.endswith(".")
