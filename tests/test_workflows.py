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
    evaluated,
    igops_steps,
    job_env,
    pushed_command,
    repo_workflows,
    steps,
    store_workflows,
    success_codes,
)

from igops import __version__
from igops.engine.operations import store_cache_path
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


BASE = {"github.event.pull_request.base.sha": "abc"}


def test_plan_runs_on_pull_requests_that_change_experiences_a_job_per_store_they_touch() -> None:
    assert PLAN["on"] == {"pull_request": {"paths": WATCHED_PATHS}}
    assert PLAN["permissions"] == {"contents": "read", "pull-requests": "write"}
    assert list(PLAN["jobs"]) == ["stores", "plan", "comment"]
    (stores,) = igops_steps(PLAN, "stores")
    assert pushed_command(stores, BASE) == ["stores", "--format", "json", "--changed-since", "abc"]
    checkout = next(
        step for step in steps(PLAN, "stores") if step.get("uses", "").startswith("actions/checkout@")
    )
    assert checkout["with"]["fetch-depth"] == 0, "the pull request's base is in the history"
    first = PLAN["jobs"]["stores"]
    assert first["outputs"] == {
        "matrix": "${{ steps.matrix.outputs.matrix }}",
        "any": "${{ steps.matrix.outputs.any }}",
        "combine": "${{ steps.matrix.outputs.combine }}",
    }
    (matrix,) = [step for step in first["steps"] if step.get("id") == "matrix"]
    (scheduled,) = [step for step in SCHEDULE["jobs"]["stores"]["steps"] if step.get("id") == "matrix"]
    assert matrix["run"].startswith(scheduled["run"]), "the matrix and any as every workflow makes them"
    assert """combine=$(jq '.include | any(.store != "")' "$STORES")""" in matrix["run"]
    job = PLAN["jobs"]["plan"]
    assert job["needs"] == "stores" and job["if"] == "needs.stores.outputs.any == 'true'"
    assert job["strategy"] == {"fail-fast": False, "matrix": "${{ fromJSON(needs.stores.outputs.matrix) }}"}
    assert job["name"] == "${{ matrix.store && format('plan {0}', matrix.store) || 'plan' }}"
    # A newer push cancels the whole run, every store's job with it: a plan only reads.
    assert PLAN["concurrency"] == {"group": "igops-plan-${{ github.ref }}", "cancel-in-progress": True}
    plan_command = (
        "plan --format markdown --detailed-exitcode --out plan.json "
        "--refresh-cache .igops-cache/refresh.json --base abc"
    )
    shows = ["show plan.json --format markdown --max-chars 900000", "show plan.json --format json"]
    for store, option in (("", ""), ("us", " --store us")):
        assert [" ".join(pushed_command(step, BASE, store)) for step in igops_steps(PLAN, "plan")] == [
            f"validate{option}",
            f"{plan_command}{option}",
            *shows,
        ]
    validate, plan, whole, document = igops_steps(PLAN, "plan")
    assert success_codes(validate) == {0}
    assert success_codes(plan) == {0, 2}
    assert plan["with"]["report-format"] == "markdown"
    # The comment gets the bounded plan; the job summary the whole one, or why there is none.
    assert plan["with"]["step-summary"] == "failure"
    assert whole["with"]["step-summary"] == "true"
    assert "steps.plan.outcome == 'success'" in whole["if"]
    assert document["if"] == "${{ matrix.store && steps.plan.outcome == 'success' }}", "only with stores"
    # A fork's pull request gets no secrets: it is not planned.
    assert plan["if"] == "env.IGOPS_SAME_REPOSITORY == 'true'"
    same = "${{ github.event.pull_request.head.repo.full_name == github.repository }}"
    assert job["env"]["IGOPS_SAME_REPOSITORY"] == same
    assert PLAN["jobs"]["stores"]["env"] == {"IGOPS_SAME_REPOSITORY": same}


