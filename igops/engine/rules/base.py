"""What a plan rule is: a name, the settings it reads, and a check of the finished plan's inputs.

Every rule sees the same frozen `PlanInputs`, so that a rule added later (a policy a team agrees on)
needs nothing the pipeline does not already hand to the others, and no rule makes a request of its own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from igops.model import DesiredExperience, ExperiencePlan, Risk, Rule


@dataclass(frozen=True)
class RuleSettings:
    """What the rules read from igops.yaml (and --max-changes). Built with dataclasses.replace, never
    positionally, so that a setting added here keeps its default wherever one is overridden."""

    max_changes: int = 25
    protect_running_splits: bool = True


DEFAULT_SETTINGS = RuleSettings()


@dataclass(frozen=True)
class PlanInputs:
    """Everything a plan was made from, as the rules see it once the plan is decided.

    `experiences`: each file's plan, with its live status, results read and origins; `files`: the
    experience files planned; `live`: the full live documents read, by id; `now`: the plan's clock
    (Unix seconds)."""

    experiences: tuple[ExperiencePlan, ...]
    settings: RuleSettings = DEFAULT_SETTINGS
    files: tuple[DesiredExperience, ...] = ()
    live: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    now: float = 0.0


class PlanRule(Rule, Protocol):
    """One rule a plan is checked against; `name` is the stable name every output uses."""

    def check(self, inputs: PlanInputs) -> Sequence[Risk]:
        """The risks this rule finds in the plan: the plan's own first, then per experience."""
        ...
