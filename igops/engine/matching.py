"""Which live experience each file manages: by pinned id, else by exact name.

A live experience no file claims is unmanaged: listed, never touched.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from igops.model import DesiredExperience, PlanError, UnmanagedExperience


@dataclass(frozen=True)
class Pair:
    desired: DesiredExperience
    live_id: str | None  # None: the experience does not exist yet
    # For a file that creates: a running experience no file matches any more, that looks like this
    # file before its name changed (same type and variations).
    renamed_from: UnmanagedExperience | None = None


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
            error = (f"{experience.key}: the live experience {by_id[live_id]['name']!r} ({live_id}) is "
                     f"already managed by {claimed[live_id]}; each experience needs exactly one file.")
        if error is not None:
            errors.append(PlanError(experience.key, error))
            continue
        if live_id is not None:
            claimed[live_id] = experience.key
        pairs.append(Pair(experience, live_id))
    unmanaged_items = [item for item in live_items if item["id"] not in claimed]
    unmanaged = tuple(_unmanaged(item) for item in unmanaged_items)
    pairs = [pair if pair.live_id is not None else replace(pair, renamed_from=_renamed_from(
        pair.desired, unmanaged_items)) for pair in pairs]
    return Matching(tuple(pairs), unmanaged, tuple(errors))


def _unmanaged(item: Mapping[str, Any]) -> UnmanagedExperience:
    return UnmanagedExperience(item["id"], item["name"], item["type"], item["status"])


def _renamed_from(experience: DesiredExperience,
                  unmanaged: Sequence[Mapping[str, Any]]) -> UnmanagedExperience | None:
    """A started experience no file matches, of the same type and with the same variation names."""
    names = sorted(variation["name"] for variation in experience.body.get("variations", []))
    for item in unmanaged:
        live_names = sorted(str(variation.get("name")) for variation in item.get("variations") or [])
        if item.get("status") == "started" and item.get("type") == experience.type and live_names == names:
            return _unmanaged(item)
    return None


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
