"""A stand-in for the GitHub CLI (`gh`) in runs under act (tests/support/act.py puts bin/gh on the runner's
PATH, as the GitHub runner images have gh): the labels and issues of the test's repositories live in
$ACT_STATE/issues.json, the pull requests in $ACT_STATE/pulls.json (merged ones written by the harness,
open ones by `gh pr create`), the finished workflow runs (with where their artifacts are) in
$ACT_STATE/runs.json, written by the harness, and the repository's settings in $ACT_STATE/settings.json
(whether GitHub Actions may create pull requests: off unless the test allows it); every call is
appended to $ACT_RECORDS/gh.jsonl. `--jq` is run by the machine's jq (`jq -r -c`, as gh prints: strings
raw, other values as compact JSON), as GitHub's runner images have it.

It knows the few commands the igops workflows run, with the options they use; anything else is refused
loudly (exit 2), so that a workflow that starts using more of gh fails here until this stub learns it.
Run by the test's own Python; the standard library only.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, NoReturn

from standin import BODY_LIMIT, can_write, load, locked, save, token_scopes

ISSUE_FIELDS = ("number", "title", "body", "state", "labels", "url", "comments")
PULL_FIELDS = ("number", "title", "body", "state", "headRefName", "url")
RUN_FIELDS = ("databaseId", "workflowName", "event", "headSha", "headBranch", "status", "conclusion", "url")
_COMMIT_PULLS = re.compile(r"/?repos/(?P<repo>[\w.-]+/[\w.-]+)/commits/(?P<sha>[0-9a-f]{7,40})/pulls")


class Refused(Exception):
    """gh fails: the message goes to standard error, the code is gh's exit code."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise Refused(f"gh stub: {message} (tests/standins/gh_stub.py knows only what the workflows use)", 2)