@pytest.mark.parametrize("store", ["", "us"])
@pytest.mark.parametrize(
    "name", ["igops-plan.yml", "igops-apply.yml", "igops-schedule.yml", "igops-drift.yml"]
)
def test_the_refresh_cache_is_restored_from_the_newest_and_saved_by_all_but_the_plan(
    name: str, store: str
) -> None:
    """Each store's cache apart, where igops keeps it (beside --refresh-cache's path, by its name), under
    keys of its own; a repository without stores keeps .igops-cache under igops-refresh- as before."""
    workflow = store_workflows()[name]
    (job,) = [
        job
        for job, spec in workflow["jobs"].items()
        if any("--refresh-cache" in str(step) for step in spec["steps"])
    ]
    context = job_env(workflow, job, store)
    restore = next(
        step for step in steps(workflow, job) if step.get("uses", "").startswith("actions/cache/restore@")
    )
    (command,) = [
        pushed_command(step, store=store)
        for step in igops_steps(workflow, job)
        if "--refresh-cache" in step["with"]["command"]
    ]
    given = Path(command[command.index("--refresh-cache") + 1])
    kept = store_cache_path(given, store) if store else given
    path = evaluated(restore["with"]["path"], context)
    assert path == (str(kept) if store else ".igops-cache"), path
    assert kept == Path(path) or Path(path) in kept.parents
    prefix = f"igops-refresh-{store}-" if store else "igops-refresh-"
    assert evaluated(restore["with"]["restore-keys"], context) == prefix
    saves = [step for step in steps(workflow, job) if step.get("uses", "").startswith("actions/cache/save@")]
    if name == "igops-plan.yml":
        assert saves == []
        return
    (save,) = saves
    # Saved after a failure too, under a key of its own per run attempt (cache keys never change).
    assert save["if"] == "always()"
    assert evaluated(save["with"]["path"], context) == path
    assert evaluated(save["with"]["key"], {**context, "github.run_id": "7", "github.run_attempt": "1"}) == (
        f"{prefix}7-1"
    )


def sticky_steps(job: str) -> list[dict[str, Any]]:
    return [step for step in steps(PLAN, job) if "sticky-pull-request-comment" in step.get("uses", "")]


def test_without_stores_the_plan_job_comments_even_when_it_failed_and_uploads_the_plan() -> None:
    (comment,) = sticky_steps("plan")
    assert "!cancelled()" in comment["if"] and "env.IGOPS_SAME_REPOSITORY == 'true'" in comment["if"]
    assert "!matrix.store" in comment["if"], "with stores, the comment job posts it"
    assert comment["with"]["header"] == "igops-plan"
    assert comment["with"]["path"].startswith("${{ steps.plan.outputs.report-file ||")
    upload = next(
        step for step in steps(PLAN, "plan") if step.get("uses", "").startswith("actions/upload-artifact@")
    )
    assert upload["if"] == "steps.plan.outcome == 'success'"
    assert upload["with"]["path"].split() == ["plan.json", "plan-document.json"]
    assert upload["with"]["if-no-files-found"] == "error"
    # The names the apply workflow downloads the reviewed plan by.
    names = {store: evaluated(upload["with"]["name"], store=store) for store in ("", "us")}
    assert names == {"": "igops-plan", "us": "igops-plan-us"}
    (download,) = (step for step in steps(APPLY, "apply") if step.get("id") == "reviewed")
    assert '--name "igops-plan${STORE:+-$STORE}"' in download["run"] and "/plan.json" in download["run"]
    (document,) = (step for step in steps(PLAN, "plan") if "plan-document.json" in step.get("run", ""))
    assert document["if"] == "steps.document.outcome == 'success'"
    assert document["env"] == {"DOCUMENT": "${{ steps.document.outputs.stdout-file }}"}


