"""Values in a plan as the lines of a diff: a new experience's fields, and each field change.

What is shown is decided here once; text and markdown only lay the lines out (where the sign
goes, colours). As in `terraform plan`: a new object is expanded into its fields, nested by
indentation and without the API's defaults (left out as an experience file leaves them out,
igops.files.writer); a multi-line string (CSS, JS, HTML) is a heredoc,
and a change to one is a line diff inside it; a replaced one-line value is `~ path = old -> new`.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from igops.files.writer import without_defaults
from igops.model import Change, ChangeKind, ExperiencePlan, FieldChange, JsonPath
from igops.render.untrusted import terminal, terminal_line
from igops.text import ELLIPSIS

ADDED, REMOVED, CHANGED, CONTEXT = "+", "-", "~", " "
_HEREDOC_END = "EOT"
_HEREDOC = f"<<-{_HEREDOC_END}"
# How much of a long one-line value to keep before the point where old and new start to differ.
_LEAD = 20
# Unchanged lines kept around each changed one in a multi-line diff, as in `diff -u`.
_CONTEXT_LINES = 3
# One step of a path as the engine writes it: `name`, `.name`, `[0]` or `["a name"]`.
_STEP = re.compile(r'(?:^|\.)([^\W\d]\w*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]')


@dataclass(frozen=True)
class Line:
    sign: str  # ADDED, REMOVED, CHANGED, or CONTEXT for the lines around a change
    depth: int  # nesting below the change the line belongs to
    text: str  # ready to print: control characters are escaped


def detail_lines(experience: ExperiencePlan, change: Change, *, width: int, pairs: bool) -> Iterator[Line]:
    """What a change does, field by field: a create shows every field the experience is created with.

    `width` bounds each side of a replaced one-line value; with `pairs`, such a value is a removed
    line and an added line (a diff's colours) instead of one `~ path = old -> new` line.
    """
    if change.kind is ChangeKind.CREATE:
        yield from _block(ADDED, without_defaults(experience.desired), (), 0)
    for field in change.fields:
        yield from field_lines(field, width, pairs)


def field_lines(field: FieldChange, width: int, pairs: bool) -> Iterator[Line]:
    """One field change as lines (`detail_lines` says what `width` and `pairs` do)."""
    path = parse_path(field.path)
    label = terminal(field.path)
    if field.before is None or field.after is None:
        sign, value = (ADDED, field.after) if field.before is None else (REMOVED, field.before)
        yield from _entry(sign, label, _stated(value, path), path, 0)
    elif (
        isinstance(field.before, str)
        and isinstance(field.after, str)
        and (_multi_line(field.before) or _multi_line(field.after))
    ):
        yield from _text_diff(label, field.before, field.after)
    elif _inline(field.before) and _inline(field.after):
        before, after = value_pair(field.before, field.after, width)
        if pairs:
            yield from (Line(REMOVED, 0, f"{label} = {before}"), Line(ADDED, 0, f"{label} = {after}"))
        else:
            yield Line(CHANGED, 0, f"{label} = {before} -> {after}")
    else:
        yield from _entry(REMOVED, label, _stated(field.before, path), path, 0)
        yield from _entry(ADDED, label, _stated(field.after, path), path, 0)


def one_line(field: FieldChange) -> bool:
    """Whether each side of a field change is one line (`value_pair`); else it takes lines of its own:
    a text's line diff, an object's fields."""
    return _inline(field.before) and _inline(field.after)


def value_pair(before: Any, after: Any, width: int) -> tuple[str, str]:
    """Both sides of a replaced one-line value, each cut to about `width` characters around where they differ.

    Cutting both at the same place keeps the difference visible: two long texts that differ only at
    the end would otherwise both show as the same beginning.
    """
    before_text, after_text = _json(before), _json(after)
    focus = max(0, _common_prefix_length(before_text, after_text) - _LEAD)
    return _window(before_text, focus, width), _window(after_text, focus, width)


def _common_prefix_length(first: str, second: str) -> int:
    for index, (a, b) in enumerate(zip(first, second, strict=False)):
        if a != b:
            return index
    return min(len(first), len(second))


def _window(text: str, start: int, width: int) -> str:
    if len(text) <= width:
        return text
    start = min(start, len(text) - width)
    end = start + width
    return (ELLIPSIS if start else "") + text[start:end] + (ELLIPSIS if end < len(text) else "")


def parse_path(text: str) -> JsonPath | None:
    """`variations["B"].onsiteEdits[0]` -> `("variations", "B", "onsiteEdits", 0)`; None for other text."""
    steps: list[str | int] = []
    at = 0
    while at < len(text):
        found = _STEP.match(text, at)
        if found is None:
            return None
        name, index, quoted = found.groups()
        steps.append(
            int(index)
            if index is not None
            else name
            if name is not None
            else json.loads(quoted, strict=False)
        )
        at = found.end()
    # A path starts with a field's name; anything else is not one the engine wrote.
    return tuple(steps) if steps and isinstance(steps[0], str) else None


def _stated(value: Any, path: JsonPath | None) -> Any:
    """`value`, found at `path` in an experience, without what equals the API's defaults.

    Defaults are left out of whole experiences, so the value is placed at its path in an otherwise
    empty one and read back from there. When nothing is left of it (it is all defaults: the
    change is still real), or the path is not a field's, it is shown whole.
    """
    if path is None:
        return value
    try:
        return _at(without_defaults(_placed(value, path)), path)
    except (KeyError, IndexError):  # left out whole
        return value


def _placed(value: Any, path: JsonPath) -> Any:
    for index in reversed(range(len(path))):
        value = [value] if _is_item(path, index) else {path[index]: value}
    return value


def _at(document: Any, path: JsonPath) -> Any:
    for index, step in enumerate(path):
        document = document[0] if _is_item(path, index) else document[step]
    return document


def _is_item(path: JsonPath, index: int) -> bool:
    """Whether a step of `path` is into a list: by position, or a variation by its name."""
    return isinstance(path[index], int) or (index == 1 and path[0] == "variations")


def _entry(sign: str, label: str, value: Any, path: JsonPath | None, depth: int) -> Iterator[Line]:
    """One labelled value: `label = value`, a heredoc, or `label` above its fields."""
    if _multi_line(value):
        yield Line(sign, depth, f"{label} = {_HEREDOC}")
        yield from (Line(sign, depth + 1, terminal_line(line)) for line in _text_lines(value))
        yield Line(CONTEXT, depth, _HEREDOC_END)
    elif _inline(value):
        yield Line(sign, depth, f"{label} = {_json(value)}")
    elif isinstance(value, Mapping):
        yield Line(sign, depth, label)
        yield from _block(sign, value, path, depth + 1)
    else:  # a list holding objects: each item is an entry of its own, labelled by its place
        for step, item, item_path in _children(value, path):
            yield from _entry(sign, label + step, item, item_path, depth)


def _block(sign: str, value: Mapping[str, Any], path: JsonPath | None, depth: int) -> Iterator[Line]:
    """The fields of an object, one level deeper than its label.

    As in Terraform, the `=` of consecutive fields line up; a joined label (`jsInjectionMode.type`)
    stands on its own, so that one long path does not push every value far to the right.
    """
    entries = [
        (label.removeprefix("."), child, child_path) for label, child, child_path in _entries(value, path)
    ]
    for aligned, run in groupby(entries, key=lambda entry: _assigned(entry[1]) and entry[0].isidentifier()):
        group = list(run)
        width = max(len(label) for label, _, _ in group) if aligned else 0
        for label, child, child_path in group:
            yield from _entry(sign, label.ljust(width), child, child_path, depth)


def _entries(value: Any, path: JsonPath | None) -> Iterator[tuple[str, Any, JsonPath | None]]:
    """A container's labelled children, compacted: the items of a list of objects are spread out
    (`filters[0]`, `filters[1]`), and a child alone in its container joins its parent's label
    (`jsInjectionMode.type`), so deep API structures cost a line per value, not one per level."""
    for step, child, child_path in _children(value, path):
        if _spreads(child, child_path):
            for sub_step, grandchild, sub_path in _entries(child, child_path):
                yield step + sub_step, grandchild, sub_path
        else:
            yield step, child, child_path


def _children(value: Any, path: JsonPath | None) -> Iterator[tuple[str, Any, JsonPath | None]]:
    """Each child of a container with the step that reaches it (`.key`, `["key"]`, `[0]`, `["Name"]`)."""
    if isinstance(value, Mapping):
        for key, child in value.items():
            if key == "name" and _is_variation(path):
                continue  # a variation's name is in its label already
            step = f".{terminal(key)}" if key.isidentifier() else f"[{_json(key)}]"
            yield step, child, _extended(path, key)
    elif path == ("variations",):
        # Variations are named by name, as every change to them is (`variations["B"].percentage`).
        for index, variation in enumerate(value):
            name = variation.get("name") if isinstance(variation, Mapping) else None
            by: str | int = name if isinstance(name, str) else index
            yield f"[{_json(by)}]", variation, _extended(path, by)
    else:
        for index, item in enumerate(value):
            yield f"[{index}]", item, _extended(path, index)


def _spreads(value: Any, path: JsonPath | None) -> bool:
    if isinstance(value, Mapping):
        return len(list(_children(value, path))) == 1
    return isinstance(value, list) and not _inline(value)


def _text_diff(label: str, before: str, after: str) -> Iterator[Line]:
    """A line diff of two texts inside a heredoc, unchanged runs beyond the context cut to a count."""
    old, new = _text_lines(before), _text_lines(after)
    yield Line(CHANGED, 0, f"{label} = {_HEREDOC}")
    shown = 0  # how many of the old lines have been accounted for
    for group in difflib.SequenceMatcher(None, old, new, autojunk=False).get_grouped_opcodes(_CONTEXT_LINES):
        yield from _unchanged(old, shown, group[0][1])
        for tag, old_start, old_end, new_start, new_end in group:
            if tag == "equal":
                yield from (Line(CONTEXT, 1, terminal_line(line)) for line in old[old_start:old_end])
                continue
            yield from (Line(REMOVED, 1, terminal_line(line)) for line in old[old_start:old_end])
            yield from (Line(ADDED, 1, terminal_line(line)) for line in new[new_start:new_end])
        shown = group[-1][2]
    yield from _unchanged(old, shown, len(old))
    yield Line(CONTEXT, 0, _HEREDOC_END)


def _unchanged(lines: list[str], start: int, end: int) -> Iterator[Line]:
    """Unchanged lines beyond the context, as a count; a single one is shown: its count is no shorter."""
    if end - start == 1:
        yield Line(CONTEXT, 1, terminal_line(lines[start]))
    elif end > start:
        yield Line(CONTEXT, 1, f"# ({end - start} unchanged lines hidden)")


def _text_lines(text: str) -> list[str]:
    """The lines of a text, each with its line break, so that a missing final break is a difference.

    Only `\\n` breaks a line: other separators (`\\r`, form feed, ...) stay inside it, escaped.
    """
    lines = [line + "\n" for line in text.split("\n")]
    lines[-1] = lines[-1][:-1]
    return lines if lines[-1] else lines[:-1]


def _extended(path: JsonPath | None, step: str | int) -> JsonPath | None:
    return None if path is None else (*path, step)


def _is_variation(path: JsonPath | None) -> bool:
    return path is not None and len(path) == 2 and path[0] == "variations"


def _multi_line(value: Any) -> bool:
    return isinstance(value, str) and "\n" in value


def _inline(value: Any) -> bool:
    """Whether a value is shown whole on one line: a one-line scalar, a list of scalars, or empty."""
    if isinstance(value, Mapping):
        return not value
    if isinstance(value, list):
        return all(_assigned(item) for item in value)
    return not _multi_line(value)


def _assigned(value: Any) -> bool:
    """Whether a value is shown as `label = value`, on one line or as a heredoc."""
    return not isinstance(value, Mapping | list) or _inline(value)


def _json(value: Any) -> str:
    return terminal(json.dumps(value, ensure_ascii=False))
