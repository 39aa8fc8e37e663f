"""Chaos: with 500s, spurious 429s and dropped answers, repeated applies converge without duplicates."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.apply import apply_until_done, assert_no_changes, assert_one_per_file, history, reach
from support.cli import fast_retries
from support.emulator import TOKEN, new_sandbox

from igops.sandbox import Faults

CHAOS = {"fail_rate": 0.2, "throttle_rate": 0.1, "drop_rate": 0.2}
# (seed, rate limits): without limits the client sends one request at a time (no headers to pace by);
# with the documented limits (time-scaled x100) it runs concurrently and a spurious 429 holds its group.
IN_PROCESS = ((1, False), (2, False), (3, False), (4, True), (5, True), (6, True))
OVER_HTTP = ((11, False), (12, True), (13, True))


def converge_under_chaos(
    project: Path, monkeypatch: pytest.MonkeyPatch, seed: int, limits: bool, over_http: bool
) -> None:
    fast_retries(monkeypatch, max_attempts=6)
    # The emulator commits a create at once or never: a create it answered with a 500 may be sent again
    # by the next run (the real API gets the default hold-off).
    (project / "igops.yaml").write_text((project / "igops.yaml").read_text() + "create_hold_off: 0\n")
    sandbox = new_sandbox(faults=Faults(**CHAOS, seed=seed), rate_limits=limits, rate_scale=100)
    with reach(sandbox, over_http, monkeypatch) as api:
        with history(project):
            first = apply_until_done(api)
            assert_one_per_file(project, sandbox.experiences())
        second = apply_until_done(api)
        assert_one_per_file(project, sandbox.experiences())
        creates = [w for w in sandbox.writes if w.method == "POST" and w.path.endswith("/experiences")]
        assert len(creates) == 7, "a create was repeated"
        faults = sum(1 for request in sandbox.requests if request.dropped or request.status >= 429)
        assert faults > 0, "the faults never fired"
        sandbox.faults.fail_rate = sandbox.faults.throttle_rate = sandbox.faults.drop_rate = 0.0
        assert_no_changes(api)
    outputs = "\n".join(result.output for result in first + second)
    assert TOKEN not in outputs


@pytest.mark.timeout(30)
@pytest.mark.parametrize(("seed", "limits"), IN_PROCESS)
def test_repeated_applies_converge_under_chaos_in_process(
    project: Path, monkeypatch: pytest.MonkeyPatch, seed: int, limits: bool
) -> None:
    converge_under_chaos(project, monkeypatch, seed, limits, over_http=False)


@pytest.mark.http
@pytest.mark.timeout(30)
@pytest.mark.parametrize(("seed", "limits"), OVER_HTTP)
def test_repeated_applies_converge_under_chaos_over_http(
    project: Path, monkeypatch: pytest.MonkeyPatch, seed: int, limits: bool
) -> None:
    converge_under_chaos(project, monkeypatch, seed, limits, over_http=True)
