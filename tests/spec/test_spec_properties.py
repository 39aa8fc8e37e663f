"""Property tests: generated valid experiences pass, and any mutation of one is reported, never raised.

Enum values come from the schema itself, so the generators follow it when it changes.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from api_shape import CREATE_PATH, api_experience_schema, create_body
from fixtures import FILE, TYPES, check, dump, messages, offer, redirect
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi_support import request_validator, schema_errors

from igops.schemas import EXPERIENCE_SCHEMA, load_schema
from igops.spec import FileResult, check_text
from igops.spec.files import decode

SCHEMA = load_schema(EXPERIENCE_SCHEMA)
DEFS = SCHEMA["$defs"]
YAML_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Printable text: PyYAML's emitter garbles line separators such as U+0085 inside quoted
# scalars, which would test the emitter rather than igops.
printable = st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"))
text = st.text(printable, min_size=1, max_size=30)
url = st.from_regex(r"\A/[a-z0-9/_-]{0,20}\Z")


def _enum(definition: str, field: str) -> st.SearchStrategy[Any]:
    values = DEFS[definition]["properties"][field]["enum"]
    return st.sampled_from([value for value in values if value is not None])


def _edit() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {"find": text, "replace": st.text(printable, max_size=30)},
        optional={"onsiteEditType": _enum("onsiteEdit", "onsiteEditType"),
                  "querySelectors": st.lists(text, max_size=2),
                  "insertType": _enum("onsiteEdit", "insertType"), "isRegex": st.booleans(), "title": text},
    )


def _redirect(**flags: Any) -> st.SearchStrategy[dict[str, Any]]:
    return st.builds(lambda origin, destination, match: redirect(originUrl=origin, destinationUrl=destination,
                                                                 filter=match, **flags),
                     url, url, _enum("redirect", "filter"))


def _template_redirect() -> st.SearchStrategy[dict[str, Any]]:
    kinds = _enum("redirect", "templateType").filter(bool)
    return st.builds(lambda kind, suffixes, base: base | {"templateType": kind, "templateSuffixes": suffixes},
                     kinds, st.lists(text, min_size=1, max_size=2), _redirect(isTemplateTest=True))


def _tier() -> st.SearchStrategy[dict[str, Any]]:
    amount = st.integers(0, 100)
    return st.fixed_dictionaries({"minimumUnits": amount, "maximumUnits": amount, "unitDiscount": amount})


CHANGES: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "content/onsiteEdits": st.fixed_dictionaries({"onsiteEdits": st.lists(_edit(), min_size=1, max_size=3)}),
    "content/advanced": st.fixed_dictionaries({"onsiteInjection": st.fixed_dictionaries(
        {"customCss": text}, optional={"customJs": text, "jsInjectionMode": st.fixed_dictionaries(
            {"type": st.sampled_from(["immediately", "onWindowLoad"])})})}),
    "content/url": st.fixed_dictionaries({"redirects": st.lists(_redirect(), min_size=1, max_size=2)}),
    "content/theme": st.fixed_dictionaries({"redirects": st.lists(_redirect(isThemeTest=True), min_size=1,
                                                                  max_size=2)}),
    "content/template": st.fixed_dictionaries({"redirects": st.lists(_template_redirect(), min_size=1,
                                                                     max_size=2)}),
    "personalization": st.fixed_dictionaries({"onsiteEdits": st.lists(_edit(), min_size=1, max_size=2)}),
    "personalization/offer": st.builds(
        lambda tiers, kind: {"offer": offer(tiers=tiers, discountType=kind)},
        st.lists(_tier(), max_size=3), _enum("offer", "discountType"),
    ),
}
assert set(CHANGES) == set(TYPES)


@st.composite
def experiences(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(TYPES))
    count = draw(st.integers(1, 5))
    names = draw(st.lists(text, min_size=count, max_size=count, unique=True))
    cuts = sorted(draw(st.lists(st.integers(0, 100), min_size=count - 1, max_size=count - 1)))
    shares = [high - low for low, high in zip([0, *cuts], [*cuts, 100], strict=True)]
    control = draw(st.integers(0, count - 1))
    variations = [
        {"name": name, "percentage": share, "isControl": True} if index == control
        else {"name": name, "percentage": share, **draw(CHANGES[kind])}
        for index, (name, share) in enumerate(zip(names, shares, strict=True))
    ]
    status = draw(_enum_top("status"))
    document: dict[str, Any] = {"name": draw(text), "type": kind, "status": status, "variations": variations}
    if status == "ended" and draw(st.booleans()):
        document["winner"] = draw(st.sampled_from(names))
    if draw(st.booleans()):
        document["id"] = str(draw(st.uuids(version=4)))
    if draw(st.booleans()):
        document["description"] = draw(st.none() | st.text(printable, max_size=80))
    metrics = draw(st.lists(_enum("keyMetric", "standardEventId"), unique=True, max_size=3))
    if metrics:
        document["experienceKeyMetrics"] = [
            {"standardEventId": metric, **({"isPrimary": True} if index == 0 else {})}
            for index, metric in enumerate(metrics)
        ]
    if draw(st.booleans()):
        views = SCHEMA["properties"]["experienceAnalysis"]["properties"]["analyticsViewType"]["enum"]
        document["experienceAnalysis"] = {"analyticsViewType": draw(st.sampled_from(views))}
    return document


def _enum_top(field: str) -> st.SearchStrategy[str]:
    return st.sampled_from(SCHEMA["properties"][field]["enum"])


@FAST
@given(experiences())
def test_generated_valid_experiences_validate(document: dict[str, Any]) -> None:
    result = check(document)
    assert not result.errors, messages(result)
    desired = result.experience
    assert desired is not None
    assert (desired.name, desired.type, desired.status) == (document["name"], document["type"],
                                                            document["status"])
    assert (desired.winner, desired.id) == (document.get("winner"), document.get("id"))
    assert dict(desired.body) == {key: value for key, value in document.items()
                                  if key not in ("status", "winner", "id")}


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
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.text(max_size=12), children, max_size=3),
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