def test_with_stores_one_job_after_every_stores_job_posts_their_plans_as_one_comment() -> None:
    job = PLAN["jobs"]["comment"]
    assert job["needs"] == ["stores", "plan"]
    assert job["if"] == (
        "${{ !cancelled() && needs.stores.outputs.combine == 'true' && "
        "github.event.pull_request.head.repo.full_name == github.repository }}"
    ), "also when a store's job failed; never for a fork"
    assert "env" not in job and "permissions" not in job
    (download,) = (step for step in steps(PLAN, "comment") if "download-artifact@" in step.get("uses", ""))
    assert download["with"] == {"pattern": "igops-plan-*", "path": "igops-plans"}
    (documents,) = (step for step in steps(PLAN, "comment") if step.get("id") == "documents")
    assert documents["env"] == {"MATRIX": "${{ needs.stores.outputs.matrix }}"}
    assert "find igops-plans -name plan-document.json" in documents["run"]
    (combine,) = igops_steps(PLAN, "comment")
    assert pushed_command(combine, {"steps.documents.outputs.arguments": "a.json --expect-store us"}) == [
        "combine-plans",
        "a.json",
        "--expect-store",
        "us",
        "--format",
        "markdown",
    ]
    # A store not planned exits 1: the step fails, and the comment is posted all the same.
    assert success_codes(combine) == {0}
    assert combine["with"]["report-format"] == "markdown"
    assert combine["with"]["context"] == plan_context()
    (comment,) = sticky_steps("comment")
    assert comment["if"] == "${{ !cancelled() && steps.combine.outputs.report-file }}"
    assert comment["with"] == {"header": "igops-plan", "path": "${{ steps.combine.outputs.report-file }}"}


def plan_context() -> str:
    (_, plan, *_) = igops_steps(PLAN, "plan")
    return str(plan["with"]["context"])


def test_a_pull_request_that_touches_no_store_or_whose_stores_fail_to_list_gets_a_comment_saying_so() -> None:
    nothing, failed = sticky_steps("stores")
    assert nothing["if"] == "steps.matrix.outputs.any == 'false' && env.IGOPS_SAME_REPOSITORY == 'true'"
    assert nothing["with"]["header"] == "igops-plan"
    assert "**nothing to plan**" in nothing["with"]["message"]
    assert failed["if"] == (
        "${{ failure() && steps.stores.outcome == 'failure' && env.IGOPS_SAME_REPOSITORY == 'true' }}"
    )
    assert failed["with"] == {"header": "igops-plan", "path": "${{ steps.stores.outputs.report-file }}"}
    (summary,) = (step for step in steps(PLAN, "stores") if "Nothing to plan" in step.get("run", ""))
    assert summary["if"] == "steps.matrix.outputs.any == 'false'"


def test_apply_runs_on_main_and_on_demand_one_job_per_store_one_at_a_time_per_store_never_cancelled() -> None:
    assert APPLY["on"]["push"] == {"branches": ["main"], "paths": WATCHED_PATHS}
    assert set(APPLY["on"]["workflow_dispatch"]["inputs"]) == {"force", "reason", "store"}
    assert APPLY["permissions"] == {"contents": "read", "pull-requests": "read", "actions": "read"}
    assert "concurrency" not in APPLY, "each store's job has a group of its own"
    job = APPLY["jobs"]["apply"]
    assert job["environment"] == "igops"
    assert job["concurrency"] == {
        "group": "igops-apply${{ matrix.store && format('-{0}', matrix.store) || '' }}",
        "cancel-in-progress": False,
    }
    (apply,) = igops_steps(APPLY, "apply")
    assert pushed_command(apply) == [
        "apply",
        "--auto-approve",
        "--refresh-cache",
        ".igops-cache/refresh.json",
    ]
    assert pushed_command(apply, store="us") == [
        "apply",
        "--auto-approve",
        "--refresh-cache",
        ".igops-cache/refresh.json",
        "--store",
        "us",
    ]
    assert apply["with"]["command"].endswith(
        " ${{ inputs.force && '--force' || '' }}"
        " ${{ steps.reviewed.outputs.plan && format('--reviewed {0}', steps.reviewed.outputs.plan) || '' }}"
    )
    assert success_codes(apply) == {0}
    assert apply["with"]["step-summary"] == "true"
    assert "timeout-minutes" not in job, "an apply is never stopped halfway"


