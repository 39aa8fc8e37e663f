"""Apply reads no experience the plan has just read: one list call shows which are unchanged since."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from support.apply import edited_project, use_sandbox
from support.cli import igops
from support.emulator import new_sandbox
from support.engine import with_client

from igops import engine
from igops.api import IntelligemsClient
from igops.sandbox import Sandbox

COUNT = 6
DETAIL = re.compile(r"/experiences/[0-9a-f-]{36}$")


def _detail_reads(sandbox: Sandbox) -> int:
    return sum(1 for request in sandbox.requests if request.method == "GET" and DETAIL.search(request.path))


def test_apply_updates_from_the_plans_own_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    edited_project(tmp_path, monkeypatch, COUNT)
    sandbox = new_sandbox(tmp_path / "account.json")
    api = use_sandbox(monkeypatch, sandbox)
    result = igops("apply", "--auto-approve", "--api", api)
    assert result.exit_code == 0, result.output
    assert f"{COUNT} updated" in result.output
    assert _detail_reads(sandbox) == COUNT, "one read per experience, by the plan; none again by apply"
    assert sum(1 for request in sandbox.requests if request.method == "PUT") == COUNT
    assert igops("plan", "--api", api, "--detailed-exitcode").exit_code == 0


def _dashboard_body(live: dict[str, Any]) -> dict[str, Any]:
    """The whole experience as the dashboard saves it: read names made write names."""
    body = {key: value for key, value in live.items() if key != "audience" or value is not None}
    body["variations"] = [
        {
            **{key: value for key, value in variation.items() if key != "onsiteInjections"},
            "onsiteInjection": variation.get("onsiteInjections"),
        }
        for variation in live["variations"]
    ]
    return body


def test_an_experience_changed_after_the_plan_is_read_again_before_its_update(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edited_project(tmp_path, monkeypatch, 2)
    sandbox = new_sandbox(tmp_path / "account.json")
    project = engine.open_project(api=use_sandbox(monkeypatch, sandbox))

    async def plan_then_dashboard_then_apply(client: IntelligemsClient) -> None:
        session = engine.Session(project.settings, client)
        plan = await session.plan(project)
        moved = str(plan.changed[0].experience_id)
        await client.update_experience(moved, _dashboard_body(await client.get_experience(moved)))
        before = _detail_reads(sandbox)
        report = await session.apply(plan)
        assert report.ok, report.results
        assert _detail_reads(sandbox) == before + 1, "only the experience that moved is read again"

    with_client(sandbox, plan_then_dashboard_then_apply)
