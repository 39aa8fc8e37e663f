"""Client-side pacing by the API's token-bucket rate-limit headers.

The API announces, per endpoint group, the bucket size (`x-ratelimit-limit`), the tokens
left (`x-ratelimit-remaining`) and when it next refills (`x-ratelimit-reset`, Unix ms).
The headers say nothing about how much a refill adds, so after a refill one request goes
out alone as a probe and its headers tell the rest how many may follow. Every concurrent
request of a group shares one state, so a long run spends the budget without a storm of
429s instead of discovering the limit by hitting it.

Before the first answer, a group with a documented bucket is assumed to hold all of it, so a
run starts at full concurrency instead of with a probe. A successful answer without the
headers (an emulator without limits) means the group announces no bucket: it is not paced
until a 429 holds it.

A ticket is also one of the client's slots for requests in flight, so it is handed out only
when the request can go at once: a 429 stops every request not sent yet. Requests that must
wait queue in the order they came, and each ticket that becomes available is handed to one
of them directly: nobody wakes up only to wait again.

A server's headers are not trusted beyond sense. A refill announced further off than
MAX_REFILL_WAIT fails the group's requests in one sentence instead of waiting (the documented
buckets refill within a minute). A count that is not a whole number (1.5 tokens, NaN) or a refill
time that is not a finite number (NaN, inf) makes the whole set of headers count as absent, as
garbage always has: the group is then paced by 429s, each holding it for a bounded backoff. A
negative count of tokens left is a spent bucket, and a refill announced in the past one that has
come: the next request goes alone, as a probe.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from igops.api.errors import RateLimited

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

# Headers carry wall-clock times; a small margin absorbs clock skew and rounding.
RESET_MARGIN_SECONDS = 0.05
# The longest refill igops waits for: ten times the longest documented interval (60 s).
MAX_REFILL_WAIT = 600.0


@dataclass(frozen=True)
class BucketRate:
    """A bucket's documented size and refill; the headers never say how fast it refills."""

    burst: int
    refill: int  # tokens added every `interval`
    interval: float  # seconds

    def floor_seconds(self, calls: int, at_hand: float | None = None, scale: float = 1.0) -> float:
        """The least time `calls` requests can take: the ones beyond the tokens at hand (a full
        bucket when unknown) wait for refills. `scale` > 1 for buckets that refill faster (tests)."""
        available = self.burst if at_hand is None else at_hand
        return max(0, calls - available) * (self.interval / scale) / self.refill


@dataclass
class Ticket:
    """Permission to send one request of a group now; hand it back with `settle`."""

    group: str
    probe: bool
    settled: bool = False


@dataclass(frozen=True)
class _Waiter:
    arrived: int  # the order of arrival, across groups
    ticket: asyncio.Future[Ticket]


@dataclass
class BucketState:
    """What the client believes about one endpoint group's bucket, and who waits for it."""

    limit: int | None = None
    # None: unknown, an answer must tell. math.inf: the group announces no bucket.
    remaining: float | None = None
    reset_at: float | None = None  # Unix seconds
    announced_reset: float | None = None  # of the latest headers taken in
    in_flight: int = 0
    waiters: deque[_Waiter] = field(default_factory=deque)
    timer: asyncio.Task[None] | None = None  # wakes the waiters when the bucket refills

    def held(self, now: float) -> bool:
        """Spent, with a refill still to come."""
        return (
            self.remaining is not None
            and self.remaining <= 0
            and self.reset_at is not None
            and now < self.reset_at
        )


@dataclass(frozen=True)
class RateLimitHeaders:
    limit: int
    remaining: int
    reset_at: float  # Unix seconds

    @classmethod
    def parse(cls, headers: Mapping[str, str]) -> RateLimitHeaders | None:
        """The headers' values; None when one is missing or not a finite number (then none counts)."""
        try:
            reset_at = float(headers["x-ratelimit-reset"]) / 1000.0
            parsed = cls(
                limit=int(headers["x-ratelimit-limit"]),
                remaining=int(headers["x-ratelimit-remaining"]),
                reset_at=reset_at,
            )
        except (KeyError, ValueError):
            return None
        return parsed if math.isfinite(reset_at) else None


def _refuse_waiters(group: str, state: BucketState, wait: float) -> None:
    """Fail every request waiting for a refill too far off to wait for."""
    message = (
        f"The Intelligems API says its {group} rate limit refills only in {wait / 60:,.0f} minutes, "
        f"more than the {MAX_REFILL_WAIT / 60:.0f} igops waits: try again later, and check that this "
        "machine's clock is right."
    )
    while _first(state) is not None:
        state.waiters.popleft().ticket.set_exception(RateLimited(message, status=429))


def _first(state: BucketState) -> _Waiter | None:
    """The group's first waiter still waiting: cancelled ones leave the queue once they are first."""
    while state.waiters and state.waiters[0].ticket.done():
        state.waiters.popleft()
    return state.waiters[0] if state.waiters else None


