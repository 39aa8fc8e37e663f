"""The one-line plan summary every renderer shows, so text, markdown and JSON never disagree."""

from __future__ import annotations

from igops.model import ChangeKind, Plan
from igops.text import counted


def summary_line(plan: Plan) -> str:
    """`Plan: 2 to create, 1 to update, 3 lifecycle actions (start 2, end 1).`, or `No changes.`"""
    if not plan.has_changes:
        return "No changes."
    lifecycle = {kind: plan.count(kind) for kind in ChangeKind if kind.is_lifecycle}
    # Zero counts stay in the headline (Terraform's habit) but would be noise inside the parentheses.
    detail = ", ".join(f"{kind} {number}" for kind, number in lifecycle.items() if number)
    actions = counted(sum(lifecycle.values()), "lifecycle action") + (f" ({detail})" if detail else "")
    create, update = plan.count(ChangeKind.CREATE), plan.count(ChangeKind.UPDATE)
    return f"Plan: {create} to create, {update} to update, {actions}."
