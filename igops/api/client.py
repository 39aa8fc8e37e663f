"""Async client for the Intelligems External API (v25-10-beta).

One client per run: it shares one connection pool, one bound on requests in flight and
one pacing state across every concurrent call, so callers may gather as many calls as
they like. Methods return the API's JSON documents unwrapped (`experience` objects,
pages of list items); turning them into igops's model is the normaliser's job.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import httpx

from igops import __version__
from igops.api import answers
from igops.api.answers import ANSWER_LIMIT, ERROR_ANSWER_LIMIT, Shape, Unusable
from igops.api.errors import (
    AmbiguousCreate,
    ApiError,
    ConnectionFailed,
    Interrupted,
    NotFound,
    RateLimited,
    ServerError,
    Unauthorized,
    UnexpectedResponse,
    ValidationFailed,
    server_text,
)
from igops.api.pacing import BucketRate, Pacer, Ticket
from igops.api.retry import RetryPolicy
from igops.api.secret import Secret
from igops.statuses import API_ACTIONS
from igops.text import clause, ended

DEFAULT_BASE_URL = "https://api.intelligems.io"
API_PREFIX = "/v25-10-beta"
TOKEN_HEADER = "intelligems-access-token"
LIST_PAGE_SIZE = 100

log = logging.getLogger("igops.api")


class Group(StrEnum):
    """Endpoint groups, each with its own rate-limit bucket."""

    EXPERIENCES = "experiences"
    UPDATES = "updates"
    SITEWIDE = "sitewide"
    EXPORT = "export"


# The documented limits (rate-limits in the API description). Pacing follows the headers; these are what
# it assumes until an answer brings them, and what estimates of the time left are made of.
DOCUMENTED_RATES: dict[str, BucketRate] = {
    Group.EXPERIENCES: BucketRate(burst=50, refill=25, interval=30.0),
    Group.UPDATES: BucketRate(burst=10, refill=10, interval=60.0),
    Group.SITEWIDE: BucketRate(burst=10, refill=5, interval=30.0),
    Group.EXPORT: BucketRate(burst=20, refill=10, interval=60.0),
}


class Retry(StrEnum):
    """How a request may be repeated after a failure."""

    SAFE = "safe"  # GET, full-replacement PUT, lifecycle actions
    CREATE = "create"  # POST create: only when the request certainly never arrived


@dataclass(frozen=True)
class ExperiencePage:
    items: list[dict[str, Any]]
    page: int
    limit: int
    total: int
    total_pages: int


@dataclass(frozen=True)
class ListFilters:
    status: str | None = None
    category: str | None = None
    module: str | None = None

    def params(self) -> dict[str, str]:
        return {key: value for key, value in vars(self).items() if value is not None}


@dataclass(frozen=True)
class Waiting:
    """A request the client is waiting on: which, at which attempt, and when it gives up at the latest."""

    method: str
    path: str
    attempt: int
    max_attempts: int
    since: float  # time.monotonic() when its first attempt was sent
    gives_up_by: float  # time.monotonic() by which it has an answer or has failed, retries included

    def describe(self, now: float) -> str:
        """`GET /experiences-list (attempt 2 of 5, giving up in 1m40s)`"""
        return (
            f"{self.method} {self.path} (attempt {self.attempt} of {self.max_attempts}, "
            f"giving up in {duration(self.gives_up_by - now)})"
        )


def duration(seconds: float) -> str:
    """`0.5s`, `30s`, `1m40s`: how people say how long something took."""
    seconds = max(seconds, 0.0)
    if seconds < 9.95:
        return f"{seconds:.1f}".removesuffix(".0") + "s"
    if seconds < 59.5:
        return f"{round(seconds)}s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}m{rest:02d}s"


# Transport failures where the request provably never reached the server.
_NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)

# Set while a call finishes what a request already sent started (see IntelligemsClient.finishing).
_FINISHING = contextvars.ContextVar("igops_api_finishing", default=False)


@dataclass(frozen=True)
class _Answer:
    """What the server answered an attempt with: the body is None when it was too large to read."""

    status: int
    headers: httpx.Headers
    body: bytes | None


@dataclass(frozen=True)
class _Failed:
    """An attempt that failed in a way worth retrying."""

    error: ApiError
    wait: float  # before the next attempt
    took_effect: bool  # whether the attempt may have changed something on the server


class IntelligemsClient:
    """Talks to the API: authentication, pacing, retries, typed errors."""

    def __init__(
        self,
        token: Secret,
        base_url: str = DEFAULT_BASE_URL,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 30.0,
        max_in_flight: int = 8,
        retry: RetryPolicy | None = None,
        pacer: Pacer | None = None,
        token_env: str = "INTELLIGEMS_API_TOKEN",
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        # Where the token came from, so that a refusal says what to set (never the token itself).
        self._token_env = token_env
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.pacer = pacer or Pacer(rates=DOCUMENTED_RATES, max_in_flight=max_in_flight)
        self._interrupt: asyncio.Event | None = None
        self._waiting: dict[int, Waiting] = {}
        self._analytics_via_get = False
        self._sitewide_path = "/analytics/sitewide/snapshot"
        self._http = httpx.AsyncClient(
            base_url=self.base_url + API_PREFIX,
            transport=transport,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            headers={TOKEN_HEADER: token.reveal(), "user-agent": f"igops/{__version__}"},
            follow_redirects=False,
        )

    async def __aenter__(self) -> IntelligemsClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    def __repr__(self) -> str:
        return f"IntelligemsClient(base_url={self.base_url!r})"

    def interrupt_on(self, event: asyncio.Event | None) -> None:
        """Once `event` is set, send nothing new: calls still waiting for pacing, for a free slot or for
        a retry raise Interrupted, as long as nothing they sent can have taken effect (reads, and writes
        answered only 429 or never sent). A write that may have taken effect is finished: its retries
        run, so that its outcome is known. None: never interrupted."""
        self._interrupt = event

    @contextlib.contextmanager
    def finishing(self) -> Iterator[None]:
        """Calls made inside complete or find out what a request already sent started (a lookup after a
        lost answer, the second half of one change): the interrupt does not stop them."""
        token = _FINISHING.set(True)
        try:
            yield
        finally:
            _FINISHING.reset(token)

    def waiting(self) -> Waiting | None:
        """The request sent longest ago that has no answer yet (retries included), or None."""
        return min(self._waiting.values(), key=lambda waiting: waiting.since, default=None)

    # Experiences

    async def list_page(
        self, page: int = 1, limit: int = LIST_PAGE_SIZE, filters: ListFilters | None = None
    ) -> ExperiencePage:
        params = {"page": str(page), "limit": str(limit), **(filters or ListFilters()).params()}
        body = await self._json(
            "GET", "/experiences-list", Group.EXPERIENCES, answers.LIST_PAGE, params=params
        )
        return ExperiencePage(
            items=body["experiencesList"],
            page=body["page"],
            limit=body["limit"],
            total=body["total"],
            total_pages=body["totalPages"],
        )

    async def list_experiences(
        self, filters: ListFilters | None = None, page_size: int = LIST_PAGE_SIZE
    ) -> list[dict[str, Any]]:
        """Every experience matching the filters: the first page, then the rest concurrently."""
        first = await self.list_page(1, page_size, filters)
        # Asked for before anything else is, so the first page alone decides how many are.
        problem = answers.page_count_problem(first.total, first.limit, first.total_pages)
        if problem is not None:
            raise self._unusable("GET", "/experiences-list", problem)
        rest = await asyncio.gather(
            *(self.list_page(n, page_size, filters) for n in range(2, first.total_pages + 1))
        )
        seen: set[str] = set()
        items = []
        # An experience created between two page reads shifts the pages; never count it twice.
        for page in (first, *rest):
            for item in page.items:
                if item["id"] not in seen:
                    seen.add(item["id"])
                    items.append(item)
        return items

    async def get_experience(self, experience_id: str) -> dict[str, Any]:
        path = f"/experiences/{experience_id}"
        return await self._experience("GET", path, Group.EXPERIENCES)

    async def create_experience(self, experience: dict[str, Any]) -> dict[str, Any]:
        """POST a new experience. Never retried blindly: see AmbiguousCreate."""
        return await self._experience(
            "POST",
            "/experiences",
            Group.EXPERIENCES,
            body={"experience": experience},
            retry=Retry.CREATE,
            name=str(experience.get("name", "")),
        )

    async def update_experience(self, experience_id: str, experience: dict[str, Any]) -> dict[str, Any]:
        """PUT a full replacement: every nested entity must carry its id."""
        path = f"/experiences/{experience_id}"
        return await self._experience("PUT", path, Group.UPDATES, body={"experience": experience})

    async def act(
        self,
        experience_id: str,
        action: str,
        *,
        variation_id: str | None = None,
        update_prices_to_variation: bool | None = None,
    ) -> dict[str, Any]:
        """Run a lifecycle action, one of the table's API_ACTIONS (start, pause or end; an end optionally
        naming the winner)."""
        if action not in API_ACTIONS:
            raise ValueError(f"{action!r} is not a lifecycle action of the API ({', '.join(API_ACTIONS)})")
        path = f"/experiences/{experience_id}/actions/{action}"
        payload: dict[str, Any] = {}
        if variation_id is not None:
            payload["variationId"] = variation_id
        if update_prices_to_variation is not None:
            payload["updatePricesToVariation"] = update_prices_to_variation
        return await self._experience("POST", path, Group.EXPERIENCES, body=payload)

    # Analytics

    async def experience_analytics(
        self, experience_id: str, query: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """Results of one experience: the POST form, or the deprecated GET form where only it exists."""
        path = f"/analytics/resource/{experience_id}"
        query = dict(query or {})
        if not self._analytics_via_get:
            try:
                return await self._json("POST", path, Group.EXPERIENCES, answers.ANALYTICS, body=query)
            except (NotFound, UnexpectedResponse) as exc:
                if exc.status not in (404, 405):
                    raise
        body = await self._json(
            "GET", path, Group.EXPERIENCES, answers.ANALYTICS, params=_query_params(query)
        )
        self._analytics_via_get = True
        return body

    async def sitewide_analytics(self, query: Mapping[str, Any]) -> dict[str, Any]:
        """Store-wide figures for a date range.

        The published spec names `/analytics/sitewide/snapshot`; accounts that only know the
        older `/analytics/sitewide` answer 404 there, and the client remembers to use that one.
        """
        try:
            return await self._json(
                "POST", self._sitewide_path, Group.SITEWIDE, answers.ANALYTICS, body=dict(query)
            )
        except NotFound:
            if self._sitewide_path == "/analytics/sitewide":
                raise
        self._sitewide_path = "/analytics/sitewide"
        return await self._json(
            "POST", self._sitewide_path, Group.SITEWIDE, answers.ANALYTICS, body=dict(query)
        )

    # Transport, pacing and retries

    async def _json(
        self,
        method: str,
        path: str,
        group: Group,
        shape: Shape,
        *,
        params: Mapping[str, str] | None = None,
        body: Any = None,
        retry: Retry = Retry.SAFE,
        name: str = "",
    ) -> dict[str, Any]:
        """The answer's JSON object, once it is of `shape`."""
        answer = await self._send(method, path, group, params, body, retry, name)
        try:
            if answer.body is None:
                raise Unusable(f"its body is larger than {ANSWER_LIMIT // (1024 * 1024)} MB, left unread")
            document = answers.parse(answer.body)
            answers.check(shape, document)
        except Unusable as exc:
            raise self._unusable(method, path, str(exc), retry, name) from None
        result: dict[str, Any] = document
        return result

    async def _experience(self, method: str, path: str, group: Group, **request: Any) -> dict[str, Any]:
        """The `experience` an answer holds."""
        body = await self._json(method, path, group, answers.EXPERIENCE_ANSWER, **request)
        experience: dict[str, Any] = body["experience"]
        return experience

    async def _send(
        self,
        method: str,
        path: str,
        group: Group,
        params: Mapping[str, str] | None,
        body: Any,
        retry: Retry,
        name: str,
    ) -> _Answer:
        started = time.monotonic()
        first_sent: float | None = None
        call = object()
        # Once an attempt of a write may have taken effect, the request is finished despite an
        # interrupt: cutting its retries short would leave its outcome unknown.
        committed = _FINISHING.get()
        interrupted = Interrupted(
            f"{method} {path}: the run was interrupted before this request had any effect.",
            method=method,
            path=path,
        )
        attempt = 0
        try:
            while True:
                attempt += 1
                ticket = await self._acquire(group, interruptible=not committed)
                if ticket is None:
                    raise interrupted
                began = time.monotonic()
                first_sent = began if first_sent is None else first_sent
                self._waiting[id(call)] = Waiting(
                    method,
                    path,
                    attempt,
                    self.retry.max_attempts,
                    first_sent,
                    self._gives_up_by(began, attempt, started),
                )
                try:
                    outcome = await self._attempt(
                        method, path, params, body, ticket, retry, name, attempt, started
                    )
                finally:
                    # However the attempt ended (an error answer, none, a cancelled task), its ticket goes
                    # back: it is a slot in flight, and the pacer waits for the tickets out to probe.
                    self.pacer.settle(ticket, None)
                if isinstance(outcome, _Answer):
                    return outcome
                committed = committed or (outcome.took_effect and method != "GET")
                if (
                    attempt >= self.retry.max_attempts
                    or time.monotonic() - started + outcome.wait > self.retry.max_elapsed
                ):
                    raise outcome.error
                log.info(
                    "%s %s: %s; retrying in %.2fs", method, path, type(outcome.error).__name__, outcome.wait
                )
                if not await self._pause(outcome.wait, interruptible=not committed):
                    raise interrupted
        finally:
            self._waiting.pop(id(call), None)

    async def _attempt(
        self,
        method: str,
        path: str,
        params: Mapping[str, str] | None,
        body: Any,
        ticket: Ticket,
        retry: Retry,
        name: str,
        attempt: int,
        started: float,
    ) -> _Answer | _Failed:
        """One attempt: the answer, or a failure to retry; raises what no retry can mend."""
        began = time.monotonic()
        try:
            # The whole attempt, however the server trickles its answer, takes at most the timeout.
            async with asyncio.timeout(self.timeout):
                answer = await self._receive(self._http.build_request(method, path, params=params, json=body))
        except (httpx.TransportError, TimeoutError) as exc:
            return self._unanswered(exc, method, path, retry, name, attempt, started)
        except httpx.DecodingError:
            # Its Content-Encoding says gzip (or another) and the bytes are not: no retry mends that.
            raise self._unusable(
                method, path, "its body is not what its Content-Encoding says", retry, name
            ) from None
        log.debug("%s %s -> %s in %.3fs", method, path, answer.status, time.monotonic() - began)
        status = answer.status
        if 200 <= status < 300:
            self.pacer.settle(ticket, answer.headers)
            return answer
        if status == 429:
            # The pacer holds the whole group for the backoff: that is the wait.
            self.pacer.throttled(ticket, self.retry.backoff(attempt))
            return _Failed(
                RateLimited(
                    f"Still rate limited by the Intelligems API after {attempt} attempt(s) on {method} "
                    f"{path}: "
                    "wait a minute and run it again.",
                    method=method,
                    path=path,
                    status=429,
                ),
                0.0,
                took_effect=False,
            )
        if status < 500:
            raise self._client_error(answer, method, path)
        if retry is Retry.CREATE:
            raise _ambiguous(name, path, f"HTTP {status}")
        return _Failed(
            ServerError(
                f"The Intelligems API kept failing (HTTP {status}) after {attempt} attempt(s) on {method} "
                f"{path}: try again later.",
                method=method,
                path=path,
                status=status,
            ),
            self.retry.backoff(attempt),
            took_effect=True,
        )

    async def _receive(self, request: httpx.Request) -> _Answer:
        """Send `request` and read its answer, no more of it than a successful answer, or an error's
        explanation, may hold."""
        response = await self._http.send(request, stream=True)
        try:
            limit = ANSWER_LIMIT if 200 <= response.status_code < 300 else ERROR_ANSWER_LIMIT
            return _Answer(response.status_code, response.headers, await answers.read_body(response, limit))
        finally:
            await response.aclose()

    def _unanswered(
        self,
        exc: httpx.TransportError | TimeoutError,
        method: str,
        path: str,
        retry: Retry,
        name: str,
        attempt: int,
        started: float,
    ) -> _Failed:
        """An attempt that got no answer: a failure to retry, or AmbiguousCreate for a create that may
        have arrived."""
        never_sent = isinstance(exc, _NEVER_SENT)
        timed_out = isinstance(exc, TimeoutError | httpx.TimeoutException)
        reason = "timed out" if timed_out else _describe_transport_error(exc)
        if retry is Retry.CREATE and not never_sent:
            raise _ambiguous(name, path, reason)
        tried = f"{attempt} attempt(s) over {duration(time.monotonic() - started)}"
        message = (
            f"The Intelligems API at {self.base_url} did not answer {method} {path} within "
            f"{duration(self.timeout)} ({tried}): check the API URL and the network, or allow more time "
            "(--timeout, or timeout in igops.yaml)."
            if timed_out
            else f"Could not reach the Intelligems API at {self.base_url} ({reason}) after {tried}: "
            "check the API URL and the network."
        )
        return _Failed(
            ConnectionFailed(message, method=method, path=path),
            self.retry.backoff(attempt),
            took_effect=not never_sent,
        )

    def _gives_up_by(self, began: float, attempt: int, started: float) -> float:
        """The latest a request ends whose attempt `attempt` began at `began`: this attempt and every
        retry left take all the time they may, and no new attempt starts after max_elapsed."""
        retries = range(attempt, self.retry.max_attempts)
        worst = began + self.timeout + sum(self.retry.ceiling(n) + self.timeout for n in retries)
        return min(worst, started + self.retry.max_elapsed + self.timeout)

    async def _acquire(self, group: Group, *, interruptible: bool) -> Ticket | None:
        """A pacing ticket for one request; None when the client is interrupted first."""
        stop = self._interrupt
        if stop is None or not interruptible:
            return await self.pacer.acquire(group)
        if stop.is_set():
            return None
        acquiring = asyncio.ensure_future(self.pacer.acquire(group))
        stopping = asyncio.ensure_future(stop.wait())
        try:
            await asyncio.wait((acquiring, stopping), return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
            if not acquiring.done():
                acquiring.cancel()
                await asyncio.wait((acquiring,))
        if acquiring.cancelled():
            return None
        ticket = acquiring.result()
        if stop.is_set():
            self.pacer.settle(ticket, None)
            return None
        return ticket

    async def _pause(self, seconds: float, *, interruptible: bool) -> bool:
        """Wait before a retry; False when the client is interrupted first."""
        stop = self._interrupt
        if stop is None or not interruptible:
            await asyncio.sleep(seconds)
            return True
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), seconds)
        return not stop.is_set()

    def _unusable(
        self, method: str, path: str, problem: str, retry: Retry = Retry.SAFE, name: str = ""
    ) -> ApiError:
        """An answer igops cannot use, in one sentence. For a create it is an AmbiguousCreate: the server
        took the request, so the experience may well exist."""
        if retry is Retry.CREATE:
            return _ambiguous(name, path, f"the API answered something igops cannot use: {problem}")
        return UnexpectedResponse(
            f"The Intelligems API answered {method} {path} with something igops cannot use ({problem}): "
            f"check that {self.base_url} is the Intelligems API.",
            method=method,
            path=path,
        )

    def _client_error(self, answer: _Answer, method: str, path: str) -> ApiError:
        """The error a 4xx (or another status igops does not retry) stands for, in one sentence; the API's
        own words in it are shown through server_text, the token taken out."""
        status = answer.status
        if status == 401:
            return Unauthorized(
                "The Intelligems API refused the access token (401 Unauthorized): "
                f"set {self._token_env} to a valid API key of the store's organization.",
                method=method,
                path=path,
                status=401,
            )
        if status == 404:
            if path.startswith(("/experiences/", "/analytics/resource/")):
                return NotFound(
                    f"No experience found at {method} {path} (404): check the id.",
                    method=method,
                    path=path,
                    status=404,
                )
            # A path without an id is there on every Intelligems API: the address is what is wrong.
            return NotFound(
                f"Nothing found at {method} {path} (404): the API URL {self.base_url} is "
                f"probably wrong; it should be the API's root, such as {DEFAULT_BASE_URL}, to "
                f"which igops adds {API_PREFIX}.",
                method=method,
                path=path,
                status=404,
            )
        if status == 400:
            errors, field_errors = _validation_envelope(answer.body)
            # The API's messages, one after another in one sentence: each without a full stop of its own.
            details = [
                f"{field}: {'; '.join(map(clause, messages))}" for field, messages in field_errors.items()
            ]
            summary = "; ".join([*map(clause, errors), *details]) or (
                "no details given"
                if answer.body is not None
                else f"its explanation, over {ERROR_ANSWER_LIMIT // 1024} KB, was left unread"
            )
            return ValidationFailed(
                ended(
                    f"The Intelligems API refused {method} {path}: {server_text(summary, hide=self._token)}"
                ),
                errors=errors,
                field_errors=field_errors,
                method=method,
                path=path,
            )
        if 300 <= status < 400:
            location = server_text(answer.headers.get("location", "nowhere named"), hide=self._token)
            return UnexpectedResponse(
                f"The Intelligems API answered {method} {path} with a redirect (HTTP {status}) to "
                f"{location}, which igops never follows, so that the token is sent nowhere else: set the "
                "API URL to the API's own address.",
                method=method,
                path=path,
                status=status,
            )
        return UnexpectedResponse(
            f"The Intelligems API answered {method} {path} with HTTP {status}.",
            method=method,
            path=path,
            status=status,
        )


