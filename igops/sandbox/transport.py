"""Talking to the sandbox in-process, with a dropped connection looking like a real one."""

from __future__ import annotations

import httpx
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class _Dropped(Exception):
    """The app returned without completing its answer."""


class _DropDetector:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        complete = False

        async def watching_send(message: Message) -> None:
            nonlocal complete
            if message["type"] == "http.response.body" and not message.get("more_body"):
                complete = True
            await send(message)

        await self.app(scope, receive, watching_send)
        if not complete:
            raise _Dropped


class SandboxTransport(httpx.AsyncBaseTransport):
    """httpx's ASGI transport, raising httpx.RemoteProtocolError where a server would hang up."""

    def __init__(self, app: ASGIApp) -> None:
        self._inner = httpx.ASGITransport(app=_DropDetector(app))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await self._inner.handle_async_request(request)
        except _Dropped:
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a complete response.", request=request
            ) from None

    async def aclose(self) -> None:
        await self._inner.aclose()
