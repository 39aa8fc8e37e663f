"""Checking that untrusted text stays inert where igops shows it: on a terminal and in GitHub markdown."""

from __future__ import annotations

import html
import re

# What a file path, a name or an API answer may hold (the path, and then some).
HOSTILE = (
    "x\n~~~\n\n<img src=x onerror=alert(1)>\n\n## Plan approved\n\n~~~text\n@everyone @user #1 "
    "\u202eevil\u2066 ``` | *b* [l](u) \r\x1b[31m\x1b]0;title\x07\u2028\u200f y.yaml"
)
# What shows that the hostile text is there (escaped): it must not be left out to pass.
MARK = "u202eevil"
_RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")


def assert_terminal_safe(text: str, mark: str = MARK) -> None:
    """No control or bidi character, and no line that hostile text started (a fence, a tag, a heading, a
    mention, a workflow command); `mark` (hostile text as shown) is there."""
    assert mark in text, "the hostile text is shown"
    assert _RAW.search(text) is None, repr(_RAW.search(text))
    for line in text.split("\n"):
        assert not line.lstrip().startswith(("~~~", "<img", "## Plan", "@everyone", "::")), line


def assert_markdown_safe(text: str, mark: str = MARK) -> None:
    """No control or bidi character, every code block closed by its own fence, and outside code no tag,
    heading, mention, issue link or table cell that hostile text made; `mark` (as shown) is there."""
    assert mark in text, "the hostile text is shown"
    assert _RAW.search(text) is None, repr(_RAW.search(text))
    prose = _prose(text)
    assert "<img" not in prose and "<script" not in prose
    assert re.search(r"^ {0,3}#+ Plan approved", prose, re.M) is None
    shown = html.unescape(prose)
    assert re.search(r"@\w", shown) is None, "a mention"
    assert re.search(r"#\d", shown) is None, "an issue link"
    for table in re.findall(r"(?:^\|.*\n?)+", prose, re.M):
        cells = {len(re.findall(r"(?<!\\)\|", row)) for row in table.strip("\n").split("\n")}
        assert len(cells) == 1, f"a row with cells of its own:\n{table}"


def _prose(markdown: str) -> str:
    """`markdown` without its code (blocks, spans, <code>), where GitHub makes no tags, mentions or links."""
    lines, fence = [], None
    for line in markdown.split("\n"):
        found = _FENCE.match(line)
        if fence is None and found:
            fence = found.group(1)
        elif (
            fence is not None
            and found
            and found.group(1)[0] == fence[0]
            and len(found.group(1)) >= len(fence)
            and not found.group(2).strip()
        ):
            fence = None
        elif fence is None:
            lines.append(line)
    assert fence is None, "a code block is left open: a value closed or opened one"
    prose = re.sub(r"<code>.*?</code>", "", "\n".join(lines))
    return re.sub(r"(`+)(?!`).*?(?<!`)\1(?!`)", "", prose)
