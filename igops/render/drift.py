"""The drift report: for a terminal, as a GitHub issue body a person can act on, and as JSON.

Each drifted experience shows when it last changed in the account, every field with its live
value beside the file's, a status moved in the dashboard, and the two ways out.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, Protocol

from igops.engine.drift import Drift, DriftReport
from igops.engine.summary import counted
from igops.render.github_body import DOCUMENT_LIMIT
from igops.render.plan_common import clean, kept_sections, unmanaged_title
from igops.render.plan_markdown import markdown_text
from igops.render.plan_values import value_pair

DRIFT_FORMAT_VERSION = 1
_TEXT_WIDTH = 60
_MARKDOWN_WIDTH = 200
NO_DRIFT = "No drift: the account matches the files."
WAYS_OUT = ("`igops apply` restores the file's version; `igops import --overwrite {key}` accepts the live "
            "one into the file.")


def summary_line(report: DriftReport) -> str:
    if not report.has_drift:
        return NO_DRIFT
    one = len(report.drifted) == 1
    return (f"Drift: {len(report.drifted)} of {counted(report.checked, 'managed experience')} "
            f"{'differs from its file' if one else 'differ from their files'}.")


def changed_at(drift: Drift) -> str:
    """When the live experience last changed, in UTC, as people read it."""
    if drift.last_update_ts is None:
        return "not in the account"
    moment = datetime.fromtimestamp(drift.last_update_ts / 1000, UTC)
    return f"changed in the account {moment:%Y-%m-%d %H:%M:%S} UTC"


def _differences(drift: Drift, width: int) -> Iterator[tuple[str, str, str]]:
    """(what, live, file) for each difference: the status first, then every field."""
    if drift.missing:
        yield "experience", "(not in the account)", "(in the file: igops apply creates it)"
        return
    if drift.status_moved:
        yield "status", str(drift.live_status), drift.file_status
    for field in drift.fields:
        live, in_file = value_pair(field.before, field.after, width)
        yield field.path, live, in_file


def render_drift_text(report: DriftReport, *, color: bool = False) -> str:
    lines = []
    for drift in report.drifted:
        lines.append(f"  ~ drift  {clean(drift.key)} ({clean(drift.name)}), {changed_at(drift)}")
        lines += [f"      {clean(what)}: {live} (live) -> {in_file} (file)"
                  for what, live, in_file in _differences(drift, _TEXT_WIDTH)]
    if report.unmanaged:
        lines += ["", unmanaged_title(len(report.unmanaged))]
        lines += [f"  - {clean(e.name)} ({clean(e.type)}, {clean(e.status)}, id {clean(e.id)})"
                  for e in report.unmanaged]
    lines += [f"Error: {clean(error.message)}" for error in report.errors]
    closing = summary_line(report)
    if report.has_drift:
        closing += " " + WAYS_OUT.format(key="KEY").replace("`", "")
    return "\n".join([*lines, "", closing] if lines else [closing])


def render_drift_markdown(report: DriftReport, *, color: bool = False,
                          max_chars: int = DOCUMENT_LIMIT) -> str:
    """An issue body, never longer than `max_chars` (GitHub's limit)."""
    head = [f"**{summary_line(report)}**",
            *(f"> **Error:** {markdown_text(error.message)}" for error in report.errors)]
    sections = [_markdown_section(drift) for drift in report.drifted]
    if report.unmanaged:
        rows = [f"| {' | '.join(markdown_text(value) for value in (e.name, e.type, e.status, e.id))} |"
                for e in report.unmanaged]
        sections.append("\n".join([f"### {markdown_text(unmanaged_title(len(report.unmanaged)))}", "",
                                   "| Name | Type | Status | Id |", "| --- | --- | --- | --- |", *rows]))
    kept = kept_sections(sections, max_chars - sum(len(part) + 2 for part in head), lambda count: (
        f"_{count} more section(s) not shown: `igops drift --format json` has them all._"))
    return "\n\n".join([*head, *kept])


def _markdown_section(drift: Drift) -> str:
    rows = [f"| {_cell(what)} | {_cell(live)} | {_cell(in_file)} |"
            for what, live, in_file in _differences(drift, _MARKDOWN_WIDTH)]
    return "\n".join([
        f"### {markdown_text(drift.key)} ({markdown_text(drift.name)})", "",
        f"{markdown_text(_sentence_case(changed_at(drift)))}; file `{_code(drift.path)}`.", "",
        "| Field | Live | File |", "| --- | --- | --- |", *rows, "",
        "Ways out: " + WAYS_OUT.format(key=_code(drift.key))])


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


def _code(text: str) -> str:
    """Text for inside a code span, where markdown escapes would show as typed."""
    return clean(text).replace("`", "'")


def _cell(value: str) -> str:
    """A table cell as code: paths and JSON values read as typed (a pipe would end the cell)."""
    return f"`{_code(value)}`".replace("|", "\\|")


def drift_document(report: DriftReport) -> dict[str, Any]:
    """The report as JSON data (schemas/drift.schema.json)."""
    return {
        "format_version": DRIFT_FORMAT_VERSION,
        "has_drift": report.has_drift,
        "checked": report.checked,
        "summary": summary_line(report),
        "drifted": [{
            "key": drift.key, "name": drift.name, "path": drift.path, "experience_id": drift.experience_id,
            "last_update_ts": drift.last_update_ts, "live_status": drift.live_status,
            "file_status": drift.file_status, "missing": drift.missing, "status_moved": drift.status_moved,
            "fields": [{"path": field.path, "live": field.before, "file": field.after}
                       for field in drift.fields],
        } for drift in report.drifted],
        "unmanaged": [{"id": e.id, "name": e.name, "type": e.type, "status": e.status}
                      for e in report.unmanaged],
        "errors": [{"key": error.key, "message": error.message} for error in report.errors],
    }


def render_drift_json(report: DriftReport, *, color: bool = False) -> str:
    return json.dumps(drift_document(report), indent=2, sort_keys=True, ensure_ascii=False)


class DriftRenderer(Protocol):
    def __call__(self, report: DriftReport, *, color: bool = False) -> str: ...


DRIFT_FORMATS: dict[str, DriftRenderer] = {
    "text": render_drift_text,
    "markdown": render_drift_markdown,
    "json": render_drift_json,
}