class Pacer:
    """Shared pacing state for all requests of one client.

    `rates`: the documented bucket of each group, assumed until the headers say otherwise; a group
    without one starts unknown, and its first request probes alone. `max_in_flight`: the most
    tickets out at once, across groups (None: no bound).
    """

    def __init__(
        self,
        clock: Clock = time.time,
        sleep: Sleep = asyncio.sleep,
        rates: Mapping[str, BucketRate] | None = None,
        max_in_flight: int | None = None,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._rates = dict(rates or {})
        self._states: dict[str, BucketState] = {}
        self._slots: float = math.inf if max_in_flight is None else max_in_flight
        self._arrivals = itertools.count()

    def state(self, group: str) -> BucketState:
        state = self._states.get(group)
        if state is None:
            rate = self._rates.get(group)
            state = self._states[group] = BucketState(remaining=rate.burst if rate else None)
        return state

    async def acquire(self, group: str) -> Ticket:
        """Wait until a request of the group can go: the bucket can take it and a slot is free."""
        state = self.state(group)
        ticket: asyncio.Future[Ticket] = asyncio.get_running_loop().create_future()
        waiter = _Waiter(next(self._arrivals), ticket)
        state.waiters.append(waiter)
        self._dispatch()
        try:
            return await ticket
        except asyncio.CancelledError:
            if ticket.cancelled():
                self._dispatch()  # which drops the waiter once it is first in line
            else:
                # Handed a ticket as it was cancelled: its slot goes to the next in line.
                self.settle(ticket.result(), None)
            raise

    def settle(self, ticket: Ticket, headers: Mapping[str, str] | None) -> None:
        """Hand the ticket back with a successful answer's headers; None for an error answer or none
        at all, which say nothing about the bucket. A ticket handed back twice counts once."""
        if ticket.settled:
            return
        ticket.settled = True
        state = self.state(ticket.group)
        state.in_flight -= 1
        self._slots += 1
        if headers is not None:
            self._learn(state, RateLimitHeaders.parse(headers))
        self._dispatch()

    def throttled(self, ticket: Ticket, backoff: float) -> None:
        """A 429: the bucket is empty. Hold the whole group until it refills."""
        state = self.state(ticket.group)
        now = self._clock()
        state.remaining = 0
        known_reset = state.reset_at if state.reset_at is not None and state.reset_at > now else None
        state.reset_at = known_reset if known_reset is not None else now + backoff
        self.settle(ticket, None)

    def _learn(self, state: BucketState, announced: RateLimitHeaders | None) -> None:
        if announced is None:
            # The group announces no bucket; only a 429 still in force says it has one.
            if not state.held(self._clock()):
                state.remaining = math.inf
            return
        if state.announced_reset is not None and announced.reset_at < state.announced_reset:
            return  # overtaken by the answer of a request the server counted later
        # Requests still in flight have taken tokens the server has not counted yet.
        remaining: float = max(0, announced.remaining - state.in_flight)
        if announced.reset_at == state.announced_reset and state.remaining is not None:
            # Until it refills, a bucket only drains: an answer that overtook this one counted more.
            remaining = min(remaining, state.remaining)
        state.limit = announced.limit
        state.reset_at = state.announced_reset = announced.reset_at
        state.remaining = remaining

    def _dispatch(self) -> None:
        """Hand out tickets while slots are free: to the earliest waiter whose bucket can take one."""
        blocked: set[str] = set()
        while self._slots > 0:
            group = self._earliest(blocked)
            if group is None:
                break
            state = self._states[group]
            granted = self._take(group, state)
            if isinstance(granted, Ticket):
                state.waiters.popleft().ticket.set_result(granted)
                continue
            blocked.add(group)
            if granted is not None and granted > MAX_REFILL_WAIT:
                _refuse_waiters(group, state, granted)
            elif granted is not None and state.timer is None:
                state.timer = asyncio.ensure_future(self._wake_after(state, granted))
        for state in self._states.values():
            if _first(state) is None and state.timer is not None:
                state.timer.cancel()
                state.timer = None

    def _earliest(self, blocked: set[str]) -> str | None:
        """The group, not blocked, whose first waiter came first."""
        heads = [
            (waiter.arrived, group)
            for group, state in self._states.items()
            if group not in blocked and (waiter := _first(state)) is not None
        ]
        return min(heads)[1] if heads else None

    def _take(self, group: str, state: BucketState) -> Ticket | float | None:
        """A ticket; else the seconds until the bucket refills, or None when an answer must tell."""
        now = self._clock()
        if state.remaining is not None and state.remaining <= 0:
            if state.held(now):
                assert state.reset_at is not None
                return state.reset_at - now + RESET_MARGIN_SECONDS
            state.remaining = None  # refilled, by an amount no header tells
        if state.remaining is not None:
            state.remaining -= 1
        elif state.in_flight:
            return None
        state.in_flight += 1
        self._slots -= 1
        return Ticket(group, probe=state.remaining is None)

    async def _wake_after(self, state: BucketState, seconds: float) -> None:
        await self._sleep(seconds)
        state.timer = None
        self._dispatch()
