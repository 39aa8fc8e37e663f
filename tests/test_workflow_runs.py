"""The workflows `igops init` writes, run by act as a GitHub runner would run them (tests/support/act.py),
against `igops sandbox serve` on 127.0.0.1: what GitHub would show for each event.

The store's action is the one `igops init --source igops==<this version>` writes: it finds this igops
installed already (the setup-python stand-in puts this environment first on PATH) and installs nothing.
Each scenario runs its workflows once (module fixtures); the tests read what they left: the job results, the
job summary, annotations, the pull request comment, the issues, the cache, the artifact.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from support.act import (
    GitHub,
    HarnessError,
    WorkflowRun,
    dispatch_event,
    git,
    pull_request_event,
    push_event,
    require_act,
    run_workflow,
    schedule_event,
)
from support.emulator import dashboard_put
from support.processes import serving

import igops
from igops.config import SANDBOX_DEFAULT_TOKEN  # what igops sandbox serve takes by default

pytestmark = pytest.mark.workflows

REPOSITORY = "acme/store"
EXAMPLE = "experiences/example-free-shipping-headline.yaml"
STICKY_MARKER = "\n<!-- Sticky Pull Request Comment{header} -->"
BODY_LIMIT = 65536
CACHE_FORMAT = "igops-refresh-cache/1"
# How long the stand-in test's workflow leaves a `sleep` running in the background (never that long).
LEFT_RUNNING = 86_399


# --- a store's repository and its account --------------------------------------------------------------


def igops_cli(
    cwd: Path, *arguments: str, api_url: str | None = None, tokens: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "INTELLIGEMS_API_TOKEN": SANDBOX_DEFAULT_TOKEN, **(tokens or {})}
    if api_url:
        env["IGOPS_API_URL"] = api_url
    return subprocess.run(
        [sys.executable, "-m", "igops", *arguments],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )


def commit(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(
        repo,
        "-c",
        "user.name=Dev",
        "-c",
        "user.email=dev@example.invalid",
        "commit",
        "--quiet",
        "-m",
        message,
    )
    return git(repo, "rev-parse", "HEAD")


def make_store(directory: Path, *stores: str) -> Path:
    """`igops init` with this igops pinned (of `stores`, when given), committed on main, its origin on
    github.com."""
    chosen = [option for store in stores for option in ("--store", store)]
    result = igops_cli(
        directory.parent, "init", str(directory), "--source", f"igops=={igops.__version__}", *chosen
    )
    assert result.returncode == 0, result.stderr
    assert (directory / ".github" / "actions" / "igops" / "action.yml").is_file(), (
        "init wrote no store action"
    )
    git(directory, "init", "--quiet", "--initial-branch", "main")
    git(directory, "remote", "add", "origin", f"https://github.com/{REPOSITORY}.git")
    commit(directory, "igops init")
    return directory


def edit(repo: Path, relative: str, old: str, new: str) -> None:
    path = repo / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {relative}"
    path.write_text(text.replace(old, new), encoding="utf-8")


@dataclass
class Scenario:
    repo: Path
    github: GitHub
    api_url: str  # "" when igops.yaml names each store's
    runs: dict[str, WorkflowRun] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=lambda: {"INTELLIGEMS_API_TOKEN": SANDBOX_DEFAULT_TOKEN})

    def run(
        self, name: str, workflow: str, event: str, payload: dict[str, Any], **options: Any
    ) -> WorkflowRun:
        options.setdefault("secrets", self.secrets)
        options.setdefault("env", {"IGOPS_API_URL": self.api_url} if self.api_url else {})
        self.runs[name] = run_workflow(self.repo, workflow, event, payload, github=self.github, **options)
        return self.runs[name]


@contextmanager
def scenario(root: Path) -> Iterator[Scenario]:
    require_act()
    repo = make_store(root / "store")
    with serving(root / "account.db") as api_url:
        yield Scenario(repo, GitHub(root / "github"), api_url)


def only(items: list[Any]) -> Any:
    assert len(items) == 1, items
    return items[0]


# --- plan: a pull request from the repository itself ----------------------------------------------------


@pytest.fixture(scope="module")
def same_repository_pr(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    """Two pushes to pull request 7 (the example's headline changed, then changed again), each planned.
    The cache holds refresh caches saved on main (an unreadable older one, a good newer one) and a newer
    unreadable one saved on another branch, which a pull request cannot see."""
    with scenario(tmp_path_factory.mktemp("same-repository-pr")) as world:
        unreadable = {".igops-cache/refresh.json": "not a refresh cache"}
        world.github.add_cache("igops-refresh-100-1", unreadable, paths=(".igops-cache",))
        world.github.add_cache(
            "igops-refresh-200-1",
            {".igops-cache/refresh.json": json.dumps({"format": CACHE_FORMAT, "experiences": {}})},
            paths=(".igops-cache",),
        )
        world.github.add_cache(
            "igops-refresh-300-1", unreadable, paths=(".igops-cache",), ref="refs/heads/someone-else"
        )
        git(world.repo, "checkout", "--quiet", "-b", "change")
        edit(world.repo, EXAMPLE, "replace: Free shipping on every order", "replace: Free shipping today")
        commit(world.repo, "A shorter headline")
        world.run("first", "igops-plan.yml", "pull_request", pull_request_event(world.repo, 7))
        edit(world.repo, EXAMPLE, "replace: Free shipping today", "replace: Free shipping, always")
        commit(world.repo, "Another headline")
        world.run("second", "igops-plan.yml", "pull_request", pull_request_event(world.repo, 7))
        yield world


def test_a_pull_request_gets_one_comment_with_the_plan_of_its_newest_commit(
    same_repository_pr: Scenario,
) -> None:
    world = same_repository_pr
    first, second = world.runs["first"], world.runs["second"]
    head = git(world.repo, "rev-parse", "HEAD")
    comment = world.github.comment(7, "igops-plan")
    assert comment is not None, second.log()
    assert len(world.github.comments()) == 1, world.github.comments()
    assert comment["edits"] == 1 and comment["created_run"] == str(first.run_id), comment
    assert comment["updated_run"] == str(second.run_id)
    body = comment["body"]
    assert body.endswith(STICKY_MARKER.format(header="igops-plan")), body[-200:]
    assert len(body) <= BODY_LIMIT
    assert f"`{head}`" in body, body[:500]
    assert git(world.repo, "rev-parse", "HEAD~1") not in body, "the comment still names the older commit"
    assert f"{second.run_url}/attempts/1" in body
    assert "Plan: 1 to create" in body and 'replace        = "Free shipping, always"' in body, body


def test_a_pull_request_restores_the_newest_refresh_cache_saved_on_main(same_repository_pr: Scenario) -> None:
    for run in same_repository_pr.runs.values():
        restore = only(run.calls("actions/cache/restore"))
        assert restore["inputs"]["path"] == ".igops-cache"
        assert restore["matched_key"] == "igops-refresh-200-1", run.log()
        assert not run.calls("actions/cache/save"), "a pull request's plan saves no cache"


def test_a_pull_request_validates_first_and_its_checkout_keeps_no_token(same_repository_pr: Scenario) -> None:
    run = same_repository_pr.runs["second"]
    checkouts = run.calls("actions/checkout")
    assert [call["job"] for call in checkouts] == ["stores", "plan"], "the comment job is for stores only"
    for checkout in checkouts:
        assert checkout["inputs"]["persist-credentials"] == "false" and not checkout["persisted_token"]
        assert checkout["commit"] == git(same_repository_pr.repo, "rev-parse", "HEAD")
    setup = run.calls("actions/setup-python")
    assert setup, "the store's action sets up Python"
    assert all(call["dependency_files"] for call in setup if call["inputs"]["cache"]), setup
    assert [call["job"] for call in setup] == ["stores", "plan"], "once a job, however often igops runs"
    assert "all valid" in run.summary, run.summary
    main_steps = [step.id for step in run.job("plan").steps if step.stage == "Main"]
    assert main_steps.index("validate") < main_steps.index("plan"), main_steps


def test_a_pull_request_plan_succeeds_with_the_whole_plan_in_the_summary_and_as_an_artifact(
    same_repository_pr: Scenario,
) -> None:
    run = same_repository_pr.runs["second"]
    assert run.exit_code == 0 and run.job("plan").result == "success", run.log()
    assert not [note for note in run.annotations if note.level == "error"], run.annotations
    assert run.summary.count("Plan: 1 to create") == 1, run.summary
    artifact = run.artifact("igops-plan")
    assert artifact is not None, run.calls("actions/upload-artifact")
    saved = json.loads((artifact / "plan.json").read_text(encoding="utf-8"))
    assert isinstance(saved, dict) and saved


CREATES = 1000


@pytest.fixture(scope="module")
def big_pr(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    """A pull request that adds 1,000 experiences: a plan far longer than one comment may be."""
    with scenario(tmp_path_factory.mktemp("big-pr")) as world:
        git(world.repo, "checkout", "--quiet", "-b", "many")
        example = (world.repo / EXAMPLE).read_text(encoding="utf-8")
        for number in range(CREATES):
            text = example.replace("name: Example free shipping headline", f"name: Headline test {number}")
            text = text.replace("Does a free-shipping headline", "A long description. " * 20 + "Does it")
            (world.repo / "experiences" / f"headline-{number:04d}.yaml").write_text(text, encoding="utf-8")
        commit(world.repo, f"{CREATES} headline tests")
        world.run("plan", "igops-plan.yml", "pull_request", pull_request_event(world.repo, 11))
        yield world


def test_a_plan_too_long_for_one_comment_is_cut_to_fit_with_the_actions_marker(big_pr: Scenario) -> None:
    run = big_pr.runs["plan"]
    assert run.exit_code == 0 and run.job("plan").result == "success", run.log()
    sticky = only(run.calls("marocchino/sticky-pull-request-comment"))
    assert sticky["posted"], run.log()
    assert not [note for note in run.annotations if "too long" in note.message], run.annotations
    comment = big_pr.github.comment(11, "igops-plan")
    assert comment is not None
    body = comment["body"]
    assert 50_000 < len(body) <= BODY_LIMIT, len(body)
    assert f"Plan: {CREATES + 1} to create" in body
    assert body.endswith(STICKY_MARKER.format(header="igops-plan"))
    shown = body.count("<details>")
    note = body.removesuffix(STICKY_MARKER.format(header="igops-plan")).rsplit("\n\n", 1)[1]
    left_out = CREATES + 1 - shown
    assert note.startswith(f"_Plan truncated to fit one comment: {left_out} experiences (<code>"), note
    assert f"and {left_out - 5} more) not shown here" in note
    assert "job summary" in note and "<code>igops-plan</code> artifact" in note


def test_the_job_summary_holds_far_more_of_a_long_plan_than_the_comment(big_pr: Scenario) -> None:
    run = big_pr.runs["plan"]
    comment = big_pr.github.comment(11, "igops-plan")
    assert comment is not None
    assert run.summary.count("<details>") > 4 * comment["body"].count("<details>"), len(run.summary)
    assert len(run.summary.encode("utf-8")) <= 1024 * 1024


# --- plan: a fork's pull request, and one with an invalid file --------------------------------------------


@pytest.fixture(scope="module")
def fork_pr(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    with scenario(tmp_path_factory.mktemp("fork-pr")) as world:
        git(world.repo, "checkout", "--quiet", "-b", "change")
        edit(world.repo, EXAMPLE, "replace: Free shipping on every order", "replace: Free shipping today")
        commit(world.repo, "A shorter headline, from a fork")
        world.run(
            "plan",
            "igops-plan.yml",
            "pull_request",
            pull_request_event(world.repo, 8, head_repository="someone/store"),
        )
        yield world


def test_a_forks_pull_request_is_validated_not_planned_and_says_why(fork_pr: Scenario) -> None:
    run = fork_pr.runs["plan"]
    assert run.permissions["pull-requests"] == "read", "a fork's token is read-only"
    assert run.secrets == ["GITHUB_TOKEN"], "a fork's pull request gets no secrets"
    assert "all valid" in run.summary and "Plan:" not in run.summary, run.log()
    assert "plan" not in [step.id for step in run.job("plan").steps]
    assert fork_pr.github.comments() == []
    assert not run.calls("marocchino/sticky-pull-request-comment") and run.artifact("igops-plan") is None


# GitHub compares loosely: a skipped step's output is null, and null == '0' is true (both become 0); the
# workflow's steps after plan test its outcome instead.
def test_a_forks_pull_request_job_succeeds_and_its_summary_says_why_nothing_was_planned(
    fork_pr: Scenario,
) -> None:
    run = fork_pr.runs["plan"]
    assert "comes from a fork" in run.summary, run.summary
    assert run.exit_code == 0 and run.job("plan").result == "success", run.log()
    assert not [note for note in run.annotations if note.level == "error"], run.annotations


@pytest.fixture(scope="module")
def invalid_pr(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    with scenario(tmp_path_factory.mktemp("invalid-pr")) as world:
        git(world.repo, "checkout", "--quiet", "-b", "change")
        edit(
            world.repo,
            EXAMPLE,
            "    percentage: 50                    # the percentages",
            "    percentage: 70                    # the percentages",
        )
        commit(world.repo, "Percentages that do not add up")
        world.run("plan", "igops-plan.yml", "pull_request", pull_request_event(world.repo, 9))
        yield world


def test_an_invalid_file_fails_the_job_and_the_comment_says_why(invalid_pr: Scenario) -> None:
    run = invalid_pr.runs["plan"]
    assert run.exit_code != 0 and run.job("plan").result == "failure", run.log()
    assert "plan" not in [step.id for step in run.job("plan").steps], "nothing is planned from invalid files"
    comment = invalid_pr.github.comment(9, "igops-plan")
    assert comment is not None, run.log()
    body = comment["body"]
    assert "igops validate failed" in body and "1 error in 1 file" in body, body
    assert "Plan:" not in body and "::error" not in body, body


def test_an_invalid_file_is_annotated_on_its_line_and_nothing_else_fails(invalid_pr: Scenario) -> None:
    run = invalid_pr.runs["plan"]
    errors = [note for note in run.annotations if note.level == "error"]
    located = [note for note in errors if note.file == EXAMPLE and note.line == "12"]
    assert located, errors
    assert all("validate" in note.message or note in located for note in errors), errors


@pytest.fixture(scope="module")
def broken_config_pr(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    with scenario(tmp_path_factory.mktemp("broken-config-pr")) as world:
        git(world.repo, "checkout", "--quiet", "-b", "change")
        edit(world.repo, "igops.yaml", "max: 25", "max: many")
        commit(world.repo, "A threshold that is no number")
        world.run("plan", "igops-plan.yml", "pull_request", pull_request_event(world.repo, 10))
        yield world


def test_an_igops_yaml_that_cannot_be_read_stops_the_run_before_any_plan_and_the_comment_says_why(
    broken_config_pr: Scenario,
) -> None:
    run = broken_config_pr.runs["plan"]
    assert run.jobs["stores"].result == "failure" and run.job("plan").result == "not run", run.log()
    comment = broken_config_pr.github.comment(10, "igops-plan")
    assert comment is not None, run.log()
    body = comment["body"]
    assert body.startswith("### ⛔ igops stores failed (exit 1)"), body
    assert "Error: igops.yaml:" in body and "$.policies.max-changes.max: expected a whole number" in body
    assert "Plan:" not in body and "igops stores failed" in run.summary


# --- apply ----------------------------------------------------------------------------------------------


def open_pull_request(world: Scenario, number: int, change: tuple[str, str, str], **options: Any) -> str:
    """A branch off main with `change` (file, old, new) committed, planned as pull request `number`;
    returns its head commit."""
    git(world.repo, "checkout", "--quiet", "-b", f"change-{number}", "main")
    edit(world.repo, *change)
    head = commit(world.repo, f"Change {number}")
    event = pull_request_event(
        world.repo, number, head_ref=f"change-{number}", head_repository=options.pop("head_repository", None)
    )
    world.run(f"plan {number}", "igops-plan.yml", "pull_request", event, **options)
    git(world.repo, "checkout", "--quiet", "main")
    return head


def merge(world: Scenario, number: int, head: str, name: str = "", **options: Any) -> WorkflowRun:
    """Pull request `number` merged into main (a merge commit), and that push's apply run (named `name`,
    else "merged NUMBER")."""
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
        f"Merge pull request #{number}",
        f"change-{number}",
    )
    world.github.merge_pull_request(world.repo, number, head, **options)
    return world.run(name or f"merged {number}", "igops-apply.yml", "push", push_event(world.repo))


@pytest.fixture(scope="module")
def applies(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    """max-changes' max 0, so that every apply needs --force: a push of a reviewed change (refused by the
    policy), a dispatch with force but no reason (refused before igops runs), a dispatch with force and a
    reason (applied)."""
    with scenario(tmp_path_factory.mktemp("apply")) as world:
        head = open_pull_request(world, 3, ("igops.yaml", "max: 25", "max: 0"))
        merge(world, 3, head, "push")
        world.run(
            "no reason",
            "igops-apply.yml",
            "workflow_dispatch",
            dispatch_event(world.repo, {"force": True, "reason": " "}),
            inputs={"force": True, "reason": " "},
        )
        reason = "Launch today: reviewed with the team"
        world.run(
            "forced",
            "igops-apply.yml",
            "workflow_dispatch",
            dispatch_event(world.repo, {"force": True, "reason": reason}),
            inputs={"force": True, "reason": reason},
            actor="store-admin",
        )
        yield world


def test_a_push_to_main_applies_without_force_so_a_rail_refuses_and_the_summary_says_so(
    applies: Scenario,
) -> None:
    run = applies.runs["push"]
    assert run.job("apply").result == "failure", run.log()
    assert f"Pull request #3, planned in run {applies.runs['plan 3'].run_id}" in run.summary, run.summary
    assert "Error: policy max-changes" in run.summary and "Forced apply" not in run.summary, run.summary
    assert "more than max-changes allows (0)" in run.summary


def test_a_forced_apply_needs_a_reason(applies: Scenario) -> None:
    run = applies.runs["no reason"]
    assert run.jobs["stores"].result == "failure" and run.job("apply").result == "not run", run.log()
    assert any("needs a reason" in note.message for note in run.annotations if note.level == "error"), (
        run.log()
    )
    assert not run.calls("actions/checkout"), "the job stops before it checks out anything"


def test_a_forced_apply_writes_who_forced_it_and_why_to_the_summary(applies: Scenario) -> None:
    run = applies.runs["forced"]
    assert "### Forced apply" in run.summary and "@store-admin" in run.summary, run.log()
    assert "> Launch today: reviewed with the team" in run.summary
    assert "Forced apply" not in applies.runs["push"].summary


def test_a_forced_apply_with_a_reason_applies_and_saves_what_it_read(applies: Scenario) -> None:
    run = applies.runs["forced"]
    assert run.exit_code == 0 and run.job("apply").result == "success", run.log()
    assert run.summary.index("Forced apply") < run.summary.index("Apply complete"), run.summary
    drift = igops_cli(applies.repo, "drift", api_url=applies.api_url)
    assert drift.returncode == 0, drift.stdout + drift.stderr
    key = only(run.calls("actions/cache/save"))["inputs"]["key"]
    cached = json.loads(applies.github.cached_files(key)[".igops-cache/refresh.json"])
    assert cached["format"] == CACHE_FORMAT, cached


def test_every_apply_saves_the_refresh_cache_under_a_key_of_its_own_even_when_it_fails(
    applies: Scenario,
) -> None:
    keys = []
    for run in (applies.runs[name] for name in ("push", "forced")):
        save = only(run.calls("actions/cache/save"))
        assert save["inputs"]["key"] == f"igops-refresh-{run.run_id}-1", save
        assert save["inputs"]["path"] == ".igops-cache" and save["ref"] == "refs/heads/main"
        keys.append(save["inputs"]["key"])
    assert applies.runs["push"].job("apply").result == "failure", "the save step runs after a failure too"
    assert not applies.runs["no reason"].calls("actions/cache/save"), "refused before any apply job read"
    assert len(set(keys)) == 2
    assert all(entry["key"] in keys for entry in applies.github.caches())


# --- apply on a push: only what was reviewed ------------------------------------------------------------

HEADLINE = (EXAMPLE, "replace: Free shipping on every order", "replace: Free shipping today")
QUESTION = (EXAMPLE, "description: Does a free-shipping headline", "description: Does a shipping headline")


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    """Pull request 11 (creates the example) planned and merged; pull request 12 planned, then the
    example's split moved in the dashboard, then merged; a dispatch; a push that merged no pull request; a
    fork's pull request 13 merged; pull request 14, whose plan failed, merged."""
    with scenario(tmp_path_factory.mktemp("reviewed")) as world:
        # The example file is on main from init: pull request 11 is its first edit.
        merge(world, 11, open_pull_request(world, 11, HEADLINE))
        head = open_pull_request(world, 12, QUESTION)
        dashboard_split(world, 60)
        merge(world, 12, head, "moved")
        world.run(
            "dispatch",
            "igops-apply.yml",
            "workflow_dispatch",
            dispatch_event(world.repo, {}),
            actor="store-admin",
        )
        edit(world.repo, EXAMPLE, "replace: Free shipping today", "replace: Free shipping, direct")
        commit(world.repo, "Pushed to main directly")
        world.run("direct", "igops-apply.yml", "push", push_event(world.repo))
        fork = open_pull_request(
            world,
            13,
            (EXAMPLE, "Free shipping, direct", "Free shipping from a fork"),
            head_repository="someone/store",
        )
        merge(world, 13, fork, head_repository="someone/store")
        failed = open_pull_request(
            world,
            14,
            (EXAMPLE, "Free shipping from a fork", "Free shipping, failed"),
            secrets={"INTELLIGEMS_API_TOKEN": "a-token-the-account-refuses"},
        )
        merge(world, 14, failed)
        yield world


