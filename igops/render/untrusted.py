"""Untrusted text made safe to show: on a terminal, inline in markdown, as inline code, in a code block.

Untrusted is whatever igops did not write itself: file paths and keys, names, descriptions and values from
the files, names and messages from the API, error messages quoting any of them. Every renderer shows such
text through this module only, so that what one place guards against, every place does:

- A line break or another control character would start a line of its own (a fake log line, a workflow
  command the runner obeys, a markdown block), colour the terminal or move its cursor; a bidi control
  would show the text after it in another order than it is. They are spelled out as escapes (`\\x0a`,
  `\\x1b`, `\\u202e`), as are lone surrogates (bytes of a file name that are not UTF-8).
- In markdown, the characters that start markup (code, emphasis, links, tables, HTML, strikethrough) are
  character references, which read the same in markdown text and in an HTML block (a `<summary>`). `@`
  and `#` are followed by a word joiner (U+2060, written `&#8288;`): they look the same, but GitHub
  links `@name` as a mention and `#12` as an issue only when the name or number follows at once, and a
  reference to `@` itself would not help, since GitHub links after references are read.
- A code block's fence is longer than any run of its own character inside, so no line can close it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

# C0 and C1 controls but the tab, line and paragraph separators, bidi controls (marks, embeddings,
# overrides and isolates) and lone surrogates; the tab too, except inside one line of a multi-line text
# (CSS, JS), where it is layout and harmless.
_UNSHOWN_BUT_TAB = r"\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff"
_HIDDEN = re.compile(rf"[\t{_UNSHOWN_BUT_TAB}]")
_HIDDEN_IN_LINE = re.compile(f"[{_UNSHOWN_BUT_TAB}]")
_WORD_JOINER = "&#8288;"
_MARKUP = str.maketrans({**{char: f"&#{ord(char)};" for char in "\\`*_[]|~"},
                         "@": f"@{_WORD_JOINER}", "#": f"#{_WORD_JOINER}"})
_BACKTICKS = re.compile("`+")
_TILDES = re.compile("~+")


def terminal(text: str) -> str:
    """`text` on one line of a terminal (or a log): every character above spelled out."""
    return _HIDDEN.sub(_spelled_out, text)


def terminal_line(line: str) -> str:
    """One line of a multi-line text: its line break left out, the characters above but tabs spelled out."""
    return _HIDDEN_IN_LINE.sub(_spelled_out, line.removesuffix("\n"))


def markdown_inline(text: str) -> str:
    """`text` inert in markdown and in HTML alike: one line, no tags, code, emphasis, links, table cells,
    mentions or issue links."""
    return html.escape(terminal(text), quote=False).translate(_MARKUP)


def markdown_code(text: str) -> str:
    """`text` as inline code, shown as typed: delimited by more backticks than any run inside, and padded
    with a space where it starts or ends with a backtick or a space (which markdown then strips)."""
    shown = terminal(text)
    ticks = "`" * (1 + max((len(run) for run in _BACKTICKS.findall(shown)), default=0))
    pad = " " if shown[:1] in ("`", " ") or shown[-1:] in ("`", " ") else ""
    return f"{ticks}{pad}{shown}{pad}{ticks}"


def fenced(lines: Sequence[str], info: str = "text") -> str:
    """`lines` as a code block that none of them can close: a tilde fence longer than any run of tildes."""
    shown = [terminal_line(line) for line in lines]
    longest = max((len(run) for line in shown for run in _TILDES.findall(line)), default=0)
    fence = "~" * max(3, longest + 1)
    return "\n".join([f"{fence}{info}", *shown, fence])


def _spelled_out(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
