"""overlap: two tests running at once on pages one visitor can see contaminate each other's results.

Two managed tests the plan leaves running (offline: two files with status started) overlap when their page
targeting can match the same URL and their audiences are not provably apart. The targeting is compared
conservatively, so that only a real separation passes: equal paths, one path a prefix of another, and
`contains` conditions (which can always meet) overlap; conditions igops cannot compare (a regex, a negation,
another kind of condition) are taken to match every page, and a form it cannot read (brackets) counts as
overlapping. Audiences are apart only when each keeps one currency, a different one, or the targeting keeps
them on different devices. In a plan, a pair is reported when the plan changes one of them (an apply is
refused for what it does). Personalizations are not tests and are left out.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from igops.engine.rules.base import BuiltIn, Finding, Level, PlanInputs, Policy
from igops.normalize import canonical_desired
from igops.statuses import Status

# The page conditions compared: a parameter of the URL's query (the API's `url` type, which names it in
# `key`), or the URL's path.
_PAGE_CATEGORIES = {"url": "the URL parameter", "urlPath": "the URL path"}
_POSITIVE = {"equals": "is", "startsWith": "starts with", "endsWith": "ends with", "contains": "contains"}
_DEVICES = ("mobile", "desktop")


@dataclass(frozen=True)
class Condition:
    """One comparable condition on a page: its category (url, urlPath or device), the query parameter a url
    condition looks at (`key`; empty for the others), how it compares, and the value, case-folded and
    without a trailing slash (which only ever widens what it matches). Case-folded, not lower-cased: a
    lower-cased capital sigma depends on the letter after it, so a value and its prefix could part."""

    category: str
    comparison: str
    value: str
    key: str = ""

    @property
    def text(self) -> str:
        if self.category == "device":
            return f"the device is {self.value}"
        if self.category == "url":
            return f"the URL parameter {self.key} {_POSITIVE[self.comparison]} {self.value or repr('')}"
        return f"{_PAGE_CATEGORIES[self.category]} {_POSITIVE[self.comparison]} {self.value or '/'}"


# The pages one target matches: every condition of one alternative at once. Empty: every page.
Alternative = tuple[Condition, ...]


@dataclass(frozen=True)
class Pages:
    """Where an experience runs: alternatives, any of which may match; `readable` is False for a form igops
    cannot compare, which is taken to match every page."""

    alternatives: tuple[Alternative, ...]
    readable: bool = True


def pages_of(document: Mapping[str, Any]) -> Pages:
    """The pages an experience's `experiencePageTargeting` can match (an empty list: every page)."""
    alternatives: list[Alternative] = []
    for target in document.get("experiencePageTargeting") or []:
        expression = target.get("expression") or []
        operators = [node.get("operator") for node in expression if node.get("operator")]
        if any(operator in ("start_paren", "end_paren") for operator in operators):
            return Pages(((),), readable=False)
        alternatives += _alternatives(expression)
    return Pages(tuple(alternatives) or ((),))


def _alternatives(expression: Sequence[Mapping[str, Any]]) -> list[Alternative]:
    """The expression's conditions split at each `or`; an empty expression matches every page."""
    groups: list[list[Condition]] = [[]]
    for node in expression:
        if node.get("operator") == "or":
            groups.append([])
            continue
        condition = _condition(node.get("query"))
        if condition is not None:
            groups[-1].append(condition)
    return [tuple(group) for group in groups]


def _condition(query: Mapping[str, Any] | None) -> Condition | None:
    """A condition igops can compare, or None for one it leaves out (which only widens the match)."""
    if not query:
        return None
    category = query.get("type") or "utm"
    comparison = query.get("filter") or "equals"
    value = str(query.get("value") or "").strip().casefold()
    if category == "device":
        return Condition("device", "equals", value) if comparison == "equals" and value in _DEVICES else None
    if category in _PAGE_CATEGORIES and comparison in _POSITIVE:
        # Two parameters' conditions never exclude each other: one URL carries both.
        key = str(query.get("key") or "") if category == "url" else ""
        return Condition(category, comparison, value.rstrip("/"), key)
    return None


