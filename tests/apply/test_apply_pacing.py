"""Pacing: 30 updates against the documented update limit take about the bucket's floor, with few 429s."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from support.apply import assert_no_changes, edited_project, use_sandbox
from support.cli import igops
from support.emulator import new_sandbox

UPDATES = 30
BURST, REFILL, INTERVAL = 10, 10, 60.0  # the documented update limit (DESIGN.md section 12)
SCALE = 30.0  # the emulator's buckets refill this many times faster


def floor_seconds(calls: int, scale: float = SCALE) -> float:
    """max(0, k - burst) / refill_rate, with the refill rate time-scaled."""
    return max(0, calls - BURST) / (REFILL / (INTERVAL / scale))


@pytest.fixture
def many(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """UPDATES experiences live, each file then edited once (its description)."""
    return edited_project(tmp_path, monkeypatch, UPDATES)


@pytest.mark.timeout(30)
def test_thirty_updates_take_about_the_floor_of_the_update_bucket(
    many: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Its buckets start full, now.
    sandbox = new_sandbox(many / "account.json", rate_limits=True, rate_scale=SCALE)
    api = use_sandbox(monkeypatch, sandbox)
    began = time.monotonic()
    result = igops("apply", "--auto-approve", "--api", api, "--max-changes", str(UPDATES))
    wall = time.monotonic() - began
    assert result.exit_code == 0, result.output
    assert f"Apply complete: 0 created, {UPDATES} updated, 0 lifecycle actions." in result.output

    puts = [request for request in sandbox.requests if request.method == "PUT"]
    throttled = [request for request in sandbox.requests if request.status == 429]
    assert sum(1 for request in puts if request.status == 200) == UPDATES
    assert len(throttled) <= 3, f"{len(throttled)} answers were 429"
    floor = floor_seconds(UPDATES)
    # Refills come in whole steps counted from the bucket's creation, so a run may beat the continuous
    # floor by up to one refill interval; it must never be much slower than the floor.
    interval = INTERVAL / SCALE
    assert floor - interval <= wall <= 1.2 * floor, f"{wall:.2f}s against a floor of {floor:.2f}s"
    assert_no_changes(api)
