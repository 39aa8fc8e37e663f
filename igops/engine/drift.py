"""Drift: where the live account no longer says what the files say, for each managed experience.

A plan looks forward (what apply would do); drift looks at the account: every field that
differs, with the live value beside the file's, and a status moved in the dashboard, even
where apply could not move it back (an experience ended in the dashboard while its file says
started). Pure: it takes the matching and the documents already read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from igops.engine.diff import field_changes
from igops.engine.matching import Matching
from igops.model import FieldChange, PlanError, UnmanagedExperience
from igops.normalize import canonical_desired, canonical_live, comparable

# A file's statuses as the API says them.
LIVE_STATUS = {"draft": "pending", "started": "started", "paused": "paused", "ended": "ended"}


@dataclass(frozen=True)
class Drift:
    """One managed experience that differs live from its file."""

    key: str
    name: str
    path: str
    experience_id: str | None  # None: the file's experience is not in the account
    last_update_ts: int | None  # when the live experience last changed (ms)
    live_status: str | None
    file_status: str
    fields: tuple[FieldChange, ...] = ()  # before: live, after: the file

    @property
    def missing(self) -> bool:
        return self.experience_id is None

    @property
    def status_moved(self) -> bool:
        return not self.missing and self.live_status != LIVE_STATUS[self.file_status]


@dataclass(frozen=True)
class DriftReport:
    drifted: tuple[Drift, ...]
    unmanaged: tuple[UnmanagedExperience, ...] = ()
    errors: tuple[PlanError, ...] = ()
    checked: int = 0  # managed experiences compared

    @property
    def has_drift(self) -> bool:
        return bool(self.drifted)


def build_drift(matching: Matching, live: Mapping[str, Mapping[str, Any]]) -> DriftReport:
    """`live` maps each matched live id to its full GET document."""
    drifted = []
    for pair in matching.pairs:
        desired = pair.desired
        document = live.get(pair.live_id) if pair.live_id is not None else None
        if document is None:
            drifted.append(Drift(desired.key, desired.name, str(desired.path), None, None, None,
                                 desired.status))
            continue
        fields = field_changes(comparable(canonical_live(document)),
                               comparable(canonical_desired(desired.body)))
        entry = Drift(desired.key, desired.name, str(desired.path), str(document["id"]),
                      int(document["lastUpdateTs"]), str(document["status"]), desired.status, fields)
        if fields or entry.status_moved:
            drifted.append(entry)
    return DriftReport(tuple(drifted), matching.unmanaged, matching.errors, len(matching.pairs))
