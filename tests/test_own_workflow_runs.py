"""This repository's own workflows (.github/workflows/igops-{plan,apply,schedule,drift,monitor}.yml), run by
act as GitHub would run them on this repository (tests/support/act.py): what GitHub would show for each event.

The test repository is this one's tracked files as they are in the working tree, committed on main with
origin https://github.com/igops-dev/igops, so that the working tree's workflows and root action run. They
use the root action (`uses: ./`), which would pip-install igops from the checkout: the setup-python stand-in
is told (ACT_IGOPS_INSTALLED_FROM_CHECKOUT=1) to mark the checkout installed already, as it is (this
environment has it installed, editable), so that the action skips its install step and this igops runs.
There is no store and no secret: each job starts `igops sandbox serve` in the background and seeds it with
the experience files of the commit before the change. Each scenario runs its workflow once (module
fixtures); the tests read what it left.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from support.act import (
    GitHub,
    WorkflowRun,
    git,
    pull_request_event,
    push_event,
    require_act,
    run_workflow,
    schedule_event,
)

pytestmark = pytest.mark.workflows

ROOT = Path(__file__).resolve().parent.parent
REPOSITORY = "igops-dev/igops"
# What the setup-python stand-in takes as "this checkout is installed already" (tests/standins/standin.py).
INSTALLED_FROM_CHECKOUT = {"ACT_IGOPS_INSTALLED_FROM_CHECKOUT": "1"}
PLANNED = "experiences/homepage-hero-headline.yaml"
PLANNED_OLD = "description: Does a benefit-led headline (free shipping) beat the current collection headline?"
PLANNED_NEW = "description: Does a free-shipping headline beat the current collection headline?"
APPLIED = "experiences/long-form-landing-page.yaml"
APPLIED_OLD = "description: Paid social traffic lands on a short page today;"
APPLIED_NEW = "description: Paid social visitors land on a short page today;"
STICKY_MARKER = "\n<!-- Sticky Pull Request Comment{header} -->"
BODY_LIMIT = 65536


# --- this repository, as pushed to GitHub ---------------------------------------------------------------


def commit(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    author = ("-c", "user.name=Dev", "-c", "user.email=dev@example.invalid")
    git(repo, *author, "commit", "--quiet", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def own_repository(directory: Path) -> Path:
    """This repository's tracked files as the working tree has them (a tracked file deleted there is left
    out), committed on main, origin on github.com."""
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, timeout=30
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if not source.is_file() and not source.is_symlink():
            continue
        target = directory / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target, follow_symlinks=False)
    assert (directory / ".github" / "workflows" / "igops-plan.yml").is_file(), "no workflows were copied"
    git(directory.parent, "init", "--quiet", "--initial-branch", "main", str(directory))
    git(directory, "remote", "add", "origin", f"https://github.com/{REPOSITORY}.git")
    commit(directory, "igops, as the working tree has it")
    return directory


def edit(repo: Path, relative: str, old: str, new: str) -> None:
    path = repo / relative
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not in {relative} once"
    path.write_text(text.replace(old, new), encoding="utf-8")


@dataclass
class Scenario:
    repo: Path
    github: GitHub
    runs: dict[str, WorkflowRun] = field(default_factory=dict)

    def run(self, name: str, workflow: str, event: str, payload: dict[str, Any]) -> WorkflowRun:
        """No secrets: the workflows use the emulator's token, sandbox-token."""
        self.runs[name] = run_workflow(
            self.repo, workflow, event, payload, github=self.github, env=INSTALLED_FROM_CHECKOUT
        )
        return self.runs[name]


def scenario(root: Path) -> Scenario:
    require_act()
    return Scenario(own_repository(root / "igops"), GitHub(root / "github"))


def only(items: list[Any]) -> Any:
    assert len(items) == 1, items
    return items[0]


def succeeded(run: WorkflowRun, job: str) -> None:
    assert run.exit_code == 0 and run.job(job).result == "success", run.log()
    assert not [note for note in run.annotations if note.level == "error"], run.annotations


def ran_this_igops(run: WorkflowRun) -> None:
    """Python set up once a job, with the checkout marked installed; the action's pip install never ran (act
    logs no skipped step; the install is the second step of the action, id PARENT.1)."""
    setups = run.calls("actions/setup-python")
    assert len(setups) == len([job for job in run.jobs.values() if job.result != "not run"]), setups
    assert all(setup["installed_from"].endswith("/") for setup in setups), setups
    assert not [
        step
        for job in run.jobs.values()
        for step in job.steps
        if step.stage == "Main" and step.id.endswith(".1")
    ], "the root action ran pip install"


