"""Carrying out a plan: per experience create -> update -> lifecycle, experiences concurrently.

Every step is made safe to repeat: an action whose effect is already live counts as done, and an
update is a full replacement. So when a run stops half-way (a failure, Ctrl-C), running apply again
converges. A create is the one step that cannot be repeated blindly (no idempotency key, no delete):
it is written to the account's create journal before it is sent; when its answer is lost it is looked
up by name and adopted, and otherwise never sent again in that run, and later runs look for it first
and hold off creating that name again for a while. After the creates, the account is listed once to
catch any name that is live twice all the same.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from igops.api import (
    DOCUMENTED_RATES,
    AmbiguousCreate,
    ApiError,
    Group,
    IntelligemsClient,
    Interrupted,
    ValidationFailed,
)
from igops.engine.account_state import AccountStateError, CreateJournal
from igops.model import ApplyReport, Change, ChangeKind, ExperiencePlan, Outcome, Plan, StepResult
from igops.normalize import create_payload, needs_variation_ids, update_payload

StepObserver = Callable[[StepResult], None]


def paced_floor_seconds(client: IntelligemsClient, updates_left: int) -> float:
    """The least time `updates_left` updates can still take: the slow bucket (about 10 a minute)
    spends the tokens it has, then waits for refills."""
    tokens = client.pacer.state(Group.UPDATES).remaining
    return DOCUMENTED_RATES[Group.UPDATES].floor_seconds(updates_left, tokens)


# How long a create whose answer was lost holds off a new create of its name, by default (seconds).
CREATE_HOLD_OFF = 600.0


@dataclass(frozen=True)
class Creates:
    """How this apply sends creates: the account's journal, and how long a lost one holds its name."""

    journal: CreateJournal
    hold_off: float = CREATE_HOLD_OFF


@dataclass
class _Run:
    client: IntelligemsClient
    keep_going: bool
    stop: asyncio.Event
    observe: StepObserver
    report: ApplyReport
    creates: Creates | None
    # A failure set `stop` before anything else did: the stop is the failure's, not an interrupt.
    stopped_by_failure: bool = False

    def record(self, result: StepResult) -> None:
        self.report.results.append(result)
        self.observe(result)
        if result.outcome is Outcome.FAILED and not self.keep_going and not self.stop.is_set():
            self.stopped_by_failure = True
            self.stop.set()


async def apply_plan(
    client: IntelligemsClient,
    plan: Plan,
    *,
    keep_going: bool = False,
    stop: asyncio.Event | None = None,
    observe: StepObserver = lambda result: None,
    creates: Creates | None = None,
) -> ApplyReport:
    """Carry out every change of `plan`; set `stop` (Ctrl-C) to finish in-flight requests and return.
    Creates go through `creates`' journal (without one, as in tests of other steps, none is kept)."""
    run = _Run(client, keep_going, stop or asyncio.Event(), observe, ApplyReport(), creates)
    # Once stopped, requests not sent yet never are (their changes are not attempted); writes already
    # sent finish, retries included, so that each change is done or failed for a reason of its own.
    client.interrupt_on(run.stop)
    try:
        changed = await _fresh_bases(client, plan.changed)
        await asyncio.gather(*(_apply_experience(run, experience) for experience in changed))
        # Told once every change has ended: a stop after that (the duplicates check finishes) cut nothing.
        run.report.interrupted = run.stop.is_set() and not run.stopped_by_failure
        if any(result.kind is ChangeKind.CREATE for result in run.report.results):
            with client.finishing():
                run.report.duplicates, run.report.unmanaged_repeats = await _twice_live(client, plan)
    finally:
        client.interrupt_on(None)
    return run.report


async def _fresh_bases(
    client: IntelligemsClient, changed: tuple[ExperiencePlan, ...]
) -> tuple[ExperiencePlan, ...]:
    """The plan's live reads, kept where the account's list shows the experience unchanged since:
    one list call instead of a GET per update. A moved experience is read again before its update."""
    if not any(experience.base is not None for experience in changed):
        return changed
    stamps = {item["id"]: item.get("lastUpdateTs") for item in await client.list_experiences()}

    def unchanged(experience: ExperiencePlan) -> bool:
        return stamps.get(experience.experience_id) == experience.last_update_ts

    return tuple(
        experience if experience.base is None or unchanged(experience) else replace(experience, base=None)
        for experience in changed
    )


async def _apply_experience(run: _Run, planned: ExperiencePlan) -> None:
    live: Mapping[str, Any] | None = None
    experience_id = planned.experience_id
    for index, change in enumerate(planned.changes):
        if run.stop.is_set():
            run.record(StepResult(planned.key, change.kind, Outcome.NOT_ATTEMPTED))
            continue
        began = time.monotonic()
        try:
            live, detail = await _step(run, planned, change, experience_id, live)
        except Interrupted:  # stopped before this change sent anything that took effect
            for rest in planned.changes[index:]:
                run.record(StepResult(planned.key, rest.kind, Outcome.NOT_ATTEMPTED))
            return
        except (ApiError, AccountStateError) as exc:
            elapsed = time.monotonic() - began
            run.record(StepResult(planned.key, change.kind, Outcome.FAILED, elapsed, str(exc)))
            for rest in planned.changes[index + 1 :]:
                run.record(StepResult(planned.key, rest.kind, Outcome.NOT_ATTEMPTED))
            return
        experience_id = str(live["id"])
        run.record(StepResult(planned.key, change.kind, Outcome.DONE, time.monotonic() - began, detail))


