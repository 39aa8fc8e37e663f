"""The handlers: each takes a request the description calls valid, reads or changes the store,
and returns a JSON body.

Errors are raised as `ErrorAnswer`. Every write checks the rules the description states in prose
(rules.py) before it mutates the state, inside one store transaction, and is journaled once
committed.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from typing import Any, TypeVarTuple

import anyio.to_thread
from starlette.requests import Request

from .build import build_experience, now_ms, stamp_after
from .changelog import MAX_ENTRIES, change_entry
from .errors import NOT_FOUND, field_error, request_error, validation_error
from .journal import RecordedWrite
from .lifecycle import apply_action, history_entry, refusal
from .markers import Markers, markers
from .operations import Accepted
from .rules import check_create, check_replace
from .runtime import Runtime
from .shapes import Issues
from .store import ListFilter, Reader, Record
from .views import detail, list_item
from .wire import LostAnswer

DEFAULT_PAGE_SIZE = 20

Body = dict[str, Any]
Handler = Callable[[Request, Accepted, Runtime], Awaitable[Body]]


def _experience_id(call: Accepted) -> str:
    value: str = call.params["experienceId"]
    return value.lower()  # ids are stored in lower case and matched in any


def _record(state: Reader, experience_id: str) -> Record:
    record = state.get(experience_id)
    if record is None:
        raise NOT_FOUND
    return record


def _stored(runtime: Runtime, experience_id: str) -> Record:
    with runtime.store.snapshot() as state:
        return _record(state, experience_id)


def _story(runtime: Runtime, record: Record) -> Markers:
    """What the sandbox's scenario (or the experience's own marker) makes its analytics tell."""
    return markers(record.experience, runtime.config.scenario)


def _raise_if(issues: Issues) -> None:
    if issues:
        raise validation_error(issues)


def _journal(runtime: Runtime, request: Request, experience_id: str, call: Accepted) -> None:
    runtime.writes.append(RecordedWrite(request.method, request.url.path, experience_id, call.sent))


# Reads


async def list_experiences(request: Request, call: Accepted, runtime: Runtime) -> Body:
    page = call.params.get("page", 1)
    limit = call.params.get("limit", DEFAULT_PAGE_SIZE)
    matching = ListFilter(**{name: call.params.get(name) for name in ("status", "category", "module")})
    with runtime.store.snapshot() as state:
        records, total = state.page(matching, (page - 1) * limit, limit)
    return {
        "experiencesList": [list_item(record) for record in records],
        "page": page,
        "limit": limit,
        "total": total,
        "totalPages": math.ceil(total / limit),
    }


async def get_experience(request: Request, call: Accepted, runtime: Runtime) -> Body:
    record = _stored(runtime, _experience_id(call))
    return detail(record, include_change_log=call.params.get("includeChangeLog") is True)


# Writes


async def create_experience(request: Request, call: Accepted, runtime: Runtime) -> Body:
    doc = call.body["experience"]
    delay = runtime.dice.commit_delay_s
    if delay:
        # Refusals are answered at once; what the API takes commits late, its answer lost.
        with runtime.store.snapshot() as state:
            record = _new_record(doc, state, runtime)
        runtime.late.schedule(delay, lambda: _commit_late(runtime, request, call, record))
        raise LostAnswer({"experience": record.experience})
    with runtime.store.transaction() as state:
        record = _new_record(doc, state, runtime)
        state.save(record)
    _journal(runtime, request, record.experience["id"], call)
    return {"experience": record.experience}


def _new_record(doc: Body, state: Reader, runtime: Runtime) -> Record:
    _raise_if(check_create(doc, state, unique_names=runtime.config.unique_names))
    stamp = now_ms()
    experience = build_experience(doc, organization_id=state.organization_id, previous=None, stamp=stamp)
    return Record(experience, [history_entry(experience["id"], "save", stamp)])


def _commit_late(runtime: Runtime, request: Request, call: Accepted, record: Record) -> None:
    doc = call.body["experience"]
    with runtime.store.transaction() as state:
        # What changed meanwhile may refuse it now (an id or, in a stricter account, its name
        # taken), and then it never commits: its client learned nothing either way.
        if check_create(doc, state, unique_names=runtime.config.unique_names):
            return
        state.save(record)
    _journal(runtime, request, record.experience["id"], call)


async def replace_experience(request: Request, call: Accepted, runtime: Runtime) -> Body:
    experience_id = _experience_id(call)
    doc = call.body["experience"]
    with runtime.store.transaction() as state:
        record = _record(state, experience_id)
        previous = record.experience
        _raise_if(check_replace(doc, previous, state, unique_names=runtime.config.unique_names))
        stamp = stamp_after(previous["lastUpdateTs"])
        experience = build_experience(
            doc, organization_id=state.organization_id, previous=previous, stamp=stamp
        )
        entry = change_entry(previous, experience, stamp)
        change_log = [entry, *record.change_log] if entry else record.change_log
        history = [*record.history, history_entry(experience_id, "save", stamp)]
        state.save(Record(experience, history, change_log[:MAX_ENTRIES]))
    _journal(runtime, request, experience_id, call)
    return {"experience": experience}


async def act(request: Request, call: Accepted, runtime: Runtime) -> Body:
    action: str = call.params["action"]
    experience_id = _experience_id(call)
    with runtime.store.transaction() as state:
        record = _record(state, experience_id)
        previous = record.experience
        refused = refusal(action, previous["status"])
        if refused:
            raise refused
        variation_id = call.body["variationId"]
        if variation_id is not None and variation_id not in {v["id"] for v in previous["variations"]}:
            raise field_error("variationId", "Not one of this experience's variations")
        stamp = stamp_after(previous["lastUpdateTs"])
        experience = apply_action(previous, action, stamp, markers(previous, runtime.config.scenario))
        history = [*record.history, history_entry(experience_id, action, stamp)]
        state.save(Record(experience, history, record.change_log))
    _journal(runtime, request, experience_id, call)
    return {"experience": experience}


# Analytics and export


_Args = TypeVarTuple("_Args")


async def _analyzed(compute: Callable[[*_Args], Body], *args: *_Args) -> Body:
    # Computing the numbers takes CPU time: in a worker thread, so other requests keep flowing.
    try:
        result = await anyio.to_thread.run_sync(compute, *args)
    except ValueError as exc:
        # The generator may name the offending field (a `field` attribute); say so if it does.
        field = getattr(exc, "field", None)
        raise (field_error(field, str(exc)) if isinstance(field, str) else request_error(str(exc))) from None
    return result


async def experience_analytics_by_get(request: Request, call: Accepted, runtime: Runtime) -> Body:
    # Imported here: the number generator is its own module, loaded on first use.
    from . import analytics

    record = _stored(runtime, _experience_id(call))
    params = request.query_params.multi_items()
    return await _analyzed(
        analytics.experience_analytics_by_get, record.experience, params, _story(runtime, record)
    )


async def experience_analytics(request: Request, call: Accepted, runtime: Runtime) -> Body:
    from . import analytics

    record = _stored(runtime, _experience_id(call))
    return await _analyzed(
        analytics.experience_analytics, record.experience, call.body, _story(runtime, record)
    )


async def experience_timeseries(request: Request, call: Accepted, runtime: Runtime) -> Body:
    from . import analytics

    record = _stored(runtime, _experience_id(call))
    return await _analyzed(
        analytics.experience_timeseries, record.experience, call.body, _story(runtime, record)
    )


def sitewide(generator: str) -> Handler:
    """The handler of a sitewide analytics endpoint: its JSON body, answered by the named
    function of the number generator."""

    async def handle(request: Request, call: Accepted, runtime: Runtime) -> Body:
        from . import analytics

        return await _analyzed(getattr(analytics, generator), call.body)

    return handle


async def export(request: Request, call: Accepted, runtime: Runtime) -> Body:
    experience_id = _experience_id(call)
    export_type = call.body["exportType"]
    experience = _stored(runtime, experience_id).experience
    return {
        "exportType": export_type,
        "experienceId": experience_id,
        "experienceName": experience["name"],
        "url": f"https://sandbox.invalid/exports/{experience_id}/{export_type}.csv",
        "expiresIn": 900,
        "format": "csv",
        "message": "Export ready",
    }
