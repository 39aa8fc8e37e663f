"""Typed errors of the Intelligems API client, and the one way the API's own words are shown.

Each error renders as one sentence a person can act on. None of them ever holds the
API token: messages are built from the method, the path and the server's own words, and the
server's words always pass through `server_text`, which also takes out the token should a server
echo it back.
"""

from __future__ import annotations

from igops.api.secret import Secret
from igops.errors import IgopsError
from igops.text import terminal

# The most of the API's own words one message shows: room for any real explanation, too little to
# flood a terminal or a CI log with a 5 MB error answer.
SERVER_TEXT_LIMIT = 500

_REDACTED = "***"


def server_text(text: str, *, hide: Secret | None = None, limit: int = SERVER_TEXT_LIMIT) -> str:
    """Text the API wrote, fit for one line of a terminal, a log or a CI comment: the token (`hide`)
    taken out, every character that does not print spelled out as an escape (`\\x1b`, `\\u202e`: the ones
    igops.text.terminal spells out wherever untrusted text shows), and cut after `limit` characters,
    saying how long it was."""
    if hide:
        text = text.replace(hide.reveal(), _REDACTED)
    shown: list[str] = []
    length = 0
    for char in text:
        piece = terminal(char)
        if length + len(piece) > limit:
            return "".join(shown) + f"... [cut: {len(text):,} characters in all]"
        shown.append(piece)
        length += len(piece)
    return "".join(shown)


class ApiError(IgopsError):
    """Base class: something went wrong talking to the Intelligems API."""

    def __init__(self, message: str, *, method: str = "", path: str = "", status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.method = method
        self.path = path
        self.status = status

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class Unauthorized(ApiError):
    """401: the token is missing, empty or wrong (the API does not say which)."""


class ValidationFailed(ApiError):
    """400: the API refused the request body or query; carries the per-field messages."""

    def __init__(
        self,
        message: str,
        *,
        errors: list[str],
        field_errors: dict[str, list[str]],
        method: str = "",
        path: str = "",
    ) -> None:
        super().__init__(message, method=method, path=path, status=400)
        self.errors = errors
        self.field_errors = field_errors


class NotFound(ApiError):
    """404: no experience with that id in this account."""


class RateLimited(ApiError):
    """429 answers kept coming after every retry the policy allows."""


class ServerError(ApiError):
    """5xx answers kept coming after every retry the policy allows."""


class ConnectionFailed(ApiError):
    """The API could not be reached, or kept timing out, after every retry."""


class Interrupted(ApiError):
    """The run was interrupted (Ctrl-C) before this call sent anything that could take effect.

    Raised instead of sending, or instead of waiting for pacing or a retry, once the client's
    interrupt is set (see IntelligemsClient.interrupt_on); requests already sent finish normally.
    """


class AmbiguousCreate(ApiError):
    """A create whose outcome is unknown: it may have been committed.

    There is no idempotency key, so the caller must look the experience up by name
    before creating it again.
    """

    def __init__(self, message: str, *, name: str, path: str = "", reason: str = "") -> None:
        super().__init__(message, method="POST", path=path)
        self.name = name
        self.reason = reason  # what went wrong: "timed out", "HTTP 502", ...


class UnexpectedResponse(ApiError):
    """The API answered with a status or body igops does not understand."""
