"""The first line of apply's report says how it ended, for every combination of a failure (or none),
--keep-going (or not) and an interrupt (Ctrl-C, SIGTERM or none), in either order.

The CLI runs in-process against the emulator; the signal is sent to this process while a request is in the
emulator's hands, where apply's own handler catches it, as it does a user's Ctrl-C."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from support.apply import edited_project, refuse_creating, use_sandbox
from support.cli import REPO, igops, work_in
from support.emulator import TOKEN, new_sandbox

from igops.engine import connect
from igops.sandbox import Faults, Sandbox, SandboxConfig

# experience-00 and -02 are live drafts, -01 is started: every file says started, so 00 and 02 are each an
# update then a start, and 01 an update.
FAILING = "Experience 00"  # its update is refused, when the case has a failure
TRIGGER = "Experience 02"  # its update waits for the failing one's answer; its start is what a stop cuts
SETTLE = 0.1  # long enough for the event loop to run the signal's handler, or to record the failure


class Steered(httpx.AsyncBaseTransport):
    """The emulator, with the order of a failure and an interrupt forced.

    `failure` "first": FAILING's update is refused at once, and the signal (if any) is sent while TRIGGER's
    update is in flight, after the failure was recorded. "after": the signal is sent while FAILING's update
    is in flight, which is then refused. TRIGGER's update always waits for FAILING's answer."""

    def __init__(self, inner: httpx.AsyncBaseTransport, failure: str, signum: int | None) -> None:
        self.inner = inner
        self.failure = failure
        self.signum = signum
        self.answered = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        name = json.loads(request.content or b"{}").get("experience", {}).get("name")
        if request.method != "PUT" or name not in (FAILING, TRIGGER):
            return await self.inner.handle_async_request(request)
        if name == FAILING:
            if self.failure == "after":
                await self._interrupt()
            if self.failure != "none":
                self.answered.set()
                envelope = {"errors": [], "properties": {"experience.name": {"errors": ["Reserved name"]}}}
                return httpx.Response(400, json=envelope, request=request)
            response = await self.inner.handle_async_request(request)
            self.answered.set()
            return response
        await asyncio.wait_for(self.answered.wait(), timeout=10)
        await asyncio.sleep(SETTLE)
        if self.failure != "after":
            await self._interrupt()
        return await self.inner.handle_async_request(request)

    async def _interrupt(self) -> None:
        if self.signum is not None:
            os.kill(os.getpid(), self.signum)
            await asyncio.sleep(SETTLE)

    async def aclose(self) -> None:
        await self.inner.aclose()


# (failure, --keep-going, interrupted) -> how the report's first line says the apply ended.
ENDINGS = {
    ("none", False, False): "Apply complete: ",
    ("none", True, False): "Apply complete: ",
    ("none", False, True): "Apply interrupted: ",
    ("none", True, True): "Apply interrupted: ",
    ("first", False, False): "Apply stopped by a failure: ",
    ("first", True, False): "Apply finished with 1 failure: ",
    # The failure stopped the run; the interrupt came after, with nothing left to stop.
    ("first", False, True): "Apply stopped by a failure: ",
    # The failure stopped nothing (--keep-going); the interrupt did.
    ("first", True, True): "Apply interrupted, with 1 failure: ",
    # The interrupt stopped the run; a change in flight then failed.
    ("after", False, True): "Apply interrupted, with 1 failure: ",
    ("after", True, True): "Apply interrupted, with 1 failure: ",
}
CASES = [
    pytest.param(failure, keep_going, signum, id=f"{failure}-{'keep' if keep_going else 'stop'}-{label}")
    for failure in ("none", "first", "after")
    for keep_going in (False, True)
    for signum, label in ((None, "no-signal"), (signal.SIGINT, "sigint"), (signal.SIGTERM, "sigterm"))
    if (failure, keep_going, signum is not None) in ENDINGS
]


@pytest.mark.timeout(60)
@pytest.mark.parametrize(("failure", "keep_going", "signum"), CASES)
def test_the_report_says_how_the_apply_ended(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: str, keep_going: bool, signum: int | None
) -> None:
    project = edited_project(tmp_path, monkeypatch, 3, status="started")
    # The documented rate limits: their headers let the client send the updates side by side.
    sandbox = new_sandbox(project / "account.json", rate_limits=True)
    inner = sandbox.transport
    sandbox.transport = lambda: Steered(inner(), failure, signum)  # type: ignore[method-assign]

    result = igops(
        "apply",
        "--auto-approve",
        "--api",
        use_sandbox(monkeypatch, sandbox),
        *(["--keep-going"] * keep_going),
    )

    ending = ENDINGS[(failure, keep_going, signum is not None)]
    [first] = [line for line in result.output.splitlines() if line.startswith("Apply ")]
    assert first.startswith(ending), result.output
    assert result.exit_code == (0 if ending == "Apply complete: " else 1), result.output
    assert "Traceback" not in result.output and TOKEN not in result.output
    if failure != "none":
        assert "  - experience-00: update failed in " in result.output, result.output
    if ending != "Apply complete: " and ending != "Apply finished with 1 failure: ":
        # What the stop cut short: the trigger's start, sent only after its update.
        assert "  - experience-02: start not attempted" in result.output, result.output
        assert result.output.rstrip().endswith(
            "Run igops apply again to finish: it plans from the account as it is now."
        )


def test_one_stores_failure_neither_stops_another_store_nor_is_called_an_interrupt_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stores apply side by side, each stopping at its own failure; only a signal stops them all."""
    keys = {
        "us": ("homepage-hero-headline",),
        "eu": ("bundle-and-save", "collection-quick-add-template", "returning-visitor-banner"),
    }
    lines = ["stores:"]
    for store, files in keys.items():
        lines += [f"  {store}:", f"    api_url: sandbox:{store}.db"]
        (tmp_path / "experiences" / store).mkdir(parents=True)
        for key in files:
            shutil.copy(REPO / "experiences" / f"{key}.yaml", tmp_path / "experiences" / store)
    (tmp_path / "igops.yaml").write_text("\n".join(lines) + "\n")
    work_in(tmp_path, monkeypatch)

    def emulator(config: SandboxConfig) -> Sandbox:
        """us refuses its one create at once; eu answers slowly, so its starts are still to come then."""
        assert config.state_path is not None
        if config.state_path.name == "eu.db":
            return Sandbox(replace(config, faults=Faults(latency_ms=50)))
        sandbox = Sandbox(config)
        refuse_creating(sandbox, "Homepage hero headline")
        return sandbox

    monkeypatch.setattr(connect, "Sandbox", emulator)

    result = igops("apply", "--auto-approve")

    assert result.exit_code == 1, result.output
    assert "us: Apply finished with 1 failure: 0 created" in result.output, result.output
    assert "eu: Apply complete: 3 created, 0 updated, 2 lifecycle actions." in result.output, result.output
    assert "1 store not applied in full (us): see above; the other stores were applied." in result.output