def test_apply_finds_the_stores_a_push_touched_and_on_demand_every_store_or_the_one_named() -> None:
    (stores,) = igops_steps(APPLY, "stores")
    assert pushed_command(stores) == ["stores", "--format", "json"]
    assert pushed_command(stores, {"steps.since.outputs.option": "--changed-since abc"}) == [
        "stores",
        "--format",
        "json",
        "--changed-since",
        "abc",
    ]
    assert stores["with"]["command"].endswith(
        " ${{ inputs.store && format('--store {0}', inputs.store) || '' }}"
    )
    since = next(step for step in steps(APPLY, "stores") if step.get("id") == "since")
    assert since["if"] == "github.event_name == 'push'"
    assert since["env"] == {"BEFORE": "${{ github.event.before }}"}
    checkout = next(
        step for step in steps(APPLY, "stores") if step.get("uses", "").startswith("actions/checkout@")
    )
    assert checkout["with"]["fetch-depth"] == 0, "the commit before the push is in the history"
    reviewed = next(step for step in steps(APPLY, "stores") if step.get("id") == "reviewed")
    assert reviewed["if"] == "github.event_name == 'push' && steps.matrix.outputs.any == 'true'"
    download = next(step for step in steps(APPLY, "apply") if step.get("id") == "reviewed")
    assert 'gh run download "$RUN" --name "igops-plan${STORE:+-$STORE}"' in download["run"]
    assert download["env"]["STORE"] == "${{ matrix.store }}"


def test_schedule_runs_hourly_in_a_group_of_its_own_applying_only_what_is_due_never_forced() -> None:
    assert set(SCHEDULE["on"]) == {"schedule", "workflow_dispatch"}
    assert SCHEDULE["on"]["workflow_dispatch"] is None, "Run workflow takes no input: not even force"
    (schedule,) = SCHEDULE["on"]["schedule"]
    minute, *every = schedule["cron"].split()
    assert every == ["*", "*", "*", "*"] and minute.isdigit(), schedule
    # Not on the hour, when most scheduled workflows start and GitHub delays them most.
    assert 0 < int(minute) < 60
    assert SCHEDULE["permissions"] == {"contents": "read"}
    job = SCHEDULE["jobs"]["schedule"]
    # GitHub keeps one pending run per group: in the apply's, an hourly run would replace a reviewed apply.
    assert job["concurrency"] == {
        "group": "igops-schedule${{ matrix.store && format('-{0}', matrix.store) || '' }}",
        "cancel-in-progress": False,
    }
    assert job["concurrency"]["group"] != APPLY["jobs"]["apply"]["concurrency"]["group"]
    assert "environment" not in job, "required reviewers would hold every hourly run"
    assert "timeout-minutes" not in job
    (stores,) = igops_steps(SCHEDULE, "stores")
    assert stores["with"]["command"] == "stores --format json", "every store, every hour"
    (apply,) = igops_steps(SCHEDULE, "schedule")
    assert pushed_command(apply, store="us") == [
        "apply",
        "--due-only",
        "--auto-approve",
        "--refresh-cache",
        ".igops-cache/refresh.json",
        "--store",
        "us",
    ]
    assert "--force" not in apply["with"]["command"] and "inputs." not in apply["with"]["command"]
    assert success_codes(apply) == {0}
    assert apply["with"]["step-summary"] == "true"
    (refused,) = (step for step in steps(SCHEDULE, "schedule") if "run" in step)
    assert refused["if"] == "failure() && steps.apply.outcome == 'failure'"
    assert "GITHUB_STEP_SUMMARY" in refused["run"] and "force" in refused["run"]


