"""When apply stops (a failure without --keep-going), what is in flight finishes and what was never sent is
not attempted: no change fails because another one did."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import pytest
from support.apply import edited_project, state_experiences, use_sandbox
from support.cli import igops
from support.emulator import TOKEN, new_sandbox
from support.files import dump, experience

REFUSED = "Refused by the API"


class StopWhileAPutWaitsToRetry(httpx.AsyncBaseTransport):
    """The emulator, with one sequence forced: the first PUT is answered 500 (changing nothing), and the
    create of REFUSED is answered 400 only once that 500 is out, so that apply stops while the PUT waits
    for its retry."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.put_failed = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "PUT" and not self.put_failed.is_set():
            self.put_failed.set()
            return httpx.Response(500, json={"error": "Internal Server Error"}, request=request)
        if (
            request.method == "POST"
            and json.loads(request.content or b"{}").get("experience", {}).get("name") == REFUSED
        ):
            await asyncio.wait_for(self.put_failed.wait(), timeout=10)
            envelope = {"errors": [], "properties": {"experience.name": {"errors": ["Reserved name"]}}}
            return httpx.Response(400, json=envelope, request=request)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.mark.timeout(30)
def test_a_failure_lets_the_write_in_flight_finish_its_retries_and_leaves_the_rest_not_attempted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # experience-00 is a live draft whose file says started: an update, then a start.
    project = edited_project(tmp_path, monkeypatch, 1, status="started")
    (project / "experiences" / "refused.yaml").write_text(dump(experience(name=REFUSED)))
    # The documented rate limits: their headers let the client send the create and the PUT concurrently.
    sandbox = new_sandbox(project / "account.json", rate_limits=True)
    inner = sandbox.transport
    sandbox.transport = lambda: StopWhileAPutWaitsToRetry(inner())  # type: ignore[method-assign]

    result = igops("apply", "--auto-approve", "--api", use_sandbox(monkeypatch, sandbox))

    assert result.exit_code == 1, result.output
    report = result.output[result.output.index("Apply stopped by a failure") :]
    assert "kept failing" not in report, "the PUT's retries were cut short by the other change's failure"
    assert "  - refused: create failed in " in report and "Reserved name" in report
    assert "Done (1):\n  - experience-00: update done in " in report
    assert "Not attempted (1):\n  - experience-00: start not attempted" in report
    puts = [request for request in sandbox.requests if request.method == "PUT"]
    assert len(puts) == 1, "the retried PUT did not reach the account (the first was answered by the test)"
    [live] = state_experiences(project / "account.json")
    assert (live["description"], live["status"]) == ("After", "pending")
    assert TOKEN not in result.output
