"""Editing a YAML file's text in place: new values written where the old ones are, and nothing else
touched (comments, key order, quoting, blank lines, the layout of every other value).

Each edit replaces the text of one value, adds a key at the end of its mapping, or takes a key out,
at the offsets the reader recorded (yamldoc's spans). New values are written the way `igops import`
writes them (code and multi-line text as literal blocks), indented to where they go; a value inside
a flow collection ({a: 1}, [x]) is written in flow style, and so is one that replaces a flow collection.
What followed the old value on its line (a comment) follows the new one, or the header of the block
that ends it; where the lines after a block would read as part of it, its text is double-quoted.
Every edit is read back, and must give the value as it was given. Pure: text in, text out.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from igops.errors import IgopsError
from igops.files.yamldoc import Document, Span, YamlError, dump_flow, dump_readable, line_end, parse
from igops.model import JsonPath
from igops.text import clause

# How far PyYAML indents what it writes under a key or after a dash; moved to where it goes here.
_INDENT = 2
# A block scalar's header: its style, then its chomping and indentation indicators in either order.
_BLOCK_HEADER = re.compile(r"[|>][-+0-9]*")
# Reads what dump_readable wrote, to find where its blocks are: the C parser when PyYAML has it.
_EventLoader = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader


@dataclass(frozen=True)
class Edits:
    """What to change in one file: the value at each path (a mapping that lacks the last key gets it, at
    its end), in order, and the keys to take out."""

    values: Mapping[JsonPath, Any]
    removed: tuple[JsonPath, ...] = ()


class PatchError(IgopsError):
    """An edit that cannot be made in place: the path it was for, and why."""

    def __init__(self, path: JsonPath, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


def patched(text: str, edits: Edits) -> str:
    """`text` with `edits` made. The text is read again after each edit, which must leave it valid YAML,
    so that the next one finds its place in the text as it then is."""
    document = _document(text, ())
    for path in edits.removed:
        text = _remove(text, document, path)
        document = _document(text, path)
    for path, value in edits.values.items():
        text, document = _edited(text, document, path, value)
    return text


def _edited(text: str, document: Document, path: JsonPath, value: Any) -> tuple[str, Document]:
    """`text` with the value at `path` replaced or added, and read again. A literal block runs on over
    the lines after it that are blank (when it keeps its final line breaks) or indented as deep as its
    own, and ends without its final line break at the end of a file that has none; where what follows
    the new value would change it so, its texts are double-quoted instead."""
    edit = _replace if path in document.spans else _add
    for blocks in (True, False):
        edited = edit(text, document, path, value, blocks)
        read = _document(edited, path)
        if _json(_value_at(read.value, path)) == _json(value):
            return edited, read
    raise PatchError(path, "the new value would not read back as it was given")


def _document(text: str, path: JsonPath) -> Document:
    """`text` read, after the edit of `path`."""
    try:
        document = parse(text)
    except YamlError as exc:
        raise PatchError(
            path, f"it would leave line {exc.position.line} invalid ({clause(exc.message)})"
        ) from None
    if document is None or not isinstance(document.value, dict):
        raise PatchError(path, "the text would hold no mapping of fields")
    return document


def _replace(text: str, document: Document, path: JsonPath, value: Any, blocks: bool = True) -> str:
    span = document.spans[path]
    if span.flow:
        return text[: span.start] + dump_flow(value) + text[span.end :]
    if not path:
        raise PatchError(path, "the whole file cannot be replaced in place")
    in_list = isinstance(path[-1], int)
    rendered = _rendered([value] if in_list else {"k": value}, "-" if in_list else "k:", blocks)
    start, end, column = span.start, span.end, _column(text, span)
    line_start = start - column
    newline = _newline(text)
    header = _BLOCK_HEADER.match(text, start)
    if header is not None:
        # An old block scalar goes as its header and its lines, while a comment after the header stays.
        text = text[: line_end(text, start)] + text[end:]
        end = header.end()
    # A list or mapping goes where the old one was (after a dash, where the value starts; under a key, a
    # list may be level with it), else one step in from its key or from its list's dashes: the
    # indentation indicator PyYAML gives a block whose text starts with a space or a line break (|2-)
    # counts from there, so its lines can go nowhere else.
    collection = isinstance(value, dict | list)
    if in_list:
        indent = column if collection else _column(text, document.spans[path[:-1]]) + _INDENT
    else:
        key_column = _column(text, document.key_spans[path])
        level = column == key_column and isinstance(value, list) and bool(value)
        kept = isinstance(_value_at(document.value, path), dict | list) and (column > key_column or level)
        indent = column if collection and kept else key_column + _INDENT
    lines = [rendered.head, *(_indented(line, indent) for line in rendered.tail)]
    # What followed the old value on its last line (spaces, a comment) follows the new one's last line,
    # unless that is a literal block's, which would take it in as text: then it follows the block's header.
    stop = line_end(text, end)
    lines[-1 if rendered.final_block is None else rendered.final_block] += text[end:stop]
    if not text[line_start:start].strip():
        # The old value starts its own line (a list or mapping under its key): the new one does too.
        first = [" " * indent + lines[0]] if rendered.head else []
        return text[:line_start] + newline.join(first + lines[1:]) + text[stop:]
    if not rendered.head:
        # A list or mapping after `key:` starts on the next line; no space is left behind the colon.
        start = len(text[:start].rstrip(" "))
    elif start == end and not text[start - 1].isspace():
        lines[0] = " " + lines[0]  # an empty value right after its colon or dash
    return text[:start] + newline.join(lines) + text[stop:]


def _add(text: str, document: Document, path: JsonPath, value: Any, blocks: bool = True) -> str:
    parent = path[:-1]
    holder = _value_at(document.value, parent) if parent in document.spans else None
    if not isinstance(holder, dict) or not isinstance(path[-1], str):
        raise PatchError(path, "there is no mapping to add the field to")
    span = document.spans[parent]
    if span.flow:
        return _replace(text, document, parent, holder | {path[-1]: value}, blocks)
    rendered = _rendered({path[-1]: value}, "", blocks)
    indent = _column(text, span)
    at = line_end(text, span.end)
    lines = [" " * indent + rendered.head] + [_indented(line, indent + _INDENT) for line in rendered.tail]
    newline = _newline(text)
    return text[:at] + "".join(newline + line for line in lines) + text[at:]


def _remove(text: str, document: Document, path: JsonPath) -> str:
    holder = _value_at(document.value, path[:-1]) if path[:-1] in document.spans else None
    if not isinstance(holder, dict) or path not in document.key_spans:
        raise PatchError(path, "there is no such field to take out")
    parent = document.spans[path[:-1]]
    if parent.flow or len(holder) == 1:
        rest = {key: item for key, item in holder.items() if key != path[-1]}
        return _replace(text, document, path[:-1], rest)
    key = document.key_spans[path]
    line_start = text.rfind("\n", 0, key.start) + 1
    if text[line_start : key.start].strip():
        # The first key of a list item, after its dash: the next key takes its place.
        following = list(holder)[list(holder).index(path[-1]) + 1]
        return text[: key.start] + text[document.key_spans[(*path[:-1], following)].start :]
    stop = line_end(text, document.spans[path].end)
    stop += len(_newline(text)) if stop < len(text) else 0
    return text[:line_start] + text[stop:]


@dataclass(frozen=True)
class _Rendered:
    """One value as dump_readable writes it under a key or after a dash: what follows the key's colon or
    the dash on the first line, the lines after it, and which of them (0 for the first) holds the header
    of a literal or folded block that ends the value, if one does."""

    head: str
    tail: list[str]
    final_block: int | None


def _rendered(wrapped: Any, prefix: str, blocks: bool) -> _Rendered:
    """`wrapped` (one value under a key, or in a list) as dump_readable writes it."""
    text = dump_readable(wrapped, blocks=blocks)
    if text.endswith("\n...\n"):
        # PyYAML ends the document after a block that keeps its final line breaks, so that they read as
        # the block's; here the rest of the file follows instead.
        text = text.removesuffix("...\n")
    first, *tail = text.removesuffix("\n").split("\n")
    return _Rendered(first.removeprefix(prefix).removeprefix(" "), tail, _final_block(text))


def _final_block(text: str) -> int | None:
    """The line (0 for the first) of the header of the literal or folded block that ends `text`, if one
    does: the last scalar written is the last thing in it."""
    final = None
    for event in yaml.parse(text, Loader=_EventLoader):
        if isinstance(event, yaml.ScalarEvent):
            final = event
    if final is None or final.style not in ("|", ">") or final.start_mark is None:
        return None
    return final.start_mark.line


def _indented(line: str, indent: int) -> str:
    """A line PyYAML indented by _INDENT under its key or dash, indented to `indent` instead; empty lines
    (inside block scalars) stay empty."""
    return " " * indent + line[_INDENT:] if line else line


def _column(text: str, span: Span) -> int:
    return span.start - (text.rfind("\n", 0, span.start) + 1)


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def _value_at(value: Any, path: JsonPath) -> Any:
    for part in path:
        value = value[part]
    return value


def _json(value: Any) -> str:
    """`value` as JSON, where a 1 is not a 1.0 nor a true as it is to Python's ==."""
    return json.dumps(value)
