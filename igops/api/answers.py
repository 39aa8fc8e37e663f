"""What igops accepts as an answer of the Intelligems API: its size, its JSON, and the shape of each
kind of answer the client hands on.

The client checks every answer here, where it arrives, so that the rest of igops can rely on what it
reads: an answer that fails is refused in one sentence naming the request and what was wrong, instead
of failing later as a traceback, a hang or a wrong plan. A shape names only the fields igops reads,
with the types it reads them as; every other field passes unchecked, as the API's own business that
igops copies into updates unchanged.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from igops.statuses import LiveStatus

# A page of 100 list items is about 0.5 MB as the emulator answers it (the richest single experience
# about 9 KB): 8 MiB leaves room for long histories and large code injections, while the client's
# answers in flight at once stay within a few tens of MB however a server misbehaves.
ANSWER_LIMIT = 8 * 1024 * 1024
# Error answers are read only for the documented 400 envelope, which explains a request in a few lines.
ERROR_ANSWER_LIMIT = 64 * 1024
# The richest experience nests 9 levels deep, free-form JSON inside it (the emulator allows 32) a few
# more: deeper answers are refused, so that nothing igops does with one can exhaust the stack.
MAX_DEPTH = 64
# 1,000 pages of 100 are 100,000 experiences, far more than any account holds: a count beyond it is
# refused before any page but the first is asked for.
MAX_PAGES = 1000


class Unusable(Exception):
    """An answer igops cannot use; the message says what was wrong with it, in a clause."""


# Reading and parsing


async def read_body(response: httpx.Response, limit: int) -> bytes | None:
    """The body of a streamed `response`, or None when it is larger than `limit` bytes (decoded), in which
    case the rest is never read."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def parse(data: bytes | str, depth: int = MAX_DEPTH) -> Any:
    """The JSON value `data` holds: strict JSON (no NaN or Infinity) nested at most `depth` deep."""
    too_deep = f"its JSON nests more than {depth} levels deep"
    try:
        value = json.loads(data, parse_constant=_not_json)
    except RecursionError:
        raise Unusable(too_deep) from None
    except ValueError:
        raise Unusable("it is not JSON") from None
    problem = _text_problem(value, depth)
    if problem == _TOO_DEEP:
        raise Unusable(too_deep)
    if problem:
        raise Unusable(problem)
    return value


def _not_json(constant: str) -> Any:
    # Python's json reads these JavaScript values; JSON has no such numbers, and igops cannot count with them.
    raise ValueError(constant)


_TOO_DEEP = "too deep"


def _text_problem(value: Any, limit: int) -> str | None:
    """What makes `value` unusable as text: nesting more than `limit` lists and objects deep, or a string
    holding half of a surrogate pair (valid JSON escapes, but no Unicode text: printing or writing it
    fails). Found without recursion."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, str):
            if not _is_unicode(node):
                return f"a string in it holds an unpaired surrogate escape ({node!r:.80}), which is no text"
            continue
        if not isinstance(node, dict | list):
            continue
        if depth > limit:
            return _TOO_DEEP
        children = [*node.keys(), *node.values()] if isinstance(node, dict) else node
        stack.extend((child, depth + 1) for child in children)
    return None


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# Shapes


class Shape(Protocol):
    def problem(self, value: Any, where: str) -> str | None:
        """Why `value`, found at `where` in the answer, is not of this shape; None when it is."""


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "a list" if isinstance(value, list) else "an object"


def _mismatch(value: Any, where: str, wanted: str) -> str:
    return f"{where or 'its body'} is {_kind(value)}, not {wanted}"


@dataclass(frozen=True)
class Text:
    """A string; with `pattern`, one that matches it whole (`described` says what that means)."""

    pattern: re.Pattern[str] | None = None
    described: str = "a string"

    def problem(self, value: Any, where: str) -> str | None:
        if not isinstance(value, str):
            return _mismatch(value, where, self.described)
        if self.pattern is not None and not self.pattern.fullmatch(value):
            return f"{where} is a string that is not {self.described}"
        return None


@dataclass(frozen=True)
class OneOf:
    """One of a few strings."""

    values: frozenset[str]

    def problem(self, value: Any, where: str) -> str | None:
        listed = f"one of {', '.join(sorted(self.values))}"
        if not isinstance(value, str):
            return _mismatch(value, where, listed)
        return None if value in self.values else f"{where} is a string that is not {listed}"


@dataclass(frozen=True)
class Number:
    """A number (never a boolean) from `minimum` to `maximum`; with `whole`, an integer."""

    minimum: int
    maximum: int
    whole: bool = False

    def problem(self, value: Any, where: str) -> str | None:
        wanted = "a whole number" if self.whole else "a number"
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or (self.whole and not isinstance(value, int))
        ):
            return _mismatch(value, where, wanted)
        if not self.minimum <= value <= self.maximum:
            return f"{where} is {wanted} outside {self.minimum:,} to {self.maximum:,}"
        return None


@dataclass(frozen=True)
class Nullable:
    inner: Shape

    def problem(self, value: Any, where: str) -> str | None:
        return None if value is None else self.inner.problem(value, where)


@dataclass(frozen=True)
class Items:
    """A list whose every item has the shape `item`."""

    item: Shape

    def problem(self, value: Any, where: str) -> str | None:
        if not isinstance(value, list):
            return _mismatch(value, where, "a list")
        return next(
            (
                found
                for index, item in enumerate(value)
                if (found := self.item.problem(item, f"{where}[{index}]")) is not None
            ),
            None,
        )


@dataclass(frozen=True)
class Fields:
    """An object: `required` fields present with their shape, `optional` ones of their shape when present;
    any other field is not igops's to check."""

    required: Mapping[str, Shape] = field(default_factory=dict)
    optional: Mapping[str, Shape] = field(default_factory=dict)

    def problem(self, value: Any, where: str) -> str | None:
        if not isinstance(value, dict):
            return _mismatch(value, where, "an object")
        for key, shape in (*self.required.items(), *self.optional.items()):
            inner = f"{where}.{key}" if where else key
            if key not in value:
                if key in self.required:
                    return f"{inner} is missing"
                continue
            found = shape.problem(value[key], inner)
            if found is not None:
                return found
        return None


