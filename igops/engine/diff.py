"""Field-level differences between two canonical experiences, with paths people can read.

Variations are compared by name, so a difference reads `variations["Free shipping"].percentage`
whatever the variations' order; a change of order is one difference of its own. Everything
else compares by key, and lists inside a variation (edits, redirects) by position.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from deepdiff import DeepDiff
from deepdiff.helper import NotPresent

from igops.model import FieldChange

VARIATION_ORDER_PATH = "variations (order)"
_REPORTS = (
    "values_changed", "type_changes", "dictionary_item_added", "dictionary_item_removed",
    "iterable_item_added", "iterable_item_removed",
)


def field_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[FieldChange, ...]:
    """What must change to turn `before` (live) into `after` (the file)."""
    changes = []
    before_names = _variation_names(before)
    after_names = _variation_names(after)
    shared = [name for name in after_names if name in before_names]
    if [name for name in before_names if name in after_names] != shared:
        changes.append(FieldChange(VARIATION_ORDER_PATH, before_names, after_names))
    tree = DeepDiff(_by_name(before), _by_name(after), view="tree", ignore_numeric_type_changes=True)
    for report in _REPORTS:
        for level in tree.get(report, []):
            changes.append(FieldChange(
                readable_path(level.path(output_format="list")), _value(level.t1), _value(level.t2)))
    return tuple(sorted(changes, key=lambda change: change.path))


def readable_path(parts: list[str | int]) -> str:
    """`['variations', 'B', 'onsiteEdits', 0, 'replace']` -> `variations["B"].onsiteEdits[0].replace`."""
    text = ""
    for index, part in enumerate(parts):
        if isinstance(part, int):
            text += f"[{part}]"
        elif (index == 1 and parts[0] == "variations") or not part.isidentifier():
            text += "[" + _quote(part) + "]"
        else:
            text += f".{part}" if text else part
    return text


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _variation_names(experience: Mapping[str, Any]) -> list[str]:
    return [variation["name"] for variation in experience.get("variations", [])]


def _by_name(experience: Mapping[str, Any]) -> dict[str, Any]:
    keyed = dict(experience)
    keyed["variations"] = {variation["name"]: variation for variation in experience.get("variations", [])}
    return keyed


def _value(value: Any) -> Any:
    return None if isinstance(value, NotPresent) else value