async def _step(
    run: _Run,
    planned: ExperiencePlan,
    change: Change,
    experience_id: str | None,
    live: Mapping[str, Any] | None,
) -> tuple[Mapping[str, Any], str]:
    """One change; returns the experience as the API now has it, and a note on how it went."""
    client = run.client
    if change.kind is ChangeKind.CREATE:
        return await _create(client, planned, run.creates)
    assert experience_id is not None, "only a create runs before the experience exists"
    if change.kind is ChangeKind.UPDATE:
        current = planned.base if planned.base is not None else await client.get_experience(experience_id)
        return await client.update_experience(experience_id, update_payload(planned.desired, current)), ""
    return await _act(client, planned, change, experience_id, live)


async def _create(
    client: IntelligemsClient, planned: ExperiencePlan, creates: Creates | None
) -> tuple[Mapping[str, Any], str]:
    created, detail = await _post(client, planned, creates)
    if needs_variation_ids(planned.desired):
        # The create could not name variations by id (they had none yet): the update right after does.
        with client.finishing():
            created = await client.update_experience(
                str(created["id"]), update_payload(planned.desired, created)
            )
        detail = "; ".join(filter(None, (detail, "variation references set by an update")))
    return created, detail


async def _post(
    client: IntelligemsClient, planned: ExperiencePlan, creates: Creates | None
) -> tuple[Mapping[str, Any], str]:
    if creates is None:
        return await client.create_experience(create_payload(planned.desired)), ""
    journal = creates.journal
    earlier = journal.sent.get(planned.name)
    if earlier is not None:
        found = await _adopt_found(client, planned, journal, "an earlier run's create")
        if found is not None:
            return found
        if time.time() < earlier.sent_at + creates.hold_off:
            raise _possibly_created(planned, "an earlier run's create", earlier.sent_at, creates.hold_off)
    journal.record(planned.name, planned.key)
    try:
        created = await client.create_experience(create_payload(planned.desired))
    except AmbiguousCreate as exc:
        # Finding out what the lost create did is part of it: a stop does not cut it short.
        with client.finishing():
            found = await _adopt_found(client, planned, journal, f"its create ({exc.reason})")
        if found is not None:
            return found
        # Never sent again in this run: it may still be committed.
        raise _possibly_created(
            planned, f"its create ({exc.reason})", journal.sent[planned.name].sent_at, creates.hold_off
        ) from None
    except BaseException:
        # Refused, or stopped before it was sent: certainly not made. (A kill leaves the entry.)
        journal.forget(planned.name)
        raise
    journal.forget(planned.name)
    return created, ""


async def _adopt_found(
    client: IntelligemsClient, planned: ExperiencePlan, journal: CreateJournal, whose: str
) -> tuple[Mapping[str, Any], str] | None:
    """The live experience of the planned name, adopted, when a create whose answer was lost made it."""
    found = await _find_by_name(client, planned.name)
    if found is None:
        return None
    journal.forget(planned.name)
    return await client.get_experience(found), f"adopted: the answer to {whose} was lost"


def _possibly_created(planned: ExperiencePlan, whose: str, sent_at: float, hold_off: float) -> ApiError:
    sent = time.strftime("%H:%M:%S UTC", time.gmtime(sent_at))
    until = time.strftime("%H:%M:%S UTC", time.gmtime(sent_at + hold_off))
    return ApiError(
        f"possibly created: {whose}, sent at {sent}, may have been made although "
        f"{planned.name!r} is not in the account yet; igops adopts it if it appears, and does "
        f"not create it again before {until} (create_hold_off): run igops apply again then.",
        method="POST",
    )


async def _find_by_name(client: IntelligemsClient, name: str) -> str | None:
    for item in await client.list_experiences():
        if item.get("name") == name:
            return str(item["id"])
    return None


async def _twice_live(
    client: IntelligemsClient, plan: Plan
) -> tuple[tuple[str, ...], tuple[tuple[str, int], ...]]:
    """One sentence for each name the files manage that is live more than once after the creates, and
    the names no file manages that are live more than once, with how many times."""
    ids: dict[str, list[str]] = {}
    for item in await client.list_experiences():
        ids.setdefault(str(item.get("name")), []).append(str(item["id"]))
    managed = {experience.name for experience in plan.experiences}
    duplicates = tuple(
        f"{experience.name!r} is in the account {len(ids[experience.name])} times "
        f"({', '.join(ids[experience.name])}): pin the one to keep with an id: line in {experience.path} and "
        "end the others in the dashboard (the API cannot delete them); until then every plan refuses it."
        for experience in plan.experiences
        if len(ids.get(experience.name, [])) > 1
    )
    unmanaged = tuple(
        (name, len(found)) for name, found in sorted(ids.items()) if len(found) > 1 and name not in managed
    )
    return duplicates, unmanaged


async def _act(
    client: IntelligemsClient,
    planned: ExperiencePlan,
    change: Change,
    experience_id: str,
    live: Mapping[str, Any] | None,
) -> tuple[Mapping[str, Any], str]:
    variation_id = None
    if change.kind is ChangeKind.END and change.winner is not None:
        current = live if live is not None else await client.get_experience(experience_id)
        variation_id = next(
            (str(v["id"]) for v in current.get("variations", []) if v.get("name") == change.winner), None
        )
        if variation_id is None:
            raise ApiError(
                f"{planned.key}: the winner {change.winner!r} is not a variation of the live "
                "experience: fix winner: in the file."
            )
    try:
        return await client.act(experience_id, str(change.kind.row.api_action), variation_id=variation_id), ""
    except ValidationFailed:
        # A retried action whose first attempt took effect is refused as a bad transition.
        with client.finishing():
            current = await client.get_experience(experience_id)
        if current.get("status") == change.kind.row.status_after:
            return current, "already live"
        raise
