"""The API's error answers, as an exception handlers raise and the app renders."""

from __future__ import annotations

from typing import Any

from .shapes import Issues


class ErrorAnswer(Exception):
    """An error answer: HTTP status and JSON body. Never carries rate-limit headers."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(status)
        self.status = status
        self.body = body


def validation_error(issues: Issues, status: int = 400) -> ErrorAnswer:
    properties = {path: {"errors": messages} for path, messages in issues.fields.items()}
    return ErrorAnswer(status, {"errors": list(issues.general), "properties": properties})


def field_error(path: str, message: str) -> ErrorAnswer:
    issues = Issues()
    issues.add(path, message)
    return validation_error(issues)


def request_error(message: str, status: int = 400) -> ErrorAnswer:
    """A problem with the request as a whole (unparseable body, wrong media type...)."""
    return validation_error(Issues(general=[message]), status)


UNAUTHORIZED = ErrorAnswer(401, {"error": "Unauthorized"})
NOT_FOUND = ErrorAnswer(404, {"error": "Not found"})
METHOD_NOT_ALLOWED = ErrorAnswer(405, {"error": "Method not allowed"})
RATE_LIMITED = ErrorAnswer(429, {"error": "Too many requests"})
SERVER_ERROR = ErrorAnswer(500, {"error": "Internal Server Error"})
