"""Token buckets per endpoint group, as the API documents them.

Refill is discrete: at each interval boundary (counted from the bucket's creation, or from its first
call) a fixed number of tokens is added, capped at the burst size. The clock is injected so the buckets
can be tested without sleeping.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum


@dataclass(frozen=True)
class BucketSpec:
    burst: int
    refill: int
    interval_s: float


@dataclass(frozen=True)
class Grant:
    """A token was taken; what the x-ratelimit-* headers announce."""

    limit: int
    remaining: int
    reset_ms: int

    def headers(self) -> dict[str, str]:
        return {
            "x-ratelimit-limit": str(self.limit),
            "x-ratelimit-remaining": str(self.remaining),
            "x-ratelimit-reset": str(self.reset_ms),
        }


class Group(Enum):
    EXPERIENCES = "experiences"
    UPDATES = "updates"
    SITEWIDE = "sitewide"
    EXPORT = "export"


LIMITS: dict[Group, BucketSpec] = {
    Group.EXPERIENCES: BucketSpec(burst=50, refill=25, interval_s=30),
    Group.UPDATES: BucketSpec(burst=10, refill=10, interval_s=60),
    Group.SITEWIDE: BucketSpec(burst=10, refill=5, interval_s=30),
    # Only the burst is documented for exports; half of it per minute is our assumption.
    Group.EXPORT: BucketSpec(burst=20, refill=10, interval_s=60),
}


class TokenBucket:
    """`from_first_call`: the first refill comes a whole interval after the first call, not after the
    bucket's creation; never sooner, so never more lenient. A benchmark measuring a client against the
    least time the limits allow wants that phase, whenever the emulator was started."""

    def __init__(
        self,
        spec: BucketSpec,
        clock: Callable[[], float],
        scale: float = 1.0,
        *,
        from_first_call: bool = False,
    ) -> None:
        if scale <= 0:
            raise ValueError("rate scale must be positive")
        self.spec = spec
        self._clock = clock
        self._interval = spec.interval_s / scale
        self._tokens = spec.burst
        self._next_refill: float | None = None if from_first_call else clock() + self._interval
        self._lock = threading.Lock()

    def take(self) -> Grant | None:
        """Take one token, or None when the bucket is empty."""
        with self._lock:
            next_refill = self._advance()
            if self._tokens < 1:
                return None
            self._tokens -= 1
            return Grant(self.spec.burst, self._tokens, math.ceil(next_refill * 1000))

    def _advance(self) -> float:
        """The next refill's time, once the refills due by now are added."""
        now = self._clock()
        if self._next_refill is None:
            self._next_refill = now + self._interval
        if now >= self._next_refill:
            boundaries = int((now - self._next_refill) // self._interval) + 1
            self._tokens = min(self.spec.burst, self._tokens + boundaries * self.spec.refill)
            self._next_refill += boundaries * self._interval
        return self._next_refill


class RateLimiter:
    """One bucket per group, all sharing a clock and a time scale (and whether refills count from each
    bucket's first call)."""

    def __init__(
        self, scale: float = 1.0, clock: Callable[[], float] = time.time, *, from_first_call: bool = False
    ) -> None:
        self._buckets = {
            group: TokenBucket(spec, clock, scale, from_first_call=from_first_call)
            for group, spec in LIMITS.items()
        }

    def take(self, group: Group) -> Grant | None:
        return self._buckets[group].take()
