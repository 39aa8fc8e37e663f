"""The plan pipeline, the I/O around the pure steps: read the account (one list, then the details the
files need), match, decide, read the results of what ends, assess the rules; or read it for drift."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from igops.api import IntelligemsClient
from igops.engine.decide import build_plan, only_due
from igops.engine.drift import build_drift
from igops.engine.matching import Matching, match
from igops.engine.origins import with_origins
from igops.engine.refresh import RefreshCache, fetch_details
from igops.engine.reporting import with_end_results
from igops.engine.rules import DEFAULT_BOOK, PlanInputs, RuleBook, assess
from igops.files.at_commit import CommitFiles
from igops.model import ChangeKind, DesiredExperience, DriftReport, ExperiencePlan, Plan, PlanError
from igops.statuses import LiveStatus

log = logging.getLogger("igops")


async def make_plan(
    client: IntelligemsClient,
    desired: Sequence[DesiredExperience],
    *,
    targets: Sequence[str] = (),
    cache: RefreshCache | None = None,
    fingerprint: str = "",
    resend: Sequence[str] = (),
    rules: RuleBook = DEFAULT_BOOK,
    base: CommitFiles | None = None,
    now: float | None = None,
    due_only: bool = False,
) -> Plan:
    """Refresh the live side (reads only) and compare it with the files (`fingerprint`: files_hash).

    `resend` names files whose experience is updated even when nothing differs (--resend);
    `rules` are the policies the plan is checked against; with `base`, the files of a commit, every change is
    marked with its origin; `now` is the plan's clock (Unix seconds; default: the current time), by which
    schedules are told. With `due_only`, the plan holds only the lifecycle actions whose schedule boundary
    has come (apply --due-only), and reads only the experiences of files with such a boundary.
    """
    # To the second, as the plan document records it: a saved plan is told by the clock it shows.
    now = float(int(time.time())) if now is None else now
    log.info("reading the account's experience list")
    live_items = await client.list_experiences()
    targets = keys_of(desired, targets)
    resend = keys_of(desired, resend)
    matching = _restrict(match(desired, live_items), targets)
    if due_only:
        matching = _reached(matching, now)
    matching = replace(matching, errors=matching.errors + _unknown_keys(desired, resend, "--resend"))
    wanted = {pair.live_id for pair in matching.pairs if pair.live_id is not None}
    log.info(
        "%d live experiences, %d files: %d matched, %d unmanaged",
        len(live_items),
        len(desired),
        len(wanted),
        len(matching.unmanaged),
    )
    documents = await fetch_details(client, live_items, wanted, cache)
    plan = build_plan(matching, documents, fingerprint, resend=frozenset(resend), now=now)
    if due_only:
        plan = only_due(plan)
    plan = _with_bases(plan, documents)
    if base is not None:
        plan = with_origins(plan, base.base, base.experiences, documents)
    # The evidence beside each decision to end a test, for the rules to judge.
    plan = await with_end_results(client, plan, documents, now=now)
    running_ids = frozenset(
        str(item["id"]) for item in live_items if item.get("status") == LiveStatus.STARTED
    )
    inputs = PlanInputs(
        plan.experiences, tuple(desired), documents, plan.unmanaged, now, running_ids=running_ids
    )
    plan = replace(plan, risks=assess(inputs, rules.in_force()))
    log.info(
        "planned: %d changes, %d errors, %d risks",
        sum(len(e.changes) for e in plan.experiences),
        len(plan.errors),
        len(plan.risks),
    )
    return plan


def _with_bases(plan: Plan, documents: Mapping[str, Mapping[str, Any]]) -> Plan:
    """Keep the live read of each experience an update will be built from, so apply need not read it
    again."""

    def based(experience: ExperiencePlan) -> ExperiencePlan:
        updates = any(change.kind is ChangeKind.UPDATE for change in experience.changes)
        if not updates or experience.experience_id is None:
            return experience
        return replace(experience, base=documents.get(experience.experience_id))

    return replace(plan, experiences=tuple(based(experience) for experience in plan.experiences))


async def make_drift(
    client: IntelligemsClient,
    desired: Sequence[DesiredExperience],
    *,
    targets: Sequence[str] = (),
    cache: RefreshCache | None = None,
    now: float | None = None,
) -> DriftReport:
    """Read the account as a plan does and say where it differs from the files, at the clock `now` (Unix
    seconds; default: the current time)."""
    report, _ = await read_drift(client, desired, targets=targets, cache=cache, now=now)
    return report


async def read_drift(
    client: IntelligemsClient,
    desired: Sequence[DesiredExperience],
    *,
    targets: Sequence[str] = (),
    cache: RefreshCache | None = None,
    now: float | None = None,
) -> tuple[DriftReport, dict[str, dict[str, Any]]]:
    """make_drift's report, with the live experiences it compared the files with (full GETs by id)."""
    log.info("reading the account's experience list")
    live_items = await client.list_experiences()
    matching = _restrict(match(desired, live_items), keys_of(desired, targets))
    wanted = {pair.live_id for pair in matching.pairs if pair.live_id is not None}
    documents = await fetch_details(client, live_items, wanted, cache)
    report = build_drift(matching, documents, time.time() if now is None else now)
    log.info("drift: %d of %d managed experiences differ", len(report.drifted), report.checked)
    return report, documents


