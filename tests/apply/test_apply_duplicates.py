"""No duplicate by construction, against `igops sandbox serve` over HTTP as the API behaves: it takes two
experiences of one name. Two applies at once, creates whose answers are lost and that are committed seconds
later, and a `kill -9` in the middle of such creates: every file ends up live once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest
from support.apply import use_sandbox
from support.cli import igops, work_in
from support.emulator import new_sandbox
from support.engine import create_as_igops, desired, with_client
from support.files import dump, experience
from support.processes import serving

from igops import engine
from igops.api import IntelligemsClient
from igops.config import SANDBOX_DEFAULT_TOKEN  # what igops sandbox serve takes by default
from igops.model import ApplyReport
from igops.normalize import canonical_desired, create_payload
from igops.render.apply_report import render_apply_report

pytestmark = pytest.mark.http

API = "/v25-10-beta"
HEADERS = {"intelligems-access-token": SANDBOX_DEFAULT_TOKEN}
# Long enough that an immediate second apply certainly runs before the commits land.
COMMIT_DELAY = 4.0
HELD_OFF = "(possibly created: an earlier run's create, sent at "


def new_project(root: Path, count: int) -> Path:
    """`count` new draft experiences, none in the account yet."""
    (root / "experiences").mkdir(parents=True)
    for index in range(count):
        document = experience(name=f"New test {index:02}")
        (root / "experiences" / f"new-{index:02}.yaml").write_text(dump(document), encoding="utf-8")
    (root / "igops.yaml").write_text("experiences_dir: experiences\n", encoding="utf-8")
    return root


def apply(project: Path, api: str, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "igops", "apply", "--auto-approve", "--api", api, *extra],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "INTELLIGEMS_API_TOKEN": SANDBOX_DEFAULT_TOKEN, "NO_COLOR": "1"},
    )


def finished(process: subprocess.Popen[str]) -> tuple[int, str]:
    output, _ = process.communicate(timeout=120)
    return process.returncode, output


def live_names(api: str) -> Counter[str]:
    answer = httpx.get(
        f"{api}{API}/experiences-list", params={"page": 1, "limit": 100}, headers=HEADERS, timeout=10
    ).json()
    assert answer["totalPages"] <= 1
    return Counter(item["name"] for item in answer["experiencesList"])


def assert_each_file_live_once(api: str, count: int) -> None:
    names = live_names(api)
    assert names == Counter({f"New test {index:02}": 1 for index in range(count)}), names


def failures(output: str, reason: str) -> int:
    """How many of the summary's failure lines give this reason (the progress lines repeat them)."""
    return sum(1 for line in output.splitlines() if line.startswith("  - ") and reason in line)


def journal_entries() -> int:
    journals = list(Path(os.environ["IGOPS_STATE_DIR"]).glob("accounts/*/creates.json"))
    return sum(len(json.loads(path.read_text(encoding="utf-8"))["sent"]) for path in journals)


def test_the_emulator_takes_two_experiences_of_one_name_as_the_api_does(tmp_path: Path) -> None:
    """What the tests below stand on: no rule of the emulator's own stops a duplicate."""
    with serving(tmp_path / "account.db") as api:
        body = {"experience": create_payload(canonical_desired(desired(experience(name="Twice")).body))}
        for _ in range(2):
            answer = httpx.post(f"{api}{API}/experiences", json=body, headers=HEADERS, timeout=10)
            assert answer.status_code == 200, answer.text
        assert live_names(api)["Twice"] == 2


