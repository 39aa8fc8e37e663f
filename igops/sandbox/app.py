"""The Starlette app: routes, and what happens around every handler.

Order for each request: injected latency, authentication, injected 500/429, the route's
rate-limit bucket, the handler, and for a committed write possibly a dropped connection.
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
from .errors import METHOD_NOT_ALLOWED, NOT_FOUND, RATE_LIMITED, SERVER_ERROR, UNAUTHORIZED, ApiError
from .journal import RecordedRequest
from .ratelimit import Group
from .runtime import Runtime
from .wire import DroppedResponse, json_response, render

PREFIX = "/v25-10-beta"
TOKEN_HEADER = "intelligems-access-token"

Handler = Callable[[Request, Runtime], Awaitable[dict[str, Any]]]


def _error_response(error: ApiError) -> Response:
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

    def _refusal(self, scope: Scope) -> ApiError | None:
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


def _endpoint(
    runtime: Runtime, handler: Handler, group: Group, *, write: bool = False, large: bool = False
) -> Callable[[Request], Awaitable[Response]]:
    async def run(request: Request) -> Response:
        grant = None
        if runtime.limiter is not None:
            grant = runtime.limiter.take(group)
            if grant is None:
                return _error_response(RATE_LIMITED)
        try:
            body = await handler(request, runtime)
        except ApiError as error:
            return _error_response(error)
        headers = grant.headers() if grant else {}
        if write and runtime.dice.drop():
            return DroppedResponse(render(body), 200, headers, media_type="application/json")
        if large:
            # Serialising megabytes takes a while: off the event loop, like computing them.
            payload = await anyio.to_thread.run_sync(render, body)
            return Response(payload, 200, headers, media_type="application/json")
        return json_response(body, 200, headers)

    return run


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return _error_response(METHOD_NOT_ALLOWED if exc.status_code == 405 else NOT_FOUND)


def build_app(runtime: Runtime) -> Starlette:
    def route(
        path: str,
        handler: Handler,
        group: Group,
        methods: list[str],
        *,
        write: bool = False,
        large: bool = False,
    ) -> Route:
        return Route(
            PREFIX + path, _endpoint(runtime, handler, group, write=write, large=large), methods=methods
        )

    def analytics(path: str, handler: Handler, group: Group, methods: list[str]) -> Route:
        return route("/analytics" + path, handler, group, methods, large=True)

    def sitewide(path: str, generator: str) -> Route:
        return analytics("/sitewide" + path, endpoints.sitewide(generator), Group.SITEWIDE, ["POST"])

    experience = "/experiences/{experience_id}"
    routes = [
        route("/experiences-list", endpoints.list_experiences, Group.EXPERIENCES, ["GET"]),
        route("/experiences", endpoints.create_experience, Group.EXPERIENCES, ["POST"], write=True),
        route(experience, endpoints.get_experience, Group.EXPERIENCES, ["GET"]),
        route(experience, endpoints.replace_experience, Group.UPDATES, ["PUT"], write=True),
        route(experience + "/actions/{action}", endpoints.act, Group.EXPERIENCES, ["POST"], write=True),
        analytics(
            "/resource/{experience_id}", endpoints.experience_analytics, Group.EXPERIENCES, ["GET", "POST"]
        ),
        analytics(
            "/experience/{experience_id}/timeseries",
            endpoints.experience_timeseries,
            Group.EXPERIENCES,
            ["POST"],
        ),
        sitewide("/snapshot", "sitewide_analytics"),
        sitewide("", "sitewide_analytics"),
        sitewide("/timeseries", "sitewide_timeseries"),
        sitewide("/order-distribution", "sitewide_order_distribution"),
        sitewide("/conversion-funnel", "sitewide_conversion_funnel"),
        route("/analytics/experience/{experience_id}/export", endpoints.export, Group.EXPORT, ["POST"]),
    ]
    app = Starlette(routes=routes, exception_handlers={HTTPException: _http_error})
    app.add_middleware(Gate, runtime=runtime)
    return app
