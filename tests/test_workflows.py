"""The GitOps workflows and the composite action: what triggers them, what they may do, what they run."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from support.workflows import (
    ACTION_FILE,
    REPO,
    action,
    actionlint,
    igops_commands,
    igops_steps,
    pushed_command,
    repo_workflows,
    steps,
    store_workflows,
    success_codes,
)

from igops import __version__
from igops.templates import (
    STORE_ACTION,
    STORE_ACTION_DIR,
    WORKFLOW_DIR,
    WORKFLOWS,
    render_action,
    render_workflow,
    write_scaffold,
)
from igops.templates.installed import Pin

RELEASE = Pin(version=__version__)

WATCHED_PATHS = ["experiences/**", "igops.yaml"]
TOKEN_SECRET = "${{ secrets.INTELLIGEMS_API_TOKEN }}"
PINNED = re.compile(r"uses: ([\w.-]+/[\w./-]+)@([0-9a-f]{40}) # (v\d+\.\d+\.\d+)")


def every_file() -> dict[str, str]:
    """Each workflow a repository gets (this one's and a store's) and the action, by a readable name."""
    own = {
        f"{WORKFLOW_DIR}/{path.name}": path.read_text(encoding="utf-8")
        for path in sorted((REPO / WORKFLOW_DIR).glob("*.yml"))
    }
    store = {f"store's {name}": render_workflow(name, STORE_ACTION) for name in WORKFLOWS}
    return {
        **own,
        **store,
        "action.yml": ACTION_FILE.read_text(encoding="utf-8"),
        f"store's {STORE_ACTION_DIR}/action.yml": render_action(RELEASE),
    }


def all_steps() -> list[dict[str, Any]]:
    workflows = [*repo_workflows().values(), *store_workflows().values()]
    return [step for workflow in workflows for step in steps(workflow)] + action()["runs"]["steps"]


PLAN, APPLY, SCHEDULE, DRIFT, MONITOR = (
    store_workflows()[f"igops-{name}.yml"] for name in ("plan", "apply", "schedule", "drift", "monitor")
)


def test_plan_runs_on_pull_requests_that_change_experiences() -> None:
    assert PLAN["on"] == {"pull_request": {"paths": WATCHED_PATHS}}
    assert PLAN["permissions"] == {"contents": "read", "pull-requests": "write"}
    assert igops_commands(PLAN) == [
        "validate",
        "plan --format markdown --detailed-exitcode --out plan.json "
        "--refresh-cache .igops-cache/refresh.json --base ${{ github.event.pull_request.base.sha }}",
        "show plan.json --format markdown --max-chars 900000",
    ]
    validate, plan, whole = igops_steps(PLAN)
    assert success_codes(validate) == {0}
    assert success_codes(plan) == {0, 2}
    assert plan["with"]["report-format"] == "markdown"
    # The comment gets the bounded plan; the job summary the whole one, or why there is none.
    assert plan["with"]["step-summary"] == "failure"
    assert whole["with"]["step-summary"] == "true"
    assert "steps.plan.outcome == 'success'" in whole["if"]
    # A fork's pull request gets no secrets: it is not planned.
    assert plan["if"] == "env.IGOPS_SAME_REPOSITORY == 'true'"
    assert PLAN["jobs"]["plan"]["env"] == {
        "IGOPS_SAME_REPOSITORY": "${{ github.event.pull_request.head.repo.full_name == github.repository }}"
    }


@pytest.mark.parametrize(
    "name", ["igops-plan.yml", "igops-apply.yml", "igops-schedule.yml", "igops-drift.yml"]
)
def test_the_refresh_cache_is_restored_from_the_newest_and_saved_by_all_but_the_plan(name: str) -> None:
    workflow = store_workflows()[name]
    restore = next(
        step for step in steps(workflow) if step.get("uses", "").startswith("actions/cache/restore@")
    )
    (command,) = [
        step["with"]["command"].split()
        for step in igops_steps(workflow)
        if "--refresh-cache" in step["with"]["command"]
    ]
    assert command[command.index("--refresh-cache") + 1].startswith(restore["with"]["path"] + "/")
    assert restore["with"]["restore-keys"] == "igops-refresh-"
    saves = [step for step in steps(workflow) if step.get("uses", "").startswith("actions/cache/save@")]
    if name == "igops-plan.yml":
        assert saves == []
        return
    (save,) = saves
    # Saved after a failure too, under a key of its own per run attempt (cache keys never change).
    assert save["if"] == "always()"
    assert save["with"] == {
        "path": restore["with"]["path"],
        "key": "igops-refresh-${{ github.run_id }}-${{ github.run_attempt }}",
    }


def test_plan_posts_one_sticky_comment_even_when_it_failed_and_uploads_the_saved_plan() -> None:
    comment = next(step for step in steps(PLAN) if "sticky-pull-request-comment" in step.get("uses", ""))
    assert "!cancelled()" in comment["if"] and "env.IGOPS_SAME_REPOSITORY == 'true'" in comment["if"]
    assert comment["with"]["header"] == "igops-plan"
    assert comment["with"]["path"].startswith("${{ steps.plan.outputs.report-file ||")
    upload = next(step for step in steps(PLAN) if step.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["if"] == "steps.plan.outcome == 'success'"
    assert upload["with"]["path"] == "plan.json"


def test_apply_runs_on_main_and_on_demand_one_at_a_time_never_cancelled() -> None:
    assert APPLY["on"]["push"] == {"branches": ["main"], "paths": WATCHED_PATHS}
    assert set(APPLY["on"]["workflow_dispatch"]["inputs"]) == {"force", "reason"}
    assert APPLY["permissions"] == {"contents": "read", "pull-requests": "read", "actions": "read"}
    assert APPLY["concurrency"] == {"group": "igops-apply", "cancel-in-progress": False}
    assert APPLY["jobs"]["apply"]["environment"] == "igops"
    (apply,) = igops_steps(APPLY)
    assert pushed_command(apply) == [
        "apply",
        "--auto-approve",
        "--refresh-cache",
        ".igops-cache/refresh.json",
    ]
    assert apply["with"]["command"].endswith(
        " ${{ inputs.force && '--force' || '' }}"
        " ${{ steps.reviewed.outputs.plan && format('--reviewed {0}', steps.reviewed.outputs.plan) || '' }}"
    )
    assert success_codes(apply) == {0}
    assert apply["with"]["step-summary"] == "true"
    assert all("timeout-minutes" not in job for job in APPLY["jobs"].values())


def test_schedule_runs_hourly_in_a_group_of_its_own_applying_only_what_is_due_never_forced() -> None:
    assert set(SCHEDULE["on"]) == {"schedule", "workflow_dispatch"}
    assert SCHEDULE["on"]["workflow_dispatch"] is None, "Run workflow takes no input: not even force"
    (schedule,) = SCHEDULE["on"]["schedule"]
    minute, *every = schedule["cron"].split()
    assert every == ["*", "*", "*", "*"] and minute.isdigit(), schedule
    # Not on the hour, when most scheduled workflows start and GitHub delays them most.
    assert 0 < int(minute) < 60
    assert SCHEDULE["permissions"] == {"contents": "read"}
    # GitHub keeps one pending run per group: in the apply's, an hourly run would replace a reviewed apply.
    assert SCHEDULE["concurrency"] == {"group": "igops-schedule", "cancel-in-progress": False}
    assert SCHEDULE["concurrency"]["group"] != APPLY["concurrency"]["group"]
    (job,) = SCHEDULE["jobs"].values()
    assert "environment" not in job, "required reviewers would hold every hourly run"
    assert "timeout-minutes" not in job
    (apply,) = igops_steps(SCHEDULE)
    command = apply["with"]["command"].split()
    assert command[:3] == ["apply", "--due-only", "--auto-approve"], command
    assert "--force" not in apply["with"]["command"] and "inputs." not in apply["with"]["command"]
    assert success_codes(apply) == {0}
    assert apply["with"]["step-summary"] == "true"
    (refused,) = (step for step in steps(SCHEDULE) if "run" in step)
    assert refused["if"] == "failure() && steps.apply.outcome == 'failure'"
    assert "GITHUB_STEP_SUMMARY" in refused["run"] and "force" in refused["run"]


def test_drift_runs_nightly_and_keeps_one_issue_open_while_there_is_drift() -> None:
    assert set(DRIFT["on"]) == {"schedule", "workflow_dispatch"}
    (schedule,) = DRIFT["on"]["schedule"]
    assert len(schedule["cron"].split()) == 5 and schedule["cron"].endswith("* * *")
    assert DRIFT["permissions"] == {"contents": "read", "issues": "write"}
    assert igops_commands(DRIFT) == [
        "drift --format markdown --refresh-cache .igops-cache/refresh.json",
        "drift --adopt --format markdown",
    ]
    (drift,) = igops_steps(DRIFT, "drift")
    assert success_codes(drift) == {0, 2}
    found, gone = (step for step in steps(DRIFT, "drift") if "run" in step)
    assert found["if"] == "steps.drift.outputs.exit-code == '2'"
    assert "gh issue create --label igops-drift" in found["run"]
    assert "gh issue edit" in found["run"]
    assert found["env"]["REPORT"] == "${{ steps.drift.outputs.report-file }}"
    assert gone["if"] == "steps.drift.outputs.exit-code == '0'"
    assert "gh issue close" in gone["run"] and "--comment" in gone["run"]
    for step in (found, gone):
        assert step["env"]["GH_TOKEN"] == "${{ github.token }}"


def test_drift_adopts_only_when_asked_in_a_job_of_its_own_that_alone_may_push() -> None:
    adopt = DRIFT["jobs"]["adopt"]
    assert DRIFT["on"]["workflow_dispatch"]["inputs"]["adopt"] == {
        "description": DRIFT["on"]["workflow_dispatch"]["inputs"]["adopt"]["description"],
        "type": "boolean",
        "default": False,
    }
    assert adopt["if"] == (
        "needs.drift.outputs.exit-code == '2' && (inputs.adopt || vars.IGOPS_ADOPT_DRIFT == 'true')"
    )
    assert adopt["permissions"] == {"contents": "write", "pull-requests": "write"}
    assert "permissions" not in DRIFT["jobs"]["drift"], "the drift job keeps the workflow's read permissions"
    (step,) = igops_steps(DRIFT, "adopt")
    assert success_codes(step) == {0, 2}
    (proposes,) = (step for step in steps(DRIFT, "adopt") if "run" in step)
    assert "igops/adopt-drift" in proposes["run"] and "gh pr create" in proposes["run"]
    assert proposes["env"]["GH_TOKEN"] == "${{ secrets.IGOPS_PR_TOKEN || github.token }}"


def test_monitor_runs_daily_and_keeps_one_issue_open_while_a_rule_fires() -> None:
    assert set(MONITOR["on"]) == {"schedule", "workflow_dispatch"}
    (schedule,) = MONITOR["on"]["schedule"]
    assert len(schedule["cron"].split()) == 5 and schedule["cron"].endswith("* * *")
    assert MONITOR["permissions"] == {"contents": "read", "issues": "write"}
    assert MONITOR["concurrency"] == {"group": "igops-monitor", "cancel-in-progress": False}
    assert igops_commands(MONITOR) == ["monitor --format markdown"]
    (monitor,) = igops_steps(MONITOR)
    assert success_codes(monitor) == {0, 2}
    assert monitor["with"]["report-format"] == "markdown" and monitor["with"]["step-summary"] == "true"
    fired, quiet = (step for step in steps(MONITOR) if "run" in step)
    assert fired["if"] == "steps.monitor.outputs.exit-code == '2'"
    assert "gh issue create --label igops-monitor" in fired["run"] and "gh issue edit" in fired["run"]
    assert fired["env"]["REPORT"] == "${{ steps.monitor.outputs.report-file }}"
    assert quiet["if"] == "steps.monitor.outputs.exit-code == '0'"
    assert "gh issue close" in quiet["run"] and "--comment" in quiet["run"]
    for step in (fired, quiet):
        assert step["env"]["GH_TOKEN"] == "${{ github.token }}"


@pytest.mark.parametrize("name", sorted(store_workflows()))
def test_the_api_token_reaches_only_the_igops_steps_that_call_the_api(name: str) -> None:
    workflow = store_workflows()[name]
    assert "env" not in workflow
    assert all("INTELLIGEMS_API_TOKEN" not in job.get("env", {}) for job in workflow["jobs"].values())
    for step in steps(workflow):
        calls_api = step in igops_steps(workflow) and step["with"]["command"].split()[0] != "validate"
        assert (step.get("env", {}).get("INTELLIGEMS_API_TOKEN") == TOKEN_SECRET) == calls_api, step


@pytest.mark.parametrize("name", sorted(store_workflows()))
def test_a_store_workflow_checks_out_first_and_runs_igops_from_the_action(name: str) -> None:
    workflow = store_workflows()[name]
    uses = [step.get("uses", "") for step in steps(workflow)]
    checkout = next(index for index, use in enumerate(uses) if use.startswith("actions/checkout@"))
    assert checkout < uses.index(STORE_ACTION)
    assert {step["uses"] for step in igops_steps(workflow)} == {STORE_ACTION}


def third_party_uses(text: str) -> list[str]:
    """Each `uses:` line of a file, but those of igops's own action."""
    lines = (line.strip().removeprefix("- ") for line in text.splitlines())
    return [
        line
        for line in lines
        if line.startswith("uses:") and line not in ("uses: ./", f"uses: {STORE_ACTION}")
    ]


