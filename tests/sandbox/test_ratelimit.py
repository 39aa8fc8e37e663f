"""Token buckets: the pure bucket with a fake clock, and the headers and 429s of the app."""

from __future__ import annotations

import asyncio
import time

import pytest
from support.bodies import as_write, onsite_edits
from support.emulator import TOKEN, acall, call, create, get, new_sandbox, put

from igops.sandbox import Sandbox, SandboxConfig
from igops.sandbox.ratelimit import LIMITS, BucketSpec, Group, RateLimiter, TokenBucket


class FakeClock:
    def __init__(self, now: float = 1_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def drain(bucket: TokenBucket) -> int:
    taken = 0
    while bucket.take() is not None:
        taken += 1
    return taken


def test_a_full_bucket_grants_its_burst_then_refuses() -> None:
    clock = FakeClock()
    bucket = TokenBucket(BucketSpec(burst=50, refill=25, interval_s=30), clock)
    grants = [bucket.take() for _ in range(50)]
    assert [grant.remaining for grant in grants if grant] == list(range(49, -1, -1))
    assert all(grant and grant.limit == 50 for grant in grants)
    assert bucket.take() is None


def test_refill_is_discrete_at_interval_boundaries() -> None:
    clock = FakeClock()
    bucket = TokenBucket(BucketSpec(burst=50, refill=25, interval_s=30), clock)
    drain(bucket)
    clock.now += 29.999
    assert bucket.take() is None
    clock.now += 0.001
    assert drain(bucket) == 25
    clock.now += 30 * 10  # many boundaries: capped at the burst
    assert drain(bucket) == 50


def test_reset_header_is_the_next_boundary_in_milliseconds() -> None:
    clock = FakeClock(1_700_000_000.0)
    bucket = TokenBucket(BucketSpec(burst=10, refill=10, interval_s=60), clock)
    grant = bucket.take()
    assert grant is not None and grant.reset_ms == 1_700_000_060_000
    clock.now += 61
    grant = bucket.take()
    assert grant is not None and grant.reset_ms == 1_700_000_120_000
    assert grant.headers() == {
        "x-ratelimit-limit": "10",
        "x-ratelimit-remaining": "9",
        "x-ratelimit-reset": "1700000120000",
    }


def test_scale_shortens_the_interval() -> None:
    clock = FakeClock()
    bucket = TokenBucket(BucketSpec(burst=10, refill=5, interval_s=30), clock, scale=100)
    drain(bucket)
    clock.now += 0.3
    assert drain(bucket) == 5
    with pytest.raises(ValueError):
        TokenBucket(BucketSpec(1, 1, 1), clock, scale=0)


def test_refills_from_the_first_call_come_a_whole_interval_after_it() -> None:
    clock = FakeClock()
    counted_from_start = TokenBucket(BucketSpec(burst=50, refill=25, interval_s=30), clock)
    from_first_call = TokenBucket(BucketSpec(burst=50, refill=25, interval_s=30), clock, from_first_call=True)
    clock.now += 20  # the first call comes 20 s after the start
    drain(counted_from_start)
    first = from_first_call.take()
    assert first is not None and first.reset_ms == 1_050_000
    drain(from_first_call)
    clock.now += 10  # 30 s after the start, 10 after the first call
    assert drain(counted_from_start) == 25
    assert from_first_call.take() is None
    clock.now += 20  # a whole interval after the first call
    assert drain(from_first_call) == 25


def test_documented_limits() -> None:
    assert LIMITS[Group.EXPERIENCES] == BucketSpec(50, 25, 30)
    assert LIMITS[Group.UPDATES] == BucketSpec(10, 10, 60)
    assert LIMITS[Group.SITEWIDE] == BucketSpec(10, 5, 30)
    assert LIMITS[Group.EXPORT].burst == 20


def test_groups_have_separate_buckets() -> None:
    limiter = RateLimiter(clock=FakeClock())
    for _ in range(10):
        assert limiter.take(Group.UPDATES) is not None
    assert limiter.take(Group.UPDATES) is None
    assert limiter.take(Group.EXPERIENCES) is not None


# Through the app


def test_successes_carry_headers_and_exhaustion_gets_429_without_them() -> None:
    sandbox = new_sandbox(rate_limits=True)
    experience = create(sandbox, onsite_edits())

    async def burst() -> list:
        return [await acall(sandbox, "GET", f"/experiences/{experience['id']}") for _ in range(50)]

    responses = asyncio.run(burst())
    assert [r.status_code for r in responses[:49]] == [200] * 49
    assert [int(r.headers["x-ratelimit-remaining"]) for r in responses[:49]] == list(range(48, -1, -1))
    assert {r.headers["x-ratelimit-limit"] for r in responses[:49]} == {"50"}
    limited = responses[49]
    assert limited.status_code == 429
    assert "error" in limited.json()
    assert not any(name.startswith("x-ratelimit") for name in limited.headers)


@pytest.mark.parametrize("from_first_call", [False, True])
def test_the_sandbox_counts_refills_from_the_first_call_when_asked(from_first_call: bool) -> None:
    sandbox = Sandbox(SandboxConfig(token=TOKEN, refills_from_first_call=from_first_call))
    time.sleep(0.05)
    before = time.time()
    reset_ms = int(call(sandbox, "GET", "/experiences-list").headers["x-ratelimit-reset"])
    # Counted from the start, the first refill comes 30 s after the sandbox was made: before the call's 30 s.
    assert (reset_ms >= (before + 30) * 1000) is from_first_call


def test_error_answers_carry_no_rate_limit_headers() -> None:
    sandbox = new_sandbox(rate_limits=True)
    responses = [
        call(sandbox, "GET", "/experiences/00000000-0000-0000-0000-000000000000"),
        call(sandbox, "POST", "/experiences", json={"experience": {}}),
        call(sandbox, "GET", "/experiences-list", params={"limit": "0"}),
        call(sandbox, "GET", "/experiences-list", token="nope"),
    ]
    assert [r.status_code for r in responses] == [404, 400, 400, 401]
    for response in responses:
        assert not any(name.startswith("x-ratelimit") for name in response.headers)


def test_updates_have_their_own_smaller_bucket() -> None:
    sandbox = new_sandbox(rate_limits=True)
    experience = create(sandbox, onsite_edits())
    body = as_write(experience)
    statuses = [put(sandbox, experience["id"], body).status_code for _ in range(11)]
    assert statuses == [200] * 10 + [429]
    response = call(sandbox, "GET", f"/experiences/{experience['id']}")
    assert response.headers["x-ratelimit-limit"] == "50"


def test_scaled_buckets_refill_quickly() -> None:
    sandbox = new_sandbox(rate_limits=True, rate_scale=1000)  # 60 s becomes 60 ms
    experience = create(sandbox, onsite_edits())
    body = as_write(experience)
    statuses = [put(sandbox, experience["id"], body).status_code for _ in range(11)]
    assert statuses[-1] == 429 or statuses == [200] * 11
    asyncio.run(asyncio.sleep(0.07))
    assert put(sandbox, experience["id"], body).status_code == 200


def test_rate_limits_can_be_switched_off() -> None:
    sandbox = new_sandbox(rate_limits=False)
    experience = create(sandbox, onsite_edits())
    for _ in range(60):
        response = call(sandbox, "GET", f"/experiences/{experience['id']}")
        assert response.status_code == 200
        assert "x-ratelimit-limit" not in response.headers
    assert get(sandbox, experience["id"])
