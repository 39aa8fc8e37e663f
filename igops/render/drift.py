"""The drift report: for a terminal, as a GitHub issue body a person can act on, and as JSON.

Each finding says what was found (a change in the account with when it happened, an end apply
cannot undo, a pinned experience gone, an experience igops cannot manage), the status and every
one-line field with its live value beside the file's, texts and objects as the plan shows them
(line diffs), and the way out the engine decided. After it, with --adopt, what was adopted and left.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import click

from igops.documents import json_text
from igops.documents.drift import drift_document, summary_line
from igops.engine.adopting import Adoption
from igops.model import Drift, DriftReport, Finding
from igops.render.markdown import (
    DOCUMENT_LIMIT,
    GAP,
    Section,
    bounded,
    diff_block,
    diff_line,
    experience_heading,
    more_not_shown,
)
from igops.render.plan_common import unmanaged_lines, unmanaged_table, unmanaged_title
from igops.render.plan_text import detail_line, plain
from igops.render.plan_values import field_lines, one_line, value_pair
from igops.render.untrusted import markdown_code, markdown_inline, terminal
from igops.text import counted, sentence_case

_TEXT_WIDTH = 60
_MARKDOWN_WIDTH = 200
_DETAIL = " " * 6
# Heads the line diffs of texts and objects, as a unified diff's hunk header: which side is which.
_SIDES = "@@ -live +file @@"


def finding_text(drift: Drift) -> str:
    """What was found, as people read it."""
    if drift.finding is Finding.GONE:
        return f"gone from the account: the file pins id {drift.pinned_id}, which the account does not have"
    if drift.finding is Finding.ABSENT:
        return "not in the account"
    if drift.finding is Finding.UNMANAGEABLE:
        return f"a {drift.live_type} experience in the account, which igops cannot manage"
    assert drift.last_update_ts is not None  # the live experience is there
    moment = f"{datetime.fromtimestamp(drift.last_update_ts / 1000, UTC):%Y-%m-%d %H:%M:%S} UTC"
    if drift.finding is Finding.ENDED:
        return f"ended in the account (last changed {moment}) while the file says {drift.file_status}"
    return f"changed in the account {moment}"


def _one_line_differences(drift: Drift, width: int) -> Iterator[tuple[str, str, str]]:
    """(what, live, file) for each difference shown on one line: the status first, then fields."""
    if drift.status_moved and drift.finding is not Finding.UNMANAGEABLE:
        yield "status", str(drift.live_status), drift.file_status
    for field in drift.fields:
        if one_line(field):
            live, in_file = value_pair(field.before, field.after, width)
            yield field.path, live, in_file


def render_drift_text(report: DriftReport, *, color: bool = False, width: int | None = None) -> str:
    style = click.style if color else plain
    lines = []
    for drift in report.drifted:
        lines.append(
            f"  ~ drift  {terminal(drift.key)} ({terminal(drift.name)}), {terminal(finding_text(drift))}"
        )
        lines += [
            f"{_DETAIL}{terminal(what)}: {terminal(live)} (live) -> {terminal(in_file)} (file)"
            for what, live, in_file in _one_line_differences(drift, _TEXT_WIDTH)
        ]
        diff = [
            detail_line(line, _DETAIL, style)
            for field in drift.fields
            if not one_line(field)
            for line in field_lines(field, _TEXT_WIDTH, pairs=False)
        ]
        lines += [_DETAIL + _SIDES, *diff] if diff else []
        lines.append(f"{_DETAIL}Way out: {terminal(drift.way_out)}")
    if report.unmanaged:
        lines += ["", *unmanaged_lines(report.unmanaged)]
    lines += [f"Error: {terminal(error.message)}" for error in report.errors]
    return "\n".join([*lines, "", summary_line(report)] if lines else [summary_line(report)])


def render_drift_markdown(
    report: DriftReport, *, color: bool = False, width: int | None = None, max_chars: int = DOCUMENT_LIMIT
) -> str:
    """An issue body, never longer than `max_chars` (GitHub's limit)."""
    head = [
        f"**{summary_line(report)}**",
        *(f"> **Error:** {markdown_inline(error.message)}" for error in report.errors),
    ]
    sections = [Section(_markdown_section(drift), drift.key) for drift in report.drifted]
    if report.unmanaged:
        sections.append(
            Section(
                "\n".join(
                    [
                        f"### {markdown_inline(unmanaged_title(len(report.unmanaged)))}",
                        "",
                        *unmanaged_table(report.unmanaged),
                    ]
                )
            )
        )
    return bounded(head, sections, more_not_shown("section", "igops drift --format json"), max_chars)


def _markdown_section(drift: Drift) -> str:
    rows = [
        f"| {_cell(what)} | {_cell(live)} | {_cell(in_file)} |"
        for what, live, in_file in _one_line_differences(drift, _MARKDOWN_WIDTH)
    ]
    table = ["| Field | Live | File |\n| --- | --- | --- |\n" + "\n".join(rows)] if rows else []
    diff = [
        diff_line(line)
        for field in drift.fields
        if not one_line(field)
        for line in field_lines(field, _MARKDOWN_WIDTH, pairs=True)
    ]
    fenced = [diff_block([_SIDES, *diff])] if diff else []
    return GAP.join(
        [
            experience_heading(drift.key, drift.name),
            f"{markdown_inline(sentence_case(finding_text(drift)))}; file {markdown_code(drift.path)}.",
            *table,
            *fenced,
            f"Way out: {markdown_inline(drift.way_out)}",
        ]
    )


def _cell(value: str) -> str:
    """A table cell as code: paths and JSON values read as typed (a pipe would end the cell)."""
    return markdown_code(value).replace("|", "\\|")


def render_drift_json(report: DriftReport, *, color: bool = False, width: int | None = None) -> str:
    return json_text(drift_document(report))


def render_adoption(adoption: Adoption, *, markdown: bool = False) -> str:
    """What `drift --adopt` did, to follow the report: each file adopted with the fields it took, each
    finding left with why, whatever stopped it, and the count (as a list in markdown)."""
    adopted = () if adoption.refused else adoption.adopted
    lines = [
        *(f"Error: {sentence}" for sentence in adoption.refused),
        *(f"Adopted {file.path}: {', '.join(file.fields)}" for file in adopted),
        *(f"Left {drift.path}: {finding_text(drift)}; nothing to adopt." for drift in adoption.left),
    ]
    count = len(adopted)
    lines.append(
        f"{counted(count, 'file')} adopted; run igops plan: it is empty for {'it' if count == 1 else 'them'}."
        if count
        else "No file adopted."
    )
    if markdown:
        return "\n".join(f"- {markdown_inline(line)}" for line in lines)
    return "\n".join(map(terminal, lines))
