"""`--refresh-cache` on drift and apply, as on plan: once the cache holds the account, a run reads only the
experience list."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.apply import use_sandbox
from support.cli import igops, make_live_equal
from support.emulator import new_sandbox

CACHE = ".igops-cache/refresh.json"


@pytest.mark.parametrize("command", [("drift",), ("apply", "--auto-approve")])
def test_a_second_run_with_the_cache_reads_the_list_only(
    project: Path, monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...]
) -> None:
    make_live_equal(project)
    sandbox = new_sandbox(project / "account.json")
    api = use_sandbox(monkeypatch, sandbox)
    first = igops(*command, "--api", api, "--refresh-cache", CACHE)
    assert first.exit_code == 0, first.output
    assert len(sandbox.requests) > 1, "the first run reads each experience in full"
    assert (project / CACHE).is_file()
    sandbox.requests.clear()
    second = igops(*command, "--api", api, "--refresh-cache", CACHE)
    assert second.exit_code == 0, second.output
    assert [(request.method, request.path.rsplit("/", 1)[-1]) for request in sandbox.requests] == [
        ("GET", "experiences-list")
    ]
    assert second.stdout == first.stdout


def test_a_saved_plan_takes_no_refresh_cache(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_live_equal(project, statuses=("paused", "ended"))
    sandbox = new_sandbox(project / "account.json")
    api = use_sandbox(monkeypatch, sandbox)
    assert igops("plan", "--api", api, "--out", "plan.json").exit_code == 0
    sandbox.requests.clear()
    result = igops("apply", "plan.json", "--api", api, "--refresh-cache", CACHE)
    assert result.exit_code == 1
    assert result.output == (
        "Error: --refresh-cache speeds up the plan apply makes; a saved plan reads only "
        "the experience list: give it to igops plan --out instead.\n"
    )
    assert sandbox.requests == [] and not (project / CACHE).exists()
