"""Strict, safe YAML reading that remembers where every key and value was written.

PyYAML is used only to build the node tree; values are made from nodes here, so that
duplicate keys, foreign tags and alias bombs are refused instead of silently accepted, and
so that scalars follow the YAML 1.2 core schema that editors use (`no` stays a string).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import BaseResolver

from igops.errors import IgopsError
from igops.files.errors import quote
from igops.model import JsonPath, Position
from igops.text import ended

_TAG = "tag:yaml.org,2002:"
NULL, BOOL, INT, FLOAT, STR = (f"{_TAG}{name}" for name in ("null", "bool", "int", "float", "str"))
MAP, SEQ = f"{_TAG}map", f"{_TAG}seq"

MAX_DEPTH = 64
# Aliases can make a small file expand enormously; no experience comes near this many values.
MAX_VALUES = 200_000

_INT_BASES = {"0o": 8, "0x": 16}
_FLOAT_SPECIALS = re.compile(r"^[-+]?\.(inf|Inf|INF)$|^\.(nan|NaN|NAN)$")


class _CoreResolver(BaseResolver):
    """Plain scalars resolved as YAML 1.2's core schema does, not as YAML 1.1 does."""

    # A class attribute, as in PyYAML itself; types-PyYAML declares it as an instance attribute.
    yaml_implicit_resolvers: ClassVar[dict[str, list[tuple[str, re.Pattern[str]]]]] = {}  # type: ignore[misc]