def _ambiguous(name: str, path: str, reason: str) -> AmbiguousCreate:
    return AmbiguousCreate(
        f"Creating experience {name!r} may or may not have happened ({reason}): "
        "look it up by name before creating it again.",
        name=name,
        path=path,
        reason=reason,
    )


def _describe_transport_error(exc: httpx.TransportError | TimeoutError) -> str:
    """What happened to an attempt that got no answer and did not time out."""
    if isinstance(exc, httpx.ConnectError):
        return "connection failed"
    return "connection dropped before the answer arrived"


def _validation_envelope(body: bytes | None) -> tuple[list[str], dict[str, list[str]]]:
    """The documented 400 body, as the API wrote it: request-level `errors` and per-field
    `properties.<f>.errors` (show them only through server_text)."""
    try:
        document = answers.parse(body) if body is not None else None
    except Unusable:
        return [], {}
    if not isinstance(document, dict):
        return [], {}
    listed = document.get("errors")
    errors = [str(item) for item in listed if item] if isinstance(listed, list) else []
    field_errors: dict[str, list[str]] = {}
    properties = document.get("properties")
    if isinstance(properties, dict):
        for field, entry in properties.items():
            messages = entry.get("errors") if isinstance(entry, dict) else None
            if isinstance(messages, list) and messages:
                field_errors[str(field)] = [str(message) for message in messages]
    return errors, field_errors


# The deprecated GET form documents fewer inputs than the POST body, some under other names.
_GET_NAMES = {
    "startTs": "start",
    "endTs": "end",
    "view": "view",
    "audience": "audience",
    "analyticsViewType": "analyticsViewType",
}


def _query_params(query: Mapping[str, Any]) -> dict[str, str]:
    """The POST body's inputs as the deprecated GET form's query string: only the documented ones.

    Inputs the GET form does not know (filters, topN, testResult, ...) cannot be sent there.
    """
    params = {
        _GET_NAMES[key]: str(value) for key, value in query.items() if key in _GET_NAMES and value is not None
    }
    graphs = query.get("graphs")
    if isinstance(graphs, Mapping):
        if graphs.get("ids"):
            params["graphs"] = ",".join(map(str, graphs["ids"]))
        if graphs.get("outputFormat"):
            params["graphOutput"] = str(graphs["outputFormat"])
    return params