def files_hash(desired: Sequence[DesiredExperience]) -> str:
    """A fingerprint of the experience files' content: a saved plan is stale once it moves."""
    digest = hashlib.sha256()
    for experience in sorted(desired, key=lambda item: item.key):
        content = experience.path.read_bytes()
        digest.update(f"{experience.key}\0{len(content)}\0".encode())
        digest.update(content)
    return digest.hexdigest()


def keys_of(desired: Sequence[DesiredExperience], names: Sequence[str]) -> tuple[str, ...]:
    """Experience keys for what a person typed: a key, or the path of an experience file (which
    shells complete); anything else is kept as given, to be reported as unknown."""
    if not names:
        return ()
    by_path = {experience.path.resolve(): experience.key for experience in desired}
    keys = {experience.key for experience in desired}
    return tuple(name if name in keys else by_path.get(Path(name).resolve(), name) for name in names)


def _restrict(matching: Matching, targets: Sequence[str]) -> Matching:
    """Only the targeted files; the others stay managed, so they are not listed as unmanaged."""
    if not targets:
        return matching
    errors = tuple(error for error in matching.errors if error.key in targets)
    errors += _unknown_keys(
        [pair.desired for pair in matching.pairs],
        targets,
        "--target",
        known={e.key for e in matching.errors if e.key},
    )
    pairs = tuple(pair for pair in matching.pairs if pair.desired.key in targets)
    gone = tuple(experience for experience in matching.gone if experience.key in targets)
    return Matching(pairs, matching.unmanaged, errors, gone)


def _reached(matching: Matching, now: float) -> Matching:
    """Only the files whose schedule has a boundary at or before `now`: the others have nothing due."""

    def reached(experience: DesiredExperience) -> bool:
        boundaries = () if experience.schedule is None else experience.schedule.boundaries
        return any(moment.timestamp() <= now for _, moment in boundaries)

    pairs = tuple(pair for pair in matching.pairs if reached(pair.desired))
    keys = {pair.desired.key for pair in pairs}
    errors = tuple(error for error in matching.errors if error.key in keys)
    gone = tuple(experience for experience in matching.gone if reached(experience))
    return Matching(pairs, matching.unmanaged, errors, gone)


def _unknown_keys(
    desired: Sequence[DesiredExperience], keys: Sequence[str], option: str, known: Collection[str] = ()
) -> tuple[PlanError, ...]:
    files = {experience.key for experience in desired} | set(known)
    return tuple(
        PlanError(
            key,
            f"{option} {key}: no experience file has that key or path (a key is the "
            "file name without .yaml).",
        )
        for key in keys
        if key not in files
    )
