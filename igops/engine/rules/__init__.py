"""The policies every plan is checked against, assessed once as the last step of planning.

A rule's findings are kept in the plan as risks: its text, its pull request comment and its JSON show
them, and apply refuses those of level force without --force. A built-in rule is one entry in
`BUILT_IN_RULES` with its settings in igops.yaml's schema (`policies`); a team's own rule is a plug-in
(igops.engine.rules.plugins). `RuleBook` is every rule with its policy, as igops.yaml sets it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from igops.config import DEFAULT_PROJECT, PolicySetting
from igops.engine.errors import EngineError
from igops.engine.rules.base import BuiltIn, Finding, Level, PlanInputs, Policy, PolicyRule
from igops.engine.rules.blast_radius import BLAST_RADIUS
from igops.engine.rules.discount import MAX_DISCOUNT
from igops.engine.rules.end_gate import END_GATE
from igops.engine.rules.freeze import FREEZE
from igops.engine.rules.overlap import OVERLAP
from igops.engine.rules.plugins import PluginRule, RulePluginError, installed_plugins
from igops.engine.rules.primary_metric import PRIMARY_METRIC
from igops.engine.rules.rails import RAILS, touches_split
from igops.engine.rules.runtime import MAX_RUNTIME
from igops.files.errors import did_you_mean
from igops.model import Plan, Risk

# In the order a plan lists their risks for one experience.
BUILT_IN_RULES: tuple[BuiltIn, ...] = (
    *RAILS,
    END_GATE,
    OVERLAP,
    FREEZE,
    MAX_DISCOUNT,
    PRIMARY_METRIC,
    MAX_RUNTIME,
    BLAST_RADIUS,
)


@dataclass(frozen=True)
class BookEntry:
    """One rule, the policy it is checked with, and where the rule comes from (built-in, or a plug-in's
    distribution and entry point)."""

    rule: PolicyRule
    policy: Policy
    origin: str = "built-in"


@dataclass(frozen=True)
class RuleBook:
    """Every rule igops knows (the built-ins, then the installed plug-ins), each with its policy."""

    entries: tuple[BookEntry, ...]

    def in_force(self, *, offline: bool = False, clock_only: bool = False) -> tuple[BookEntry, ...]:
        """The rules not turned off; `offline`: only those that need no account; `clock_only`: only those
        whose findings depend on the time."""
        return tuple(
            entry
            for entry in self.entries
            if entry.policy.level is not Level.OFF
            and not (offline and entry.rule.needs_account)
            and not (clock_only and not entry.rule.uses_clock)
        )

    def with_option(self, name: str, option: str, value: Any) -> RuleBook:
        """The book with one rule's threshold overridden (--max-changes)."""
        return RuleBook(
            tuple(
                replace(entry, policy=replace(entry.policy, options={**entry.policy.options, option: value}))
                if entry.rule.name == name
                else entry
                for entry in self.entries
            )
        )

    def policy(self, name: str) -> Policy:
        return next(entry.policy for entry in self.entries if entry.rule.name == name)