def dashboard_split(world: Scenario, control: int) -> None:
    """The example's control set to `control` percent in the dashboard (the rest to the other variation)."""
    planned = igops_cli(world.repo, "plan", "--format", "json", api_url=world.api_url)
    (example,) = [e for e in json.loads(planned.stdout)["experiences"] if e["path"] == EXAMPLE]
    answer = httpx.get(
        f"{world.api_url}/v25-10-beta/experiences/{example['experience_id']}",
        headers={"intelligems-access-token": SANDBOX_DEFAULT_TOKEN},
        timeout=10,
    )
    live = answer.json()["experience"]
    for variation in live["variations"]:
        variation["percentage"] = control if variation["isControl"] else 100 - control
    dashboard_put(world.api_url, live, token=SANDBOX_DEFAULT_TOKEN)


def not_applied(run: WorkflowRun, why: str, job: str = "stores") -> None:
    """The push's `job` failed before igops applied anything, saying why and naming the way to apply by hand
    (the first job, finding the review; or the store's apply job, finding its plan)."""
    assert run.job(job).result == "failure", run.log()
    assert [failed.id for failed in run.jobs.values() if failed.result == "failure"] == [job], run.log()
    assert "### Not applied" in run.summary and why in run.summary, run.summary
    assert "workflow_dispatch" in run.summary and "Apply complete" not in run.summary, run.summary
    (error,) = [note for note in run.annotations if note.level == "error"]
    assert error.message.startswith("Not applied: ") and why in error.message, error