@pytest.mark.parametrize("name", sorted(every_file()))
def test_every_third_party_action_is_pinned_to_a_commit_with_its_version(name: str) -> None:
    for reference in third_party_uses(every_file()[name]):
        assert PINNED.fullmatch(reference), f"{name}: {reference}"


def test_each_action_is_pinned_to_one_commit_everywhere() -> None:
    pins: dict[str, set[tuple[str, str]]] = {}
    for text in every_file().values():
        for match in map(PINNED.fullmatch, third_party_uses(text)):
            assert match is not None
            pins.setdefault(match[1], set()).add((match[2], match[3]))
    assert {
        "actions/checkout",
        "actions/setup-python",
        "actions/cache/restore",
        "actions/cache/save",
        "actions/upload-artifact",
        "marocchino/sticky-pull-request-comment",
    } <= set(pins)
    assert all(len(versions) == 1 for versions in pins.values()), pins


def test_no_run_script_interpolates_an_expression() -> None:
    """Inputs and event fields reach scripts through env, never spliced into the script's text."""
    scripts = [step["run"] for step in all_steps() if "run" in step]
    assert len(scripts) >= 5
    for script in scripts:
        assert "${{" not in script, script


def test_the_action_installs_igops_from_its_own_checkout_and_runs_the_command() -> None:
    definition = action()
    assert definition["runs"]["using"] == "composite"
    assert set(definition["inputs"]) >= {"command", "working-directory", "success-codes"}
    assert set(definition["outputs"]) == {"exit-code", "stdout-file", "report-file"}
    setup, install, run = definition["runs"]["steps"]
    assert setup["uses"].startswith("actions/setup-python@")
    assert install["env"] == {"ACTION_PATH": "${{ github.action_path }}"}
    assert 'pip install --quiet --disable-pip-version-check "$ACTION_PATH"' in install["run"]
    assert run["id"] == "run"
    assert run["working-directory"] == "${{ inputs.working-directory }}"
    assert run["env"]["IGOPS_COMMAND"] == "${{ inputs.command }}"


