"""Reading results: what report, sitewide, monitor and an end plan ask of the account.

One list call finds the managed experiences (matched to their files as a plan matches them), then one
analytics call per experience, all at once: the client paces them within the rate limits, as it paces
apply. What the answers mean is igops.analytics's business; this module only asks and hands over.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from igops.analytics import (
    ExperienceResults,
    MonitorReport,
    MonitorRules,
    Report,
    ScheduledEnd,
    SitewideFigures,
    Window,
    declared_primary,
    experience_results,
    monitor,
    sitewide_figures,
)
from igops.api import ApiError, IntelligemsClient
from igops.engine.matching import match
from igops.errors import IgopsError
from igops.experience_types import PERSONALIZATION_TYPES
from igops.model import ChangeKind, DesiredExperience, ExperiencePlan, Plan
from igops.statuses import LiveStatus

log = logging.getLogger("igops")

# Live statuses with results: the experience has started at least once.


class ReportError(IgopsError):
    """The report cannot be made as asked (an experience never started, a key no file has)."""


WHOLE_RUN = Window()


async def results_of(
    client: IntelligemsClient,
    key: str,
    live: Mapping[str, Any],
    key_metrics: Any,
    *,
    window: Window = WHOLE_RUN,
    now: float,
) -> ExperienceResults:
    """One experience's results over `window`, with the API's verdict; on the primary metric the API names,
    else on the one `key_metrics` (the experience's experienceKeyMetrics) marks primary."""
    query: dict[str, Any] = {**window.resource_query(), "testResult": True}
    answer = await client.experience_analytics(str(live["id"]), query)
    return experience_results(key, live, answer, now, declared_primary(key_metrics))


Managed = list[tuple[DesiredExperience, Mapping[str, Any] | None]]


async def _managed(
    client: IntelligemsClient, desired: Sequence[DesiredExperience]
) -> tuple[Managed, dict[str, str]]:
    """Each file with the live experience it manages (None when it is not in the account), in key order,
    and why the others match none (by key)."""
    log.info("reading the account's experience list")
    items = await client.list_experiences()
    by_id: dict[str, Mapping[str, Any]] = {str(item["id"]): item for item in items}
    matching = match(desired, items)
    managed: Managed = sorted(
        (
            (pair.desired, by_id.get(pair.live_id) if pair.live_id is not None else None)
            for pair in matching.pairs
        ),
        key=lambda found: found[0].key,
    )
    return managed, {error.key: error.message for error in matching.errors if error.key is not None}


async def read_report(
    client: IntelligemsClient,
    desired: Sequence[DesiredExperience],
    *,
    targets: Sequence[str] = (),
    window: Window = WHOLE_RUN,
    now: float,
) -> Report:
    """Results of the managed experiences that have started (of `targets` only, when given: keys)."""
    managed, unmatched = await _managed(client, desired)
    if targets:
        managed = _targeted(managed, unmatched, desired, targets)
    # List items carry no key metrics: the file says which is primary.
    running = [(experience, live) for experience, live in managed if live is not None and _has_run(live)]
    not_started = tuple(experience.key for experience, live in managed if live is None or not _has_run(live))
    log.info("reading the results of %d experiences", len(running))
    results = await asyncio.gather(
        *(
            results_of(client, experience.key, live, _key_metrics(experience), window=window, now=now)
            for experience, live in running
        )
    )
    return Report(tuple(results), window.start, window.end, not_started)


def _has_run(live: Mapping[str, Any]) -> bool:
    return live.get("status") in _HAS_RUN


_HAS_RUN = frozenset(status for status in LiveStatus if status.has_run)


def _targeted(
    managed: Managed,
    unmatched: Mapping[str, str],
    desired: Sequence[DesiredExperience],
    targets: Sequence[str],
) -> Managed:
    by_key = {experience.key: live for experience, live in managed}
    files = {experience.key for experience in desired}
    for key in targets:
        if key not in files:
            raise ReportError(
                f"{key}: no experience file has that key or path (a key is the file name without .yaml)."
            )
        if key in unmatched:
            raise ReportError(unmatched[key])
        live = by_key[key]
        if live is None:
            raise ReportError(
                f"{key}: not in the account yet, so it has no results (igops apply creates it)."
            )
        if not _has_run(live):
            raise ReportError(
                f"{key}: it has never started ({live.get('status')}), so it has no results yet."
            )
    return [(experience, live) for experience, live in managed if experience.key in targets]


async def read_monitor(
    client: IntelligemsClient, desired: Sequence[DesiredExperience], rules: MonitorRules, *, now: float
) -> MonitorReport:
    """The monitoring rules over the managed experiences that are running (started), at the clock `now`."""
    managed, _ = await _managed(client, desired)
    running = [
        (experience, live)
        for experience, live in managed
        if live is not None and live.get("status") == LiveStatus.STARTED
    ]
    log.info("reading the results of %d running experiences", len(running))
    results = await asyncio.gather(
        *(
            results_of(client, experience.key, live, _key_metrics(experience), now=now)
            for experience, live in running
        )
    )
    personalizations = {
        experience.key for experience, _ in running if experience.type in PERSONALIZATION_TYPES
    }
    # A schedule.end goes with status ended and, for a test, a winner (igops.files checks it); the end-gate,
    # whose evidence due soon weighs, leaves personalizations alone.
    ends = [
        ScheduledEnd(experience.key, experience.schedule.end, experience.winner)
        for experience, _ in running
        if experience.schedule is not None
        and experience.schedule.end is not None
        and experience.key not in personalizations
    ]
    return monitor(results, rules, runtime_exempt=personalizations, ends=ends, now=now)


def _key_metrics(experience: DesiredExperience) -> Any:
    return experience.body.get("experienceKeyMetrics")


async def read_sitewide(
    client: IntelligemsClient, window: Window, *, now: float, recent_days: int | None = None
) -> SitewideFigures:
    log.info("reading sitewide figures")
    answer = await client.sitewide_analytics(window.sitewide_query())
    return sitewide_figures(answer, window, now, recent_days)


async def with_end_results(
    client: IntelligemsClient, plan: Plan, documents: Mapping[str, Mapping[str, Any]], *, now: float
) -> Plan:
    """The plan with the current results of each experience it ends, for the rules to judge (a winner
    the API calls a strong loss). Results that cannot be read are noted, and the plan goes on."""
    ending = [
        experience
        for experience in plan.experiences
        if experience.experience_id in documents
        and any(change.kind is ChangeKind.END for change in experience.changes)
    ]
    if not ending:
        return plan
    log.info("reading the results of %d experiences the plan ends", len(ending))
    found = await asyncio.gather(*(_end_results(client, experience, documents, now) for experience in ending))
    attached = dict(zip((experience.key for experience in ending), found, strict=True))
    experiences = tuple(attached.get(experience.key, experience) for experience in plan.experiences)
    return replace(plan, experiences=experiences)


async def _end_results(
    client: IntelligemsClient,
    experience: ExperiencePlan,
    documents: Mapping[str, Mapping[str, Any]],
    now: float,
) -> ExperiencePlan:
    assert experience.experience_id is not None
    try:
        live = documents[experience.experience_id]
        results = await results_of(client, experience.key, live, live.get("experienceKeyMetrics"), now=now)
    except ApiError as exc:
        return replace(experience, notes=(*experience.notes, f"its current results could not be read: {exc}"))
    return replace(experience, results=results)
