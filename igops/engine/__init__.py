"""The engine: reads the live account, decides the plan, and (later) carries it out."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from igops.api import IntelligemsClient
from igops.engine.matching import Matching, match
from igops.engine.planner import build_plan
from igops.engine.refresh import CacheError, RefreshCache, fetch_details
from igops.model import DesiredExperience, Plan, PlanError

__all__ = ["CacheError", "RefreshCache", "files_hash", "make_plan"]


async def make_plan(
    client: IntelligemsClient,
    desired: Sequence[DesiredExperience],
    *,
    targets: Sequence[str] = (),
    cache: RefreshCache | None = None,
    fingerprint: str = "",
) -> Plan:
    """Refresh the live side (reads only) and compare it with the files (`fingerprint`: files_hash)."""
    live_items = await client.list_experiences()
    matching = _restrict(match(desired, live_items), targets)
    wanted = {pair.live_id for pair in matching.pairs if pair.live_id is not None}
    documents = await fetch_details(client, live_items, wanted, cache)
    return build_plan(matching, documents, fingerprint)


def files_hash(desired: Sequence[DesiredExperience]) -> str:
    """A fingerprint of the experience files' content: a saved plan is stale once it moves."""
    digest = hashlib.sha256()
    for experience in sorted(desired, key=lambda item: item.key):
        content = experience.path.read_bytes()
        digest.update(f"{experience.key}\0{len(content)}\0".encode())
        digest.update(content)
    return digest.hexdigest()


def _restrict(matching: Matching, targets: Sequence[str]) -> Matching:
    """Only the targeted files; the others stay managed, so they are not listed as unmanaged."""
    if not targets:
        return matching
    keys = {pair.desired.key for pair in matching.pairs} | {e.key for e in matching.errors if e.key}
    unknown = [key for key in targets if key not in keys]
    errors = [error for error in matching.errors if error.key in targets]
    errors += [PlanError(key, f"--target {key}: no experience file has that key (the file name "
                              "without .yaml).") for key in unknown]
    pairs = tuple(pair for pair in matching.pairs if pair.desired.key in targets)
    return Matching(pairs, matching.unmanaged, tuple(errors))
