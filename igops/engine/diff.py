"""Field-level differences between two canonical experiences, with paths people can read.

Variations are compared by name, so a difference reads `variations["Free shipping"].percentage`
whatever the variations' order; a change of order is one difference of its own. Everything
else compares by key, and lists inside a variation (edits, redirects) by position.

DeepDiff finds the differences, but is spared the parts that are plainly equal: most experiences
of a plan, and most fields of the others, are, and DeepDiff takes milliseconds to say so.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from deepdiff import DeepDiff
from deepdiff.helper import NotPresent

from igops.model import FieldChange

VARIATION_ORDER_PATH = "variations (order)"
# What JSON values are made of, besides objects and lists.
_SCALARS = (str, int, float, bool, type(None))
_REPORTS = (
    "values_changed",
    "type_changes",
    "dictionary_item_added",
    "dictionary_item_removed",
    "iterable_item_added",
    "iterable_item_removed",
)


def field_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[FieldChange, ...]:
    """What must change to turn `before` (live) into `after` (the file)."""
    changes = []
    before_names = _variation_names(before)
    after_names = _variation_names(after)
    shared = [name for name in after_names if name in before_names]
    if [name for name in before_names if name in after_names] != shared:
        changes.append(FieldChange(VARIATION_ORDER_PATH, before_names, after_names))
    changes.extend(deep_changes(_by_name(before), _by_name(after)))
    return tuple(sorted(changes, key=lambda change: change.path))


def deep_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[FieldChange]:
    """DeepDiff's differences between two objects, each with its readable path."""
    before, after = shared_parts(before, after)
    if before is after:
        return []
    tree = DeepDiff(before, after, view="tree", ignore_numeric_type_changes=True)
    return [
        FieldChange(readable_path(level.path(output_format="list")), _value(level.t1), _value(level.t2))
        for report in _REPORTS
        for level in tree.get(report, [])
    ]


def shared_parts(before: Any, after: Any) -> tuple[Any, Any]:
    """`before` and `after`, each part that is the same on both sides made one object on both.

    DeepDiff skips a pair of identical objects at once, and what it reports depends on nothing
    else: objects keep their keys (it reports a whole object as changed when the two share too
    few keys), and lists are left whole (it pairs their items up by looking at all of them).
    """
    if type(before) is not dict or type(after) is not dict:
        return (before, before) if same(before, after) else (before, after)
    parts = {key: shared_parts(value, after[key]) for key, value in before.items() if key in after}
    if before.keys() == after.keys() and all(old is new for old, new in parts.values()):
        return before, before
    return (
        {key: parts[key][0] if key in parts else value for key, value in before.items()},
        {key: parts[key][1] if key in parts else value for key, value in after.items()},
    )


def same(first: Any, second: Any) -> bool:
    """Equal, with the same types all the way down (for Python `True == 1`, not for DeepDiff).
    Values this tells apart although DeepDiff may not (`1` and `1.0`) are left to DeepDiff."""
    if type(first) is not type(second):
        return False
    if isinstance(first, dict):
        return first.keys() == second.keys() and all(same(value, second[key]) for key, value in first.items())
    if isinstance(first, list):
        return len(first) == len(second) and all(map(same, first, second))
    return isinstance(first, _SCALARS) and bool(first == second)


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