def test_ci_downloads_the_api_description_the_conformance_tests_read() -> None:
    (test_job, _) = repo_workflows()["ci.yml"]["jobs"].values()
    assert test_job["env"]["OPENAPI_URL"].startswith(
        "https://raw.githubusercontent.com/api-evangelist/intelligems/"
    )
    assert re.fullmatch(r"[0-9a-f]{64}", test_job["env"]["OPENAPI_SHA256"])
    download = next(step["run"] for step in test_job["steps"] if "OPENAPI_URL" in step.get("run", ""))
    assert "IGOPS_OPENAPI_SPEC=" in download and "sha256sum --check" in download
    assert test_job["steps"][-1]["run"] == "bash .ci/run"


def test_actionlint_finds_nothing_in_any_workflow(tmp_path: Path) -> None:
    binary = actionlint()
    git = shutil.which("git")
    if binary is None or git is None:
        pytest.skip("actionlint or git is not installed (pip install -e '.[test]' installs actionlint)")
    # A store's repository of its own, so that its workflows' inputs are checked against its action.
    subprocess.run([git, "init", "-q", str(tmp_path)], check=True, timeout=30)
    write_scaffold(tmp_path, RELEASE)
    store = subprocess.run(
        [binary, "-no-color"], cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False
    )
    assert store.returncode == 0, store.stdout + store.stderr
    # Run from this repository, so that its workflows' `uses: ./` is checked against action.yml.
    own = sorted(str(path) for path in (REPO / WORKFLOW_DIR).glob("*.yml"))
    result = subprocess.run(
        [binary, "-no-color", *own], cwd=REPO, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