def test_drift_runs_nightly_and_keeps_one_issue_open_per_store_while_there_is_drift() -> None:
    assert set(DRIFT["on"]) == {"schedule", "workflow_dispatch"}
    (schedule,) = DRIFT["on"]["schedule"]
    assert len(schedule["cron"].split()) == 5 and schedule["cron"].endswith("* * *")
    assert DRIFT["permissions"] == {"contents": "read", "issues": "write"}
    assert [pushed_command(step, store="us") for step in igops_steps(DRIFT)] == [
        ["stores", "--format", "json"],
        ["drift", "--format", "markdown", "--refresh-cache", ".igops-cache/refresh.json", "--store", "us"],
        ["drift", "--adopt", "--format", "markdown", "--store", "us"],
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
    titles = {store: job_env(DRIFT, "drift", store)["env.IGOPS_ISSUE_TITLE"] for store in ("", "us")}
    assert titles == {
        "": "igops drift: the account differs from the experience files",
        "us": "igops drift: the store us differs from its experience files",
    }


def test_drift_adopts_only_when_asked_in_a_job_of_its_own_that_alone_may_push() -> None:
    adopt = DRIFT["jobs"]["adopt"]
    assert DRIFT["on"]["workflow_dispatch"]["inputs"]["adopt"] == {
        "description": DRIFT["on"]["workflow_dispatch"]["inputs"]["adopt"]["description"],
        "type": "boolean",
        "default": False,
    }
    assert adopt["if"] == (
        "${{ !cancelled() && needs.stores.outputs.any == 'true' && (inputs.adopt || "
        "vars.IGOPS_ADOPT_DRIFT == 'true') }}"
    )
    assert adopt["needs"] == ["stores", "drift"]
    assert adopt["permissions"] == {"contents": "write", "pull-requests": "write"}
    assert "permissions" not in DRIFT["jobs"]["drift"], "the drift job keeps the workflow's read permissions"
    (step,) = igops_steps(DRIFT, "adopt")
    assert success_codes(step) == {0, 2}
    (proposes,) = (step for step in steps(DRIFT, "adopt") if "run" in step)
    assert (
        'branch="igops/adopt-drift${STORE:+-$STORE}"' in proposes["run"] and "gh pr create" in proposes["run"]
    )
    assert "git diff --quiet" in proposes["run"], "a store without drift proposes nothing"
    assert proposes["env"]["GH_TOKEN"] == "${{ secrets.IGOPS_PR_TOKEN || github.token }}"


def test_monitor_runs_daily_and_keeps_one_issue_open_per_store_while_a_rule_fires() -> None:
    assert set(MONITOR["on"]) == {"schedule", "workflow_dispatch"}
    (schedule,) = MONITOR["on"]["schedule"]
    assert len(schedule["cron"].split()) == 5 and schedule["cron"].endswith("* * *")
    assert MONITOR["permissions"] == {"contents": "read", "issues": "write"}
    assert MONITOR["jobs"]["monitor"]["concurrency"] == {
        "group": "igops-monitor${{ matrix.store && format('-{0}', matrix.store) || '' }}",
        "cancel-in-progress": False,
    }
    assert [pushed_command(step) for step in igops_steps(MONITOR)] == [
        ["stores", "--format", "json"],
        ["monitor", "--format", "markdown"],
    ]
    (monitor,) = igops_steps(MONITOR, "monitor")
    assert pushed_command(monitor, store="us") == ["monitor", "--format", "markdown", "--store", "us"]
    assert success_codes(monitor) == {0, 2}
    assert monitor["with"]["report-format"] == "markdown" and monitor["with"]["step-summary"] == "true"
    fired, quiet = (step for step in steps(MONITOR, "monitor") if "run" in step)
    assert fired["if"] == "steps.monitor.outputs.exit-code == '2'"
    assert "gh issue create --label igops-monitor" in fired["run"] and "gh issue edit" in fired["run"]
    assert fired["env"]["REPORT"] == "${{ steps.monitor.outputs.report-file }}"
    assert quiet["if"] == "steps.monitor.outputs.exit-code == '0'"
    assert "gh issue close" in quiet["run"] and "--comment" in quiet["run"]
    for step in (fired, quiet):
        assert step["env"]["GH_TOKEN"] == "${{ github.token }}"
    assert job_env(MONITOR, "monitor", "us")["env.IGOPS_ISSUE_TITLE"] == (
        "igops monitor: a running experience of the store us needs a look"
    )


PER_STORE = {"apply": APPLY, "schedule": SCHEDULE, "drift": DRIFT, "monitor": MONITOR}


@pytest.mark.parametrize("name", sorted(PER_STORE))
def test_a_job_per_store_from_the_first_jobs_matrix_each_in_its_own_group_none_stopping_the_others(
    name: str,
) -> None:
    workflow = PER_STORE[name]
    first = workflow["jobs"]["stores"]
    assert first["outputs"] == {
        "matrix": "${{ steps.matrix.outputs.matrix }}",
        "any": "${{ steps.matrix.outputs.any }}",
        **(
            {"pull": "${{ steps.reviewed.outputs.pull }}", "run": "${{ steps.reviewed.outputs.run }}"}
            if workflow is APPLY
            else {}
        ),
    }
    (matrix,) = [step for step in first["steps"] if step.get("id") == "matrix"]
    assert matrix == next(step for step in SCHEDULE["jobs"]["stores"]["steps"] if step.get("id") == "matrix")
    assert matrix["env"] == {"STORES": "${{ steps.stores.outputs.stdout-file }}"}
    assert "jq '.include | length > 0'" in matrix["run"]
    for job_id, job in workflow["jobs"].items():
        if job_id == "stores":
            continue
        assert "stores" in ([job["needs"]] if isinstance(job["needs"], str) else job["needs"])
        assert "needs.stores.outputs.any == 'true'" in job["if"], "GitHub refuses a matrix of no entry"
        assert job["strategy"] == {
            "fail-fast": False,
            "matrix": "${{ fromJSON(needs.stores.outputs.matrix) }}",
        }
        assert (
            job["name"] == f"${{{{ matrix.store && format('{job_id} {{0}}', matrix.store) || '{job_id}' }}}}"
        )
        if job_id != "adopt":
            group = job["concurrency"]["group"]
            assert evaluated(group, store="us") == f"igops-{name}-us" and evaluated(group) == f"igops-{name}"
            assert job["concurrency"]["cancel-in-progress"] is False


STORE_TOKEN = "${{ secrets[matrix.token_env] }}"


@pytest.mark.parametrize("name", sorted(store_workflows()))
def test_the_api_token_reaches_only_the_igops_steps_that_call_the_api(name: str) -> None:
    """A job per store gives its store's secret (the one its token_env names) as IGOPS_TOKEN, and the name
    as token-env, which the action exports it as; listing the stores, validating and combining the stores'
    plan documents need no token."""
    workflow = store_workflows()[name]
    assert "env" not in workflow
    for job in workflow["jobs"].values():
        assert not {"INTELLIGEMS_API_TOKEN", "IGOPS_TOKEN"} & set(job.get("env", {}))
    for step in steps(workflow):
        calls_api = step in igops_steps(workflow) and step["with"]["command"].split()[0] not in (
            "validate",
            "stores",
            "combine-plans",
        )
        env = step.get("env", {})
        given = (
            env.get("IGOPS_TOKEN") == STORE_TOKEN
            and step["with"].get("token-env") == "${{ matrix.token_env }}"
        )
        assert (env.get("INTELLIGEMS_API_TOKEN") == TOKEN_SECRET or given) == calls_api, step


@pytest.mark.parametrize("name", sorted(every_file()))
def test_no_file_passes_the_whole_secrets_context_and_the_jobs_per_store_read_their_own_secret(
    name: str,
) -> None:
    text = every_file()[name]
    assert not re.search(r"toJSON\(\s*secrets\s*\)", text, re.IGNORECASE), name
    if name.endswith("action.yml"):
        return
    assert "secrets[" not in text.replace(STORE_TOKEN, ""), "a secret named by an expression is the store's"
    if name.startswith("store's"):
        assert (STORE_TOKEN in text) == ("matrix:" in text), "each job per store reads its store's secret"


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
        "actions/download-artifact",
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
