"""Pacing by rate-limit headers, on a fake clock: no real sleeping."""

from __future__ import annotations

import asyncio

import pytest

from igops.api import DOCUMENTED_RATES, Group, RateLimited
from igops.api.pacing import MAX_REFILL_WAIT, BucketRate, Pacer, RateLimitHeaders, Ticket


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


RATE = BucketRate(burst=3, refill=1, interval=30.0)


def settled_headerless(pacer: Pacer, ticket: Ticket) -> None:
    """A successful answer without rate-limit headers (an emulator without limits)."""
    pacer.settle(ticket, {"content-type": "application/json"})


def test_a_documented_bucket_is_assumed_full_until_headers_arrive() -> None:
    async def scenario() -> None:
        fake = FakeTime()
        pacer = Pacer(fake.clock, fake.sleep, rates={"g": RATE})
        first = [await pacer.acquire("g") for _ in range(RATE.burst)]
        assert not any(ticket.probe for ticket in first), "the first request probed alone"
        # The assumed bucket is spent: the next waits for what the answers on their way say.
        follower = asyncio.create_task(pacer.acquire("g"))
        await asyncio.sleep(0)
        assert not follower.done()
        pacer.settle(first[0], headers(remaining=5, reset_at=fake.now + 30))
        ticket = await asyncio.wait_for(follower, 1)
        assert not ticket.probe
        assert pacer.state("g").remaining == 5 - 2 - 1  # two still in flight, one just taken

    asyncio.run(scenario())


def test_error_answers_leave_the_assumed_bucket_and_the_last_one_out_lets_a_probe_go() -> None:
    async def scenario() -> None:
        fake = FakeTime()
        pacer = Pacer(fake.clock, fake.sleep, rates={"g": RATE})
        tickets = [await pacer.acquire("g") for _ in range(RATE.burst)]
        follower = asyncio.create_task(pacer.acquire("g"))
        for ticket in tickets[:-1]:
            pacer.settle(ticket, None)
            await asyncio.sleep(0)
            assert not follower.done(), "a request went out while answers that may tell were pending"
        pacer.settle(tickets[-1], None)
        probe = await asyncio.wait_for(follower, 1)
        assert probe.probe and fake.slept == []

    asyncio.run(scenario())


def test_an_endpoint_without_headers_is_not_paced_until_a_429() -> None:
    async def scenario() -> None:
        fake = FakeTime()
        pacer = Pacer(fake.clock, fake.sleep, rates={"g": RATE})
        first = await pacer.acquire("g")
        settled_headerless(pacer, first)
        tickets = [await pacer.acquire("g") for _ in range(100)]
        assert fake.slept == [] and pacer.state("g").in_flight == 100

        pacer.throttled(tickets[0], backoff=4.0)
        # An answer sent before the 429 does not lift the hold.
        settled_headerless(pacer, tickets[1])
        follower = asyncio.create_task(pacer.acquire("g"))
        for _ in range(5):
            await asyncio.sleep(0)
        assert 4.0 <= sum(fake.slept) < 4.2
        # Past the hold, the answers on their way tell before anything else goes.
        assert not follower.done(), "requests still in flight, yet one went out as a probe"
        settled_headerless(pacer, tickets[2])
        assert not (await asyncio.wait_for(follower, 1)).probe

    asyncio.run(scenario())


def test_the_probe_after_a_hold_finds_the_endpoint_unpaced_again() -> None:
    async def scenario() -> None:
        fake = FakeTime()
        pacer = Pacer(fake.clock, fake.sleep, rates={"g": RATE})
        settled_headerless(pacer, await pacer.acquire("g"))
        pacer.throttled(await pacer.acquire("g"), backoff=2.0)
        probe = await pacer.acquire("g")
        assert probe.probe
        settled_headerless(pacer, probe)
        assert not any(ticket.probe for ticket in [await pacer.acquire("g") for _ in range(10)])
        assert len(fake.slept) == 1

    asyncio.run(scenario())