def emulator_ended(run: WorkflowRun) -> None:
    """The job's emulator (nohup, so act leaves it running after the job, where GitHub's runner ends a
    job's orphan processes) is the one process the run left, and the harness ended it."""
    assert len(run.left_running) == 1, run.left_running
    marker = f"ACT_RECORDS={run.records}".encode()
    still = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if marker in environ.read_bytes().split(b"\0"):
                still.append(environ.parent.name)
        except OSError:
            continue
    assert still == [], f"processes of run {run.run_id} outlived it: {still}"


# --- plan: a pull request from this repository -------------------------------------------------------------


@pytest.fixture(scope="module")
def same_repository_pr(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    world = scenario(tmp_path_factory.mktemp("own-pr"))
    git(world.repo, "checkout", "--quiet", "-b", "change")
    edit(world.repo, PLANNED, PLANNED_OLD, PLANNED_NEW)
    commit(world.repo, "A shorter question")
    world.run("plan", "igops-plan.yml", "pull_request", pull_request_event(world.repo, 7))
    yield world


def test_a_pull_request_is_planned_against_the_emulator_seeded_with_its_base(
    same_repository_pr: Scenario,
) -> None:
    run = same_repository_pr.runs["plan"]
    succeeded(run, "plan")
    ran_this_igops(run)
    assert "7 experience files checked: all valid." in run.summary, run.summary
    assert run.summary.count("Plan: 0 to create, 1 to update, 0 lifecycle actions.") == 1, run.summary
    assert run.artifact("igops-plan") is not None, run.calls("actions/upload-artifact")


def test_the_comment_shows_the_one_change_for_the_head_commit_and_links_the_run(
    same_repository_pr: Scenario,
) -> None:
    world = same_repository_pr
    run = world.runs["plan"]
    comment = world.github.comment(7, "igops-plan")
    assert comment is not None, run.log()
    assert len(world.github.comments()) == 1
    body = comment["body"]
    assert body.endswith(STICKY_MARKER.format(header="igops-plan")) and len(body) <= BODY_LIMIT
    assert body.startswith(f"igops planned commit `{git(world.repo, 'rev-parse', 'HEAD')}` in"), body[:300]
    assert f"({run.run_url}/attempts/1)" in body
    assert "**Plan: 0 to create, 1 to update, 0 lifecycle actions.**" in body, body
    assert re.findall(r"<code>([~+-]) (\w+)</code> <b>([\w-]+)</b>", body) == [
        ("~", "update", "homepage-hero-headline")
    ], body
    changed = [line for line in body.splitlines() if line.startswith(("-   ", "+   "))]
    old, new = PLANNED_OLD.split(": ", 1)[1], PLANNED_NEW.split(": ", 1)[1]
    assert [line.split(" = ", 1)[0] for line in changed] == ["-   description", "+   description"], changed
    assert old in changed[0] and new in changed[1], changed


def test_the_emulator_the_job_started_does_not_outlive_the_run(same_repository_pr: Scenario) -> None:
    emulator_ended(same_repository_pr.runs["plan"])


# --- plan: a fork's pull request --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fork_pr(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    world = scenario(tmp_path_factory.mktemp("own-fork-pr"))
    git(world.repo, "checkout", "--quiet", "-b", "change")
    edit(world.repo, PLANNED, PLANNED_OLD, PLANNED_NEW)
    commit(world.repo, "A shorter question, from a fork")
    world.run(
        "plan",
        "igops-plan.yml",
        "pull_request",
        pull_request_event(world.repo, 8, head_repository="someone/igops"),
    )
    yield world


def test_a_forks_pull_request_is_validated_not_planned_and_the_summary_says_why(fork_pr: Scenario) -> None:
    run = fork_pr.runs["plan"]
    succeeded(run, "plan")
    assert run.permissions["pull-requests"] == "read" and run.secrets == ["GITHUB_TOKEN"]
    assert "7 experience files checked: all valid." in run.summary, run.summary
    assert "### igops plan not run" in run.summary and "comes from a fork" in run.summary
    assert "Plan:" not in run.summary
    assert "plan" not in [step.id for step in run.job("plan").steps]
    assert fork_pr.github.comments() == []
    assert not run.calls("marocchino/sticky-pull-request-comment") and run.artifact("igops-plan") is None
    emulator_ended(run)


# --- apply: a push to main ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def push(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    """Pull request 9 planned, merged, and the merge commit pushed to main."""
    world = scenario(tmp_path_factory.mktemp("own-push"))
    git(world.repo, "checkout", "--quiet", "-b", "change")
    edit(world.repo, APPLIED, APPLIED_OLD, APPLIED_NEW)
    head = commit(world.repo, "Reword the landing page test")
    world.run("plan", "igops-plan.yml", "pull_request", pull_request_event(world.repo, 9))
    git(world.repo, "checkout", "--quiet", "main")
    git(
        world.repo,
        "-c",
        "user.name=Dev",
        "-c",
        "user.email=dev@example.invalid",
        "merge",
        "--quiet",
        "--no-ff",
        "-m",
        "Merge pull request #9",
        "change",
    )
    world.github.merge_pull_request(world.repo, 9, head)
    world.run("apply", "igops-apply.yml", "push", push_event(world.repo))
    yield world


def test_a_push_to_main_applies_exactly_its_change(push: Scenario) -> None:
    run = push.runs["apply"]
    succeeded(run, "apply")
    ran_this_igops(run)
    assert f"Pull request #9, planned in run {push.runs['plan'].run_id}" in run.summary, run.summary
    assert "Apply complete: 0 created, 1 updated, 0 lifecycle actions." in run.summary, run.summary
    done = re.findall(r"^([\w-]+): (\w+) done", run.summary, re.MULTILINE)
    assert done == [("long-form-landing-page", "update")], run.summary
    save = only(run.calls("actions/cache/save"))
    assert save["saved"] and save["inputs"]["key"] == f"igops-refresh-{run.run_id}-1", save
    emulator_ended(run)


# --- drift and monitor: the nightly runs on main -----------------------------------------------------------


@pytest.fixture(scope="module")
def nightly(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    world = scenario(tmp_path_factory.mktemp("own-nightly"))
    world.run("drift", "igops-drift.yml", "schedule", schedule_event(world.repo, "17 4 * * *"))
    world.run("monitor", "igops-monitor.yml", "schedule", schedule_event(world.repo, "43 6 * * *"))
    world.run("hourly", "igops-schedule.yml", "schedule", schedule_event(world.repo, "23 * * * *"))
    yield world


def test_the_hourly_run_finds_nothing_due_in_the_emulator_seeded_with_the_files(nightly: Scenario) -> None:
    run = nightly.runs["hourly"]
    succeeded(run, "schedule")
    ran_this_igops(run)
    assert "No changes. The account matches the files." in run.summary, run.summary
    assert "Not carried out" not in run.summary
    assert only(run.calls("actions/cache/save"))["saved"]
    emulator_ended(run)


def test_drift_finds_none_and_opens_no_issue(nightly: Scenario) -> None:
    run = nightly.runs["drift"]
    succeeded(run, "drift")
    ran_this_igops(run)
    assert "No drift: the account matches the files." in run.summary, run.summary
    assert nightly.github.issues("igops-drift") == []
    assert [call[:2] for call in run.gh_calls] == [["issue", "list"]], run.gh_calls
    assert only(run.calls("actions/cache/save"))["saved"]
    emulator_ended(run)


def test_monitor_opens_an_issue_naming_the_alerts_the_examples_ask_the_emulator_for(
    nightly: Scenario,
) -> None:
    run = nightly.runs["monitor"]
    succeeded(run, "monitor")
    ran_this_igops(run)
    issue = only(nightly.github.issues("igops-monitor"))
    assert issue["title"] == "igops monitor: a running experience needs a look"
    assert issue["state"] == "open" and issue["run"] == str(run.run_id), issue
    body = issue["body"]
    assert "**Monitor: 4 alerts on 2 of 3 running experiences.**" in body, body
    sections = dict(re.findall(r"^### ([\w-]+) .*?\n(.*?)(?=^### |\Z)", body, re.MULTILINE | re.DOTALL))
    assert sorted(sections) == ["collection-quick-add-template", "homepage-hero-headline"], body
    alert = re.compile(r"^- \*\*([\w -]+):\*\*", re.MULTILINE)
    alerts = {name: alert.findall(text) for name, text in sections.items()}
    assert alerts == {
        "collection-quick-add-template": ["Conversion collapse", "Conversion collapse"],
        "homepage-hero-headline": ["Sample-ratio mismatch", "Milestone"],
    }, body
    assert "::" not in body and len(body) <= BODY_LIMIT
    assert "Monitor: 4 alerts" in run.summary
    emulator_ended(run)
