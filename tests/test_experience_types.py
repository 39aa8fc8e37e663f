"""The one table of experience types agrees with the file schema, the emulator and the API description."""

from __future__ import annotations

from typing import Any

from support.openapi import require_spec

from igops.experience_types import BY_NAME, CREATABLE_TYPES, EXPERIENCE_TYPES
from igops.files.rules import file_findings
from igops.sandbox import write_schema as emulator
from igops.schemas import EXPERIENCE_SCHEMA, load_schema


def test_files_may_have_exactly_the_creatable_types() -> None:
    assert set(load_schema(EXPERIENCE_SCHEMA)["properties"]["type"]["enum"]) == CREATABLE_TYPES


def test_the_emulator_creates_the_same_types_and_knows_no_other() -> None:
    assert emulator.CREATABLE_TYPES == CREATABLE_TYPES
    assert set(emulator.EXPERIENCE_TYPES) <= set(BY_NAME)


def test_every_creatable_type_says_what_its_variations_need_and_is_checked() -> None:
    for kind in EXPERIENCE_TYPES:
        assert (kind.present is not None and bool(kind.needs)) == kind.creatable, kind.name
    bare = {"name": "B", "percentage": 50}
    for name in CREATABLE_TYPES:
        document = {"type": name, "variations": [{"name": "A", "percentage": 50, "isControl": True}, bare]}
        messages = [message for _, message in file_findings({**document, "status": "draft", "name": "x"})]
        assert any(BY_NAME[name].needs in message for message in messages), name


def _type_enums(node: Any) -> list[set[str]]:
    found = []
    if isinstance(node, dict):
        kind = node.get("properties", {}).get("type")
        if isinstance(kind, dict) and "content/url" in kind.get("enum", ()):
            found.append(set(kind["enum"]))
        for child in node.values():
            found += _type_enums(child)
    elif isinstance(node, list):
        for child in node:
            found += _type_enums(child)
    return found


def test_every_type_the_api_describes_is_in_the_table() -> None:
    enums = _type_enums(require_spec())
    assert enums, "the description names experience types"
    assert set().union(*enums) == set(BY_NAME)