def test_a_managed_name_live_twice_after_the_creates_fails_the_apply_and_unmanaged_repeats_are_noted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Someone makes the file's experience in the dashboard between plan and apply: apply creates it too
    (the plan said so), then its one list finds the name twice and says so; names no file manages that
    repeat are only noted."""
    project = new_project(tmp_path, 1)
    work_in(project, monkeypatch)
    sandbox = new_sandbox()
    session_project = engine.open_project(api=use_sandbox(monkeypatch, sandbox))
    from_the_dashboard = desired(experience(name="New test 00"), "new-00")
    unmanaged = desired(experience(name="Old test"), "old")

    async def plan_dashboard_apply(client: IntelligemsClient) -> ApplyReport:
        for _ in range(2):
            await create_as_igops(client, unmanaged)
        session = engine.Session(session_project.settings, client)
        plan = await session.plan(session_project)
        await create_as_igops(client, from_the_dashboard)
        return await session.apply(plan)

    report = with_client(sandbox, plan_dashboard_apply)
    listed = with_client(sandbox, lambda client: client.list_experiences())
    ids = [item["id"] for item in listed if item["name"] == "New test 00"]
    assert len(ids) == 2 and not report.ok
    [sentence] = report.duplicates
    assert sentence.startswith("'New test 00' is in the account 2 times (")
    assert all(experience_id in sentence for experience_id in ids)
    assert "pin the one to keep with an id: line in experiences/new-00.yaml" in sentence
    assert report.unmanaged_repeats == (("Old test", 2),)
    rendered = render_apply_report(report)
    assert rendered.startswith("Apply with experiences live twice: 1 created")
    assert rendered.endswith(
        "Note: 1 name no file manages is live more than once: 'Old test' (2 times). "
        "They are the account's to sort out; igops leaves them as they are."
    )


def test_repeats_among_unmanaged_names_alone_leave_the_apply_complete(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = new_project(tmp_path, 1)
    work_in(project, monkeypatch)
    sandbox = new_sandbox()
    api = use_sandbox(monkeypatch, sandbox)
    with_client(sandbox, lambda client: create_as_igops(client, desired(experience(name="Old test"), "old")))
    with_client(sandbox, lambda client: create_as_igops(client, desired(experience(name="Old test"), "old")))
    result = igops("apply", "--auto-approve", "--api", api)
    assert result.exit_code == 0, result.output
    assert "Apply complete: 1 created" in result.output
    assert "Note: 1 name no file manages is live more than once: 'Old test' (2 times)." in result.output


@pytest.mark.parametrize("trial", range(5))
def test_two_applies_at_once_create_each_file_once(tmp_path: Path, trial: int) -> None:
    project = new_project(tmp_path / "store", 20)
    with serving(tmp_path / "account.db") as api:
        first, second = apply(project, api), apply(project, api)
        results = sorted([finished(first), finished(second)])
        assert results[0][0] == 0 and "Apply complete: 20 created" in results[0][1], results
        # The other one either found the account held (from before its plan: one sentence, nothing sent),
        # or, started late, found nothing left to do.
        code, output = results[1]
        assert (
            code == 1
            and output.strip().splitlines() == [output.strip()]
            and output.startswith("Error: Another igops apply (process ")
            and f"is applying to {api}: wait for it to finish" in output
        ) or (code == 0 and "No changes" in output), results
        assert_each_file_live_once(api, 20)


def test_a_create_committed_late_is_never_sent_again(tmp_path: Path) -> None:
    project = new_project(tmp_path / "store", 5)
    with serving(tmp_path / "account.db", "--commit-delay", str(COMMIT_DELAY)) as api:
        code, output = finished(apply(project, api, "--timeout", "2"))
        assert code == 1 and failures(output, "(possibly created: its create (") == 5, output
        assert sum(live_names(api).values()) == 0, "not committed yet"
        # At once, a second apply: it looks for them, finds none yet, and holds off.
        code, output = finished(apply(project, api))
        assert code == 1 and failures(output, HELD_OFF) == 5, output
        time.sleep(COMMIT_DELAY + 1)
        code, output = finished(apply(project, api))
        assert code == 0 and "No changes" in output, output
        assert_each_file_live_once(api, 5)


def test_a_kill_during_creates_committed_late_then_an_immediate_apply_leaves_no_duplicate(
    tmp_path: Path,
) -> None:
    project = new_project(tmp_path / "store", 5)
    # Longer than the commit delay, so that holding off outlasts any create the killed run sent, and short
    # enough for the test: the default is 10 minutes.
    hold_off = COMMIT_DELAY + 2
    with (project / "igops.yaml").open("a", encoding="utf-8") as settings:
        settings.write(f"create_hold_off: {hold_off:g}\n")
    with serving(tmp_path / "account.db", "--commit-delay", str(COMMIT_DELAY)) as api:
        killed = apply(project, api)
        deadline = time.monotonic() + 30
        # Killed once every create is sent and none is committed yet: a kill after the first one alone left
        # the next apply to send the rest itself, which the assertion below does not describe.
        while journal_entries() < 5:
            assert time.monotonic() < deadline and killed.poll() is None, "not every create was recorded"
            time.sleep(0.01)
        killed.send_signal(signal.SIGKILL)
        killed.wait(timeout=10)
        code, output = finished(apply(project, api))
        assert code == 1 and failures(output, HELD_OFF) == 5, output
        # Every create sent from here on is committed late too, so a run ends "possibly created" until a
        # later one finds what it sent; no run may ever make a name live twice.
        for _ in range(6):
            time.sleep(hold_off + 0.5)
            code, output = finished(apply(project, api))
            assert max(live_names(api).values(), default=1) == 1, live_names(api)
            if code == 0 and "No changes" in output:
                break
        assert code == 0 and "No changes" in output, output
        assert_each_file_live_once(api, 5)
