"""Client-side pacing by the API's token-bucket rate-limit headers.

The API announces, per endpoint group, the bucket size (`x-ratelimit-limit`), the tokens
left (`x-ratelimit-remaining`) and when it next refills (`x-ratelimit-reset`, Unix ms).
The headers say nothing about how much a refill adds, so after a refill one request goes
out alone as a probe and its headers tell the rest how many may follow. Every concurrent
request of a group shares one state, so a long run spends the budget without a storm of
429s instead of discovering the limit by hitting it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

# Headers carry wall-clock times; a small margin absorbs clock skew and rounding.
RESET_MARGIN_SECONDS = 0.05


@dataclass(frozen=True)
class BucketRate:
    """A bucket's documented size and refill; the headers never say how fast it refills."""

    burst: int
    refill: int  # tokens added every `interval`
    interval: float  # seconds

    def floor_seconds(self, calls: int, at_hand: int | None = None, scale: float = 1.0) -> float:
        """The least time `calls` requests can take: the ones beyond the tokens at hand (a full
        bucket when unknown) wait for refills. `scale` > 1 for buckets that refill faster (tests)."""
        available = self.burst if at_hand is None else at_hand
        return max(0, calls - available) * (self.interval / scale) / self.refill


@dataclass
class BucketState:
    """What the client believes about one endpoint group's bucket."""

    limit: int | None = None
    remaining: int | None = None  # None: unknown, the next request probes
    reset_at: float | None = None  # Unix seconds
    in_flight: int = 0
    probing: bool = False
    probe_done: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass(frozen=True)
class RateLimitHeaders:
    limit: int
    remaining: int
    reset_at: float  # Unix seconds

    @classmethod
    def parse(cls, headers: Mapping[str, str]) -> RateLimitHeaders | None:
        try:
            return cls(
                limit=int(headers["x-ratelimit-limit"]),
                remaining=int(headers["x-ratelimit-remaining"]),
                reset_at=float(headers["x-ratelimit-reset"]) / 1000.0,
            )
        except (KeyError, ValueError):
            return None


@dataclass
class Ticket:
    """Permission to send one request of a group; hand it back with `settle`."""

    group: str
    probe: bool
    settled: bool = False


class Pacer:
    """Shared pacing state for all requests of one client."""

    def __init__(self, clock: Clock = time.time, sleep: Sleep = asyncio.sleep) -> None:
        self._clock = clock
        self._sleep = sleep
        self._states: dict[str, BucketState] = {}
        self._lock = asyncio.Lock()

    def state(self, group: str) -> BucketState:
        return self._states.setdefault(group, BucketState())

    async def acquire(self, group: str) -> Ticket:
        """Wait until the group's bucket can take one more request, then take it."""
        while True:
            async with self._lock:
                state = self.state(group)
                now = self._clock()
                if state.remaining is not None and state.remaining <= 0 and (
                    state.reset_at is None or now >= state.reset_at
                ):
                    state.remaining = None
                if state.remaining is None:
                    if not state.probing:
                        state.probing = True
                        state.probe_done = asyncio.Event()
                        state.in_flight += 1
                        return Ticket(group, probe=True)
                    probe_done = state.probe_done
                    delay = None
                elif state.remaining > 0:
                    state.remaining -= 1
                    state.in_flight += 1
                    return Ticket(group, probe=False)
                else:
                    assert state.reset_at is not None
                    delay = state.reset_at - now + RESET_MARGIN_SECONDS
            if delay is None:
                await probe_done.wait()
            else:
                await self._sleep(delay)

    def settle(self, ticket: Ticket, headers: Mapping[str, str] | None) -> None:
        """Hand the ticket back with the response's headers (None when there was no response)."""
        if ticket.settled:
            return
        ticket.settled = True
        state = self.state(ticket.group)
        state.in_flight -= 1
        announced = RateLimitHeaders.parse(headers) if headers is not None else None
        if announced is not None:
            state.limit = announced.limit
            state.reset_at = announced.reset_at
            # Requests still in flight have taken tokens the server has not counted yet.
            state.remaining = max(0, announced.remaining - state.in_flight)
        if ticket.probe:
            state.probing = False
            state.probe_done.set()

    def throttled(self, ticket: Ticket, backoff: float) -> None:
        """A 429: the bucket is empty. Hold the whole group until it refills."""
        self.settle(ticket, None)
        state = self.state(ticket.group)
        now = self._clock()
        state.remaining = 0
        known_reset = state.reset_at if state.reset_at is not None and state.reset_at > now else None
        state.reset_at = known_reset if known_reset is not None else now + backoff
