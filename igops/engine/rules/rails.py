"""The safety rails: the plan rules igops has always checked, each risky enough that apply wants
`--force` (a running test's split only while protect_running_splits is on)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from igops.analytics.results import STRONG_LOSS, metric_label, winner_verdict
from igops.engine.rules.base import PlanInputs
from igops.model import ChangeKind, ExperiencePlan, FieldChange, Origin, Risk, RiskKind
from igops.statuses import LiveStatus


@dataclass(frozen=True)
class Rail:
    """A plan rule whose risks are of one kind, named after it."""

    kind: RiskKind
    find: Callable[[PlanInputs], Iterator[Risk]]
    needs_account: bool = True

    @property
    def name(self) -> str:
        return self.kind.value

    def check(self, inputs: PlanInputs) -> Sequence[Risk]:
        return tuple(self.find(inputs))


def _max_changes(inputs: PlanInputs) -> Iterator[Risk]:
    total = sum(len(experience.changes) for experience in inputs.experiences)
    limit = inputs.settings.max_changes
    if total > limit:
        yield Risk(
            RiskKind.MAX_CHANGES,
            None,
            (
                f"the plan makes {total} changes, more than max_changes ({limit}): review it, then "
                "run apply with --force, or raise max_changes in igops.yaml (or --max-changes)."
            ),
        )


def _running_split(inputs: PlanInputs) -> Iterator[Risk]:
    protect = inputs.settings.protect_running_splits
    for experience in inputs.experiences:
        risk = _running_split_risk(experience, protect)
        if risk is not None:
            yield risk


def _running_split_risk(experience: ExperiencePlan, protect: bool) -> Risk | None:
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
    return Risk(RiskKind.RUNNING_SPLIT, experience.key, message, needs_force=protect)


def _end_without_winner(inputs: PlanInputs) -> Iterator[Risk]:
    for experience in inputs.experiences:
        if any(change.kind is ChangeKind.END and change.winner is None for change in experience.changes):
            yield Risk(
                RiskKind.END_WITHOUT_WINNER,
                experience.key,
                (
                    "ends without a winner: add winner: to the file, or run apply with --force to end it "
                    "with no "
                    "variation rolled out."
                ),
            )


def _strong_loss_winners(inputs: PlanInputs) -> Iterator[Risk]:
    for experience in inputs.experiences:
        yield from _strong_loss_winner(experience)


def _strong_loss_winner(experience: ExperiencePlan) -> list[Risk]:
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
        Risk(
            RiskKind.STRONG_LOSS_WINNER,
            experience.key,
            (
                f"ends with the winner {winners[0]}, which the API's verdict calls a strong loss against the "
                f"control{shown}: name the control as winner, or run apply with --force to roll it out "
                "anyway."
            ),
        )
    ]


# A whole variation added or removed, or a variation's share of traffic.
_SPLIT_PATH = re.compile(r'variations\["(?:[^"\\]|\\.)*"\](?:\.percentage)?')


def touches_split(change: FieldChange) -> bool:
    """Whether a difference adds or removes a variation, or changes a variation's share of traffic."""
    return _SPLIT_PATH.fullmatch(change.path) is not None


# In the order a plan lists their risks for one experience.
RAILS = (
    Rail(RiskKind.MAX_CHANGES, _max_changes),
    Rail(RiskKind.RUNNING_SPLIT, _running_split),
    Rail(RiskKind.END_WITHOUT_WINNER, _end_without_winner),
    Rail(RiskKind.STRONG_LOSS_WINNER, _strong_loss_winners),
)