for _tag, _pattern, _first in (
    # The empty first character is how PyYAML looks up resolvers for an empty scalar.
    (NULL, r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    (BOOL, r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    (INT, r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", list("-+0123456789")),
    (
        FLOAT,
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        list("-+.0123456789"),
    ),
):
    _CoreResolver.add_implicit_resolver(_tag, re.compile(_pattern), _first)

# The C parser when PyYAML has it (much faster); both build the same nodes. The type checker
# cannot take a base class chosen at run time, so it is shown the pure-Python loader, whose
# constructor and node API the C one shares.
if TYPE_CHECKING:
    _BaseLoader = yaml.BaseLoader
else:
    _BaseLoader = yaml.CBaseLoader if yaml.__with_libyaml__ else yaml.BaseLoader


class _NodeReader(_CoreResolver, _BaseLoader):
    """Parser and composer only: the constructor part of the loader is never called."""


class _CoreDumper(_CoreResolver, yaml.SafeDumper):
    """Quotes exactly the strings that the core schema would otherwise read back as other types."""


class BlockText(str):
    """Text written as a literal block whatever its length: code (CSS, JS, HTML), which a reader and a
    diff should see line by line, one line of it as much as fifty."""


# Line breaks to YAML 1.1 (PyYAML) and none to YAML 1.2: PyYAML writes them as they are in plain
# and single-quoted scalars, and reads them back as breaks. Only escapes in double quotes keep them.
_AMBIGUOUS_BREAKS = re.compile("[\x85\u2028\u2029]")
# What keeps a literal block from holding a text exactly and visibly; such text is double-quoted.
# - Characters YAML cannot write as they are (controls, a lone CR, a byte order mark) and the
#   ambiguous breaks above.
# - A space or tab ending a line: a block would keep it, but unseen, and editors and pre-commit
#   hooks strip trailing whitespace, which would change the value without anyone noticing.
_UNFIT_FOR_BLOCK = re.compile(
    r"[^\t\n\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
    r"|[\ufeff\x85\u2028\u2029]|[ \t](?=\n|\Z)"
)


def block_holds(text: str) -> bool:
    """Whether a literal block gives back exactly `text`, every character in sight. An empty text
    is not written as one: a block without lines reads as a value forgotten, where '' says it."""
    return bool(text) and _UNFIT_FOR_BLOCK.search(text) is None


class _ReadableDumper(_CoreDumper):
    """Code and multi-line text as literal blocks and list items indented under their key, the way
    people write them."""

    # Whether text a literal block holds is written as one (see _QuotedDumper for where it is not).
    blocks: ClassVar[bool] = True

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)

    def choose_scalar_style(self) -> str:
        # PyYAML quotes any text with a tab in it rather than write a block; the representer asks for
        # a block only where `block_holds`, tabs included (YAML allows them inside a block's lines).
        if (
            isinstance(self.event, yaml.ScalarEvent)
            and self.event.style == "|"
            and not self.flow_level
            and not self.simple_key_context
        ):
            return "|"
        style: str = super().choose_scalar_style()
        return style

    def determine_block_hints(self, text: str) -> str:
        # A block whose first line starts with a tab states its indentation: libyaml refuses a tab
        # where it is still working the indentation out from the first line.
        hints: str = super().determine_block_hints(text)
        return f"{self.best_indent}{hints}" if text.startswith("\t") else hints


def _represent_text(dumper: _ReadableDumper, text: str) -> yaml.ScalarNode:
    code = isinstance(text, BlockText)
    if (code or "\n" in text.rstrip("\n")) and block_holds(text):
        style: str | None = "|" if dumper.blocks else '"'
    elif code or _AMBIGUOUS_BREAKS.search(text):
        # Code a block cannot hold: its escapes show what it holds, trailing whitespace included.
        style = '"'
    else:
        style = None  # PyYAML's choice: plain where it reads back as text, else quoted
    return dumper.represent_scalar(STR, text, style=style)


_ReadableDumper.add_representer(str, _represent_text)
_ReadableDumper.add_representer(BlockText, _represent_text)


class _QuotedDumper(_ReadableDumper):
    """The same, with the text it would write as literal blocks double-quoted instead: a block runs on
    over the lines after it that are blank or indented as deep as its own, which a quoted text cannot."""

    blocks = False


def dump_readable(value: Any, *, blocks: bool = True) -> str:
    """Like `dump`, with BlockText and multi-line strings as literal blocks where a block holds them, or
    double-quoted where `blocks` is false."""
    dumper = _ReadableDumper if blocks else _QuotedDumper
    return yaml.dump(value, Dumper=dumper, sort_keys=False, allow_unicode=True, width=100)


def dump_flow(value: Any) -> str:
    """`value` on one line in flow style, the way it can stand inside a flow collection ({a: 1}, [x])."""
    listed: str = yaml.dump(
        [value],
        Dumper=_ReadableDumper,
        default_flow_style=True,
        sort_keys=False,
        allow_unicode=True,
        width=math.inf,
    )
    return listed.rstrip("\n").removeprefix("[").removesuffix("]")


def dump(value: Any) -> str:
    """YAML text that `parse` reads back as `value` (PyYAML's own dumper follows YAML 1.1, where
    for example 1e3 is text, so it would leave such strings unquoted)."""
    return yaml.dump(value, Dumper=_CoreDumper, sort_keys=False, allow_unicode=True)


class YamlError(IgopsError):
    """The text is not an acceptable YAML document; carries the position of the problem."""

    def __init__(self, position: Position, message: str, path: JsonPath = ()) -> None:
        super().__init__(message)
        self.position = position
        self.message = message
        self.path = path


@dataclass(frozen=True)
class Span:
    """The text of one value or key: offsets of its first character and just past its last (a block
    list or mapping ends with its last value: comments after it are not its), and whether it is in
    flow style ({a: 1}, [x]: its own or an enclosing collection's), where only flow style can go."""

    start: int
    end: int
    flow: bool = False


@dataclass
class Document:
    """A parsed document: its value, where each value was written (a list or mapping: where its
    key was), and where each mapping key was written; `spans` and `key_spans` hold the same as
    offsets into the text, for editing it in place."""

    value: Any
    values: dict[JsonPath, Position] = field(default_factory=dict)
    keys: dict[JsonPath, Position] = field(default_factory=dict)
    spans: dict[JsonPath, Span] = field(default_factory=dict)
    key_spans: dict[JsonPath, Span] = field(default_factory=dict)


def parse(text: str) -> Document | None:
    """The document in `text`, or None when it holds no document at all (only comments)."""
    try:
        root = _NodeReader(text).get_single_node()
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, text) from None
    except yaml.reader.ReaderError as exc:
        raise YamlError(
            _offset_position(text, exc.position),
            f"the character U+{exc.character:04X} is not "
            "allowed in YAML; remove it or write it as an escape in double quotes.",
        ) from None
    except UnicodeEncodeError as exc:
        raise YamlError(
            _offset_position(text, exc.start),
            "the text holds an unpaired surrogate, which is not a character.",
        ) from None
    except RecursionError:
        raise YamlError(Position(1, 1), f"values are nested deeper than {MAX_DEPTH} levels.") from None
    if root is None:
        return None
    document = Document(value=None)
    document.value = _Builder(document, text).build(root, ())
    return document


def line_end(text: str, offset: int) -> int:
    """Where the line holding `offset` ends: its line break (a CRLF's CR), or the end of the text."""
    found = text.find("\n", offset)
    if found == -1:
        return len(text)
    return found - 1 if found > offset and text[found - 1] == "\r" else found


def _position(node_or_mark: Any) -> Position:
    mark = getattr(node_or_mark, "start_mark", node_or_mark)
    return Position(mark.line + 1, mark.column + 1)


def _offset_position(text: str, offset: int) -> Position:
    line_start = text.rfind("\n", 0, offset) + 1
    return Position(text.count("\n", 0, offset) + 1, offset - line_start + 1)


def _syntax_error(exc: yaml.MarkedYAMLError, text: str) -> YamlError:
    mark = exc.problem_mark or exc.context_mark
    lines = text.splitlines() or [""]
    position = _position(mark) if mark is not None else Position(1, 1)
    if position.line > len(lines):
        # The parser reports problems at the end of the input on a line past the last one.
        position = Position(len(lines), len(lines[-1]) + 1)
    line = lines[position.line - 1]
    indentation = line[: len(line) - len(line.lstrip(" \t"))]
    problem = exc.problem or ""
    if "\t" in indentation or "'\\t'" in problem:
        return YamlError(
            Position(position.line, line.find("\t") + 1 if "\t" in line else position.column),
            "a tab is used for indentation; YAML indents with spaces only.",
        )
    if "expected a single document" in (exc.context or ""):
        return YamlError(position, "the file holds a second YAML document; one file holds one experience.")
    return YamlError(position, ended(f"the file is not valid YAML: {problem or 'syntax error'}"))


class _Builder:
    """Turns nodes into plain values, recording positions and refusing what JSON cannot hold."""

    def __init__(self, document: Document, text: str) -> None:
        self.document = document
        self.text = text
        self.count = 0
        self.active: set[int] = set()

    def build(self, node: Node, path: JsonPath, in_flow: bool = False) -> Any:
        flow = in_flow or bool(getattr(node, "flow_style", False))
        value = self._value(node, path, flow)
        self.document.spans[path] = Span(node.start_mark.index, self._end(node, path, value), flow)
        return value

    def _end(self, node: Node, path: JsonPath, value: Any) -> int:
        if isinstance(node, ScalarNode) and node.style in ("|", ">"):
            # A block scalar's node runs on over the blank lines after it, which separate what follows.
            start = node.start_mark.index
            return line_end(self.text, start + len(self.text[start : node.end_mark.index].rstrip()))
        if isinstance(node, ScalarNode) or getattr(node, "flow_style", False) or not value:
            end: int = node.end_mark.index
            return end
        # A block collection's node runs on to the next token, over the comments before it.
        last = list(value)[-1] if isinstance(value, dict) else len(value) - 1
        return self.document.spans[(*path, last)].end

    def _value(self, node: Node, path: JsonPath, flow: bool) -> Any:
        self.count += 1
        if self.count > MAX_VALUES:
            raise YamlError(
                _position(node),
                f"the file expands to more than {MAX_VALUES} values "
                "(aliases repeating large parts); write it out plainly.",
                path,
            )
        if len(path) > MAX_DEPTH:
            raise YamlError(_position(node), f"values are nested deeper than {MAX_DEPTH} levels.", path)
        self.document.values[path] = _position(node)
        if isinstance(node, ScalarNode):
            return _scalar(node, path)
        if id(node) in self.active:
            raise YamlError(_position(node), "an alias refers to a value that contains it.", path)
        self.active.add(id(node))
        try:
            if isinstance(node, SequenceNode) and node.tag == SEQ:
                return [self.build(item, (*path, index), flow) for index, item in enumerate(node.value)]
            if isinstance(node, MappingNode) and node.tag == MAP:
                return self._mapping(node, path, flow)
            raise YamlError(
                _position(node),
                f"the YAML tag {quote(node.tag)} is not supported; use plain mappings, lists and values.",
                path,
            )
        finally:
            self.active.discard(id(node))

    def _mapping(self, node: MappingNode, path: JsonPath, flow: bool) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = self._key(key_node, path)
            child = (*path, key)
            if key in result:
                first = self.document.keys[child]
                raise YamlError(
                    _position(key_node),
                    f"the key {quote(key)} appears twice in this mapping "
                    f"(first on line {first.line}); keep only one.",
                    child,
                )
            self.document.keys[child] = _position(key_node)
            self.document.key_spans[child] = Span(key_node.start_mark.index, key_node.end_mark.index, flow)
            result[key] = self.build(value_node, child, flow)
            if not isinstance(value_node, ScalarNode):
                # A list or mapping spans many lines; its key's line is where a reader looks for it.
                self.document.values[child] = self.document.keys[child]
        return result

    def _key(self, node: Node, path: JsonPath) -> str:
        if isinstance(node, ScalarNode) and node.tag == STR:
            if node.value == "<<" and not node.style:
                raise YamlError(
                    _position(node), "YAML merge keys (<<) are not supported; write the fields out.", path
                )
            key: str = node.value
            return key
        shown = quote(node.value) if isinstance(node, ScalarNode) else "a list or mapping"
        raise YamlError(
            _position(node),
            f"field names must be text, found {shown}; quote the key if it is meant as a name.",
            path,
        )


def _scalar(node: ScalarNode, path: JsonPath) -> Any:
    convert = _CONVERTERS.get(node.tag)
    if convert is None:
        raise YamlError(
            _position(node),
            f"the YAML tag {quote(node.tag)} is not supported; use plain values without tags.",
            path,
        )
    try:
        value = convert(node.value)
    except ValueError:
        raise YamlError(
            _position(node), f"{quote(node.value)} is not a valid {node.tag.removeprefix(_TAG)}.", path
        ) from None
    if isinstance(value, float) and not math.isfinite(value):
        raise YamlError(
            _position(node), f"{quote(node.value)} is not a finite number; JSON cannot hold it.", path
        )
    return value


def _to_null(text: str) -> None:
    if text not in ("", "~", "null", "Null", "NULL"):
        raise ValueError(text)


def _to_bool(text: str) -> bool:
    if text not in ("true", "True", "TRUE", "false", "False", "FALSE"):
        raise ValueError(text)
    return text.lower() == "true"


def _to_int(text: str) -> int:
    base = _INT_BASES.get(text[:2], 10)
    return int(text if base == 10 else text[2:], base)


def _to_float(text: str) -> float:
    return float(text.lstrip("+").replace(".", "", 1) if _FLOAT_SPECIALS.match(text) else text)


_CONVERTERS: dict[str, Callable[[str], Any]] = {
    STR: str,
    NULL: _to_null,
    BOOL: _to_bool,
    INT: _to_int,
    FLOAT: _to_float,
}
