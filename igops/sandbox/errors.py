"""The API's error answers, as an exception handlers raise and the app renders."""

from __future__ import annotations

from typing import Any

from .shapes import Issues


class ApiError(Exception):
    """An error answer: HTTP status and JSON body. Never carries rate-limit headers."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(status)
        self.status = status
        self.body = body


def validation_error(issues: Issues, status: int = 400) -> ApiError:
    properties = {path: {"errors": messages} for path, messages in issues.fields.items()}
    return ApiError(status, {"errors": list(issues.general), "properties": properties})


def field_error(path: str, message: str) -> ApiError:
    issues = Issues()
    issues.add(path, message)
    return validation_error(issues)


def request_error(message: str, status: int = 400) -> ApiError:
    """A problem with the request as a whole (unparseable body, wrong media type...)."""
    return validation_error(Issues(general=[message]), status)


UNAUTHORIZED = ApiError(401, {"error": "Unauthorized"})
NOT_FOUND = ApiError(404, {"error": "Not found"})
METHOD_NOT_ALLOWED = ApiError(405, {"error": "Method not allowed"})
RATE_LIMITED = ApiError(429, {"error": "Too many requests"})
SERVER_ERROR = ApiError(500, {"error": "Internal Server Error"})
