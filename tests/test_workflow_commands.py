"""The GitOps loop on a repository fresh from `igops init`: each workflow's igops commands, in order, against
the emulator, exit as the workflow expects (pull request plan, apply on merge, hourly schedule, nightly
drift)."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from support.cli import account_experiences, igops, work_in
from support.workflows import igops_steps, pushed_command, steps, store_workflows, success_codes

from igops import __version__
from igops.cli import cli
from igops.cli.monitor_command import monitor_command
from igops.templates import write_scaffold
from igops.templates.installed import Pin


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_scaffold(tmp_path, Pin(version=__version__))
    author = ["-c", "user.name=Dev", "-c", "user.email=dev@example.invalid"]
    for arguments in (["init", "--quiet"], ["add", "-A"], [*author, "commit", "--quiet", "-m", "igops init"]):
        subprocess.run(["git", "-C", str(tmp_path), *arguments], check=True, capture_output=True, timeout=30)
    work_in(tmp_path, monkeypatch)
    monkeypatch.setenv("IGOPS_API_URL", f"sandbox:{tmp_path / 'account.json'}")
    return tmp_path


# What the pull request's event gives the plan: its base commit (here, the store's only commit).
EVENT = {"github.event.pull_request.base.sha": "HEAD"}


def run_workflow(name: str, job: str | None = None) -> list[int]:
    """The exit code of each igops step of the workflow (or of its `job`), failing the test on one the
    step does not accept."""
    codes = []
    for step in igops_steps(store_workflows()[name], job):
        result = igops(*pushed_command(step, EVENT))
        assert result.exit_code in success_codes(step), f"{step['with']['command']}: {result.output}"
        codes.append(result.exit_code)
    return codes


def test_the_pull_request_plan_finds_the_example_to_create_and_saves_the_plan(store: Path) -> None:
    # igops stores (the one store: its job; nothing changed since the base), then validate, plan (changes:
    # 2), the whole saved plan for the job summary and the plan document (the comment job's, with stores).
    assert run_workflow("igops-plan.yml", "stores") == [0]
    assert run_workflow("igops-plan.yml", "plan") == [0, 2, 0, 0]
    assert (store / "plan.json").is_file()
    assert (store / ".igops-cache" / "refresh.json").is_file()


def test_apply_creates_the_example_then_there_is_nothing_left_to_do(store: Path) -> None:
    # igops stores (the one store: its job), then its apply.
    assert run_workflow("igops-apply.yml") == [0, 0]
    assert igops("plan", "--detailed-exitcode").exit_code == 0


def test_the_hourly_schedule_starts_a_draft_once_its_start_has_come_and_never_before(store: Path) -> None:
    run_workflow("igops-apply.yml")
    example = next((store / "experiences").glob("*.yaml"))
    draft = example.read_text(encoding="utf-8")
    for hours, status in ((2, "pending"), (-1, "started")):
        start = (datetime.now(UTC) + timedelta(hours=hours)).isoformat(timespec="seconds")
        example.write_text(
            draft.replace("status: draft ", f'schedule: {{start: "{start}"}}\nstatus: started '),
            encoding="utf-8",
        )
        assert run_workflow("igops-schedule.yml", "schedule") == [0]
        assert [live["status"] for live in account_experiences(store)] == [status], start


def test_drift_finds_none_right_after_apply(store: Path) -> None:
    if "drift" not in cli.commands:
        pytest.skip("igops drift is not part of the command line yet")
    run_workflow("igops-apply.yml")
    assert run_workflow("igops-drift.yml", "drift") == [0]


def test_the_adopt_job_changes_no_file_without_drift_and_leaves_files_that_plan_empty_after(
    store: Path,
) -> None:
    run_workflow("igops-apply.yml")
    example = next((store / "experiences").glob("*.yaml"))
    reviewed = example.read_text(encoding="utf-8")
    workflow = store_workflows()["igops-drift.yml"]
    assert workflow["jobs"]["adopt"]["needs"] == ["stores", "drift"]
    # Each store's adopt job runs when asked, whatever its drift job found: without drift it writes nothing.
    assert run_workflow("igops-drift.yml", "adopt") == [0]
    assert example.read_text(encoding="utf-8") == reviewed
    example.write_text(
        reviewed.replace("percentage: 50", "percentage: 70", 1).replace(
            "percentage: 50", "percentage: 30", 1
        ),
        encoding="utf-8",
    )
    assert igops("apply", "--auto-approve").exit_code == 0
    example.write_text(reviewed, encoding="utf-8")  # the account now says 70/30, the file 50/50
    assert run_workflow("igops-drift.yml", "drift") == [2]
    assert run_workflow("igops-drift.yml", "adopt") == [0]
    assert "percentage: 70" in example.read_text(encoding="utf-8")
    assert igops("plan", "--detailed-exitcode").exit_code == 0


def test_monitor_finds_no_alert_right_after_apply(store: Path) -> None:
    run_workflow("igops-apply.yml")
    (step,) = igops_steps(store_workflows()["igops-monitor.yml"], "monitor")
    command, *options = pushed_command(step)
    assert command == "monitor"
    if "monitor" in cli.commands:
        assert run_workflow("igops-monitor.yml", "monitor") == [0]
    # The example is a draft: nothing runs, so no rule fires and the issue stays closed.
    result = CliRunner().invoke(monitor_command, options, catch_exceptions=False)
    assert result.exit_code == 0 and result.exit_code in success_codes(step), result.output
    assert result.output.startswith("**Monitor: no alerts on 0 running experiences.**")


def test_drift_opens_its_issue_when_a_pinned_experience_is_gone_from_the_account(store: Path) -> None:
    run_workflow("igops-apply.yml")
    # A repository made by igops import pins every id; this one is no longer in the account.
    [example] = (store / "experiences").glob("*.yaml")
    example.write_text(example.read_text() + "id: 0b5c9f51-3a0e-4f7e-9f1d-4c2a7e6b8d10\n")
    workflow = store_workflows()["igops-drift.yml"]
    (step,) = igops_steps(workflow, "drift")
    result = igops(*pushed_command(step))
    assert result.exit_code == 2 and result.exit_code in success_codes(step), result.output
    assert result.output.startswith("**Drift: 1 of 1 managed experience differs from its file.**")
    assert "Gone from the account: the file pins id 0b5c9f51-3a0e-4f7e-9f1d-4c2a7e6b8d10" in result.output
    # The step after it opens (or updates) the issue with that report on exit code 2.
    [opens] = [later for later in steps(workflow) if "gh issue create" in later.get("run", "")]
    assert opens["if"] == "steps.drift.outputs.exit-code == '2'" and step["id"] == "drift"