def test_an_answer_overtaken_by_a_later_one_never_raises_what_is_left() -> None:
    async def scenario() -> None:
        fake = FakeTime()
        pacer = Pacer(fake.clock, fake.sleep)
        probe = await pacer.acquire("g")
        pacer.settle(probe, headers(remaining=10, reset_at=fake.now + 30))
        tickets = [await pacer.acquire("g") for _ in range(4)]
        # The server counted tickets[1] after tickets[0], but its answer arrives first.
        pacer.settle(tickets[1], headers(remaining=7, reset_at=fake.now + 30))
        assert pacer.state("g").remaining == 4  # 7, less the three still in flight
        pacer.settle(tickets[0], headers(remaining=8, reset_at=fake.now + 30))
        assert pacer.state("g").remaining == 4
        # An answer counted before the last refill says nothing about the bucket after it.
        pacer.settle(tickets[2], headers(remaining=29, reset_at=fake.now + 60))
        pacer.settle(tickets[3], headers(remaining=0, reset_at=fake.now + 30))
        assert pacer.state("g").remaining == 28  # 29, less tickets[3] then in flight

    asyncio.run(scenario())


def test_each_freed_slot_goes_to_exactly_one_waiter_in_the_order_they_came() -> None:
    async def scenario() -> None:
        fake = FakeTime()
        pacer = Pacer(fake.clock, fake.sleep, max_in_flight=2)
        settled_headerless(pacer, await pacer.acquire("g"))
        out = [await pacer.acquire("g") for _ in range(2)]
        waiting = [asyncio.create_task(pacer.acquire("g")) for _ in range(5)]
        await asyncio.sleep(0)
        for n in range(5):
            settled_headerless(pacer, out.pop(0))
            await asyncio.sleep(0)
            assert [task.done() for task in waiting] == [True] * (n + 1) + [False] * (4 - n)
            out.append(waiting[n].result())

    asyncio.run(scenario())


def test_the_pacers_work_grows_with_the_requests_not_with_their_square() -> None:
    class CountingTime(FakeTime):
        looks = 0

        def clock(self) -> float:
            self.looks += 1
            return self.now

    async def scenario() -> int:
        fake = CountingTime()
        pacer = Pacer(fake.clock, fake.sleep, max_in_flight=8)

        async def request() -> None:
            ticket = await pacer.acquire("g")
            await asyncio.sleep(0)
            settled_headerless(pacer, ticket)

        await asyncio.gather(*(request() for _ in range(1_000)))
        return fake.looks

    # A few looks per request; waking every waiter on each answer would be ~500,000.
    assert asyncio.run(scenario()) < 10_000


def test_a_waiter_of_another_group_gets_the_next_free_slot_before_later_ones() -> None:
    async def scenario() -> None:
        fake = FakeTime()
        pacer = Pacer(fake.clock, fake.sleep, max_in_flight=1)
        settled_headerless(pacer, await pacer.acquire("reads"))
        settled_headerless(pacer, await pacer.acquire("writes"))
        out = await pacer.acquire("reads")
        early_read = asyncio.create_task(pacer.acquire("reads"))
        await asyncio.sleep(0)
        write = asyncio.create_task(pacer.acquire("writes"))
        late_read = asyncio.create_task(pacer.acquire("reads"))
        await asyncio.sleep(0)
        settled_headerless(pacer, out)
        settled_headerless(pacer, await early_read)
        await asyncio.sleep(0)
        assert write.done() and not late_read.done()
        settled_headerless(pacer, write.result())
        await asyncio.wait_for(late_read, 1)

    asyncio.run(scenario())


class RefillOnCue(FakeTime):
    """Sleeps end when the test says so, however long they were meant to be."""

    def __init__(self) -> None:
        super().__init__()
        self.cue = asyncio.Event()

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        await self.cue.wait()
        self.now += seconds


def test_a_held_group_does_not_hold_the_slots_of_another() -> None:
    async def scenario() -> None:
        fake = RefillOnCue()
        pacer = Pacer(fake.clock, fake.sleep, max_in_flight=1)
        probe = await pacer.acquire("writes")
        pacer.settle(probe, headers(remaining=0, reset_at=fake.now + 60))
        write = asyncio.create_task(pacer.acquire("writes"))  # waits for the refill
        await asyncio.sleep(0)
        read = await asyncio.wait_for(pacer.acquire("reads"), 1)
        assert read.probe and not write.done()
        pacer.settle(read, None)
        fake.cue.set()
        assert (await asyncio.wait_for(write, 1)).probe and 60 <= sum(fake.slept) < 60.2

    asyncio.run(scenario())


