"""The handlers: each takes a request, reads or changes the store, and returns a JSON body.

Errors are raised as `ApiError`. Every write validates completely before it mutates the
state, inside one store transaction, and is journaled once committed.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from typing import Any, TypeVarTuple

import anyio.to_thread
from starlette.datastructures import QueryParams
from starlette.requests import Request

from .build import build_experience, now_ms, stamp_after
from .changelog import MAX_ENTRIES, change_entry
from .errors import NOT_FOUND, field_error, request_error, validation_error
from .journal import RecordedWrite
from .lifecycle import apply_action, history_entry, refusal
from .rules import check_create, check_replace
from .runtime import Runtime
from .shapes import MAX_SAFE_INTEGER, UUID_PATTERN, Issues, Obj, natural
from .store import ListFilter, Reader, Record
from .taxonomy import CATEGORIES, MODULES
from .views import detail, list_item
from .wire import read_json_object
from .write_schema import ACTION_BODY, ACTIONS, CREATE_BODY, EXPORT_BODY, REPLACE_BODY

STATUSES = ("pending", "started", "ended", "paused")
DEFAULT_PAGE_SIZE = 20

Body = dict[str, Any]


def _experience_id(request: Request) -> str:
    value: str = request.path_params["experience_id"]
    if not UUID_PATTERN.match(value):
        raise field_error("experienceId", "Invalid uuid")
    return value.lower()


def _record(state: Reader, experience_id: str) -> Record:
    record = state.get(experience_id)
    if record is None:
        raise NOT_FOUND
    return record


def _stored(runtime: Runtime, experience_id: str) -> Record:
    with runtime.store.snapshot() as state:
        return _record(state, experience_id)


def _clean(shape: Obj, body: Body) -> Body:
    issues = Issues()
    cleaned: Body = shape.clean(body, "", issues)
    if issues:
        raise validation_error(issues)
    return cleaned


def _raise_if(issues: Issues) -> None:
    if issues:
        raise validation_error(issues)


def _journal(runtime: Runtime, request: Request, experience_id: str, body: Body) -> None:
    runtime.writes.append(RecordedWrite(request.method, request.url.path, experience_id, body))


# Reads


def _int_query(params: QueryParams, name: str, default: int, issues: Issues) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    value = natural(raw)
    if value is None or not 1 <= value <= MAX_SAFE_INTEGER:
        issues.add(name, f"Expected an integer from 1 to {MAX_SAFE_INTEGER}")
        return default
    return value


def _enum_query(params: QueryParams, name: str, options: tuple[str, ...], issues: Issues) -> str | None:
    raw = params.get(name)
    if raw is not None and raw not in options:
        issues.add(name, f"Invalid enum value. Expected {' | '.join(options)}")
    return raw


async def list_experiences(request: Request, runtime: Runtime) -> Body:
    params = request.query_params
    issues = Issues()
    page = _int_query(params, "page", 1, issues)
    limit = _int_query(params, "limit", DEFAULT_PAGE_SIZE, issues)
    matching = ListFilter(
        status=_enum_query(params, "status", STATUSES, issues),
        category=_enum_query(params, "category", CATEGORIES, issues),
        module=_enum_query(params, "module", MODULES, issues),
    )
    _raise_if(issues)
    with runtime.store.snapshot() as state:
        records, total = state.page(matching, (page - 1) * limit, limit)
    return {
        "experiencesList": [list_item(record) for record in records],
        "page": page,
        "limit": limit,
        "total": total,
        "totalPages": math.ceil(total / limit),
    }


async def get_experience(request: Request, runtime: Runtime) -> Body:
    experience_id = _experience_id(request)
    flag = request.query_params.get("includeChangeLog", "false")
    if flag not in ("true", "false"):
        raise field_error("includeChangeLog", "Expected boolean")
    record = _stored(runtime, experience_id)
    return detail(record, include_change_log=flag == "true")


# Writes


async def create_experience(request: Request, runtime: Runtime) -> Body:
    body = await read_json_object(request)
    doc = _clean(CREATE_BODY, body)["experience"]
    with runtime.store.transaction() as state:
        _raise_if(check_create(doc, state))
        stamp = now_ms()
        experience = build_experience(doc, organization_id=state.organization_id, previous=None, stamp=stamp)
        history = [history_entry(experience["id"], "save", stamp)]
        state.save(Record(experience, history))
    _journal(runtime, request, experience["id"], body)
    return {"experience": experience}


async def replace_experience(request: Request, runtime: Runtime) -> Body:
    experience_id = _experience_id(request)
    body = await read_json_object(request)
    with runtime.store.transaction() as state:
        record = _record(state, experience_id)
        doc = _clean(REPLACE_BODY, body)["experience"]
        previous = record.experience
        _raise_if(check_replace(doc, previous, state))
        stamp = stamp_after(previous["lastUpdateTs"])
        experience = build_experience(
            doc, organization_id=state.organization_id, previous=previous, stamp=stamp
        )
        entry = change_entry(previous, experience, stamp)
        change_log = [entry, *record.change_log] if entry else record.change_log
        history = [*record.history, history_entry(experience_id, "save", stamp)]
        state.save(Record(experience, history, change_log[:MAX_ENTRIES]))
    _journal(runtime, request, experience_id, body)
    return {"experience": experience}


async def act(request: Request, runtime: Runtime) -> Body:
    action: str = request.path_params["action"]
    if action not in ACTIONS:
        raise field_error("action", f"Unknown action '{action[:50]}'; expected start, pause or end")
    experience_id = _experience_id(request)
    body = await read_json_object(request, optional=True)
    options = _clean(ACTION_BODY, body)
    with runtime.store.transaction() as state:
        record = _record(state, experience_id)
        previous = record.experience
        refused = refusal(action, previous["status"])
        if refused:
            raise refused
        variation_id = options["variationId"]
        if variation_id is not None and variation_id not in {v["id"] for v in previous["variations"]}:
            raise field_error("variationId", "Not one of this experience's variations")
        stamp = stamp_after(previous["lastUpdateTs"])
        experience = apply_action(previous, action, stamp)
        history = [*record.history, history_entry(experience_id, action, stamp)]
        state.save(Record(experience, history, record.change_log))
    _journal(runtime, request, experience_id, body)
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


async def experience_analytics(request: Request, runtime: Runtime) -> Body:
    # Imported here: the number generator is its own module, loaded on first use.
    from . import analytics

    experience_id = _experience_id(request)
    if request.method == "GET":
        record = _stored(runtime, experience_id)
        return await _analyzed(analytics.experience_analytics_by_get, record.experience,
                               request.query_params.multi_items())
    body = await read_json_object(request, optional=True)
    record = _stored(runtime, experience_id)
    return await _analyzed(analytics.experience_analytics, record.experience, body)


async def experience_timeseries(request: Request, runtime: Runtime) -> Body:
    from . import analytics

    experience_id = _experience_id(request)
    body = await read_json_object(request, optional=True)
    record = _stored(runtime, experience_id)
    return await _analyzed(analytics.experience_timeseries, record.experience, body)


def sitewide(generator: str) -> Callable[[Request, Runtime], Awaitable[Body]]:
    """The handler of a sitewide analytics endpoint: its JSON body, answered by the named
    function of the number generator."""

    async def handle(request: Request, runtime: Runtime) -> Body:
        from . import analytics

        query = await read_json_object(request, optional=True)
        return await _analyzed(getattr(analytics, generator), query)

    return handle


async def export(request: Request, runtime: Runtime) -> Body:
    experience_id = _experience_id(request)
    options = _clean(EXPORT_BODY, await read_json_object(request))
    experience = _stored(runtime, experience_id).experience
    return {
        "exportType": options["exportType"],
        "experienceId": experience_id,
        "experienceName": experience["name"],
        "url": f"https://sandbox.invalid/exports/{experience_id}/{options['exportType']}.csv",
        "expiresIn": 900,
        "format": "csv",
        "message": "Export ready",
    }
