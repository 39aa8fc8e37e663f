"""The emulator in tests: the one factory that makes it (`new_sandbox`) and the one test token it takes,
calls to it in-process from plain (sync) tests, serving it over real HTTP on 127.0.0.1 for end-to-end
tests, and editing it there as the dashboard does."""

from __future__ import annotations

import asyncio
import copy
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from igops.sandbox import Faults, Sandbox, SandboxConfig
from igops.sandbox.server import make_server

# The token every test's emulator takes and every test's igops sends.
TOKEN = "test-token-7c1d2e"
PREFIX = "/v25-10-beta"


def new_sandbox(
    state_path: Path | None = None,
    *,
    token: str = TOKEN,
    rate_limits: bool = False,
    rate_scale: float = 1.0,
    faults: Faults | None = None,
    unique_names: bool = False,
) -> Sandbox:
    """An emulator for the test: its state in memory, or in the file `state_path`; no rate limits and no
    faults unless asked for. The caller closes it when a state file must be left as a command leaves it."""
    return Sandbox(
        SandboxConfig(
            token=token,
            state_path=state_path,
            rate_limits=rate_limits,
            rate_scale=rate_scale,
            faults=faults if faults is not None else Faults(),
            unique_names=unique_names,
        )
    )


async def acall(
    sandbox: Sandbox, method: str, path: str, *, token: str | None = TOKEN, **kwargs: Any
) -> httpx.Response:
    headers = dict(kwargs.pop("headers", {}))
    if token is not None:
        headers["intelligems-access-token"] = token
    async with httpx.AsyncClient(transport=sandbox.transport(), base_url="http://sandbox") as client:
        return await client.request(method, PREFIX + path, headers=headers, **kwargs)


def call(sandbox: Sandbox, method: str, path: str, **kwargs: Any) -> httpx.Response:
    return asyncio.run(acall(sandbox, method, path, **kwargs))


def create(sandbox: Sandbox, experience: dict[str, Any]) -> dict[str, Any]:
    response = call(sandbox, "POST", "/experiences", json={"experience": experience})
    assert response.status_code == 200, response.text
    return response.json()["experience"]


def get(sandbox: Sandbox, experience_id: str) -> dict[str, Any]:
    response = call(sandbox, "GET", f"/experiences/{experience_id}")
    assert response.status_code == 200, response.text
    return response.json()["experience"]


def act(sandbox: Sandbox, experience_id: str, action: str, **body: Any) -> httpx.Response:
    return call(sandbox, "POST", f"/experiences/{experience_id}/actions/{action}", json=body)


def put(sandbox: Sandbox, experience_id: str, experience: dict[str, Any]) -> httpx.Response:
    return call(sandbox, "PUT", f"/experiences/{experience_id}", json={"experience": experience})


def field_errors(response: httpx.Response) -> dict[str, list[str]]:
    """The 400 envelope's per-field messages; asserts the envelope's shape on the way."""
    body = response.json()
    assert set(body) == {"errors", "properties"}, body
    return {path: entry["errors"] for path, entry in body["properties"].items()}


@contextmanager
def serve_over_http(sandbox: Sandbox) -> Iterator[str]:
    """Serve the sandbox with uvicorn on an ephemeral 127.0.0.1 port; yield its base URL."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # As `igops sandbox serve` does: without it, each small answer on a kept-alive connection waits
    # about 40 ms for the client's delayed acknowledgement.
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = make_server(sandbox)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the sandbox did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()


def last_month() -> dict[str, str]:
    """A sitewide range the emulator has data for whenever the tests run: the 30 days before today."""
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return {
        "start": (today - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "end": today.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def dashboard_put(url: str, live: dict[str, Any], *, token: str = TOKEN) -> None:
    """Save an experience the way the dashboard does: the whole of it, read names made write names."""
    body = copy.deepcopy(live)
    for variation in body["variations"]:
        variation["onsiteInjection"] = variation.pop("onsiteInjections", None)
    if body.get("audience") is None:
        body.pop("audience", None)
    elif body["audience"].get("elseVariationId"):
        ordered = [v["id"] for v in sorted(body["variations"], key=lambda v: v["order"])]
        body["audience"]["elseVariationIndex"] = str(ordered.index(body["audience"]["elseVariationId"]))
    answer = httpx.put(
        f"{url}/v25-10-beta/experiences/{live['id']}",
        json={"experience": body},
        headers={"intelligems-access-token": token},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text


def dashboard_action(url: str, experience_id: str, action: str, *, token: str = TOKEN) -> None:
    """Start, pause or end an experience the way the dashboard does."""
    answer = httpx.post(
        f"{url}/v25-10-beta/experiences/{experience_id}/actions/{action}",
        json={},
        headers={"intelligems-access-token": token},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
