"""Analytics over real HTTP: an absurd date range answers quickly and holds no one up."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from support.emulator import PREFIX, TOKEN, new_sandbox, serve_over_http

pytestmark = pytest.mark.http

FOUR_THOUSAND_YEARS = {"start": "0001-01-01T00:00:00Z", "end": "4000-12-31T00:00:00Z"}
# The largest sitewide answer there is: a daily series per landing page over all of time.
HEAVIEST = {
    "start": "0000-01-01T00:00:00Z",
    "end": "9999-12-31T23:59:59Z",
    "granularity": "day",
    "feature": {"name": "audience", "audience": "landing_page_full_path"},
}
IN_FLIGHT = 2


def timed(url: str, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, float, float]:
    """(status, seconds taken, monotonic time it finished) of one request on its own connection."""
    with httpx.Client(
        base_url=url + PREFIX, headers={"intelligems-access-token": TOKEN}, timeout=30
    ) as client:
        started = time.monotonic()
        response = client.request(method, path, json=body)
        finished = time.monotonic()
    return response.status_code, finished - started, finished


def test_absurd_ranges_answer_fast_and_never_hold_up_other_requests() -> None:
    with serve_over_http(new_sandbox()) as url:
        status, took, _ = timed(url, "POST", "/analytics/sitewide/snapshot", FOUR_THOUSAND_YEARS)
        assert status == 200 and took < 2
        with ThreadPoolExecutor(max_workers=IN_FLIGHT) as pool:
            heavy = [
                pool.submit(timed, url, "POST", "/analytics/sitewide/timeseries", HEAVIEST)
                for _ in range(IN_FLIGHT)
            ]
            time.sleep(0.05)  # let them reach the server first
            listing = timed(url, "GET", "/experiences-list")
            answers = [future.result(timeout=60) for future in heavy]
    assert [status for status, _, _ in answers] == [200] * IN_FLIGHT
    assert all(took < 20 for _, took, _ in answers)
    status, took, finished = listing
    assert status == 200 and took < 1
    # The listing really ran alongside them: it was answered before the last of them was.
    assert finished < max(done for _, _, done in answers)