def check(shape: Shape, value: Any) -> None:
    """Unusable when `value`, an answer's JSON, is not of `shape`."""
    found = shape.problem(value, "")
    if found is not None:
        raise Unusable(found)


def page_count_problem(total: int, limit: int, total_pages: int) -> str | None:
    """Why a first page's count of pages cannot be right: it is not the count its total of experiences
    and its page size make, or it is more than igops reads. None when it is right."""
    implied = -(-total // limit) if limit else (0 if total == 0 else None)
    if implied is None:
        return f"it counts {total} experiences at 0 a page"
    if total_pages != implied and not (total == 0 and total_pages == 1):
        return f"it claims {total_pages} pages, where {total} experiences at {limit} a page make {implied}"
    if total_pages > MAX_PAGES:
        return f"it claims {total_pages} pages, more than the {MAX_PAGES:,} igops reads"
    return None


# The answers the client hands on. Ids go into request paths, so they are kept to characters a URL
# path carries as they are; the API's are UUIDs.
_IDENTIFIER = Text(re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,127}"), "an id (letters, digits, - and _)")
_STATUS = OneOf(frozenset(LiveStatus))
# Unix milliseconds up to the end of year 9999, the last moment a date can show.
_TIMESTAMP = Number(minimum=0, maximum=253_402_300_799_999)
_COUNT = Number(minimum=0, maximum=2**53, whole=True)

# What identifies an experience and says where it stands: the list item and the full read share it.
_SUMMARY: dict[str, Shape] = {"id": _IDENTIFIER, "name": Text(), "type": Text(), "status": _STATUS}

LIST_ITEM = Fields(required=_SUMMARY, optional={"variations": Nullable(Items(Fields()))})
LIST_PAGE = Fields(
    required={
        "experiencesList": Items(LIST_ITEM),
        "page": _COUNT,
        "limit": _COUNT,
        "total": _COUNT,
        "totalPages": _COUNT,
    }
)
EXPERIENCE = Fields(
    required={
        **_SUMMARY,
        "lastUpdateTs": _TIMESTAMP,
        "variations": Items(Fields(required={"name": Text()}, optional={"id": Nullable(Text())})),
    },
    optional={
        "experienceKeyMetrics": Nullable(Items(Fields())),
        **{moment: Nullable(_TIMESTAMP) for moment in ("startedAtTs", "pausedAtTs", "endedAtTs")},
    },
)
EXPERIENCE_ANSWER = Fields(required={"experience": EXPERIENCE})
# Results and store-wide figures: igops.analytics reads each field as it may be missing or odd, but the
# rows of results it goes through one by one.
ANALYTICS = Fields(optional={"metrics": Nullable(Items(Fields()))})