def parser() -> Parser:
    gh = Parser(prog="gh", add_help=False)
    gh.add_argument("-R", "--repo")
    groups = gh.add_subparsers(dest="group", required=True, parser_class=Parser)
    label = groups.add_parser("label", add_help=False).add_subparsers(
        dest="command", required=True, parser_class=Parser
    )
    create_label = label.add_parser("create", add_help=False)
    create_label.add_argument("name")
    create_label.add_argument("-f", "--force", action="store_true")
    create_label.add_argument("-c", "--color", default="")
    create_label.add_argument("-d", "--description", default="")
    create_label.add_argument("-R", "--repo")

    issue = groups.add_parser("issue", add_help=False).add_subparsers(
        dest="command", required=True, parser_class=Parser
    )
    listing = issue.add_parser("list", add_help=False)
    listing.add_argument("-l", "--label", action="append", default=[])
    listing.add_argument("-s", "--state", choices=("open", "closed", "all"), default="open")
    listing.add_argument("-L", "--limit", type=int, default=30)
    listing.add_argument("--json", dest="fields", default="")
    listing.add_argument("-q", "--jq", default="")
    listing.add_argument("-R", "--repo")
    create = issue.add_parser("create", add_help=False)
    create.add_argument("-t", "--title", required=True)
    create.add_argument("-l", "--label", action="append", default=[])
    body = create.add_mutually_exclusive_group(required=True)
    body.add_argument("-b", "--body")
    body.add_argument("-F", "--body-file")
    create.add_argument("-R", "--repo")
    edit = issue.add_parser("edit", add_help=False)
    edit.add_argument("number", type=int)
    edit.add_argument("-t", "--title")
    edited_body = edit.add_mutually_exclusive_group()
    edited_body.add_argument("-b", "--body")
    edited_body.add_argument("-F", "--body-file")
    edit.add_argument("--add-label", action="append", default=[])
    edit.add_argument("-R", "--repo")
    close = issue.add_parser("close", add_help=False)
    close.add_argument("number", type=int)
    close.add_argument("-c", "--comment")
    close.add_argument("-r", "--reason", choices=("completed", "not planned"))
    close.add_argument("-R", "--repo")
    comment = issue.add_parser("comment", add_help=False)
    comment.add_argument("number", type=int)
    commented_body = comment.add_mutually_exclusive_group(required=True)
    commented_body.add_argument("-b", "--body")
    commented_body.add_argument("-F", "--body-file")
    comment.add_argument("-R", "--repo")

    pr = groups.add_parser("pr", add_help=False).add_subparsers(
        dest="command", required=True, parser_class=Parser
    )
    pulls = pr.add_parser("list", add_help=False)
    pulls.add_argument("-H", "--head", default="")
    pulls.add_argument("-s", "--state", choices=("open", "closed", "merged", "all"), default="open")
    pulls.add_argument("-L", "--limit", type=int, default=30)
    pulls.add_argument("--json", dest="fields", default="")
    pulls.add_argument("-q", "--jq", default="")
    pulls.add_argument("-R", "--repo")
    opened = pr.add_parser("create", add_help=False)
    opened.add_argument("-B", "--base", required=True)
    opened.add_argument("-H", "--head", required=True)
    opened.add_argument("-t", "--title", required=True)
    opened.add_argument("-F", "--body-file", required=True)
    opened.add_argument("-R", "--repo")
    edited = pr.add_parser("edit", add_help=False)
    edited.add_argument("number", type=int)
    edited.add_argument("-t", "--title")
    edited.add_argument("-F", "--body-file")
    edited.add_argument("-R", "--repo")

    api = groups.add_parser("api", add_help=False)
    api.add_argument("endpoint")
    api.add_argument("-X", "--method", default="GET", choices=("GET",))
    api.add_argument("-q", "--jq", default="")
    api.add_argument("--paginate", action="store_true")
    api.set_defaults(command="")

    workflow_run = groups.add_parser("run", add_help=False).add_subparsers(
        dest="command", required=True, parser_class=Parser
    )
    runs = workflow_run.add_parser("list", add_help=False)
    runs.add_argument("-w", "--workflow", default="")
    runs.add_argument("-e", "--event", default="")
    runs.add_argument("-c", "--commit", default="")
    runs.add_argument("-b", "--branch", default="")
    runs.add_argument("-L", "--limit", type=int, default=20)
    runs.add_argument("--json", dest="fields", default="")
    runs.add_argument("-q", "--jq", default="")
    runs.add_argument("-R", "--repo")
    download = workflow_run.add_parser("download", add_help=False)
    download.add_argument("run_id")
    download.add_argument("-n", "--name", action="append", default=[])
    download.add_argument("-D", "--dir", default=".")
    download.add_argument("-R", "--repo")
    return gh


def repository(options: argparse.Namespace) -> str:
    """-R, else GH_REPO, else the github.com remote of the git repository here, as gh does."""
    named = options.repo or os.environ.get("GH_REPO", "")
    if not named:
        remote = subprocess.run(
            ["git", "remote", "get-url", "origin"], capture_output=True, text=True, check=False
        ).stdout.strip()
        found = re.search(r"github\.com[/:]([^/]+/[^/]+?)(?:\.git)?$", remote)
        if not found:
            raise Refused("failed to determine base repo: no git remotes found (set GH_REPO or use -R)")
        named = found.group(1)
    if not re.fullmatch(r"[\w.-]+/[\w.-]+", named):
        raise Refused(f'expected the "[HOST/]OWNER/REPO" format, got "{named}"')
    return named


def read_body(options: argparse.Namespace) -> str | None:
    if getattr(options, "body_file", None):
        text = sys.stdin.read() if options.body_file == "-" else _read(options.body_file)
    else:
        text = getattr(options, "body", None)
    if text is not None and len(text) > BODY_LIMIT:
        raise Refused(f"HTTP 422: Validation Failed: body is too long (maximum is {BODY_LIMIT} characters)")
    return text


def _read(name: str) -> str:
    try:
        return Path(name).read_text(encoding="utf-8")
    except OSError as error:
        raise Refused(f"open {name}: {error.strerror}") from None


