"""Ctrl-C mid-apply, with real processes: a prompt exit, a report, a consistent account, and convergence."""

from __future__ import annotations

import asyncio
import json
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.apply import edited_project, igops_env, state_experiences
from support.cli import igops
from support.emulator import TOKEN, new_sandbox
from support.engine import with_client
from support.processes import free_port, interrupt

from igops.api import ApiError, IntelligemsClient, Interrupted, RetryPolicy, Secret, ServerError
from igops.engine.apply import apply_plan
from igops.engine.pipeline import make_plan
from igops.files import load_experiences
from igops.model import ApplyReport, ChangeKind, Outcome
from igops.sandbox import Faults

EXPERIENCES = 11  # one more update than the update bucket's burst: the last one waits for a refill
LATENCY_MS = 200


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """EXPERIENCES experiences live, half of them drafts; every file edited and saying started."""
    return edited_project(tmp_path, monkeypatch, EXPERIENCES, status="started")


@pytest.fixture
def server(project: Path) -> Iterator[str]:
    """`igops sandbox serve` on the project's account, with the documented rate limits (not time-scaled)
    and slow answers."""
    port = free_port()
    state = project / "account.json"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "igops",
            "sandbox",
            "serve",
            "--port",
            str(port),
            "--state",
            str(state),
            "--token",
            TOKEN,
            "--latency-ms",
            str(LATENCY_MS),
        ],
        env=igops_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
            assert time.monotonic() < deadline, "the sandbox did not start listening"
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        interrupt(process)


def lines_of(process: subprocess.Popen[str]) -> queue.Queue[str | None]:
    """The process's output, line by line, read on a thread (None once it ends)."""
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line.rstrip("\n"))
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    return lines


@pytest.mark.http
@pytest.mark.timeout(60)
def test_ctrl_c_mid_apply_stops_promptly_reports_and_the_next_apply_converges(
    project: Path, server: str
) -> None:
    state = project / "account.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "igops", "apply", "--auto-approve", "--api", server],
        cwd=project,
        env=igops_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = lines_of(process)
    output: list[str] = []
    interrupted_at = None
    deadline = time.monotonic() + 30
    try:
        while time.monotonic() < deadline:
            try:
                line = lines.get(timeout=0.1)
            except queue.Empty:
                continue
            if line is None:
                break
            output.append(line)
            if interrupted_at is None and " done in " in line:
                process.send_signal(signal.SIGINT)
                interrupted_at = time.monotonic()
        code = process.wait(timeout=max(0.1, deadline - time.monotonic()))
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
    stopped_after = time.monotonic() - interrupted_at if interrupted_at is not None else None
    text = "\n".join(output)
    assert interrupted_at is not None, text
    assert code == 1, text
    assert stopped_after is not None and stopped_after < 3 * LATENCY_MS / 1000 + 1.5, (
        f"exit {stopped_after:.1f}s after Ctrl-C\n{text}"
    )
    assert "Apply interrupted: " in text and "Done (" in text and "Not attempted (" in text, text
    assert "Traceback" not in text and TOKEN not in text

    # The account is consistent: a valid state file, one experience per file, none half-written.
    experiences = state_experiences(state)
    names = Counter(str(e["name"]) for e in experiences)
    assert names == Counter(f"Experience {n:02}" for n in range(EXPERIENCES))
    assert {e["description"] for e in experiences} <= {"Before", "After"}
    api = f"sandbox:{state}"
    result = igops("plan", "--api", api, "--format", "json", "--detailed-exitcode")
    assert result.exit_code == 2, result.output
    for planned in json.loads(result.output)["experiences"]:
        for change in planned["changes"]:
            assert change["kind"] in ("update", "start"), change
            if change["kind"] == "update":
                assert [field["path"] for field in change["fields"]] == ["description"], change

    result = igops("apply", "--auto-approve", "--api", api)
    assert result.exit_code == 0, result.output
    result = igops("plan", "--api", api, "--detailed-exitcode")
    assert result.exit_code == 0, result.output


def test_a_stop_while_updates_wait_for_the_bucket_leaves_them_not_attempted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = edited_project(tmp_path, monkeypatch, 12)  # two updates more than the burst: they wait 60 s
    # The documented limits, not time-scaled.
    sandbox = new_sandbox(project / "account.json", rate_limits=True)
    experiences = load_experiences([project / "experiences"]).experiences

    async def work(client: IntelligemsClient) -> tuple[ApplyReport, float]:
        plan = await make_plan(client, experiences)
        stop = asyncio.Event()
        began = time.monotonic()
        report = await apply_plan(client, plan, stop=stop, observe=lambda result: stop.set())
        return report, time.monotonic() - began

    report, wall = with_client(sandbox, work)
    assert wall < 2, f"the stop waited {wall:.1f}s for the bucket"
    assert report.interrupted and not report.ok
    done = [result for result in report.results if result.outcome is Outcome.DONE]
    assert len(done) == len([write for write in sandbox.writes if write.method == "PUT"]) >= 1
    waiting = [result for result in report.results if result.outcome is Outcome.NOT_ATTEMPTED]
    assert len(waiting) >= 2 and all(result.kind is ChangeKind.UPDATE for result in waiting)


UNKNOWN_ID = "3f0c1c9e-0000-4000-8000-000000000000"


@pytest.mark.parametrize(
    ("faults", "method", "raised", "sent"),
    [
        (Faults(throttle_rate=1.0), "PUT", Interrupted, 1),  # only 429s so far: nothing took effect
        (Faults(fail_rate=1.0), "GET", Interrupted, 1),  # a read never takes effect
        (Faults(fail_rate=1.0), "PUT", ServerError, 3),  # a 500 may have taken effect: every retry is made
    ],
)
def test_an_interrupt_ends_a_wait_to_retry_only_when_nothing_took_effect(
    faults: Faults, method: str, raised: type[ApiError], sent: int
) -> None:
    sandbox = new_sandbox(faults=faults)

    async def work(client: IntelligemsClient) -> str:
        stop = asyncio.Event()
        client.interrupt_on(stop)
        asyncio.get_running_loop().call_later(0.1, stop.set)  # during the first wait to retry (0.15-0.3 s)
        call = (
            client.get_experience(UNKNOWN_ID)
            if method == "GET"
            else client.update_experience(UNKNOWN_ID, {"name": "Any"})
        )
        with pytest.raises(raised) as caught:
            await call
        return str(caught.value)

    async def session() -> tuple[str, float]:
        retry = RetryPolicy(max_attempts=3, base_delay=0.3, max_delay=0.3)
        async with IntelligemsClient(
            Secret(TOKEN), "http://sandbox", transport=sandbox.transport(), retry=retry
        ) as client:
            began = time.monotonic()
            return await work(client), time.monotonic() - began

    message, took = asyncio.run(session())
    assert len(sandbox.requests) == sent, "retries were cut short, or sent after nothing had taken effect"
    if raised is ServerError:
        assert "after 3 attempt(s)" in message and took >= 2 * 0.3 / 2  # both backoffs were waited
    else:
        assert message.endswith("the run was interrupted before this request had any effect.")
        assert took < 0.3, f"the interrupt waited {took:.1f}s for a retry"
