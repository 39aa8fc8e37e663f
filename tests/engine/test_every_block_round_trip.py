"""After apply the plan is empty, for files using every block the format allows.

The files are drawn from schemas/experience.schema.json itself (tests/support/schema_strategies.py),
applied to the emulator the way `igops apply` does, then planned three ways: straight away,
after the dashboard saves the experience unchanged, and from the refresh cache. The bodies
igops sent on the way must be ones the API description accepts.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from support.emulator import new_sandbox
from support.engine import desired, with_client
from support.openapi import path_template, request_validator, schema_errors, spec_available
from support.schema_strategies import TYPES, every_block, schema_experiences

from igops.api import IntelligemsClient
from igops.engine.apply import apply_plan
from igops.engine.pipeline import make_plan
from igops.engine.refresh import RefreshCache
from igops.model import DesiredExperience, Plan
from igops.sandbox import Sandbox

ROUND_TRIPS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
# An experience cannot be created paused or ended: it first runs, as it did in its history.
HISTORY = {"paused": "started", "ended": "started"}


def unchanged(plan: Plan) -> Plan:
    assert plan.errors == (), plan.errors
    assert [(e.key, e.changes) for e in plan.changed] == [], "a plan right after apply must be empty"
    return plan


def dashboard_save(live: dict[str, Any]) -> dict[str, Any]:
    """What the dashboard sends when someone opens the experience and saves it unchanged: the
    whole experience with its ids, read names turned into write names."""
    body = {key: value for key, value in live.items() if key != "audience"}
    audience = live.get("audience")
    if audience is not None:  # the API takes no null audience: without one, it is left out
        ids = [variation["id"] for variation in sorted(live["variations"], key=lambda v: v["order"])]
        else_id = audience.get("elseVariationId")
        body["audience"] = audience | ({"elseVariationIndex": str(ids.index(else_id))} if else_id else {})
    body["variations"] = [
        {
            **{key: value for key, value in variation.items() if key != "onsiteInjections"},
            "onsiteInjection": variation.get("onsiteInjections"),
        }
        for variation in live["variations"]
    ]
    return body


async def _apply(client: IntelligemsClient, experience: DesiredExperience) -> None:
    plan = await make_plan(client, [experience])
    assert plan.errors == (), plan.errors
    report = await apply_plan(client, plan)
    assert report.ok, report.results


def round_trip(document: dict[str, Any], cache_path: Path) -> Sandbox:
    wanted = desired(document)
    sandbox = new_sandbox()

    async def scenario(client: IntelligemsClient) -> None:
        if wanted.status in HISTORY:
            await _apply(client, desired({**document, "status": HISTORY[wanted.status]}))
        await _apply(client, wanted)
        unchanged(await make_plan(client, [wanted]))
        if wanted.status != "ended":
            (live,) = sandbox.experiences()
            await client.update_experience(live["id"], dashboard_save(live))
            unchanged(await make_plan(client, [wanted]))
        cache = RefreshCache.load(cache_path)
        unchanged(await make_plan(client, [wanted], cache=cache))
        unchanged(await make_plan(client, [wanted], cache=RefreshCache.load(cache_path)))

    with_client(sandbox, scenario)
    return sandbox


def described_by_the_api(sandbox: Sandbox) -> None:
    """Every create and update body the sandbox received validates against the API description."""
    sent = [write for write in sandbox.writes if "/actions/" not in write.path]
    for write in sent:
        template = path_template(write.path)
        assert template is not None
        assert schema_errors(request_validator(write.method, template), write.body) == [], write.method


@ROUND_TRIPS
@given(document=schema_experiences())
def test_generated_files_plan_empty_after_apply_dashboard_save_and_cache(
    document: dict[str, Any], tmp_path: Path
) -> None:
    sandbox = round_trip(document, tmp_path / f"cache-{id(document)}.json")
    if spec_available():
        described_by_the_api(sandbox)


@pytest.mark.parametrize("kind", TYPES)
def test_a_file_with_every_block_plans_empty_after_apply(kind: str, tmp_path: Path) -> None:
    round_trip(every_block(kind), tmp_path / "cache.json")


@pytest.mark.skipif(not spec_available(), reason="OpenAPI description not on this machine")
@pytest.mark.parametrize("kind", TYPES)
def test_every_body_igops_sends_for_every_block_is_one_the_api_describes(kind: str, tmp_path: Path) -> None:
    document = every_block(kind)
    # Edited after the first apply, so that an update with new nested entities is sent too.
    sandbox = round_trip(document, tmp_path / "cache.json")
    edited = copy.deepcopy(document) | {"description": "edited"}
    edited["variations"][1]["name"] = "Renamed"

    async def update(client: IntelligemsClient) -> None:
        await _apply(client, desired(edited))

    with_client(sandbox, update)
    assert {write.method for write in sandbox.writes} >= {"POST", "PUT"}
    described_by_the_api(sandbox)


def test_the_round_trip_fails_when_a_plan_is_not_empty() -> None:
    """The helper itself can fail: a plan with a change is caught."""
    document = every_block("content/onsiteEdits")
    wanted = desired(document)
    sandbox = new_sandbox()

    async def scenario(client: IntelligemsClient) -> None:
        await _apply(client, wanted)
        with pytest.raises(AssertionError):
            unchanged(await make_plan(client, [desired({**document, "description": "other"})]))

    with_client(sandbox, scenario)
