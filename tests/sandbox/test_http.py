"""The emulator over real HTTP on 127.0.0.1: the same answers, and drops that look like drops."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from support.bodies import onsite_edits
from support.emulator import PREFIX, TOKEN, new_sandbox, serve_over_http
from support.processes import free_port

from igops.sandbox import Faults, Sandbox

pytestmark = pytest.mark.http


@contextmanager
def served(sandbox: Sandbox) -> Iterator[httpx.Client]:
    with (
        serve_over_http(sandbox) as url,
        httpx.Client(
            base_url=url + PREFIX, headers={"intelligems-access-token": TOKEN}, timeout=10
        ) as client,
    ):
        yield client


def test_a_round_trip_over_http() -> None:
    sandbox = new_sandbox(rate_limits=True)
    with served(sandbox) as client:
        created = client.post("/experiences", json={"experience": onsite_edits()})
        assert created.status_code == 200
        assert created.headers["x-ratelimit-limit"] == "50"
        experience_id = created.json()["experience"]["id"]
        assert client.get(f"/experiences/{experience_id}").json() == created.json()
        started = client.post(f"/experiences/{experience_id}/actions/start", json={})
        assert started.json()["experience"]["status"] == "started"
        listing = client.get("/experiences-list").json()
        assert listing["total"] == 1
        refused = client.get("/experiences-list", headers={"intelligems-access-token": ""})
        assert (refused.status_code, refused.json()) == (401, {"error": "Unauthorized"})
        malformed = client.post("/experiences", content=b"[", headers={"content-type": "application/json"})
        assert malformed.status_code == 400


def test_a_dropped_write_is_committed_and_the_client_sees_a_broken_connection() -> None:
    sandbox = new_sandbox(faults=Faults(drop_rate=1.0))
    with served(sandbox) as client:
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            client.post("/experiences", json={"experience": onsite_edits()})
        assert [e["name"] for e in sandbox.experiences()] == ["Hero headline"]
        # The server is still fine, and reads are never dropped.
        assert client.get("/experiences-list").json()["total"] == 1


def test_serve_runs_until_terminated_and_stays_quiet_about_drops(tmp_path) -> None:
    state = tmp_path / "state.json"
    port = free_port()
    script = (
        "from pathlib import Path\n"
        "from igops.sandbox import Faults, SandboxConfig\n"
        "from igops.sandbox.server import serve\n"
        f"serve(SandboxConfig(token={TOKEN!r}, state_path=Path({str(state)!r}),"
        " faults=Faults(drop_rate=1.0)), port=" + str(port) + ")\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=os.environ.copy()
    )
    try:
        base = f"http://127.0.0.1:{port}{PREFIX}"
        headers = {"intelligems-access-token": TOKEN}
        deadline = time.monotonic() + 15
        while True:
            try:
                httpx.get(f"{base}/experiences-list", headers=headers, timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and process.poll() is None, "serve did not start"
                time.sleep(0.05)
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            httpx.post(f"{base}/experiences", headers=headers, json={"experience": onsite_edits()}, timeout=5)
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=15)
    assert process.returncode == 0
    assert b"Traceback" not in stderr and b"without completing" not in stderr, stderr.decode()
    assert TOKEN.encode() not in stderr
    assert [path.name for path in tmp_path.iterdir()] == ["state.json"], "the WAL is folded back in"
    assert [experience["name"] for experience in new_sandbox(state_path=state).experiences()] == [
        "Hero headline"
    ]
