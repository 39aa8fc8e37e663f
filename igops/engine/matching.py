"""Which live experience each file manages: by pinned id, else by exact name.

A live experience no file claims is unmanaged: listed, never touched.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from igops.model import DesiredExperience, PlanError, UnmanagedExperience


@dataclass(frozen=True)
class Pair:
    desired: DesiredExperience
    live_id: str | None  # None: the experience does not exist yet


@dataclass(frozen=True)
class Matching:
    pairs: tuple[Pair, ...]
    unmanaged: tuple[UnmanagedExperience, ...]
    errors: tuple[PlanError, ...]


def match(desired: Sequence[DesiredExperience], live_items: Sequence[Mapping[str, Any]]) -> Matching:
    by_id = {item["id"]: item for item in live_items}
    by_name: dict[str, list[Mapping[str, Any]]] = {}
    for item in live_items:
        by_name.setdefault(item["name"], []).append(item)
    pairs, errors = [], []
    claimed: dict[str, str] = {}  # live id -> key of the file that claims it
    for experience in desired:
        live_id, error = _find(experience, by_id, by_name)
        if error is None and live_id is not None and live_id in claimed:
            error = (f"{experience.key}: the live experience {live_id} is already managed by "
                     f"{claimed[live_id]}; each experience needs exactly one file.")
        if error is not None:
            errors.append(PlanError(experience.key, error))
            continue
        if live_id is not None:
            claimed[live_id] = experience.key
        pairs.append(Pair(experience, live_id))
    unmanaged = tuple(
        UnmanagedExperience(item["id"], item["name"], item["type"], item["status"])
        for item in live_items if item["id"] not in claimed
    )
    return Matching(tuple(pairs), unmanaged, tuple(errors))


def _find(experience: DesiredExperience, by_id: Mapping[str, Mapping[str, Any]],
          by_name: Mapping[str, list[Mapping[str, Any]]]) -> tuple[str | None, str | None]:
    if experience.id is not None:
        if experience.id not in by_id:
            return None, (f"{experience.key}: the pinned id {experience.id} is not in the account: "
                          "remove the id line to create a new experience, or fix the id.")
        return experience.id, None
    named = by_name.get(experience.name, [])
    if len(named) > 1:
        ids = ", ".join(item["id"] for item in named)
        return None, (f"{experience.key}: {len(named)} live experiences are named {experience.name!r} "
                      f"({ids}): pin one with an id line.")
    return (named[0]["id"] if named else None), None
