"""One igops run as the body of a GitHub comment or issue: a heading when it failed, the context line the
workflow gives, its standard error and its output, never longer than GitHub accepts.

The body is kept under COMMENT_LIMIT (render/markdown.py: GitHub's limit less room for the comment action's
marker). igops's markdown documents keep under DOCUMENT_LIMIT on their own (cutting whole sections and naming
what they leave out), which leaves room for the heading, the context and the standard-error block; only
output that is not such a document is cut here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from igops.render.markdown import COMMENT_LIMIT, GAP, leading_blocks
from igops.render.untrusted import fenced
from igops.text import ELLIPSIS, counted, shortened

_CONTEXT_LIMIT = 1_000
_STDERR_LIMIT = 4_000
# Lines such as `::error file=...::...` are for the runner (annotations, masks), not for people.
_WORKFLOW_COMMAND = re.compile(r"^::[A-Za-z-]+( [^:]*)?::")
_PROBLEM_COMMAND = re.compile(r"^::(error|warning)( |::)")
_CUT_NOTE = (
    "_Cut to fit one comment: the job summary and the job log have the whole output "
    "(igops keeps its own documents within this; this output was not one of them)._"
)


@dataclass(frozen=True)
class Run:
    """What one igops command did, as the action saw it."""

    command: str
    exit_code: int
    succeeded: bool
    stdout: str
    stderr: str
    markdown: bool  # the output is a markdown document (else plain text, shown as a code block)


def compose(run: Run, context: str = "", limit: int = COMMENT_LIMIT) -> str:
    """The body: at most `limit` characters whatever the run printed."""
    stdout_lines, stdout_problems = _for_people(run.stdout)
    stderr_lines, stderr_problems = _for_people(run.stderr)
    head = [part for part in (_heading(run, stdout_problems + stderr_problems), _one_line(context)) if part]
    if stderr_lines:
        head.append(fenced(_tail(stderr_lines, _STDERR_LIMIT, "standard error")))
    head_text = GAP.join(head)
    room = limit - len(head_text) - len(GAP)
    if not stdout_lines:
        body = head_text
    elif run.markdown:
        body = _joined(head_text, leading_blocks("\n".join(stdout_lines), room, _CUT_NOTE))
    else:
        body = _joined(head_text, fenced(_head(stdout_lines, room - 40, "output")))
    # Only a limit smaller than the heading and context is still exceeded here; it holds all the same.
    return shortened(body, limit)


def _for_people(text: str) -> tuple[list[str], int]:
    """The lines of `text` that are not workflow commands, and how many annotations it made."""
    lines = text.rstrip("\n").split("\n") if text.strip() else []
    problems = sum(bool(_PROBLEM_COMMAND.match(line)) for line in lines)
    return [line for line in lines if not _WORKFLOW_COMMAND.match(line)], problems


def _heading(run: Run, problems: int) -> str:
    if run.succeeded:
        return ""
    name = run.command.split()[0] if run.command.split() else "igops"
    heading = f"### ⛔ igops {_inert(name)} failed (exit {run.exit_code})"
    if problems:
        heading += (
            f"\n\n{counted(problems, 'problem')} annotated on the files and lines they concern "
            "(the pull request's Files changed tab and the job's annotations)."
        )
    return heading


def _one_line(text: str) -> str:
    line = " ".join(text.split())
    return shortened(line, _CONTEXT_LIMIT)


def _inert(word: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "", word)[:40] or "igops"


def _tail(lines: list[str], limit: int, what: str) -> list[str]:
    """The last lines of `lines` that fit in `limit` characters, after a line saying how many were cut."""
    kept: list[str] = []
    size = 0
    for line in reversed(lines):
        line = line if len(line) <= limit // 2 else line[: limit // 2] + ELLIPSIS
        if size + len(line) + 1 > limit:
            break
        kept.append(line)
        size += len(line) + 1
    cut = len(lines) - len(kept)
    note = [f"[{counted(cut, 'earlier line')} of {what} cut: the job log has all of it]"] if cut else []
    return [*note, *reversed(kept)]


def _head(lines: list[str], limit: int, what: str) -> list[str]:
    """The first lines of `lines` that fit in `limit` characters, then a line saying how many were cut."""
    kept: list[str] = []
    size = 200  # the closing note
    for line in lines:
        line = line if len(line) <= max(limit // 2, 1) else line[: max(limit // 2, 1)] + ELLIPSIS
        if size + len(line) + 1 > limit:
            break
        kept.append(line)
        size += len(line) + 1
    cut = len(lines) - len(kept)
    note = [f"[{counted(cut, 'more line')} of {what} cut: the job summary and the job log have all of it]"]
    return kept + (note if cut else [])


def _joined(first: str, second: str) -> str:
    return f"{first}{GAP}{second}" if first else second