def test_a_merged_pull_request_applies_the_plan_its_reviewers_saw(reviewed: Scenario) -> None:
    run = reviewed.runs["merged 11"]
    assert run.job("apply").result == "success", run.log()
    assert f"Pull request #11, planned in run {reviewed.runs['plan 11'].run_id}" in run.summary, run.summary
    assert "Apply complete: 1 created, 0 updated, 0 lifecycle actions." in run.summary, run.summary
    download = [call for call in run.gh_calls if call[:2] == ["run", "download"]]
    assert only(download)[2] == str(reviewed.runs["plan 11"].run_id)


def test_a_dashboard_edit_after_review_stops_the_apply_naming_the_experience(reviewed: Scenario) -> None:
    run = reviewed.runs["moved"]
    assert run.job("apply").result == "failure", run.log()
    assert "This plan is not the one reviewed in" in run.summary, run.summary
    assert "example-free-shipping-headline: the account changed it since the review" in run.summary
    assert "Apply complete" not in run.summary


def test_a_dispatch_applies_what_it_plans_and_says_no_review_saw_it(reviewed: Scenario) -> None:
    run = reviewed.runs["dispatch"]
    assert run.job("apply").result == "success", run.log()
    assert "### Applied without review" in run.summary and "@store-admin" in run.summary, run.summary
    assert "Apply complete: 0 created, 1 updated, 0 lifecycle actions." in run.summary, run.summary
    assert run.gh_calls == [], "a dispatch looks for no review"


