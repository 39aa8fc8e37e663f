"""Which live experience each file manages: by pinned id, else by exact name.

A live experience no file claims is unmanaged: listed, never touched.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from igops.model import DesiredExperience, PlanError, UnmanagedExperience
from igops.statuses import LiveStatus


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
    # Files whose pinned id is not in the account. Each has its error too: a plan cannot go on
    # without them, while drift reports them as findings.
    gone: tuple[DesiredExperience, ...] = ()


def match(desired: Sequence[DesiredExperience], live_items: Sequence[Mapping[str, Any]]) -> Matching:
    by_id = {item["id"]: item for item in live_items}
    by_name: dict[str, list[Mapping[str, Any]]] = {}
    for item in live_items:
        by_name.setdefault(item["name"], []).append(item)
    pairs, errors, gone = [], [], []
    claimed: dict[str, str] = {}  # live id -> key of the file that claims it
    for experience in desired:
        if experience.id is not None and experience.id not in by_id:
            gone.append(experience)
            errors.append(
                PlanError(
                    experience.key,
                    (
                        f"{experience.key}: the pinned id {experience.id} is not in the account: "
                        "remove the id line to create a new experience, or fix the id."
                    ),
                )
            )
            continue
        live_id, error = _find(experience, by_name)
        if error is None and live_id is not None and live_id in claimed:
            error = (
                f"{experience.key}: the live experience {by_id[live_id]['name']!r} ({live_id}) is "
                f"already managed by {claimed[live_id]}; each experience needs exactly one file."
            )
        if error is not None:
            errors.append(PlanError(experience.key, error))
            continue
        if live_id is not None:
            claimed[live_id] = experience.key
        pairs.append(Pair(experience, live_id))
    unmanaged_items = [item for item in live_items if item["id"] not in claimed]
    unmanaged = tuple(_unmanaged(item) for item in unmanaged_items)
    pairs = [
        pair
        if pair.live_id is not None
        else replace(pair, renamed_from=_renamed_from(pair.desired, unmanaged_items))
        for pair in pairs
    ]
    return Matching(tuple(pairs), unmanaged, tuple(errors), tuple(gone))


def _unmanaged(item: Mapping[str, Any]) -> UnmanagedExperience:
    return UnmanagedExperience(item["id"], item["name"], item["type"], item["status"])


def _renamed_from(
    experience: DesiredExperience, unmanaged: Sequence[Mapping[str, Any]]
) -> UnmanagedExperience | None:
    """A started experience no file matches, of the same type and with the same variation names."""
    names = sorted(variation["name"] for variation in experience.body.get("variations", []))
    for item in unmanaged:
        live_names = sorted(str(variation.get("name")) for variation in item.get("variations") or [])
        running = item.get("status") == LiveStatus.STARTED
        if running and item.get("type") == experience.type and live_names == names:
            return _unmanaged(item)
    return None


def _find(
    experience: DesiredExperience, by_name: Mapping[str, list[Mapping[str, Any]]]
) -> tuple[str | None, str | None]:
    """The live id a file manages (None: none yet), or why it cannot tell; a pinned id is in the account."""
    if experience.id is not None:
        return experience.id, None
    named = by_name.get(experience.name, [])
    if len(named) > 1:
        ids = ", ".join(item["id"] for item in named)
        return None, (
            f"{experience.key}: {len(named)} live experiences are named {experience.name!r} "
            f"({ids}): pin one with an id line."
        )
    return (named[0]["id"] if named else None), None
