"""A report of many experiences paces its analytics calls within the rate limits, as apply paces updates."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from support.emulator import TOKEN, new_sandbox
from support.engine import create_as_igops, desired, with_client
from support.files import dump
from support.results import ab_test, invoke, valid_json

from igops.cli.report_command import report_command
from igops.engine import connect
from igops.schemas import REPORT_SCHEMA

EXPERIENCES = 100
BURST, REFILL, INTERVAL = 50, 25, 30.0  # the documented limit of the experience endpoints, analytics included
SCALE = 30.0  # the emulator's buckets refill this many times faster


@pytest.mark.timeout(60)
def test_a_report_of_a_hundred_experiences_stays_within_the_rate_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {f"test-{n:02}": ab_test(f"Test {n:02}", "started 10 days ago") for n in range(EXPERIENCES)}
    (tmp_path / "experiences").mkdir()
    wanted = []
    for key, document in files.items():
        (tmp_path / "experiences" / f"{key}.yaml").write_text(dump(document), encoding="utf-8")
        wanted.append(desired(document, key))
    state = tmp_path / "account.json"

    async def create_all(client):  # type: ignore[no-untyped-def]
        for experience in wanted:
            await create_as_igops(client, experience)

    with_client(new_sandbox(state), create_all)
    paced = new_sandbox(state, rate_limits=True, rate_scale=SCALE)
    monkeypatch.setattr(connect, "Sandbox", lambda config: paced)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("INTELLIGEMS_API_TOKEN", TOKEN)
    began = time.monotonic()
    result = invoke(report_command, "--api", "sandbox:", "--format", "json")
    wall = time.monotonic() - began
    assert result.exit_code == 0, result.output
    assert len(valid_json(result.output, REPORT_SCHEMA)["experiences"]) == EXPERIENCES
    analytics = [r for r in paced.requests if "/analytics/resource/" in r.path]
    assert sum(1 for r in analytics if r.status == 200) == EXPERIENCES
    throttled = [r for r in paced.requests if r.status == 429]
    assert len(throttled) <= 3, f"{len(throttled)} answers were 429"
    calls = EXPERIENCES + 1  # and the list
    floor = max(0, calls - BURST) / (REFILL / (INTERVAL / SCALE))
    assert wall >= floor - INTERVAL / SCALE, f"{wall:.2f}s: faster than the bucket allows ({floor:.2f}s)"