def need_write(token: str) -> None:
    if not can_write(token, "issues"):
        raise Refused("HTTP 403: Resource not accessible by integration (the token may not write issues)")


def url(repo: str, number: int) -> str:
    return f"{os.environ.get('GITHUB_SERVER_URL', 'https://github.com')}/{repo}/issues/{number}"


def jq(expression: str, value: Any) -> str:
    """What `gh ... --jq EXPRESSION` prints for `value`."""
    binary = shutil.which("jq")
    if binary is None:
        raise Refused("gh stub: --jq needs jq, which GitHub's runner images have (apt install jq)", 2)
    result = subprocess.run(
        [binary, "-r", "-c", expression], input=json.dumps(value), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise Refused(f"failed to parse jq expression: {result.stderr.strip()}")
    return result.stdout


def need_read(token: str, scope: str) -> None:
    permissions = token_scopes(token)
    if permissions is not None and permissions.get(scope) not in ("read", "write"):
        raise Refused(f"HTTP 403: Resource not accessible by integration (the token may not read {scope})")


def printed(rows: Any, options: argparse.Namespace) -> str:
    return jq(options.jq, rows) if options.jq else json.dumps(rows) + "\n"


def pull_requests(options: argparse.Namespace, token: str) -> str:
    """gh pr list, create and edit, on the pull requests in pulls.json."""
    repo = repository(options)
    pulls: list[dict[str, Any]] = load("pulls.json", [])
    server = os.environ.get("GITHUB_SERVER_URL", "https://github.com")
    if options.command == "list":
        need_read(token, "pull-requests")
        unknown = set(options.fields.split(",")) - set(PULL_FIELDS)
        if not options.fields or unknown:
            raise Refused(f"gh stub: pr list --json {options.fields!r} (known: {', '.join(PULL_FIELDS)})", 2)
        rows = [
            {"headRefName": pull["head"]["ref"], "url": f"{server}/{repo}/pull/{pull['number']}", **pull}
            for pull in reversed(pulls)
            if pull["repository"] == repo
            and options.head in ("", pull["head"]["ref"])
            and options.state in ("all", pull["state"] if not pull.get("merged_at") else "merged")
        ][: options.limit]
        return printed([{field: row[field] for field in options.fields.split(",")} for row in rows], options)
    if not can_write(token, "pull-requests"):
        raise Refused(
            "HTTP 403: Resource not accessible by integration (the token may not write pull requests)"
        )
    body = read_body(options)
    if options.command == "edit":
        mine = [pull for pull in pulls if pull["repository"] == repo]
        pull = next((pull for pull in mine if pull["number"] == options.number), None)
        if pull is None:
            raise Refused(f"GraphQL: Could not resolve to a PullRequest with the number of {options.number}.")
        pull.update({"body": body} if body is not None else {})
        pull.update({"title": options.title} if options.title is not None else {})
        pull["edits"] += 1
    else:
        settings = load("settings.json", {})
        if token_scopes(token) is not None and not settings.get("actions_can_create_pull_requests"):
            raise Refused(
                "pull request create failed: GraphQL: GitHub Actions is not permitted to create or "
                "approve pull requests (createPullRequest)"
            )
        head = subprocess.run(
            ["git", "rev-parse", "--verify", "--quiet", f"refs/heads/{options.head}"],
            cwd=os.environ["ACT_SOURCE_REPO"],
            capture_output=True,
            text=True,
            check=False,
        )
        if head.returncode != 0:
            raise Refused(
                f"pull request create failed: GraphQL: Head sha can't be blank, No commits between "
                f"{options.base} and {options.head} (createPullRequest)"
            )
        issues = load("issues.json", {"issues": []})["issues"]
        number = max([item["number"] for item in [*pulls, *issues]] + [0]) + 1
        pull = {
            "repository": repo,
            "commits": [head.stdout.strip()],
            "number": number,
            "state": "open",
            "merged_at": None,
            "merge_commit_sha": None,
            "title": options.title,
            "body": body,
            "edits": 0,
            "by_run_token": token_scopes(token) is not None,
            "head": {"sha": head.stdout.strip(), "ref": options.head, "repo": {"full_name": repo}},
            "base": {"ref": options.base, "repo": {"full_name": repo}},
        }
        pulls.append(pull)
    save("pulls.json", pulls)
    return f"{server}/{repo}/pull/{pull['number']}\n"


def commit_pulls(options: argparse.Namespace, token: str) -> str:
    """GET repos/OWNER/REPO/commits/SHA/pulls: the pull requests a commit belongs to (merged by it, or
    holding it)."""
    found = _COMMIT_PULLS.fullmatch(options.endpoint)
    if not found:
        raise Refused(f"gh stub: api {options.endpoint} is not an endpoint the stub knows", 2)
    need_read(token, "pull-requests")
    pulls = [
        {key: value for key, value in pull.items() if key not in ("repository", "commits")}
        for pull in load("pulls.json", [])
        if pull["repository"] == found["repo"]
        and any(sha.startswith(found["sha"]) for sha in [pull["merge_commit_sha"] or "", *pull["commits"]])
    ]
    return printed(pulls, options)


def workflow_runs(options: argparse.Namespace, token: str) -> str:
    repo = repository(options)
    need_read(token, "actions")
    server = os.environ.get("GITHUB_SERVER_URL", "https://github.com")
    runs = [
        {**run, "url": f"{server}/{repo}/actions/runs/{run['databaseId']}"}
        for run in reversed(load("runs.json", []))
        if run["repository"] == repo
    ]
    if options.command == "download":
        return download_artifacts(options, runs)
    found = [
        run
        for run in runs
        if options.workflow in ("", run["workflowName"], run["workflow"])
        and options.event in ("", run["event"])
        and options.branch in ("", run["headBranch"])
        and run["headSha"].startswith(options.commit)
    ][: options.limit]
    if not options.fields:
        raise Refused("gh stub: run list without --json (the workflows read JSON)", 2)
    unknown = set(options.fields.split(",")) - set(RUN_FIELDS)
    if unknown:
        raise Refused(f"Unknown JSON field: {', '.join(sorted(unknown))}")
    return printed([{field: run[field] for field in options.fields.split(",")} for run in found], options)


def download_artifacts(options: argparse.Namespace, runs: list[dict[str, Any]]) -> str:
    run = next((run for run in runs if str(run["databaseId"]) == options.run_id), None)
    if run is None:
        raise Refused(f"HTTP 404: Not Found (runs/{options.run_id})")
    names = options.name or sorted(path.name for path in Path(run["artifacts"]).glob("*"))
    artifacts = [Path(run["artifacts"]) / name for name in names]
    if not artifacts or not all(artifact.is_dir() for artifact in artifacts):
        raise Refused("no valid artifacts found to download")
    for artifact in artifacts:
        # One --name: its files go straight into --dir; several: each into a directory of its name.
        target = Path(options.dir) if len(artifacts) == 1 else Path(options.dir) / artifact.name
        shutil.copytree(artifact, target, dirs_exist_ok=True)
    return ""


def run(options: argparse.Namespace, token: str) -> str:
    if options.group == "api":
        return commit_pulls(options, token)
    if options.group == "run":
        return workflow_runs(options, token)
    if options.group == "pr":
        return pull_requests(options, token)
    repo = repository(options)
    database = load("issues.json", {"labels": {}, "issues": []})
    labels: dict[str, dict[str, str]] = database["labels"].setdefault(repo, {})
    issues = [issue for issue in database["issues"] if issue["repository"] == repo]
    command = (options.group, options.command)
    if command == ("label", "create"):
        need_write(token)
        if options.name in labels and not options.force:
            raise Refused(
                f'label with name "{options.name}" already exists; use `--force` to update its '
                "color and description"
            )
        labels[options.name] = {"color": options.color, "description": options.description}
        out = f'✓ Label "{options.name}" created in {repo}\n'
    elif command == ("issue", "list"):
        chosen = [
            issue
            for issue in reversed(issues)
            if (options.state == "all" or issue["state"] == options.state)
            and all(label in issue["labels"] for label in options.label)
        ][: options.limit]
        if options.fields:
            unknown = set(options.fields.split(",")) - set(ISSUE_FIELDS)
            if unknown:
                raise Refused(f"Unknown JSON field: {', '.join(sorted(unknown))}")
            rows = [
                {
                    field: issue[field] if field != "url" else url(repo, issue["number"])
                    for field in options.fields.split(",")
                }
                for issue in chosen
            ]
            out = printed(rows, options)
        elif options.jq:
            raise Refused("cannot use `--jq` without specifying `--json`")
        else:
            out = "".join(
                f"{issue['number']}\t{issue['state'].upper()}\t{issue['title']}\t"
                f"{', '.join(issue['labels'])}\n"
                for issue in chosen
            )
    elif command == ("issue", "create"):
        need_write(token)
        missing = [label for label in options.label if label not in labels]
        if missing:
            raise Refused(f"could not add label: '{missing[0]}' not found")
        number = max([issue["number"] for issue in database["issues"]] + [database.get("first", 1) - 1]) + 1
        database["issues"].append(
            {
                "repository": repo,
                "number": number,
                "title": options.title,
                "body": read_body(options),
                "labels": options.label,
                "state": "open",
                "comments": [],
                "edits": 0,
                "run": os.environ.get("GITHUB_RUN_ID", ""),
            }
        )
        out = url(repo, number) + "\n"
    else:
        need_write(token)
        issue = next((issue for issue in issues if issue["number"] == options.number), None)
        if issue is None:
            raise Refused(
                f"GraphQL: Could not resolve to an issue or pull request with the number of "
                f"{options.number}. (repository.issue)"
            )
        if command == ("issue", "edit"):
            body = read_body(options)
            if body is None and options.title is None and not options.add_label:
                raise Refused("gh stub: issue edit with nothing to change", 2)
            issue.update({"body": body} if body is not None else {})
            issue.update({"title": options.title} if options.title is not None else {})
            issue["labels"] += [label for label in options.add_label if label not in issue["labels"]]
            issue["edits"] += 1
            out = url(repo, issue["number"]) + "\n"
        elif command == ("issue", "comment"):
            issue["comments"].append(read_body(options))
            out = url(repo, issue["number"]) + f"#issuecomment-{len(issue['comments'])}\n"
        else:
            if issue["state"] == "closed":
                return f"! Issue {repo}#{issue['number']} ({issue['title']}) is already closed\n"
            if options.comment:
                issue["comments"].append(options.comment)
            issue["state"] = "closed"
            issue["state_reason"] = options.reason or "completed"
            out = f"✓ Closed issue {repo}#{issue['number']} ({issue['title']})\n"
    save("issues.json", database)
    return out


def main(arguments: list[str]) -> int:
    token = os.environ.get("GH_TOKEN") or os.environ.get("GITHUB_TOKEN") or ""
    with open(Path(os.environ["ACT_RECORDS"]) / "gh.jsonl", "a", encoding="utf-8") as calls:
        calls.write(
            json.dumps(
                {
                    "argv": arguments,
                    "job": os.environ.get("GITHUB_JOB", ""),
                    "GH_REPO": os.environ.get("GH_REPO", ""),
                    "run_token": bool(token) and token_scopes(token) is not None,
                }
            )
            + "\n"
        )
    try:
        if not token:
            raise Refused(
                "gh: To use GitHub CLI in a GitHub Actions workflow, set the GH_TOKEN environment "
                "variable. Example:\n  env:\n    GH_TOKEN: ${{ github.token }}",
                4,
            )
        options = parser().parse_args(arguments)
        with locked():
            sys.stdout.write(run(options, token))
    except Refused as refused:
        print(refused, file=sys.stderr)
        return refused.code
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
