"""What a policy is: a rule with a stable name, checked at the level a team set for it (off, warn or force)
with the thresholds it set, against the plain data a plan was made from.

Every rule, a plug-in's too, sees the same frozen `PlanInputs` and its own `Policy`, and returns `Finding`s;
the level decides what a finding is (igops.engine.rules.assess turns it into a Risk that needs --force, or a
warning). No rule is given the client, the token or the environment, and none makes a request of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from igops.experience_types import PERSONALIZATION_TYPES
from igops.model import DesiredExperience, ExperiencePlan, UnmanagedExperience
from igops.schemas import CONFIG_SCHEMA, load_schema


class Level(StrEnum):
    """How much a policy's finding weighs: not checked, shown, or refused by apply without --force."""

    OFF = "off"
    WARN = "warn"
    FORCE = "force"


@dataclass(frozen=True)
class Policy:
    """A rule's setting: its level and its thresholds (igops.yaml `policies`, defaults filled in)."""

    level: Level
    options: Mapping[str, Any] = field(default_factory=dict)

    def __getitem__(self, option: str) -> Any:
        return self.options[option]


@dataclass(frozen=True)
class Finding:
    """What a rule found: one sentence about the experience `key` (None: the plan as a whole), with the
    figures it states, by name, for machines."""

    key: str | None
    message: str
    figures: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PlanInputs:
    """Everything a plan was made from, as the rules see it once the plan is decided.

    `experiences`: each file's plan, with its live status, when it started, the results read for an end,
    and the origins; `files`: the experience files; `live`: the full live documents the plan read, by id;
    `unmanaged`: the live experiences no file manages, from the list; `now`: the plan's clock (Unix
    seconds); `running_ids`: the ids of every experience the list shows started, managed or not, those of
    the files a --target leaves out of `experiences` included. `offline` is True in `igops validate`, which
    reads no account: then only `files` and `now` are given, and only the rules that need no account run.
    """

    experiences: tuple[ExperiencePlan, ...] = ()
    files: tuple[DesiredExperience, ...] = ()
    live: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    unmanaged: tuple[UnmanagedExperience, ...] = ()
    now: float = 0.0
    offline: bool = False
    running_ids: frozenset[str] = frozenset()

    def file(self, key: str) -> DesiredExperience | None:
        """The experience file of `key`."""
        return next((file for file in self.files if file.key == key), None)

    def is_test(self, key: str) -> bool:
        """Whether the file `key` is a test: not a personalization (which has no result to wait for)."""
        file = self.file(key)
        return file is not None and file.type not in PERSONALIZATION_TYPES

    @property
    def judged_files(self) -> tuple[DesiredExperience, ...]:
        """The files a rule about files alone judges: every file offline; in a plan, those whose experience
        the plan changes (an apply is refused for what it does, not for what it leaves as it is)."""
        if self.offline:
            return self.files
        changed = {experience.key for experience in self.experiences if experience.changes}
        return tuple(file for file in self.files if file.key in changed)


class PolicyRule(Protocol):
    """One rule plans are checked against. `name` is stable and used in every output; `needs_account` is
    False for a rule that judges files alone (then `igops validate` runs it too); `uses_clock` is True when
    its findings depend on the time (a saved plan's apply checks it again at its own time)."""

    @property
    def name(self) -> str: ...

    @property
    def description(self) -> str: ...

    @property
    def needs_account(self) -> bool: ...

    @property
    def uses_clock(self) -> bool: ...

    def check(self, inputs: PlanInputs, policy: Policy) -> Iterable[Finding]:
        """What the rule finds: the plan's own first, then per experience."""
        ...


@dataclass(frozen=True)
class BuiltIn:
    """A rule igops ships: its name, what it finds, and what it needs. Its description and defaults are
    igops.yaml's schema's, so that `igops policies`, the schema and the rule cannot disagree."""

    name: str
    find: Callable[[PlanInputs, Policy], Iterable[Finding]]
    needs_account: bool = True
    uses_clock: bool = False

    @property
    def description(self) -> str:
        return str(_policy_schema(self.name)["description"])

    def check(self, inputs: PlanInputs, policy: Policy) -> Iterable[Finding]:
        return tuple(self.find(inputs, policy))


def _policy_schema(name: str) -> Mapping[str, Any]:
    return load_schema(CONFIG_SCHEMA)["properties"]["policies"]["properties"][name]  # type: ignore[no-any-return]
