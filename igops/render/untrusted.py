"""Untrusted text made safe to show: on a terminal, inline in markdown, as inline code, in a code block.

Untrusted is whatever igops did not write itself: file paths and keys, names, descriptions and values from
the files, names and messages from the API, error messages quoting any of them. Every renderer shows such
text through this module only, so that what one place guards against, every place does:

- A line break or another control character would start a line of its own (a fake log line, a workflow
  command the runner obeys, a markdown block), colour the terminal or move its cursor; a bidi control
  would show the text after it in another order than it is. They are spelled out as escapes (`\\x0a`,
  `\\x1b`, `\\u202e`), as are lone surrogates (bytes of a file name that are not UTF-8): igops.text
  defines them once, for the API's error texts too.
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

# The one-line forms are defined with the characters that do not print, below every layer (the API's errors
# and the JSON documents use them too); renderers take them from here with the markdown forms built on them.
from igops.text import terminal, terminal_line

__all__ = ["fenced", "markdown_code", "markdown_inline", "terminal", "terminal_line"]

_WORD_JOINER = "&#8288;"
_MARKUP = str.maketrans(
    {**{char: f"&#{ord(char)};" for char in "\\`*_[]|~"}, "@": f"@{_WORD_JOINER}", "#": f"#{_WORD_JOINER}"}
)
_BACKTICKS = re.compile("`+")
_TILDES = re.compile("~+")


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