def _exclusive(first: Condition, second: Condition) -> bool:
    """Whether no page can meet both conditions (only ever True when that is sure)."""
    if first.category != second.category or first.key != second.key:
        return False
    pair = {first.comparison, second.comparison}
    if pair == {"equals"}:
        return first.value != second.value
    if "equals" in pair and len(pair) == 2:
        exact, other = (first, second) if first.comparison == "equals" else (second, first)
        meets = {
            "startsWith": exact.value.startswith(other.value),
            "endsWith": exact.value.endswith(other.value),
            "contains": other.value in exact.value,
        }
        return not meets[other.comparison]
    if pair == {"startsWith"}:
        return not (first.value.startswith(second.value) or second.value.startswith(first.value))
    if pair == {"endsWith"}:
        return not (first.value.endswith(second.value) or second.value.endswith(first.value))
    return False


def _meet(first: Alternative, second: Alternative) -> bool:
    return not any(_exclusive(one, other) for one in first for other in second)


def shared_pages(first: Pages, second: Pages) -> tuple[Alternative, Alternative] | None:
    """Two alternatives, one of each, that can match the same page; None when none can."""
    for one in first.alternatives:
        for other in second.alternatives:
            if _meet(one, other):
                return one, other
    return None


def _currency(document: Mapping[str, Any]) -> str | None:
    """The one currency an experience's audience keeps, when it keeps one."""
    audience = document.get("audience") or {}
    limit = audience.get("excludeCurrency") or {}
    currency = limit.get("currency")
    return str(currency).upper() if audience.get("enabled") and limit.get("exclude") and currency else None


def _audiences_apart(first: Mapping[str, Any], second: Mapping[str, Any]) -> bool:
    one, other = _currency(first), _currency(second)
    return one is not None and other is not None and one != other


@dataclass(frozen=True)
class _Running:
    key: str
    name: str
    document: Mapping[str, Any]
    changed: bool


def _running(inputs: PlanInputs) -> list[_Running]:
    """The tests left running: by the plan, or offline by the files."""
    if inputs.offline:
        return [
            _Running(file.key, file.name, canonical_desired(file.body), True)
            for file in inputs.files
            if file.status == Status.STARTED and inputs.is_test(file.key)
        ]
    return [
        _Running(experience.key, experience.name, experience.desired, bool(experience.changes))
        for experience in inputs.experiences
        if experience.desired_status == Status.STARTED and inputs.is_test(experience.key)
    ]


def _overlap(inputs: PlanInputs, policy: Policy) -> Iterator[Finding]:
    running = _running(inputs)
    pages = {test.key: pages_of(test.document) for test in running}
    for first, second in combinations(running, 2):
        if not (first.changed or second.changed) or _audiences_apart(first.document, second.document):
            continue
        shared = shared_pages(pages[first.key], pages[second.key])
        if shared is None:
            continue
        # Said on the one the plan changes, so that the finding sits where the change is.
        here, there = (first, second) if first.changed else (second, first)
        here_pages, there_pages = shared if here is first else (shared[1], shared[0])
        mine, theirs = _pattern(here_pages, pages[here.key]), _pattern(there_pages, pages[there.key])
        yield Finding(
            here.key,
            (
                f"runs at the same time as {there.key} ({there.name}) on pages both can match (here: {mine}; "
                f"{there.key}: {theirs}), and their audiences are not apart, so each one's results carry the "
                "other's effect: narrow the page targeting or the audience of one, or run them one after the "
                f"other{_force(policy)}."
            ),
            {"other": there.key, "pages": mine, "other_pages": theirs},
        )


def _pattern(alternative: Alternative, pages: Pages) -> str:
    if not pages.readable:
        return "a page targeting with brackets, which igops cannot compare"
    conditions = [condition.text for condition in alternative]
    return " and ".join(conditions) if conditions else "every page"


def _force(policy: Policy) -> str:
    return " (or run apply with --force)" if policy.level is Level.FORCE else ""


OVERLAP = BuiltIn("overlap", _overlap, needs_account=False)