def test_a_push_that_merged_no_pull_request_is_not_applied(reviewed: Scenario) -> None:
    run = reviewed.runs["direct"]
    pushed = git(
        reviewed.repo,
        "log",
        "--format=%h",
        "--abbrev=7",
        "--fixed-strings",
        "--grep",
        "Pushed to main directly",
    )
    not_applied(run, f"Commit {pushed} merged no pull request into main (it was pushed directly)")
    assert [call[0] for call in run.gh_calls] == ["api"], run.gh_calls


def test_a_forks_merged_pull_request_is_not_applied(reviewed: Scenario) -> None:
    not_applied(reviewed.runs["merged 13"], "Pull request #13 comes from a fork (someone/store)")


def test_a_pull_request_whose_plan_failed_is_not_applied(reviewed: Scenario) -> None:
    assert reviewed.runs["plan 14"].job("plan").result == "failure"
    not_applied(
        reviewed.runs["merged 14"],
        f"The last plan run of pull request #14 (run {reviewed.runs['plan 14'].run_id}) saved no plan",
        "apply",
    )


def test_nothing_but_the_reviewed_and_the_dispatched_changes_reached_the_account(reviewed: Scenario) -> None:
    shown = igops_cli(reviewed.repo, "show", "example-free-shipping-headline", api_url=reviewed.api_url)
    assert "Free shipping today" in shown.stdout and "Does a shipping headline" in shown.stdout, shown
    assert "direct" not in shown.stdout and "fork" not in shown.stdout


# --- apply with several stores: a job per store the push touched -----------------------------------------

# Each store its own emulator, taking only its own token, named in igops.yaml (no IGOPS_API_URL, which would
# send every store to one).
STORE_TOKENS = {"us": "us-token-5f0c", "eu": "eu-token-a9d2"}
STORE_EXAMPLE = "experiences/{store}/example-free-shipping-headline.yaml"
Stores = tuple[Scenario, dict[str, str]]  # and each store's API URL


def store_secrets(**tokens: str) -> dict[str, str]:
    """The repository's secrets: a store's token under the name its token_env gives (igops stores)."""
    return {
        f"INTELLIGEMS_API_TOKEN_{store.upper()}": token for store, token in {**STORE_TOKENS, **tokens}.items()
    }


def store_experiences(api_url: str, token: str) -> list[str]:
    answer = httpx.get(
        f"{api_url}/v25-10-beta/experiences-list", headers={"intelligems-access-token": token}, timeout=10
    )
    answer.raise_for_status()
    return sorted(item["name"] for item in answer.json()["experiencesList"])


@contextmanager
def two_store_world(root: Path) -> Iterator[Stores]:
    """A repository of the stores us and eu (igops init --store us --store eu), each with its example and an
    emulator of its own, which igops.yaml names and which takes only the store's token."""
    require_act()
    repo = make_store(root / "store", "us", "eu")
    with contextlib.ExitStack() as emulators:
        urls = {
            store: emulators.enter_context(serving(root / f"{store}.db", "--token", token))
            for store, token in STORE_TOKENS.items()
        }
        for store, url in urls.items():
            edit(repo, "igops.yaml", f"  {store}: {{}}", f'  {store}: {{api_url: "{url}"}}')
        commit(repo, "Each store's API")
        yield Scenario(repo, GitHub(root / "github"), "", secrets=store_secrets()), urls


@pytest.fixture(scope="module")
def two_stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stores]:
    """Pull request 31 edits us's example only, is planned (each store it touches saves its plan as
    igops-plan-STORE) and merged: the push. Then Run workflow for every store, eu's secret a token its
    account refuses."""
    with two_store_world(tmp_path_factory.mktemp("two-stores")) as (world, urls):
        repo = world.repo
        git(repo, "checkout", "--quiet", "-b", "change-31")
        us = STORE_EXAMPLE.format(store="us")
        edit(repo, us, "replace: Free shipping on every order", "replace: Free shipping in the US")
        head = commit(repo, "The US headline")
        plans = {}
        for store in ("us",):
            planned = igops_cli(
                repo, "plan", "--store", store, "--out", f"{store}.plan.json", tokens=store_secrets()
            )
            assert planned.returncode == 0, planned.stdout + planned.stderr
            plans[f"igops-plan-{store}"] = {
                "plan.json": (repo / f"{store}.plan.json").read_text(encoding="utf-8")
            }
        world.github.add_pull_request_run(repo, "igops-plan.yml", head, plans, branch="change-31")
        git(repo, "checkout", "--quiet", "main")
        merge(world, 31, head, "push")
        world.run(
            "by hand",
            "igops-apply.yml",
            "workflow_dispatch",
            dispatch_event(repo, {}),
            secrets=store_secrets(eu="a-token-eu-refuses"),
        )
        yield world, urls


def test_a_push_touching_one_store_runs_that_stores_job_only_with_its_reviewed_plan(
    two_stores: Stores,
) -> None:
    world, urls = two_stores
    run = world.runs["push"]
    assert run.exit_code == 0 and run.jobs["stores"].result == "success", run.log()
    (leg,) = run.legs("apply")
    assert leg.matrix == {"store": "us", "token_env": "INTELLIGEMS_API_TOKEN_US"} and leg.result == "success"
    assert "Apply complete: 1 created, 0 updated, 0 lifecycle actions." in leg.summary, leg.summary
    (download,) = [call for call in run.gh_calls if call[:2] == ["run", "download"]]
    assert download[download.index("--name") + 1] == "igops-plan-us"
    assert store_experiences(urls["us"], STORE_TOKENS["us"]) == ["Example free shipping headline"]
    assert store_experiences(urls["eu"], STORE_TOKENS["eu"]) == [], "the store the push did not touch"


def test_each_stores_job_keeps_its_own_refresh_cache(two_stores: Stores) -> None:
    world, _ = two_stores
    run = world.runs["push"]
    restore = only(run.calls("actions/cache/restore"))
    assert restore["inputs"]["path"] == ".igops-cache/refresh.us.json"
    assert restore["inputs"]["restore-keys"] == "igops-refresh-us-"
    save = only(run.calls("actions/cache/save"))
    assert save["saved"] and save["inputs"]["key"] == f"igops-refresh-us-{run.run_id}-1", save
    cached = world.github.cached_files(save["inputs"]["key"])
    assert json.loads(cached[".igops-cache/refresh.us.json"])["format"] == CACHE_FORMAT


def test_run_by_hand_every_store_has_its_job_and_one_stores_failure_stops_no_other(
    two_stores: Stores,
) -> None:
    world, urls = two_stores
    run = world.runs["by hand"]
    assert sorted(leg.matrix["store"] for leg in run.legs("apply")) == ["eu", "us"], run.log()
    us, eu = run.job("apply", store="us"), run.job("apply", store="eu")
    assert us.result == "success" and "No changes" in us.summary, us.summary
    assert eu.result == "failure", run.log()
    assert (
        "store eu: The Intelligems API refused the access token (401 Unauthorized): set "
        "INTELLIGEMS_API_TOKEN_EU to a valid API key" in eu.summary
    ), eu.summary
    assert "a-token-eu-refuses" not in run.summary + "\n".join(eu.output)
    assert store_experiences(urls["eu"], STORE_TOKENS["eu"]) == []


