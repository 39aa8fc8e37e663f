"""The safety rails: the rules igops has always checked, each at level force by default (so apply wants
`--force`): too many changes, a running test's split, an end without a winner or with a strong loser."""

from __future__ import annotations

import re
from collections.abc import Iterator

from igops.analytics.results import STRONG_LOSS, metric_label, winner_verdict
from igops.engine.rules.base import BuiltIn, Finding, Level, PlanInputs, Policy
from igops.model import ChangeKind, ExperiencePlan, FieldChange, Origin
from igops.statuses import LiveStatus


def _max_changes(inputs: PlanInputs, policy: Policy) -> Iterator[Finding]:
    total = sum(len(experience.changes) for experience in inputs.experiences)
    limit = policy["max"]
    if total > limit:
        yield Finding(
            None,
            (
                f"the plan makes {total} changes, more than max-changes allows ({limit}): review it, then "
                "run apply with --force, or raise policies.max-changes.max in igops.yaml (or --max-changes)."
            ),
            {"changes": total, "max": limit},
        )


def _running_split(inputs: PlanInputs, policy: Policy) -> Iterator[Finding]:
    protect = policy.level is Level.FORCE
    for experience in inputs.experiences:
        risk = _running_split_risk(experience, protect)
        if risk is not None:
            yield risk


def _running_split_risk(experience: ExperiencePlan, protect: bool) -> Finding | None:
    fields = [
        field for change in experience.changes if change.kind is ChangeKind.UPDATE for field in change.fields
    ]
    split = [field for field in fields if touches_split(field)]
    if experience.live_status != LiveStatus.STARTED or not split:
        return None
    way_on = (
        "pause or end it first, or run apply with --force"
        if protect
        else "pause or end it first if that matters"
    )
    if all(field.origin is Origin.OUTSIDE for field in split):
        # Only the account moved (plan --base): the rail fires for a revert this change did not ask for.
        message = (
            "its traffic split or variations were changed outside git, and applying moves them "
            "back, which mixes two setups in its results: to keep the account's, run igops drift "
            f"--adopt --target {experience.key} and commit the file; to move them back, {way_on}."
        )
    else:
        message = (
            "changes the traffic split or the variations of a running test, which mixes two "
            f"setups in its results: {way_on}."
        )
    return Finding(experience.key, message, {"fields": [field.path for field in split]})


def _end_without_winner(inputs: PlanInputs, policy: Policy) -> Iterator[Finding]:
    for experience in inputs.experiences:
        if any(change.kind is ChangeKind.END and change.winner is None for change in experience.changes):
            yield Finding(
                experience.key,
                (
                    "ends without a winner: add winner: to the file, or run apply with --force to end it "
                    "with no "
                    "variation rolled out."
                ),
            )


def _strong_loss_winners(inputs: PlanInputs, policy: Policy) -> Iterator[Finding]:
    for experience in inputs.experiences:
        yield from _strong_loss_winner(experience)


def _strong_loss_winner(experience: ExperiencePlan) -> list[Finding]:
    """A winner the API's verdict calls a strong loss against the control (the plan's results read first)."""
    results = experience.results
    winners = [
        change.winner
        for change in experience.changes
        if change.kind is ChangeKind.END and change.winner is not None
    ]
    if results is None or not winners or winner_verdict(results, winners[0]) != STRONG_LOSS:
        return []
    chosen = results.variation(winners[0])
    assert chosen is not None  # winner_verdict found it
    figures = (
        [f"{chosen.uplift.value:+.1%} on {metric_label(results.primary_metric)}"]
        if chosen.uplift and results.primary_metric
        else []
    )
    figures += [f"{chosen.p2bc:.0%} chance to beat the control"] if chosen.p2bc is not None else []
    shown = f" ({', '.join(figures)})" if figures else ""
    return [
        Finding(
            experience.key,
            (
                f"ends with the winner {winners[0]}, which the API's verdict calls a strong loss against the "
                f"control{shown}: name the control as winner, or run apply with --force to roll it out "
                "anyway."
            ),
            {"uplift": chosen.uplift.value if chosen.uplift else None, "p2bc": chosen.p2bc},
        )
    ]


# A whole variation added or removed, or a variation's share of traffic.
_SPLIT_PATH = re.compile(r'variations\["(?:[^"\\]|\\.)*"\](?:\.percentage)?')


def touches_split(change: FieldChange) -> bool:
    """Whether a difference adds or removes a variation, or changes a variation's share of traffic."""
    return _SPLIT_PATH.fullmatch(change.path) is not None


# In the order a plan lists their risks for one experience.
RAILS = (
    BuiltIn("max-changes", _max_changes),
    BuiltIn("running-split", _running_split),
    BuiltIn("end-without-winner", _end_without_winner),
    BuiltIn("strong-loss-winner", _strong_loss_winners),
)
