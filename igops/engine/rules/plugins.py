"""A team's own rules: Python classes registered under the entry point group `igops.rules`, found once at
start-up and checked like the built-ins.

A plug-in is a class (made with no arguments) or an object with a `name` and a `check(inputs, policy)`
returning Findings (each about an experience file's key, or None for the plan, in one line, with figures
JSON can carry); it may say `description`, `needs_account` (default True), `uses_clock` (default
False) and `defaults` (its thresholds; the level defaults to warn). It is given the same plain data as
the built-ins: never the client, the token or the environment.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from igops.engine.errors import EngineError
from igops.engine.rules.base import Finding, PlanInputs, Policy
from igops.files.errors import quote
from igops.text import ended

GROUP = "igops.rules"
NAME = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")


class RulePluginError(EngineError):
    """A plug-in rule cannot be loaded, or failed while checking a plan; the message names it."""


@dataclass(frozen=True)
class PluginRule:
    """A plug-in's rule as igops uses it: what it says of itself, with the defaults it leaves out, and
    where it comes from (`origin`: the distribution and the entry point)."""

    name: str
    description: str
    needs_account: bool
    uses_clock: bool
    defaults: Mapping[str, Any]
    origin: str
    implementation: Any = field(repr=False, compare=False)

    def check(self, inputs: PlanInputs, policy: Policy) -> Iterable[Finding]:
        try:
            found = tuple(self.implementation.check(inputs, policy))
        except Exception as exc:  # a team's code: any failure is reported as the rule's, in one sentence
            raise RulePluginError(
                ended(f"The rule {self.name} ({self.origin}) failed: {_said(exc)}")
            ) from None
        # What the plan shows: its experiences (offline, the files); a --target plan has fewer than files.
        keys = {item.key for item in (inputs.files if inputs.offline else inputs.experiences)}
        for finding in found:
            if not isinstance(finding, Finding):
                raise RulePluginError(
                    f"The rule {self.name} ({self.origin}) returned a {type(finding).__name__}, not a "
                    "Finding (from igops.engine.rules import Finding)."
                )
            problem = _finding_problem(finding, keys)
            if problem is not None:
                raise RulePluginError(f"The rule {self.name} ({self.origin}) returned a Finding {problem}.")
        return found


def _finding_problem(finding: Finding, keys: set[str]) -> str | None:
    """Why a plan cannot carry a plug-in's finding, or None. Every format shows a finding under its
    experience (one the plan does not have would refuse apply unseen), and the JSON plan and saved plans
    carry its figures (data JSON cannot write would end the command in a traceback)."""
    if finding.key is not None and finding.key not in keys:
        return (
            f"about {quote(str(finding.key))}, which is no experience file's key (use None for the plan as a "
            "whole, and name what it is about in the message)"
        )
    if not isinstance(finding.message, str) or not finding.message.strip() or "\n" in finding.message:
        return "whose message is not one sentence on one line (a non-empty str)"
    if not isinstance(finding.figures, Mapping) or not _is_json_data(finding.figures):
        return (
            "whose figures are not JSON data (a mapping with str keys, of strings, numbers, booleans, None, "
            "lists and such mappings)"
        )
    return None


def _said(exc: Exception) -> str:
    """A team's exception as the end of one sentence (closed with igops.text.ended): on one line (a multi-line
    message would lose the 'Error: ' that starts the sentence)."""
    return f"{type(exc).__name__}: {' '.join(str(exc).split())}"


def _is_json_data(value: Any) -> bool:
    if value is None or isinstance(value, (str, bool, int)):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, (list, tuple)):
        return all(_is_json_data(item) for item in value)
    if isinstance(value, Mapping):
        return all(isinstance(key, str) and _is_json_data(item) for key, item in value.items())
    return False


@functools.cache
def installed_plugins() -> tuple[PluginRule, ...]:
    """Every rule registered under `igops.rules` by the installed distributions, by entry point name."""
    found = sorted(entry_points(group=GROUP), key=lambda point: point.name)
    return tuple(_loaded(point) for point in found)


def _loaded(point: EntryPoint) -> PluginRule:
    origin = f"entry point {point.name} = {point.value}" + (f" of {point.dist.name}" if point.dist else "")
    try:
        target = point.load()
        implementation = target() if isinstance(target, type) else target
    except Exception as exc:  # a team's code, imported: any failure is reported in one sentence
        raise RulePluginError(ended(f"The rule plug-in {origin} could not be loaded: {_said(exc)}")) from None
    name = getattr(implementation, "name", None)
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise RulePluginError(
            f"The rule plug-in {origin} has no usable name: give its class a name of lower-case words "
            "joined by hyphens, such as no-friday-starts."
        )
    if not callable(getattr(implementation, "check", None)):
        raise RulePluginError(f"The rule plug-in {origin} has no check(inputs, policy) method.")
    defaults = getattr(implementation, "defaults", {}) or {}
    if not isinstance(defaults, Mapping) or "level" in defaults:
        raise RulePluginError(
            f"The rule plug-in {origin}: defaults must be a mapping of its thresholds (its level is set "
            "in igops.yaml, warn by default)."
        )
    doc = (type(implementation).__doc__ or "").strip().splitlines()
    return PluginRule(
        name=name,
        description=str(getattr(implementation, "description", "") or (doc[0] if doc else name)),
        needs_account=bool(getattr(implementation, "needs_account", True)),
        uses_clock=bool(getattr(implementation, "uses_clock", False)),
        defaults=dict(defaults),
        origin=origin,
        implementation=implementation,
    )