# --- plan with several stores: a job per store the pull request touches, one comment -----------------------

US_HEADLINE = (
    STORE_EXAMPLE.format(store="us"),
    "replace: Free shipping on every order",
    "replace: Free shipping in the US",
)
NO_STORES_FILE = "experiences/README.md"


@pytest.fixture(scope="module")
def store_pull_requests(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stores]:
    """Pull requests of the two stores, each planned by the workflow: 41 edits us's example only, then is
    merged (the push applies the plan its run saved); 42 edits igops.yaml (every store); 43 does too, with
    eu's secret a token its account refuses; 44 adds a file of no store; 45, from a fork, edits igops.yaml."""
    with two_store_world(tmp_path_factory.mktemp("store-pull-requests")) as (world, urls):
        merge(world, 41, open_pull_request(world, 41, US_HEADLINE))
        open_pull_request(world, 42, ("igops.yaml", "max: 25", "max: 30"))
        refused = store_secrets(eu="a-token-eu-refuses")
        open_pull_request(world, 43, ("igops.yaml", "max: 25", "max: 35"), secrets=refused)
        git(world.repo, "checkout", "--quiet", "-b", "change-44", "main")
        (world.repo / NO_STORES_FILE).write_text("Each store's experiences are in its directory.\n")
        commit(world.repo, "A note for people")
        world.run("plan 44", "igops-plan.yml", "pull_request", pull_request_event(world.repo, 44))
        git(world.repo, "checkout", "--quiet", "main")
        open_pull_request(world, 45, ("igops.yaml", "max: 25", "max: 40"), head_repository="someone/store")
        yield world, urls


def store_comment(world: Scenario, number: int) -> str:
    """The one igops-plan comment of pull request `number`, without the comment action's marker."""
    assert [comment["number"] for comment in world.github.comments()].count(number) == 1
    comment = world.github.comment(number, "igops-plan")
    assert comment is not None
    body = str(comment["body"])
    marker = STICKY_MARKER.format(header="igops-plan")
    assert body.endswith(marker) and len(body) <= BODY_LIMIT, body[-300:]
    return body.removesuffix(marker)


def artifact_files(run: WorkflowRun, name: str) -> list[str]:
    artifact = run.artifact(name)
    assert artifact is not None, run.calls("actions/upload-artifact")
    return sorted(path.name for path in artifact.iterdir())


def test_a_pull_request_touching_one_store_plans_that_store_only_and_comments_its_plan(
    store_pull_requests: Stores,
) -> None:
    world, _ = store_pull_requests
    run = world.runs["plan 41"]
    assert run.exit_code == 0, run.log()
    (leg,) = run.legs("plan")
    assert leg.matrix == {"store": "us", "token_env": "INTELLIGEMS_API_TOKEN_US"} and leg.result == "success"
    assert run.job("comment").result == "success", run.log()
    body = store_comment(world, 41)
    head = git(world.repo, "rev-parse", "change-41")
    assert body.startswith(f"igops planned commit `{head}` in [run {run.run_id}]({run.run_url}/attempts/1)")
    assert "**1 store planned: 1 with changes.**" in body, body
    assert "| us | Plan: 1 to create, 0 to update, 0 lifecycle actions. |" in body
    assert "| eu |" not in body and "## Store us" in body and "igops combine-plans failed" not in body
    assert 'replace        = "Free shipping in the US"' in body, body
    assert artifact_files(run, "igops-plan-us") == ["plan-document.json", "plan.json"]
    assert run.artifact("igops-plan-eu") is None and run.artifact("igops-plan") is None
    # A lone artifact is unpacked into the path itself (download-artifact's way), and still found.
    download = only(run.calls("actions/download-artifact"))
    assert download["artifacts"] == ["igops-plan-us"] and not download["apart"], download
    assert "Plan: 1 to create" in leg.summary and not run.job("comment").summary, run.job("comment").summary


def test_the_plan_a_stores_job_saved_is_what_the_merge_applies(store_pull_requests: Stores) -> None:
    world, urls = store_pull_requests
    run, planned = world.runs["merged 41"], world.runs["plan 41"]
    (leg,) = run.legs("apply")
    assert leg.matrix["store"] == "us" and leg.result == "success", run.log()
    assert f"Pull request #41, planned in run {planned.run_id}" in run.summary, run.summary
    assert "Apply complete: 1 created, 0 updated, 0 lifecycle actions." in leg.summary, leg.summary
    (download,) = [call for call in run.gh_calls if call[:2] == ["run", "download"]]
    assert download[2] == str(planned.run_id) and download[download.index("--name") + 1] == "igops-plan-us"
    assert store_experiences(urls["us"], STORE_TOKENS["us"]) == ["Example free shipping headline"]
    assert store_experiences(urls["eu"], STORE_TOKENS["eu"]) == []


def test_a_pull_request_touching_igops_yaml_plans_every_store_in_one_comment(
    store_pull_requests: Stores,
) -> None:
    world, _ = store_pull_requests
    run = world.runs["plan 42"]
    assert run.exit_code == 0, run.log()
    assert sorted(leg.matrix["store"] for leg in run.legs("plan")) == ["eu", "us"], run.log()
    assert all(leg.result == "success" for leg in run.legs("plan")) and run.job("comment").result == "success"
    body = store_comment(world, 42)
    assert "**2 stores planned: 1 with changes.**" in body, body
    us, eu = body.index("| us | No changes."), body.index("| eu | Plan: 1 to create, 0 to update")
    assert us < eu < body.index("## Store eu"), "in igops.yaml's order"
    for store in ("us", "eu"):
        assert artifact_files(run, f"igops-plan-{store}") == ["plan-document.json", "plan.json"]
    download = only(run.calls("actions/download-artifact"))
    assert download["artifacts"] == ["igops-plan-eu", "igops-plan-us"] and download["apart"], download


def test_each_stores_plan_job_restores_its_own_refresh_cache(store_pull_requests: Stores) -> None:
    world, _ = store_pull_requests
    run, merged = world.runs["plan 42"], world.runs["merged 41"]
    restores = {call["inputs"]["path"]: call for call in run.calls("actions/cache/restore")}
    assert sorted(restores) == [".igops-cache/refresh.eu.json", ".igops-cache/refresh.us.json"]
    assert restores[".igops-cache/refresh.us.json"]["matched_key"] == f"igops-refresh-us-{merged.run_id}-1"
    assert restores[".igops-cache/refresh.eu.json"]["matched_key"] is None, "eu's job saved none yet"
    assert not run.calls("actions/cache/save"), "a pull request's plan saves no cache"


def test_a_store_whose_token_is_refused_shows_as_not_planned_in_the_comment_beside_the_others_plan(
    store_pull_requests: Stores,
) -> None:
    world, _ = store_pull_requests
    run = world.runs["plan 43"]
    us, eu = run.job("plan", store="us"), run.job("plan", store="eu")
    assert us.result == "success" and eu.result == "failure", run.log()
    assert "INTELLIGEMS_API_TOKEN_EU to a valid API key" in eu.summary, eu.summary
    assert run.artifact("igops-plan-eu") is None and run.artifact("igops-plan-us") is not None
    # combine-plans exits 1 for the store not planned: its job fails, after posting the comment.
    assert run.job("comment").result == "failure", run.log()
    body = store_comment(world, 43)
    assert body.startswith("### ⛔ igops combine-plans failed (exit 1)"), body[:300]
    assert "**1 of 2 stores planned: 0 with changes, 1 failed.**" in body, body
    assert "| us | No changes." in body
    assert "| eu | Not planned: store eu: no plan came back: its job failed or was cancelled. |" in body
    assert "Error: 1 store not planned: eu." in body
    assert "a-token-eu-refuses" not in body + run.summary + "\n".join(eu.output)


