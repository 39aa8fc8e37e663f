"""The Starlette app: routes, and what happens around every handler.

Order for each request: injected latency, authentication, injected 500/429, the route's
rate-limit bucket, the operation's parameters and body checked against the description, the
handler, and for a committed write (or a create to commit late) possibly a dropped connection.
Successful answers carry the bucket's x-ratelimit-* headers; error answers never do.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import anyio.to_thread
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import endpoints
from .endpoints import Handler
from .errors import METHOD_NOT_ALLOWED, NOT_FOUND, RATE_LIMITED, SERVER_ERROR, UNAUTHORIZED, ErrorAnswer
from .journal import RecordedRequest
from .operations import Accepted, Operation, operation
from .ratelimit import Group
from .runtime import Runtime
from .wire import DroppedResponse, LostAnswer, json_response, read_json_object, render

PREFIX = "/v25-10-beta"
TOKEN_HEADER = "intelligems-access-token"


def _error_response(error: ErrorAnswer) -> Response:
    return json_response(error.body, error.status)


class Gate:
    """ASGI middleware: latency, authentication and the do-nothing faults; journals answers."""

    def __init__(self, app: ASGIApp, runtime: Runtime) -> None:
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        answer: dict[str, Any] = {"status": 0, "complete": False}

        async def journaling_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                answer["status"] = message["status"]
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                answer["complete"] = True
            await send(message)

        try:
            if self.runtime.dice.latency_s:
                await anyio.sleep(self.runtime.dice.latency_s)
            refusal = self._refusal(scope)
            if refusal is not None:
                await _error_response(refusal)(scope, receive, journaling_send)
            else:
                await self.app(scope, receive, journaling_send)
        finally:
            self.runtime.requests.append(
                RecordedRequest(scope["method"], scope["path"], answer["status"], not answer["complete"])
            )

    def _refusal(self, scope: Scope) -> ErrorAnswer | None:
        token = dict(scope["headers"]).get(TOKEN_HEADER.encode(), b"")
        expected = self.runtime.config.token.encode()
        # Constant-time comparison; missing, empty and wrong tokens get the same answer.
        if not token or not hmac.compare_digest(token, expected):
            return UNAUTHORIZED
        if self.runtime.dice.fail():
            return SERVER_ERROR
        if self.runtime.dice.throttle():
            return RATE_LIMITED
        return None


async def _accepted(described: Operation, request: Request) -> Accepted:
    body = await read_json_object(request) if described.body is not None else {}
    return described.accept(request.path_params, request.query_params, body)


def _endpoint(runtime: Runtime, operation_id: str) -> Callable[[Request], Awaitable[Response]]:
    described = operation(operation_id)  # now: a schema the emulator cannot check stops it here
    handler, group, kind = _OPERATIONS[operation_id]

    async def run(request: Request) -> Response:
        grant = None
        if runtime.limiter is not None:
            grant = runtime.limiter.take(group)
            if grant is None:
                return _error_response(RATE_LIMITED)
        headers = grant.headers() if grant else {}
        try:
            body = await handler(request, await _accepted(described, request), runtime)
        except ErrorAnswer as error:
            return _error_response(error)
        except LostAnswer as lost:
            return DroppedResponse(render(lost.body), 200, headers, media_type="application/json")
        if kind == _WRITE and runtime.dice.drop():
            return DroppedResponse(render(body), 200, headers, media_type="application/json")
        if kind == _ANALYTICS:
            # Serialising megabytes takes a while: off the event loop, like computing them.
            payload = await anyio.to_thread.run_sync(render, body)
            return Response(payload, 200, headers, media_type="application/json")
        return json_response(body, 200, headers)

    return run


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return _error_response(METHOD_NOT_ALLOWED if exc.status_code == 405 else NOT_FOUND)


_READ, _WRITE, _ANALYTICS = "read", "write", "analytics"  # how an endpoint answers: see _endpoint

# Per operation of the description (which gives its method and path): handler, rate-limit
# bucket, and how it answers.
_OPERATIONS: dict[str, tuple[Handler, Group, str]] = {
    "listExperiences": (endpoints.list_experiences, Group.EXPERIENCES, _READ),
    "createExperience": (endpoints.create_experience, Group.EXPERIENCES, _WRITE),
    "getExperience": (endpoints.get_experience, Group.EXPERIENCES, _READ),
    "updateExperience": (endpoints.replace_experience, Group.UPDATES, _WRITE),
    "performExperienceAction": (endpoints.act, Group.EXPERIENCES, _WRITE),
    "getExperienceAnalytics": (endpoints.experience_analytics_by_get, Group.EXPERIENCES, _ANALYTICS),
    "queryExperienceAnalytics": (endpoints.experience_analytics, Group.EXPERIENCES, _ANALYTICS),
    "getExperienceTimeseries": (endpoints.experience_timeseries, Group.EXPERIENCES, _ANALYTICS),
    "getSitewideSnapshot": (endpoints.sitewide("sitewide_analytics"), Group.SITEWIDE, _ANALYTICS),
    "getSitewideTimeseries": (endpoints.sitewide("sitewide_timeseries"), Group.SITEWIDE, _ANALYTICS),
    "getSitewideOrderDistribution": (
        endpoints.sitewide("sitewide_order_distribution"),
        Group.SITEWIDE,
        _ANALYTICS,
    ),
    "getSitewideConversionFunnel": (
        endpoints.sitewide("sitewide_conversion_funnel"),
        Group.SITEWIDE,
        _ANALYTICS,
    ),
    "exportExperienceAnalytics": (endpoints.export, Group.EXPORT, _READ),
}
# The snapshot's older path, which the API still answers.
_ALIASES = {PREFIX + "/analytics/sitewide": "getSitewideSnapshot"}


def build_app(runtime: Runtime) -> Starlette:
    paths = [(operation(operation_id).path, operation_id) for operation_id in _OPERATIONS]
    routes = [
        Route(path, _endpoint(runtime, operation_id), methods=[operation(operation_id).method])
        for path, operation_id in [*paths, *_ALIASES.items()]
    ]
    app = Starlette(routes=routes, exception_handlers={HTTPException: _http_error})
    app.add_middleware(Gate, runtime=runtime)
    return app
