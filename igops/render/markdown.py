"""Markdown for GitHub, and keeping it within what GitHub accepts: the one place that decides a document's
budget, what is left out to meet it and how that is said.

GitHub refuses a comment or issue body over 65,536 characters, and the comment action appends its own marker:
a body is kept under GITHUB_BODY_LIMIT less MARKER_ROOM (COMMENT_LIMIT). igops's markdown documents (plan,
drift, report, sitewide, monitor) keep under DOCUMENT_LIMIT on their own, which leaves room for the heading,
the context and the standard-error block a comment adds (render/github_body.py). A document is a head, some
sections and a tail, joined by blank lines; only sections are ever left out, each whole, the largest first,
so that one huge value costs its own section and not the others: what is left out is the least that makes the
rest fit, counted in sections, and a note in their place names it. The helpers below are the markdown the
renderers share (tables, diff blocks, an experience's heading), so each is written one way.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from igops.render.plan_values import Line
from igops.render.untrusted import markdown_inline
from igops.text import shortened

GITHUB_BODY_LIMIT = 65_536
# The sticky comment marker is `<!-- Sticky Pull Request Comment{header} -->` (47 characters for a short
# header); headers are short names, so this is room for any of them.
MARKER_ROOM = 256
COMMENT_LIMIT = GITHUB_BODY_LIMIT - MARKER_ROOM
DOCUMENT_LIMIT = 60_000
GAP = "\n\n"
# How many of the names of what a document leaves out its note lists before counting the rest.
_NAMED = 5
_INDENT = " " * 4


@dataclass(frozen=True)
class Section:
    """A part of a document that is kept whole or left out whole; `name` is what it shows (an experience's
    key), for the note when it is left out, or None when it is no experience (the unmanaged list)."""

    text: str
    name: str | None = None


# What a document says in place of the sections it leaves out (given in their order).
Note = Callable[[Sequence[Section]], str]


def bounded(
    head: Sequence[str],
    sections: Sequence[Section],
    note: Note,
    max_chars: int = DOCUMENT_LIMIT,
    tail: Sequence[str] = (),
) -> str:
    """`head`, the sections that fit, `note(those left out)` when any are, and `tail`, each part after a blank
    line: never longer than `max_chars`. Head and tail are kept whole (what decides whether to act on the
    document comes first); only a limit too small for them and the note cuts them, with an ellipsis."""
    if max_chars < 1:
        raise ValueError(f"max_chars must be at least 1, not {max_chars}.")
    fixed = len(GAP.join([*head, *tail]))
    dropped = left_out(
        [section.text for section in sections],
        max_chars - fixed,
        lambda indexes: note([sections[index] for index in indexes]),
    )
    gone = set(dropped)
    kept = [section.text for index, section in enumerate(sections) if index not in gone]
    notes = [note([sections[index] for index in dropped])] if dropped else []
    return shortened(GAP.join([*head, *kept, *notes, *tail]), max_chars)


def left_out(sections: Sequence[str], room: int, note: Callable[[Sequence[int]], str]) -> list[int]:
    """The indexes (in order) of the sections to leave out so that the others and `note(those indexes)`,
    each after a blank line, fit in `room` characters; none when all of them fit without a note. The
    largest go first, the later of two the same size first; all of them when even the note does not fit.
    """
    total = sum(len(GAP) + len(section) for section in sections)
    if total <= room:
        return []
    dropped: list[int] = []
    for index in sorted(range(len(sections)), key=lambda index: (-len(sections[index]), -index)):
        total -= len(GAP) + len(sections[index])
        bisect.insort(dropped, index)
        # The note is only worth writing once the sections left fit without it.
        if total <= room and total + len(GAP) + len(note(dropped)) <= room:
            return dropped
    return dropped


def more_not_shown(what: str, command: str) -> Note:
    """The note of a document whose sections are all alike: how many more `what` there are, and the
    command whose JSON has them all."""
    return lambda left: f"_{len(left)} more {what}(s) not shown: `{command}` has them all._"


def named(names: Sequence[str]) -> str:
    """The first names of what was left out as code, then how many more: `a`, `b` and 4 more."""
    shown = ", ".join(f"<code>{markdown_inline(name)}</code>" for name in names[:_NAMED])
    return shown + (f" and {len(names) - _NAMED} more" if len(names) > _NAMED else "")


def leading_blocks(document: str, room: int, note: str) -> str:
    """A markdown document with no sections to leave out (output igops did not shape): the document, or its
    leading blocks (cut at a blank line) that fit in `room` with `note` after them."""
    if len(document) <= room:
        return document
    cut_at = document.rfind(GAP, 0, max(room - len(note) - len(GAP), 0))
    return GAP.join([document[:cut_at], note]) if cut_at > 0 else note


def experience_heading(key: str, name: str) -> str:
    """`### key (name)`: the heading of an experience's section."""
    return f"### {markdown_inline(key)} ({markdown_inline(name)})"


def diff_block(lines: Iterable[str]) -> str:
    """Lines as a ```diff block, which colours them by their first column. Every line in it starts with a
    sign or spaces (`diff_line`, `@@` headers, action labels), so no value can close the fence."""
    return "\n".join(["```diff", *lines, "```"])


def diff_line(line: Line) -> str:
    # The sign in the first column colours the line. The text starts four columns on, so a line
    # without a sign has four spaces before any user text: more than a fence's end may have.
    return f"{line.sign}   {_INDENT * line.depth}{line.text}" if line.text else line.sign.strip()


def markdown_table(
    table: Sequence[Sequence[str]], escape: Callable[[str], str], numeric: Sequence[bool]
) -> list[str]:
    """A GitHub table of `table` (header first); `escape` makes each row's first cell (user data) inert."""
    header, *body = table
    align = ["---:" if right else "---" for right in numeric]
    cells = [[escape(row[0]), *row[1:]] for row in body]
    return [f"| {' | '.join(line)} |" for line in (header, align, *cells)]


def leading_rows(
    head: Sequence[str],
    table: Sequence[str],
    rows: int,
    note: Callable[[int], str],
    max_chars: int = DOCUMENT_LIMIT,
) -> str:
    """`head`, then the markdown `table` (its header lines, then its last `rows` lines, the rows), never
    longer than `max_chars`: rows that do not fit are left out from the last, so that the first (the
    soonest) stay, and `note(how many)` says so after the table."""
    header, body = table[: len(table) - rows], table[len(table) - rows :]

    def document(kept: int) -> str:
        notes = [note(rows - kept)] if kept < rows else []
        return GAP.join([*head, "\n".join([*header, *body[:kept]]), *notes])

    if len(document(rows)) <= max_chars:
        return document(rows)
    # With a note, each row kept makes the document longer: the most that fit is found by halving.
    low, high = 0, rows - 1
    while low < high:
        middle = (low + high + 1) // 2
        low, high = (middle, high) if len(document(middle)) <= max_chars else (low, middle - 1)
    return shortened(document(low), max_chars)
