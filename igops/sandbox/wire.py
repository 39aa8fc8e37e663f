"""Bytes on the wire: reading JSON request bodies safely, writing JSON answers."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from .errors import request_error
from .shapes import natural

MAX_BODY_BYTES = 1024 * 1024


async def read_json_object(request: Request) -> dict[str, Any]:
    """The body as a JSON object. The description requires no body, so an absent one is `{}`:
    what a body must hold is for the operation's schema to say."""
    declared = natural(request.headers.get("content-length", ""))
    if declared is not None and declared > MAX_BODY_BYTES:
        raise request_error("Request body exceeds 1 MB", status=413)
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise request_error("Request body exceeds 1 MB", status=413)
        chunks.append(chunk)
    raw = b"".join(chunks)
    if not raw.strip():
        return {}
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise request_error("Content-Type must be application/json", status=415)
    try:
        body = json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        # ValueError covers bad UTF-8, bad syntax and integers too long to convert.
        raise request_error("Request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise request_error("Request body must be a JSON object")
    return body


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def render(body: Any) -> bytes:
    # ASCII escapes keep lone surrogates from client strings encodable.
    return json.dumps(body, ensure_ascii=True, allow_nan=False, separators=(",", ":")).encode()


def json_response(body: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    return Response(render(body), status, headers, media_type="application/json")


class LostAnswer(Exception):
    """Raised by a handler whose answer is to be lost: the connection drops before it is sent."""

    def __init__(self, body: Any) -> None:
        super().__init__("answer lost")
        self.body = body


class DroppedResponse(Response):
    """Announces a full answer, then sends none of its body: a connection lost mid-reply.

    The server closes the connection when the app returns without completing the
    response; the in-process transport turns the same incompleteness into an error.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