def rule_book(settings: Mapping[str, PolicySetting], plugins: Sequence[PluginRule] | None = None) -> RuleBook:
    """The rules with igops.yaml's `policies` (config.AccountConfig.policies): every built-in, then every
    installed plug-in (`plugins`, default: those found at start-up). EngineError, located, for a setting
    that names no rule."""
    plugins = installed_plugins() if plugins is None else plugins
    clash = [plugin for plugin in plugins if plugin.name in {rule.name for rule in BUILT_IN_RULES}]
    if clash:
        raise RulePluginError(
            f"The rule plug-in {clash[0].origin} is named {clash[0].name}, like a built-in rule: rename it."
        )
    # Two plug-ins of one name would share igops.yaml's setting and be told apart in no output.
    for index, plugin in enumerate(plugins):
        twin = next((other for other in plugins[:index] if other.name == plugin.name), None)
        if twin is not None:
            raise RulePluginError(
                f"The rule plug-ins {twin.origin} and {plugin.origin} are both named {plugin.name}: "
                "rename one."
            )
    entries = [BookEntry(rule, _policy(settings[rule.name])) for rule in BUILT_IN_RULES]
    for plugin in plugins:
        given = settings.get(plugin.name)
        options = {**plugin.defaults, **(given.options if given else {})}
        entries.append(
            BookEntry(plugin, Policy(Level(given.level if given else "warn"), options), plugin.origin)
        )
    known = [entry.rule.name for entry in entries]
    for name, setting in settings.items():
        if name not in known:
            where = f"{setting.where}: " if setting.where else ""
            raise EngineError(
                f"{where}policies: no rule is named {name!r}{did_you_mean(name, known)}; igops policies "
                "lists the rules installed (a plug-in's needs its distribution installed beside igops)."
            )
    return RuleBook(tuple(entries))


def _policy(setting: PolicySetting) -> Policy:
    return Policy(Level(setting.level), dict(setting.options))


# The built-in rules at their defaults: what a plan is checked against when no book is given.
DEFAULT_BOOK = rule_book(DEFAULT_PROJECT.account.policies, plugins=())


def assess(inputs: PlanInputs, entries: Iterable[BookEntry]) -> tuple[Risk, ...]:
    """Every risk the rules find: the plan's own first, then each experience's in plan order (in the order
    of the files when offline), and for one experience in the order of the rules."""
    found = [_risk(entry, finding) for entry in entries for finding in entry.rule.check(inputs, entry.policy)]
    keys = [experience.key for experience in inputs.experiences] or [file.key for file in inputs.files]
    order = {key: index for index, key in enumerate(keys)}
    return tuple(sorted(found, key=lambda risk: -1 if risk.key is None else order.get(risk.key, len(order))))


def _risk(entry: BookEntry, finding: Finding) -> Risk:
    return Risk(
        entry.rule.name,
        finding.key,
        finding.message,
        needs_force=entry.policy.level is Level.FORCE,
        figures=dict(finding.figures),
    )


def reassessed(plan: Plan, book: RuleBook, inputs: PlanInputs) -> Plan:
    """A saved plan at apply time: its findings as recorded, but those of the rules that depend on the
    clock found again at `inputs.now` (a plan saved before a freeze is not applied inside it)."""
    clock_rules = {entry.rule.name for entry in book.entries if entry.rule.uses_clock}
    kept = tuple(risk for risk in plan.risks if risk.rule not in clock_rules)
    fresh = assess(inputs, book.in_force(clock_only=True))
    order = {experience.key: index for index, experience in enumerate(plan.experiences)}
    risks = sorted(
        (*kept, *fresh), key=lambda risk: -1 if risk.key is None else order.get(risk.key, len(order))
    )
    return replace(plan, risks=tuple(risks))


class UnsafePlan(EngineError):
    """The plan has findings of policies at level force, and --force was not given."""

    def __init__(self, risks: Sequence[Risk]) -> None:
        super().__init__("\n".join(f"Error: policy {risk.rule}: {risk.sentence}" for risk in risks))
        self.risks = tuple(risks)


def raise_if_unsafe(plan: Plan, *, force: bool = False) -> None:
    """UnsafePlan when the plan has risks that need --force and `force` is not given."""
    if plan.blocking_risks and not force:
        raise UnsafePlan(plan.blocking_risks)


__all__ = [
    "BUILT_IN_RULES",
    "DEFAULT_BOOK",
    "BookEntry",
    "BuiltIn",
    "Finding",
    "Level",
    "PlanInputs",
    "Policy",
    "PolicyRule",
    "RuleBook",
    "RulePluginError",
    "UnsafePlan",
    "assess",
    "raise_if_unsafe",
    "reassessed",
    "rule_book",
    "touches_split",
]
