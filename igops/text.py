"""Wording every layer shares: a count with its noun, sentence case, a sentence closed once, the ellipsis of
a cut, how a time range reads, and the one definition of the characters that do not print, spelled out
wherever text igops did not write reaches a terminal, a log or a document.

At the bottom of the layers, beside the field table, and importing nothing of igops: the engine's messages,
the API's errors, the JSON documents and the renderers all word things through it, so they never disagree.
Renderers reach `terminal` and `terminal_line` through igops.render.untrusted, which builds markdown on them.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

ELLIPSIS = "…"

# What would not show as itself on one line: C0 and C1 controls (colours, cursor moves, title changes, line
# breaks), line and paragraph separators, bidi controls (marks, embeddings, overrides and isolates) that
# reorder the text after them, and lone surrogates (a JSON `\ud800` escape or bytes of a file name that are
# not UTF-8 make one; no terminal can print it). The tab is named apart: inside one line of a multi-line text
# (CSS, JS) it is layout and harmless.
_UNPRINTED_BUT_TAB = r"\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff"
_UNPRINTED = re.compile(rf"[\t{_UNPRINTED_BUT_TAB}]")
_UNPRINTED_IN_LINE = re.compile(f"[{_UNPRINTED_BUT_TAB}]")
_DAY_SECONDS = 86_400


def terminal(text: str) -> str:
    """`text` on one line of a terminal (or a log): every character that does not print spelled out as an
    escape (`\\x0a`, `\\x1b`, `\\u202e`)."""
    return _UNPRINTED.sub(_spelled_out, text)


def terminal_line(line: str) -> str:
    """One line of a multi-line text: its line break left out, the characters that do not print but tabs
    spelled out."""
    return _UNPRINTED_IN_LINE.sub(_spelled_out, line.removesuffix("\n"))


def _spelled_out(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def counted(number: int, noun: str) -> str:
    """`1 file`, `3 files`: the noun agrees with the number."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def sentence_case(text: str) -> str:
    """`text` with its first letter a capital, to start a sentence."""
    return text[:1].upper() + text[1:]


# What ends a sentence: a full stop (an ellipsis of three is one too), a question or exclamation mark, the
# ellipsis character.
_SENTENCE_ENDS = (".", "?", "!", ELLIPSIS)


def ended(sentence: str) -> str:
    """`sentence` closed once: a full stop added unless it ends in one already (or in `?`, `!`, `…`). For a
    sentence that ends in text igops did not write (the API's words, an exception's, the system's), which
    may or may not close itself."""
    sentence = sentence.rstrip()
    return sentence if sentence.endswith(_SENTENCE_ENDS) else sentence + "."


def clause(text: str) -> str:
    """Text igops did not write, to go inside a sentence (in a list, before a `;`): without the full stop
    that closed it, an ellipsis, `?` or `!` kept."""
    text = text.strip()
    return text[:-1] if text.endswith(".") and not text.endswith("..") else text


def shortened(text: str, limit: int) -> str:
    """`text`, or its start and an ellipsis in `limit` characters when it is longer."""
    return text if len(text) <= limit else text[: limit - len(ELLIPSIS)] + ELLIPSIS


def day(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d")


def moment(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M UTC")


def span(start: int, end: int) -> str:
    """A range as people say it: whole UTC days as first to last day, else to the minute."""
    if start % _DAY_SECONDS == 0 and end % _DAY_SECONDS == 0:
        first, last = day(start), day(end - _DAY_SECONDS)
        return first if first == last else f"{first} to {last}"
    return f"{moment(start)} to {moment(end)}"


def window_text(start: int | None, end: int | None) -> str:
    """A report's range, either side of which may be left to each experience's run."""
    if start is None and end is None:
        return "over each experience's whole run"
    if start is None:
        assert end is not None
        return f"up to {moment(end)}"
    if end is None:
        return f"from {moment(start)}"
    return span(start, end)
