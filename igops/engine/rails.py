"""Safety rails: what in a plan is risky enough that apply wants `--force`.

Assessed once, when the plan is made, and kept in it as typed risks: the plan's text, its PR
comment and its JSON show them, and apply enforces the risks of the plan it runs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from igops.analytics.results import STRONG_LOSS, metric_label, winner_verdict
from igops.model import ChangeKind, ExperiencePlan, FieldChange, Origin, Risk, RiskKind


@dataclass(frozen=True)
class Rails:
    """The project's rails (igops.yaml; --max-changes)."""

    max_changes: int = 25
    protect_running_splits: bool = True


DEFAULT_RAILS = Rails()


def assess(experiences: Sequence[ExperiencePlan], rails: Rails) -> tuple[Risk, ...]:
    """Every risk of a plan made of `experiences`: the plan's own first, then per experience."""
    risks = []
    total = sum(len(experience.changes) for experience in experiences)
    if total > rails.max_changes:
        risks.append(Risk(RiskKind.MAX_CHANGES, None, (
            f"the plan makes {total} changes, more than max_changes ({rails.max_changes}): review it, then "
            "run apply with --force, or raise max_changes in igops.yaml (or --max-changes).")))
    for experience in experiences:
        risks.extend(_experience_risks(experience, rails))
    return tuple(risks)


def _experience_risks(experience: ExperiencePlan, rails: Rails) -> list[Risk]:
    risks = []
    fields = [field for change in experience.changes if change.kind is ChangeKind.UPDATE
              for field in change.fields]
    split = [field for field in fields if touches_split(field)]
    if experience.live_status == "started" and split:
        way_on = "pause or end it first, or run apply with --force" if rails.protect_running_splits else \
            "pause or end it first if that matters"
        if all(field.origin is Origin.OUTSIDE for field in split):
            # Only the account moved (plan --base): the rail fires for a revert this change did not ask for.
            message = ("its traffic split or variations were changed outside git, and applying moves them "
                       "back, which mixes two setups in its results: to keep the account's, run igops drift "
                       f"--adopt --target {experience.key} and commit the file; to move them back, {way_on}.")
        else:
            message = ("changes the traffic split or the variations of a running test, which mixes two "
                       f"setups in its results: {way_on}.")
        risks.append(Risk(RiskKind.RUNNING_SPLIT, experience.key, message,
                          needs_force=rails.protect_running_splits))
    if any(change.kind is ChangeKind.END and change.winner is None for change in experience.changes):
        risks.append(Risk(RiskKind.END_WITHOUT_WINNER, experience.key, (
            "ends without a winner: add winner: to the file, or run apply with --force to end it with no "
            "variation rolled out.")))
    risks.extend(_strong_loss_winner(experience))
    return risks


def _strong_loss_winner(experience: ExperiencePlan) -> list[Risk]:
    """A winner the API's verdict calls a strong loss against the control (the plan's results read first)."""
    results = experience.results
    winners = [change.winner for change in experience.changes
               if change.kind is ChangeKind.END and change.winner is not None]
    if results is None or not winners or winner_verdict(results, winners[0]) != STRONG_LOSS:
        return []
    chosen = results.variation(winners[0])
    assert chosen is not None  # winner_verdict found it
    figures = [f"{chosen.uplift.value:+.1%} on {metric_label(results.primary_metric)}"] \
        if chosen.uplift and results.primary_metric else []
    figures += [f"{chosen.p2bc:.0%} chance to beat the control"] if chosen.p2bc is not None else []
    shown = f" ({', '.join(figures)})" if figures else ""
    return [Risk(RiskKind.STRONG_LOSS_WINNER, experience.key, (
        f"ends with the winner {winners[0]}, which the API's verdict calls a strong loss against the "
        f"control{shown}: name the control as winner, or run apply with --force to roll it out anyway."))]


# A whole variation added or removed, or a variation's share of traffic.
_SPLIT_PATH = re.compile(r'variations\["(?:[^"\\]|\\.)*"\](?:\.percentage)?')


def touches_split(change: FieldChange) -> bool:
    """Whether a difference adds or removes a variation, or changes a variation's share of traffic."""
    return _SPLIT_PATH.fullmatch(change.path) is not None
