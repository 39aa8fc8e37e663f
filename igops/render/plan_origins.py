"""What a plan made with --base says first: the changes made outside git that applying reverts. Decided
here once; the text and markdown plans only lay the sentences out."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from igops.model import Change, ChangeKind, ExperiencePlan, FieldChange, Origin, Plan
from igops.render.plan_values import value_pair

_VALUE_WIDTH = 60
_SHORT_COMMIT = 7


@dataclass(frozen=True)
class Reverted:
    """One change made outside git: the experience's key, and a sentence saying what apply does to it."""

    key: str
    sentence: str


def outside_heading(plan: Plan, count: int) -> str | None:
    """The section's heading over `count` reverted changes, or None when there are none (or no base)."""
    if plan.git_base is None or not count:
        return None
    base = plan.git_base
    return (
        f"Changed outside git since {base.ref} ({base.commit[:_SHORT_COMMIT]}): apply will revert "
        f"{'these' if count > 1 else 'this'}."
    )


def reverted(plan: Plan) -> list[Reverted]:
    ref = plan.git_base.ref if plan.git_base is not None else "the base"
    return [
        Reverted(experience.key, sentence)
        for experience in plan.experiences
        for change in experience.changes
        for sentence in _sentences(experience, change, ref)
    ]


def _sentences(experience: ExperiencePlan, change: Change, ref: str) -> Iterator[str]:
    for field in change.fields:
        if field.origin is not None and field.origin.reverts:
            yield _field_sentence(field, ref)
    if change.origin is None or not change.origin.reverts:
        return
    if change.kind is ChangeKind.CREATE:
        yield f"not in the account, though {ref}'s files have it: apply creates it."
    elif change.origin is Origin.OUTSIDE:
        yield (
            f"{experience.live_status} in the account, {experience.desired_status} in {ref}'s files: "
            f"apply will {change.kind} it."
        )
    else:
        yield (
            f"{experience.live_status} in the account, and this change asks for "
            f"{experience.desired_status}: apply will {change.kind} it."
        )


def _field_sentence(field: FieldChange, ref: str) -> str:
    live, wanted = value_pair(field.before, field.after, _VALUE_WIDTH)
    if field.origin is Origin.BOTH:
        return (
            f"{field.path} is {live} in the account, and this change makes it {wanted}: the account's "
            "edit is lost."
        )
    return f"{field.path} is {live} in the account, {wanted} in {ref}'s files: apply sets {wanted}."
