"""The drift report as JSON data (schemas/drift.schema.json), and its summary line."""

from __future__ import annotations

from typing import Any

from igops.model import DriftReport
from igops.text import counted

DRIFT_FORMAT_VERSION = 2
NO_DRIFT = "No drift: the account matches the files."


def summary_line(report: DriftReport) -> str:
    if not report.has_drift:
        return NO_DRIFT
    one = len(report.drifted) == 1
    return (
        f"Drift: {len(report.drifted)} of {counted(report.checked, 'managed experience')} "
        f"{'differs from its file' if one else 'differ from their files'}."
    )


def drift_document(report: DriftReport) -> dict[str, Any]:
    """The report as JSON data (schemas/drift.schema.json)."""
    return {
        "format_version": DRIFT_FORMAT_VERSION,
        "has_drift": report.has_drift,
        "checked": report.checked,
        "summary": summary_line(report),
        "drifted": [
            {
                "key": drift.key,
                "name": drift.name,
                "path": drift.path,
                "finding": drift.finding.value,
                "way_out": drift.way_out,
                "experience_id": drift.experience_id,
                "pinned_id": drift.pinned_id,
                "last_update_ts": drift.last_update_ts,
                "live_status": drift.live_status,
                "live_type": drift.live_type,
                "file_status": drift.file_status,
                "missing": drift.missing,
                "status_moved": drift.status_moved,
                "fields": [
                    {"path": field.path, "live": field.before, "file": field.after} for field in drift.fields
                ],
            }
            for drift in report.drifted
        ],
        "unmanaged": [
            {"id": e.id, "name": e.name, "type": e.type, "status": e.status} for e in report.unmanaged
        ],
        "errors": [{"key": error.key, "message": error.message} for error in report.errors],
    }
