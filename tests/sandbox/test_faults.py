"""Injected faults: 500s and 429s that do nothing, dropped answers to committed writes, creates
that commit late, latency."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import pytest
from support.bodies import as_write, onsite_edits, url_redirect
from support.emulator import PREFIX, TOKEN, acall, call, create, new_sandbox, serve_over_http

from igops.sandbox import Faults, Sandbox

HEADERS = {"intelligems-access-token": TOKEN}


def test_fail_rate_answers_500_and_changes_nothing() -> None:
    sandbox = new_sandbox(faults=Faults(fail_rate=1.0))
    response = call(sandbox, "POST", "/experiences", json={"experience": onsite_edits()})
    assert response.status_code == 500
    assert response.json() == {"error": "Internal Server Error"}
    assert not any(name.startswith("x-ratelimit") for name in response.headers)
    assert sandbox.experiences() == [] and sandbox.writes == []


def test_throttle_rate_answers_429_and_changes_nothing() -> None:
    sandbox = new_sandbox(faults=Faults(throttle_rate=1.0), rate_limits=True)
    response = call(sandbox, "POST", "/experiences", json={"experience": onsite_edits()})
    assert response.status_code == 429
    assert not any(name.startswith("x-ratelimit") for name in response.headers)
    assert sandbox.experiences() == []
    sandbox.faults.throttle_rate = 0.0
    response = call(sandbox, "POST", "/experiences", json={"experience": onsite_edits()})
    # The spurious 429 took no token from the bucket.
    assert response.headers["x-ratelimit-remaining"] == "49"


def test_faults_can_be_switched_live() -> None:
    sandbox = new_sandbox()
    assert call(sandbox, "GET", "/experiences-list").status_code == 200
    sandbox.faults.fail_rate = 1.0
    assert call(sandbox, "GET", "/experiences-list").status_code == 500
    sandbox.faults.fail_rate = 0.0
    assert call(sandbox, "GET", "/experiences-list").status_code == 200


def test_unauthenticated_requests_are_refused_before_faults() -> None:
    sandbox = new_sandbox(faults=Faults(fail_rate=1.0))
    assert call(sandbox, "GET", "/experiences-list", token="bad").status_code == 401


@pytest.mark.parametrize("write", ["create", "replace", "action"])
def test_dropped_writes_are_committed_but_unanswered(write: str) -> None:
    sandbox = new_sandbox()
    experience = create(sandbox, onsite_edits())
    sandbox.faults.drop_rate = 1.0
    requests = {
        "create": ("POST", "/experiences", {"experience": onsite_edits("dropped")}),
        "replace": (
            "PUT",
            f"/experiences/{experience['id']}",
            {"experience": {**as_write(experience), "name": "v2"}},
        ),
        "action": ("POST", f"/experiences/{experience['id']}/actions/start", {}),
    }
    method, path, body = requests[write]
    with pytest.raises(httpx.RemoteProtocolError):
        call(sandbox, method, path, json=body)
    assert len(sandbox.writes) == 2
    assert sandbox.requests[-1].dropped is True and sandbox.requests[-1].status == 200
    stored = sandbox.experiences()
    if write == "create":
        assert [e["name"] for e in stored] == ["Hero headline", "dropped"]
    elif write == "replace":
        assert stored[0]["name"] == "v2"
    else:
        assert stored[0]["status"] == "started"


def test_reads_and_refused_writes_are_never_dropped() -> None:
    sandbox = new_sandbox(faults=Faults(drop_rate=1.0))
    assert call(sandbox, "GET", "/experiences-list").status_code == 200
    assert call(sandbox, "POST", "/experiences", json={"experience": {}}).status_code == 400
    assert not any(request.dropped for request in sandbox.requests)


def outcomes(seed: int, count: int = 40) -> list[str]:
    sandbox = new_sandbox(faults=Faults(seed=seed, fail_rate=0.3, throttle_rate=0.2, drop_rate=0.3))

    async def run() -> list[str]:
        seen = []
        for index in range(count):
            try:
                response = await acall(
                    sandbox, "POST", "/experiences", json={"experience": onsite_edits(f"e{index}")}
                )
                seen.append(str(response.status_code))
            except httpx.RemoteProtocolError:
                seen.append("dropped")
        return seen

    return asyncio.run(run())


def test_a_seed_replays_the_same_fault_sequence() -> None:
    first = outcomes(7)
    assert first == outcomes(7)
    assert {"200", "500", "429", "dropped"} <= set(first)
    assert first != outcomes(8)


def test_latency_delays_every_answer() -> None:
    sandbox = new_sandbox(faults=Faults(latency_ms=60))
    started = time.perf_counter()
    assert call(sandbox, "GET", "/experiences-list").status_code == 200
    assert time.perf_counter() - started >= 0.06


COMMIT_DELAY_S = 1.0


def names(sandbox: Sandbox) -> list[str]:
    listed = call(sandbox, "GET", "/experiences-list").json()["experiencesList"]
    return [experience["name"] for experience in listed]


def test_a_late_commit_loses_the_answer_and_appears_later_once() -> None:
    sandbox = new_sandbox(faults=Faults(commit_delay_s=COMMIT_DELAY_S))
    sent = time.monotonic()
    with pytest.raises(httpx.RemoteProtocolError):
        call(sandbox, "POST", "/experiences", json={"experience": onsite_edits("late")})
    assert sandbox.requests[-1].dropped is True
    assert names(sandbox) == [] and sandbox.writes == []
    while not names(sandbox):
        assert time.monotonic() - sent < COMMIT_DELAY_S + 10, "the create never committed"
        time.sleep(0.05)
    assert time.monotonic() - sent >= COMMIT_DELAY_S
    time.sleep(COMMIT_DELAY_S / 2)
    assert names(sandbox) == ["late"]
    assert [(write.method, write.body) for write in sandbox.writes] == [
        ("POST", {"experience": onsite_edits("late")})
    ]


def test_a_late_commit_delays_only_creates_the_api_would_take() -> None:
    sandbox = new_sandbox()
    experience = create(sandbox, onsite_edits())
    sandbox.faults.commit_delay_s = COMMIT_DELAY_S
    refused = call(sandbox, "POST", "/experiences", json={"experience": {}})
    assert refused.status_code == 400
    replaced = call(
        sandbox, "PUT", f"/experiences/{experience['id']}", json={"experience": as_write(experience)}
    )
    assert replaced.status_code == 200
    assert call(sandbox, "POST", f"/experiences/{experience['id']}/actions/start", json={}).status_code == 200
    assert not any(request.dropped for request in sandbox.requests)


def test_a_late_commit_not_yet_due_is_lost_when_the_sandbox_closes(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    sandbox = new_sandbox(state_path=path, faults=Faults(commit_delay_s=COMMIT_DELAY_S))
    with pytest.raises(httpx.RemoteProtocolError):
        call(sandbox, "POST", "/experiences", json={"experience": onsite_edits("never")})
    sandbox.close()
    time.sleep(COMMIT_DELAY_S * 1.5)
    assert new_sandbox(state_path=path).experiences() == []


def test_a_late_commit_that_meanwhile_became_invalid_never_lands() -> None:
    sandbox = new_sandbox(unique_names=True, faults=Faults(commit_delay_s=COMMIT_DELAY_S))
    with pytest.raises(httpx.RemoteProtocolError):
        call(sandbox, "POST", "/experiences", json={"experience": onsite_edits("contested")})
    sandbox.faults.commit_delay_s = 0
    create(sandbox, url_redirect("contested"))
    time.sleep(COMMIT_DELAY_S * 1.5)
    assert names(sandbox) == ["contested"] and len(sandbox.writes) == 1


@pytest.mark.http
def test_a_late_commit_drops_the_connection_over_http() -> None:
    sandbox = new_sandbox(faults=Faults(commit_delay_s=COMMIT_DELAY_S))
    with serve_over_http(sandbox) as url, httpx.Client(base_url=url + PREFIX, headers=HEADERS) as client:
        with pytest.raises(httpx.RemoteProtocolError):
            client.post("/experiences", json={"experience": onsite_edits("late")})
        assert client.get("/experiences-list").json()["total"] == 0
        time.sleep(COMMIT_DELAY_S * 1.5)
        assert [e["name"] for e in client.get("/experiences-list").json()["experiencesList"]] == ["late"]
