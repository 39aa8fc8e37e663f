"""blast-radius: one apply that moves too many of the running experiences at once.

When at least `min_running` experiences are running (managed or not, from the list the plan reads), a plan
that starts, pauses or ends more than `max_share` of that many needs a second look: a wrong merge should
not stop, or start, half the store's tests at once.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from igops.engine.rules.base import BuiltIn, Finding, Level, PlanInputs, Policy
from igops.statuses import ChangeKind, LiveStatus


def _blast_radius(inputs: PlanInputs, policy: Policy) -> Iterator[Finding]:
    # Counted by id over everything the plan read: a --target plan holds only some managed experiences, but
    # the others run all the same.
    running_ids = {
        experience.experience_id
        for experience in inputs.experiences
        if experience.live_status == LiveStatus.STARTED
    }
    running_ids |= {
        experience.id for experience in inputs.unmanaged if experience.status == LiveStatus.STARTED
    }
    running = len(running_ids | inputs.running_ids)
    moved = [
        change.kind.value
        for experience in inputs.experiences
        for change in experience.changes
        if change.kind.is_lifecycle
    ]
    allowed = math.floor(policy["max_share"] * running)
    if running < policy["min_running"] or len(moved) <= allowed:
        return
    # In the order of the plan's summary line (start, pause, end), which states the same counts.
    detail = ", ".join(f"{kind} {moved.count(kind)}" for kind in ChangeKind if kind in moved)
    way_on = "review it, then run apply with --force" if policy.level is Level.FORCE else "review it"
    yield Finding(
        None,
        (
            f"the plan starts, pauses or ends {len(moved)} experiences ({detail}) while {running} are "
            f"running, more than blast-radius allows ({policy['max_share']:.0%} of them, {allowed}): "
            f"{way_on}, or split the change."
        ),
        {"lifecycle_actions": len(moved), "running": running, "max_share": policy["max_share"]},
    )


BLAST_RADIUS = BuiltIn("blast-radius", _blast_radius)
