"""What the text and markdown plans share: which experiences get a section, action labels."""

from __future__ import annotations

from collections.abc import Sequence

from igops.model import Change, ChangeKind, ExperiencePlan, Plan, Risk, ScheduledAction, UnmanagedExperience
from igops.moments import clock_text, relative_text
from igops.render.untrusted import markdown_inline, terminal
from igops.text import counted

# An experience shown only for its warnings or notes: nothing will be done to it.
NO_OP = "# no-op"
# An experience whose only actions its schedule holds back: nothing now, something later.
LATER = "@ later"
ACCOUNT_MATCHES = "The account matches the files."


def shown(plan: Plan) -> tuple[ExperiencePlan, ...]:
    """Experiences worth a section: the changed ones, and unchanged ones with a warning or a note."""
    return tuple(
        e
        for e in plan.experiences
        if e.changes or e.scheduled or e.warnings or e.notes or plan.risks_of(e.key)
    )


def idle_label(experience: ExperiencePlan) -> str:
    """The label of an experience the plan changes nothing of now."""
    return LATER if experience.scheduled else NO_OP


def scheduled_text(action: ScheduledAction, now: float | None) -> str:
    """`starts at 2026-12-07 09:00 +01:00 (in 5 days)`, `ends at ... (in 2 hours), winner: B`."""
    verb = "starts" if action.kind is ChangeKind.START else "ends"
    when = "" if now is None else f" ({relative_text(action.due, now)})"
    winner = f", winner: {action.winner}" if action.winner is not None else ""
    return f"{verb} at {clock_text(action.due)}{when}{winner}"


def risk_label(risk: Risk) -> str:
    """How a policy's finding is flagged: its rule, and whether apply refuses it without --force or it is a
    warning to weigh."""
    return f"{risk.rule} ({'needs --force' if risk.needs_force else 'warning'})"


def account_matches(plan: Plan) -> bool:
    """Whether `No changes.` may add that the account matches: not when something was ignored or failed."""
    return not (plan.has_changes or plan.errors or shown(plan))


def action_label(change: Change) -> str:
    """`+ create`, `~ update`, `> start`..."""
    return f"{change.kind.row.symbol} {change.kind}"


def winner_text(change: Change) -> str:
    return f"winner: {terminal(change.winner)}" if change.winner is not None else "(no winner)"


def unmanaged_title(count: int) -> str:
    return f"Unmanaged (never touched by igops): {counted(count, 'experience')}"


def unmanaged_lines(unmanaged: Sequence[UnmanagedExperience]) -> list[str]:
    """The experiences no file manages, for a terminal: a title and a line each (nothing when none)."""
    if not unmanaged:
        return []
    return [
        unmanaged_title(len(unmanaged)),
        *(
            f"  - {terminal(e.name)} ({terminal(e.type)}, {terminal(e.status)}, id {terminal(e.id)})"
            for e in unmanaged
        ),
    ]


def unmanaged_table(unmanaged: Sequence[UnmanagedExperience]) -> list[str]:
    """The experiences no file manages as the lines of a markdown table."""
    rows = [
        f"| {' | '.join(markdown_inline(value) for value in (e.name, e.type, e.status, e.id))} |"
        for e in unmanaged
    ]
    return ["| Name | Type | Status | Id |", "| --- | --- | --- | --- |", *rows]