def test_a_cancelled_waiter_leaves_the_queue_and_a_ticket_it_was_handed_goes_to_the_next() -> None:
    async def scenario() -> None:
        fake = FakeTime()
        pacer = Pacer(fake.clock, fake.sleep, max_in_flight=1)
        out = await pacer.acquire("g")
        cancelled_waiting, handed, last = (asyncio.create_task(pacer.acquire("g")) for _ in range(3))
        await asyncio.sleep(0)
        cancelled_waiting.cancel()
        pacer.settle(out, headers(remaining=5, reset_at=fake.now + 30))
        assert handed.done() is False  # handed its ticket, but has not run since
        handed.cancel()
        ticket = await asyncio.wait_for(last, 1)
        assert cancelled_waiting.cancelled() and handed.cancelled()
        assert pacer.state("g").in_flight == 1 and not ticket.probe

    asyncio.run(scenario())


def test_the_refill_timer_stops_when_nobody_waits_for_it() -> None:
    async def scenario() -> None:
        fake = RefillOnCue()
        pacer = Pacer(fake.clock, fake.sleep)
        probe = await pacer.acquire("g")
        pacer.settle(probe, headers(remaining=0, reset_at=fake.now + 60))
        waiter = asyncio.create_task(pacer.acquire("g"))
        await asyncio.sleep(0)
        timer = pacer.state("g").timer
        assert timer is not None
        waiter.cancel()
        await asyncio.wait([timer], timeout=1)
        assert pacer.state("g").timer is None and timer.cancelled()

    asyncio.run(scenario())


def test_a_refill_further_off_than_the_bound_fails_the_waiters_in_one_sentence() -> None:
    async def spent_until(reset_in: float) -> tuple[list[BaseException | None], list[float]]:
        fake = FakeTime()
        pacer = Pacer(fake.clock, fake.sleep)
        probe = await pacer.acquire("experiences")
        pacer.settle(probe, headers(remaining=0, reset_at=fake.now + reset_in))
        waiters = [asyncio.ensure_future(pacer.acquire("experiences")) for _ in range(3)]
        done, _ = await asyncio.wait(waiters, timeout=1)
        for waiter in waiters:
            waiter.cancel()
        return [waiter.exception() for waiter in done], fake.slept

    refused, slept = asyncio.run(spent_until(MAX_REFILL_WAIT + 1))
    assert len(refused) == 3 and slept == []
    assert all(isinstance(error, RateLimited) for error in refused)
    assert str(refused[0]) == (
        "The Intelligems API says its experiences rate limit refills only in 10 "
        "minutes, more than the 10 igops waits: try again later, and check that this "
        "machine's clock is right."
    )
    year_2100 = 4102444800.0 - FakeTime().now
    assert "refills only in 68,374,063 minutes" in str(asyncio.run(spent_until(year_2100))[0][0])
    waited, slept = asyncio.run(spent_until(MAX_REFILL_WAIT - 1))
    assert waited == [None] and len(slept) == 1


@pytest.mark.parametrize("reset", ["nan", "inf", "-inf", "Infinity", "1e400", "soon", ""])
def test_a_refill_time_that_is_no_finite_number_makes_the_headers_count_as_absent(reset: str) -> None:
    assert RateLimitHeaders.parse(headers(0, 0) | {"x-ratelimit-reset": reset}) is None


def test_a_negative_count_left_is_a_spent_bucket_and_a_past_refill_one_that_came() -> None:
    async def scenario() -> None:
        fake = FakeTime()
        pacer = Pacer(fake.clock, fake.sleep)
        probe = await pacer.acquire("g")
        pacer.settle(probe, headers(remaining=-3, reset_at=-5))
        assert pacer.state("g").remaining == 0
        after = await asyncio.wait_for(pacer.acquire("g"), 1)
        assert after.probe and fake.slept == []

    asyncio.run(scenario())
