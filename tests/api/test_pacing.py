"""Pacing by rate-limit headers, on a fake clock: no real sleeping."""

from __future__ import annotations

import asyncio

from igops.api import DOCUMENTED_RATES, Group
from igops.api.pacing import Pacer, RateLimitHeaders


class FakeTime:
    def __init__(self, start: float = 1_000.0) -> None:
        self.now = start
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


def headers(remaining: int, reset_at: float, limit: int = 50) -> dict[str, str]:
    return {
        "x-ratelimit-limit": str(limit),
        "x-ratelimit-remaining": str(remaining),
        "x-ratelimit-reset": str(int(reset_at * 1000)),
    }


def test_header_parsing_reads_milliseconds_and_rejects_garbage() -> None:
    parsed = RateLimitHeaders.parse(headers(7, 1234.5))
    assert parsed == RateLimitHeaders(limit=50, remaining=7, reset_at=1234.5)
    assert RateLimitHeaders.parse({"x-ratelimit-limit": "x"}) is None
    assert RateLimitHeaders.parse({}) is None


def test_first_request_probes_alone_until_its_headers_arrive() -> None:
    async def scenario() -> None:
        fake = FakeTime()
        pacer = Pacer(fake.clock, fake.sleep)
        probe = await pacer.acquire("g")
        assert probe.probe
        follower = asyncio.create_task(pacer.acquire("g"))
        await asyncio.sleep(0.01)
        assert not follower.done(), "a second request went out before the probe answered"
        pacer.settle(probe, headers(remaining=10, reset_at=fake.now + 30))
        ticket = await asyncio.wait_for(follower, 1)
        assert not ticket.probe
        assert pacer.state("g").remaining == 9

    asyncio.run(scenario())


def test_exhausted_bucket_waits_for_the_announced_reset_then_probes() -> None:
    async def scenario() -> None:
        fake = FakeTime()
        pacer = Pacer(fake.clock, fake.sleep)
        probe = await pacer.acquire("g")
        pacer.settle(probe, headers(remaining=2, reset_at=fake.now + 30))
        tickets = [await pacer.acquire("g"), await pacer.acquire("g")]
        assert fake.slept == []
        for ticket in tickets:
            pacer.settle(ticket, headers(remaining=0, reset_at=1_030.0))
        after_reset = await pacer.acquire("g")
        assert after_reset.probe
        assert len(fake.slept) == 1 and 30 <= fake.slept[0] < 30.2

    asyncio.run(scenario())


def test_remaining_discounts_requests_still_in_flight() -> None:
    async def scenario() -> None:
        fake = FakeTime()
        pacer = Pacer(fake.clock, fake.sleep)
        probe = await pacer.acquire("g")
        pacer.settle(probe, headers(remaining=5, reset_at=fake.now + 30))
        in_flight = [await pacer.acquire("g") for _ in range(3)]
        # The server answers the first with remaining=4: it has not seen the other two yet.
        pacer.settle(in_flight[0], headers(remaining=4, reset_at=fake.now + 30))
        assert pacer.state("g").remaining == 2

    asyncio.run(scenario())


def test_a_429_holds_the_whole_group_until_the_backoff_when_no_reset_is_known() -> None:
    async def scenario() -> None:
        fake = FakeTime()
        pacer = Pacer(fake.clock, fake.sleep)
        probe = await pacer.acquire("g")
        pacer.throttled(probe, backoff=4.0)
        other_group = await pacer.acquire("h")
        assert other_group.probe and fake.slept == []
        retry = await pacer.acquire("g")
        assert retry.probe
        assert 4.0 <= sum(fake.slept) < 4.2

    asyncio.run(scenario())


def test_a_429_waits_for_a_known_future_reset_rather_than_the_backoff() -> None:
    async def scenario() -> None:
        fake = FakeTime()
        pacer = Pacer(fake.clock, fake.sleep)
        probe = await pacer.acquire("g")
        pacer.settle(probe, headers(remaining=3, reset_at=fake.now + 20))
        ticket = await pacer.acquire("g")
        pacer.throttled(ticket, backoff=1.0)
        await pacer.acquire("g")
        assert 20.0 <= sum(fake.slept) < 20.2

    asyncio.run(scenario())


def test_floor_is_the_calls_beyond_the_tokens_at_hand_over_the_refill_rate() -> None:
    updates = DOCUMENTED_RATES[Group.UPDATES]  # burst 10, 10 per 60 s
    assert updates.floor_seconds(30) == 120.0
    assert updates.floor_seconds(30, at_hand=0) == 180.0
    assert updates.floor_seconds(30, scale=30) == 4.0
    assert updates.floor_seconds(5) == 0.0
    assert DOCUMENTED_RATES[Group.EXPERIENCES].floor_seconds(150) == 120.0