def test_a_pull_request_that_touches_no_store_plans_none_and_its_comment_says_so(
    store_pull_requests: Stores,
) -> None:
    world, _ = store_pull_requests
    run = world.runs["plan 44"]
    assert run.exit_code == 0 and run.jobs["stores"].result == "success", run.log()
    assert run.job("plan").result == "not run" and run.job("comment").result == "not run", run.log()
    assert "### Nothing to plan" in run.summary, run.summary
    body = store_comment(world, 44)
    head = git(world.repo, "rev-parse", "change-44")
    assert body.startswith(f"igops checked commit `{head}` in [run {run.run_id}]"), body
    assert "/attempts/1): **nothing to plan**, as this pull request changes no file of a store" in body, body


def test_a_forks_pull_request_is_validated_in_each_stores_job_not_planned_and_gets_no_comment(
    store_pull_requests: Stores,
) -> None:
    world, _ = store_pull_requests
    run = world.runs["plan 45"]
    assert run.exit_code == 0 and run.secrets == ["GITHUB_TOKEN"], run.log()
    assert sorted(leg.matrix["store"] for leg in run.legs("plan")) == ["eu", "us"], run.log()
    for leg in run.legs("plan"):
        assert leg.result == "success" and "plan" not in [step.id for step in leg.steps], leg.steps
        assert "all valid" in leg.summary and "comes from a fork" in leg.summary, leg.summary
    assert run.job("comment").result == "not run", "a fork's token may not comment"
    assert world.github.comment(45, "igops-plan") is None
    assert not run.calls("actions/upload-artifact"), "nothing planned, nothing saved"


# --- drift and monitor: the issue ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def drift(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    """The nightly drift run while the example is not in the account, again the next night, then (after an
    apply outside the workflows) once more."""
    with scenario(tmp_path_factory.mktemp("drift")) as world:
        cron = "17 4 * * *"
        world.run("first", "igops-drift.yml", "schedule", schedule_event(world.repo, cron))
        world.run("again", "igops-drift.yml", "schedule", schedule_event(world.repo, cron))
        applied = igops_cli(world.repo, "apply", "--auto-approve", api_url=world.api_url)
        assert applied.returncode == 0, applied.stdout + applied.stderr
        world.run("fixed", "igops-drift.yml", "workflow_dispatch", dispatch_event(world.repo, {}))
        yield world


def test_drift_opens_one_issue_updates_it_and_closes_it_once_the_account_matches(drift: Scenario) -> None:
    runs = drift.runs
    assert [run.job("drift").result for run in runs.values()] == ["success"] * 3, runs["first"].log()
    issue = only(drift.github.issues("igops-drift"))
    assert issue["repository"] == REPOSITORY and issue["run"] == str(runs["first"].run_id)
    assert issue["edits"] == 1, "the second night's report replaces the body of the open issue"
    assert "Drift: 1 of 1 managed experience differs" in issue["body"], issue["body"]
    assert "::" not in issue["body"] and len(issue["body"]) <= BODY_LIMIT
    assert issue["state"] == "closed", drift.github.issues()
    assert only(issue["comments"]).startswith(f"The drift check of run {runs['fixed'].run_id} found none")
    assert "igops-drift" in drift.github.labels(REPOSITORY)
    assert "Drift: 1 of 1" in runs["first"].summary and "No drift" in runs["fixed"].summary
    assert [entry["key"] for entry in drift.github.caches()] == [
        f"igops-refresh-{run.run_id}-1" for run in runs.values()
    ]


def test_drift_saves_the_refresh_cache_of_every_run_under_a_key_of_its_own(drift: Scenario) -> None:
    keys = [only(run.calls("actions/cache/save"))["inputs"]["key"] for run in drift.runs.values()]
    assert keys == [f"igops-refresh-{run.run_id}-1" for run in drift.runs.values()], keys
    assert all(
        only(run.calls("actions/cache/restore"))["inputs"]["restore-keys"] == "igops-refresh-"
        for run in drift.runs.values()
    )
    assert all(entry["ref"] == "refs/heads/main" for entry in drift.github.caches())


@pytest.fixture(scope="module")
def monitor(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    """A test started 14.5 days ago whose split is off (sandbox markers): the daily run opens an issue;
    once it is paused, the next run closes it."""
    with scenario(tmp_path_factory.mktemp("monitor")) as world:
        edit(world.repo, EXAMPLE, "status: draft ", "status: started ")
        edit(
            world.repo,
            EXAMPLE,
            "description: Does a free-shipping headline beat the current homepage headline?",
            'description: "Headline test [sandbox started 14.5 days ago, sample ratio mismatch]"',
        )
        commit(world.repo, "Start the headline test")
        seeded = igops_cli(world.repo, "sandbox", "seed", api_url=world.api_url)
        assert seeded.returncode == 0, seeded.stdout + seeded.stderr
        world.run("alert", "igops-monitor.yml", "schedule", schedule_event(world.repo, "43 6 * * *"))
        edit(world.repo, EXAMPLE, "status: started ", "status: paused ")
        commit(world.repo, "Pause the headline test")
        paused = igops_cli(world.repo, "apply", "--auto-approve", api_url=world.api_url)
        assert paused.returncode == 0, paused.stdout + paused.stderr
        world.run("quiet", "igops-monitor.yml", "schedule", schedule_event(world.repo, "43 6 * * *"))
        yield world


def test_monitor_opens_an_issue_while_a_rule_fires_and_closes_it_when_none_does(monitor: Scenario) -> None:
    alert, quiet = monitor.runs["alert"], monitor.runs["quiet"]
    assert alert.job("monitor").result == "success" and quiet.job("monitor").result == "success", alert.log()
    issue = only(monitor.github.issues("igops-monitor"))
    assert "Sample-ratio mismatch" in issue["body"] and "Milestone" in issue["body"], issue["body"]
    assert issue["state"] == "closed" and issue["edits"] == 0
    assert only(issue["comments"]).startswith(f"The monitor run {quiet.run_id} found no alert")
    created = [call for call in alert.gh_calls if call[:2] == ["issue", "create"]]
    assert only(created)[only(created).index("--label") + 1] == "igops-monitor"
    assert not [call for call in quiet.gh_calls if call[:2] in (["issue", "create"], ["issue", "edit"])]


# --- the hourly schedule: starts and ends whose time has come -------------------------------------------

HOURLY = "23 * * * *"
NO_WINDOWS = "freeze: {level: force, windows: []}"
DAY = timedelta(days=1)
# A scenario, and the account's statuses of its experiences (by name) after each run (by the run's name).
Hourly = tuple[Scenario, dict[str, dict[str, str]]]


def live_statuses(world: Scenario) -> dict[str, str]:
    """Each experience's status in the account, by name."""
    answer = httpx.get(
        f"{world.api_url}/v25-10-beta/experiences-list",
        headers={"intelligems-access-token": SANDBOX_DEFAULT_TOKEN},
        timeout=10,
    )
    return {item["name"]: item["status"] for item in answer.json()["experiencesList"]}


def start_at(world: Scenario, draft: str, moment: datetime) -> None:
    """The example's file, a draft in `draft`, set to start at `moment`."""
    start = moment.isoformat(timespec="seconds")
    scheduled = draft.replace("status: draft ", f'schedule: {{start: "{start}"}}\nstatus: started ')
    (world.repo / EXAMPLE).write_text(scheduled, encoding="utf-8")


