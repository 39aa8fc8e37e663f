"""Safety rails: plans big or risky enough that apply wants `--force`."""

from __future__ import annotations

from igops.engine.planner import touches_split
from igops.model import ChangeKind, Plan


def rail_refusals(plan: Plan, *, max_changes: int, protect_running_splits: bool = True) -> list[str]:
    """One sentence per rail the plan crosses: the rule, and how to proceed."""
    refusals = []
    total = sum(len(experience.changes) for experience in plan.experiences)
    if total > max_changes:
        refusals.append(
            f"the plan makes {total} changes, more than max_changes ({max_changes}): review it, then run "
            "apply with --force, or raise max_changes in igops.yaml (or --max-changes).")
    for experience in plan.changed:
        updates = [change for change in experience.changes if change.kind is ChangeKind.UPDATE]
        if protect_running_splits and experience.live_status == "started" and any(
                touches_split(field) for change in updates for field in change.fields):
            refusals.append(
                f"{experience.key}: changes the traffic split or the variations of a running test, which "
                "mixes two setups in its results: pause or end it first, or run apply with --force.")
        if any(change.kind is ChangeKind.END and change.winner is None for change in experience.changes):
            refusals.append(
                f"{experience.key}: ends without a winner: add winner: to the file, or run apply with "
                "--force to end it with no variation rolled out.")
    return refusals
