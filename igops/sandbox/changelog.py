"""Change-log entries for replacements: which fields of which entities a PUT changed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .lifecycle import PERFORMER

MAX_ENTRIES = 20
_EXPERIENCE_FIELDS = (
    "name",
    "description",
    "type",
    "currency",
    "previewPath",
    "experienceAnalysis",
)
_NESTED = frozenset(
    {
        "onsiteEdits",
        "onsiteInjections",
        "offer",
        "redirects",
        "experienceId",
        "variationId",
    }
)

Entities = dict[str, dict[str, Any]]


def _flat(entity: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in entity.items() if key not in _NESTED}


def _experience(experience: dict[str, Any]) -> Entities:
    return {experience["id"]: {key: experience[key] for key in _EXPERIENCE_FIELDS}}


def _variations(experience: dict[str, Any]) -> Entities:
    return {v["id"]: _flat(v) for v in experience["variations"]}


def _children(key: str) -> Callable[[dict[str, Any]], Entities]:
    def collect(experience: dict[str, Any]) -> Entities:
        found: Entities = {}
        for variation in experience["variations"]:
            value = variation[key]
            for child in value if isinstance(value, list) else [value] if value else []:
                found[child["id"]] = _flat(child)
        return found

    return collect


def _audiences(experience: dict[str, Any]) -> Entities:
    audience = experience["audience"]
    return {audience["id"]: _flat(audience)} if audience else {}


def _page_targeting(experience: dict[str, Any]) -> Entities:
    return {t["id"]: _flat(t) for t in experience["experiencePageTargeting"]}


_GROUPS: dict[str, Callable[[dict[str, Any]], Entities]] = {
    "experience": _experience,
    "variations": _variations,
    "offers": _children("offer"),
    "onsiteEdits": _children("onsiteEdits"),
    "onsiteInjections": _children("onsiteInjections"),
    "redirects": _children("redirects"),
    "audiences": _audiences,
    "pageTargeting": _page_targeting,
}


def _diffs(before: Entities, after: Entities) -> list[dict[str, Any]]:
    diffs = []
    for entity_id in [*before, *(key for key in after if key not in before)]:
        old, new = before.get(entity_id), after.get(entity_id)
        keys = sorted(set(old or {}) | set(new or {}))
        changed = [key for key in keys if (old or {}).get(key) != (new or {}).get(key)]
        if changed:
            diffs.append(
                {
                    "id": entity_id,
                    "changedFields": changed,
                    "previous": {key: old[key] for key in changed if key in old} if old else None,
                    "updated": {key: new[key] for key in changed if key in new} if new else None,
                }
            )
    return diffs


def change_entry(previous: dict[str, Any], updated: dict[str, Any], stamp: int) -> dict[str, Any] | None:
    """The log entry for replacing `previous` with `updated`, or None if nothing changed."""
    change: dict[str, Any] = {}
    for group, collect in _GROUPS.items():
        diffs = _diffs(collect(previous), collect(updated))
        if diffs:
            change[group] = diffs[0] if group == "experience" else diffs
    if not change:
        return None
    return {"actionTs": stamp, "performedBy": f"Sandbox API <{PERFORMER}>", "change": change}