@pytest.fixture(scope="module")
def hourly(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hourly]:
    """The example applied as a draft, then its file set to start: in an hour (the hourly run is not yet
    due); an hour ago but inside a freeze window at level force (igops init's level); once that window is
    gone from igops.yaml. Also the account's statuses after each run."""
    with scenario(tmp_path_factory.mktemp("hourly")) as world:
        applied = igops_cli(world.repo, "apply", "--auto-approve", api_url=world.api_url)
        assert applied.returncode == 0, applied.stdout + applied.stderr
        draft = (world.repo / EXAMPLE).read_text(encoding="utf-8")
        now = datetime.now(UTC)
        seen: dict[str, dict[str, str]] = {}
        start_at(world, draft, now + timedelta(hours=1))
        commit(world.repo, "Start the headline test in an hour")
        world.run("not due", "igops-schedule.yml", "schedule", schedule_event(world.repo, HOURLY))
        seen["not due"] = live_statuses(world)
        start_at(world, draft, now - timedelta(hours=1))
        start, end = (moment.isoformat(timespec="seconds") for moment in (now - DAY, now + DAY))
        sale = f'freeze: {{level: force, windows: [{{name: Sale, start: "{start}", end: "{end}"}}]}}'
        edit(world.repo, "igops.yaml", NO_WINDOWS, sale)
        commit(world.repo, "Start the headline test an hour ago, in a sale's freeze")
        world.run("frozen", "igops-schedule.yml", "schedule", schedule_event(world.repo, HOURLY))
        seen["frozen"] = live_statuses(world)
        edit(world.repo, "igops.yaml", sale, NO_WINDOWS)
        commit(world.repo, "The sale is off")
        world.run("due", "igops-schedule.yml", "schedule", schedule_event(world.repo, HOURLY))
        seen["due"] = live_statuses(world)
        world.run("by hand", "igops-schedule.yml", "workflow_dispatch", dispatch_event(world.repo, {}))
        seen["by hand"] = live_statuses(world)
        yield world, seen


EXAMPLE_NAME = "Example free shipping headline"


def test_the_hourly_run_starts_nothing_before_the_start_and_succeeds(
    hourly: Hourly,
) -> None:
    world, seen = hourly
    run = world.runs["not due"]
    assert run.exit_code == 0 and run.job("schedule").result == "success", run.log()
    assert seen["not due"] == {EXAMPLE_NAME: "pending"}
    assert "No changes" in run.summary and "Apply complete" not in run.summary, run.summary
    assert not [note for note in run.annotations if note.level == "error"], run.annotations


def test_the_hourly_run_never_forces_so_a_start_in_a_freeze_fails_the_job_and_the_summary_says_why(
    hourly: Hourly,
) -> None:
    world, seen = hourly
    run = world.runs["frozen"]
    assert run.job("schedule").result == "failure", run.log()
    assert seen["frozen"] == {EXAMPLE_NAME: "pending"}
    assert "Error: policy freeze: example-free-shipping-headline: starts during the freeze window Sale" in (
        run.summary
    ), run.summary
    assert "### Not carried out" in run.summary and "with force and a reason" in run.summary
    assert "Apply complete" not in run.summary


def test_the_hourly_run_starts_the_draft_once_its_start_has_come(
    hourly: Hourly,
) -> None:
    world, seen = hourly
    run = world.runs["due"]
    assert run.exit_code == 0 and run.job("schedule").result == "success", run.log()
    assert seen["due"] == {EXAMPLE_NAME: "started"}
    assert "Apply complete: 0 created, 0 updated, 1 lifecycle action." in run.summary, run.summary
    assert "example-free-shipping-headline: start done" in run.summary
    assert f"`{git(world.repo, 'rev-parse', 'HEAD')}` (igops apply --due-only)" in run.summary
    assert "Not carried out" not in run.summary


def test_the_hourly_workflow_run_by_hand_after_the_start_finds_it_done(hourly: Hourly) -> None:
    world, seen = hourly
    run = world.runs["by hand"]
    assert run.exit_code == 0 and run.job("schedule").result == "success", run.log()
    assert seen["by hand"] == {EXAMPLE_NAME: "started"}
    assert "No changes" in run.summary and "Apply complete" not in run.summary, run.summary


def test_every_hourly_run_restores_and_saves_the_refresh_cache_even_when_it_fails(
    hourly: Hourly,
) -> None:
    world, _ = hourly
    for run in world.runs.values():
        assert only(run.calls("actions/cache/restore"))["inputs"]["restore-keys"] == "igops-refresh-"
        save = only(run.calls("actions/cache/save"))
        assert save["saved"] and save["inputs"]["key"] == f"igops-refresh-{run.run_id}-1", save
    assert world.runs["frozen"].job("schedule").result == "failure", "the save step runs after a failure"
    assert world.runs["frozen"].run_id < world.runs["due"].run_id
    assert world.runs["due"].permissions == {"metadata": "read", "contents": "read"}


# --- drift: adopting the account's values as a pull request --------------------------------------------

ADOPT_BRANCH = "igops/adopt-drift"
PR_TOKEN = "github_pat_igops_adopts"


@pytest.fixture(scope="module")
def adopts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    """The example applied, then its split moved to 60/40 in the dashboard. Drift by hand without adopt;
    with adopt while the repository does not let Actions open pull requests; with adopt once it does;
    again (the pull request is updated); then nightly, adopting by the repository variable, with a token
    of its own (IGOPS_PR_TOKEN)."""
    with scenario(tmp_path_factory.mktemp("adopt")) as world:
        applied = igops_cli(world.repo, "apply", "--auto-approve", api_url=world.api_url)
        assert applied.returncode == 0, applied.stdout + applied.stderr
        dashboard_split(world, 60)
        world.run("report only", "igops-drift.yml", "workflow_dispatch", dispatch_event(world.repo, {}))
        adopt = {"adopt": True}
        world.run(
            "not allowed",
            "igops-drift.yml",
            "workflow_dispatch",
            dispatch_event(world.repo, adopt),
            inputs=adopt,
        )
        world.github.allow_actions_to_create_pull_requests()
        world.run(
            "opened", "igops-drift.yml", "workflow_dispatch", dispatch_event(world.repo, adopt), inputs=adopt
        )
        world.run(
            "updated", "igops-drift.yml", "workflow_dispatch", dispatch_event(world.repo, adopt), inputs=adopt
        )
        world.run(
            "nightly",
            "igops-drift.yml",
            "schedule",
            schedule_event(world.repo, "17 4 * * *"),
            variables={"IGOPS_ADOPT_DRIFT": "true"},
            secrets={"INTELLIGEMS_API_TOKEN": SANDBOX_DEFAULT_TOKEN, "IGOPS_PR_TOKEN": PR_TOKEN},
        )
        yield world


def adopted_file(world: Scenario) -> str:
    return git(world.repo, "show", f"{ADOPT_BRANCH}:{EXAMPLE}")


def test_drift_without_adopt_opens_the_issue_and_no_pull_request(adopts: Scenario) -> None:
    run = adopts.runs["report only"]
    assert run.job("drift").result == "success" and run.job("adopt").result == "not run", run.log()
    assert "igops-drift" in only(adopts.github.issues())["labels"]


def test_adopt_without_the_setting_or_a_token_pushes_the_branch_and_says_what_to_allow(
    adopts: Scenario,
) -> None:
    run = adopts.runs["not allowed"]
    assert run.job("drift").result == "success" and run.job("adopt").result == "failure", run.log()
    (error,) = [note for note in run.annotations if note.level == "error" and note.job == "adopt"]
    assert "Allow GitHub Actions to create and approve pull requests" in error.message, error
    assert "IGOPS_PR_TOKEN" in error.message
    assert run.job_permissions["adopt"] == {"metadata": "read", "contents": "write", "pull-requests": "write"}
    assert run.job_permissions["drift"] == {"metadata": "read", "contents": "read", "issues": "write"}


def test_adopt_opens_one_pull_request_whose_files_plan_empty_and_keep_their_comments(
    adopts: Scenario,
) -> None:
    run = adopts.runs["opened"]
    assert run.job("adopt").result == "success", run.log()
    (pull,) = [pull for pull in adopts.github.pull_requests() if pull["head"]["ref"] == ADOPT_BRANCH]
    assert pull["state"] == "open" and pull["base"]["ref"] == "main" and pull["by_run_token"]
    assert "Adopted" in pull["body"] and "::" not in pull["body"], pull["body"]
    before = (adopts.repo / EXAMPLE).read_text(encoding="utf-8").splitlines()
    after = adopted_file(adopts).splitlines()
    changed = [(old, new) for old, new in zip(before, after, strict=True) if old != new]
    assert changed == [
        (
            "    percentage: 50                    # the percentages add up to 100",
            "    percentage: 60                    # the percentages add up to 100",
        ),
        ("    percentage: 50", "    percentage: 40"),
    ], changed
    worktree = adopts.repo.parent / "adopted"
    git(adopts.repo, "worktree", "add", "--quiet", str(worktree), ADOPT_BRANCH)
    try:
        plan = igops_cli(worktree, "plan", "--detailed-exitcode", api_url=adopts.api_url)
        assert plan.returncode == 0, plan.stdout + plan.stderr
    finally:
        git(adopts.repo, "worktree", "remove", "--force", str(worktree))


