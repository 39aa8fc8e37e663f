"""The rules every plan is checked against, assessed once as the last step of planning.

A rule's risks are kept in the plan: its text, its pull request comment and its JSON show them, and
apply enforces the risks of the plan it runs. A new rule is one entry in `PLAN_RULES` (and a RiskKind
for its name), plus its settings in `RuleSettings` and igops.yaml's schema.
"""

from __future__ import annotations

from collections.abc import Sequence

from igops.engine.errors import EngineError
from igops.engine.rules.base import DEFAULT_SETTINGS, PlanInputs, PlanRule, RuleSettings
from igops.engine.rules.rails import RAILS, touches_split
from igops.model import Plan, Risk

PLAN_RULES: tuple[PlanRule, ...] = RAILS


def assess(inputs: PlanInputs, rules: Sequence[PlanRule] = PLAN_RULES) -> tuple[Risk, ...]:
    """Every risk the rules find: the plan's own first, then each experience's in plan order, and for
    one experience in the order of the rules."""
    found = [risk for rule in rules for risk in rule.check(inputs)]
    order = {experience.key: index for index, experience in enumerate(inputs.experiences)}
    return tuple(sorted(found, key=lambda risk: -1 if risk.key is None else order.get(risk.key, len(order))))


class UnsafePlan(EngineError):
    """The plan crosses safety rails and --force was not given."""

    def __init__(self, risks: Sequence[Risk]) -> None:
        super().__init__("\n".join(f"Error: safety rail: {risk.sentence}" for risk in risks))
        self.risks = tuple(risks)


def raise_if_unsafe(plan: Plan, *, force: bool = False) -> None:
    """UnsafePlan when the plan has risks that need --force and `force` is not given."""
    if plan.blocking_risks and not force:
        raise UnsafePlan(plan.blocking_risks)


__all__ = [
    "DEFAULT_SETTINGS",
    "PLAN_RULES",
    "PlanInputs",
    "PlanRule",
    "RuleSettings",
    "UnsafePlan",
    "assess",
    "raise_if_unsafe",
    "touches_split",
]