def test_adopt_again_updates_the_same_pull_request(adopts: Scenario) -> None:
    assert adopts.runs["updated"].job("adopt").result == "success", adopts.runs["updated"].log()
    (pull,) = [pull for pull in adopts.github.pull_requests() if pull["head"]["ref"] == ADOPT_BRANCH]
    assert pull["edits"] == 2, "the second adopt and the nightly one edit the open pull request"


def test_the_nightly_adopt_uses_the_repositorys_token_when_it_has_one(adopts: Scenario) -> None:
    run = adopts.runs["nightly"]
    assert run.job("adopt").result == "success", run.log()
    adopting = [entry for entry in run.gh_entries if entry["job"] == "adopt"]
    assert [entry["argv"][:2] for entry in adopting] == [["pr", "list"], ["pr", "edit"]]
    assert not any(entry["run_token"] for entry in adopting), "gh ran with IGOPS_PR_TOKEN"
    (checkout,) = [call for call in run.calls("actions/checkout") if call["job"] == "adopt"]
    assert checkout["persisted_token"], "the push uses the token it checked out with"
    opened = [entry for entry in adopts.runs["opened"].gh_entries if entry["job"] == "adopt"]
    assert opened and all(entry["run_token"] for entry in opened), "without it, the run's token"


# --- the harness itself: what the stand-ins refuse, as GitHub would ----------------------------------------


STANDIN_WORKFLOW = """\
name: stand-ins
on: [pull_request, push]
permissions:
  contents: read
  pull-requests: write
jobs:
  probe:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@{checkout}
        with:
          persist-credentials: false
      - run: |
          head -c {fits} /dev/zero | tr '\\0' a > fits.md
          head -c {over} /dev/zero | tr '\\0' a > over.md
          mkdir -p kept && echo one > kept/file.txt
          nohup sleep {sleep} > /dev/null 2>&1 &
          sleep 0.2
      - uses: marocchino/sticky-pull-request-comment@{sticky}
        with:
          header: fits
          path: fits.md
      - id: over
        continue-on-error: true
        uses: marocchino/sticky-pull-request-comment@{sticky}
        with:
          header: over
          path: over.md
      - uses: actions/cache/save@{cache}
        with:
          path: kept
          key: kept-1
      - run: echo two > kept/file.txt
      - id: again
        uses: actions/cache/save@{cache}
        with:
          path: kept
          key: kept-1
      - id: missing
        continue-on-error: true
        uses: actions/upload-artifact@{upload}
        with:
          name: nothing
          path: no-such-file.json
          if-no-files-found: error
      - if: steps.over.outcome != 'failure' || steps.missing.outcome != 'failure'
        run: exit 1
      - env:
          GH_TOKEN: ${{{{ github.token }}}}
        run: |
          if gh issue create --title x --body y; then exit 1; fi
          if gh repo view; then exit 1; fi
"""


def _pinned(name: str) -> str:
    """The full commit a store's workflows pin `name` at (the stand-ins follow whatever they pin)."""
    for path in Path(igops.__file__).parent.joinpath("templates").rglob("*.yml"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if f"uses: {name}@" in line:
                return line.split("@", 1)[1].split()[0]
    return "0" * 40


@pytest.fixture(scope="module")
def standin_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[WorkflowRun, GitHub]:
    require_act()
    root = tmp_path_factory.mktemp("standins")
    repo = root / "repo"
    workflow = repo / ".github" / "workflows" / "standins.yml"
    workflow.parent.mkdir(parents=True)
    marker = len(STICKY_MARKER.format(header="fits"))
    workflow.write_text(
        STANDIN_WORKFLOW.format(
            checkout=_pinned("actions/checkout"),
            sticky=_pinned("marocchino/sticky-pull-request-comment"),
            cache=_pinned("actions/cache/save"),
            upload=_pinned("actions/upload-artifact"),
            sleep=LEFT_RUNNING,
            fits=BODY_LIMIT - marker,
            over=BODY_LIMIT - marker + 1,
        ),
        encoding="utf-8",
    )
    git(repo.parent, "init", "--quiet", "--initial-branch", "main", str(repo))
    git(repo, "remote", "add", "origin", f"https://github.com/{REPOSITORY}.git")
    commit(repo, "stand-ins")
    github = GitHub(root / "github")
    run = run_workflow(repo, "standins.yml", "pull_request", pull_request_event(repo, 5), github=github)
    return run, github


def test_the_sticky_comment_is_refused_past_65536_characters_with_its_marker(
    standin_run: tuple[WorkflowRun, GitHub],
) -> None:
    run, github = standin_run
    assert run.jobs["probe"].result == "success", run.log()
    fits = github.comment(5, "fits")
    assert fits is not None and len(fits["body"]) == BODY_LIMIT
    assert github.comment(5, "over") is None
    assert any("body is too long" in note.message for note in run.annotations), run.annotations


def test_a_cache_key_is_saved_once_and_never_overwritten(standin_run: tuple[WorkflowRun, GitHub]) -> None:
    run, github = standin_run
    first, again = run.calls("actions/cache/save")
    assert first["saved"] and not again["saved"] and "Unable to reserve cache" in again["reason"]
    assert github.cached_files("kept-1") == {"kept/file.txt": "one\n"}
    assert run.jobs["probe"].step("upload-artifact") is not None and run.artifact("nothing") is None


def test_gh_needs_the_permission_and_knows_only_the_commands_the_workflows_use(
    standin_run: tuple[WorkflowRun, GitHub],
) -> None:
    run, github = standin_run
    assert "issues" not in run.permissions, "the workflow gives its token no issues permission"
    assert [call[:2] for call in run.gh_calls] == [["issue", "create"], ["repo", "view"]]
    assert github.issues() == []


def test_what_a_step_leaves_running_ends_with_the_run(standin_run: tuple[WorkflowRun, GitHub]) -> None:
    run, _ = standin_run
    assert run.jobs["probe"].result == "success", run.log()
    left = [
        path
        for path in Path("/proc").glob("[0-9]*/cmdline")
        if f"sleep\0{LEFT_RUNNING}".encode() in _read_bytes(path)
    ]
    assert left == [], "a background process of the run outlived it"
    assert len(run.left_running) == 1, "act leaves a process that ignores SIGHUP running after the job"


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


def test_an_action_without_a_stand_in_or_an_input_the_action_lacks_stops_the_run_before_act(
    tmp_path: Path,
) -> None:
    repo = tmp_path / "repo"
    workflow = repo / ".github" / "workflows" / "w.yml"
    workflow.parent.mkdir(parents=True)
    git(tmp_path, "init", "--quiet", "--initial-branch", "main", str(repo))
    git(repo, "remote", "add", "origin", f"https://github.com/{REPOSITORY}.git")
    steps = {
        "unknown": "      - uses: someone/unknown-action@" + "1" * 40 + "\n",
        "typo": f"      - uses: actions/checkout@{_pinned('actions/checkout')}\n"
        "        with:\n          persist-credential: false\n",
    }
    for problem, step in steps.items():
        workflow.write_text(
            "on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n" + step, encoding="utf-8"
        )
        commit(repo, problem)
        with pytest.raises(HarnessError) as refused:
            run_workflow(repo, "w.yml", "push", push_event(repo), github=GitHub(tmp_path / problem))
        assert (
            "no stand-in for someone/unknown-action"
            if problem == "unknown"
            else "takes no input persist-credential"
        ) in str(refused.value)
        assert not (tmp_path / problem / "runs").exists() or not any((tmp_path / problem / "runs").iterdir())
