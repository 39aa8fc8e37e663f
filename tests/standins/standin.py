"""Stand-ins for the third-party actions the igops workflows use, for runs under act (tests/support/act.py).

Each action directory beside this file (OWNER/REPO[/PATH]/action.yml) is a composite action that runs
`"$ACT_PYTHON" "$ACT_STANDINS/standin.py" NAME` with its inputs as JSON in STANDIN_INPUTS. A stand-in does
on this machine what the real action does on GitHub, as far as the tests need, refuses loudly what it does
not implement, and appends what it was asked (and what it did) to $ACT_RECORDS/calls.jsonl. What outlives
one run, as it does on GitHub (the cache, pull request comments), is kept under $ACT_STATE.

Run by the test's own Python inside the runner; the standard library only.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import fnmatch
import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn

# GitHub refuses a comment, issue or pull request body longer than this (characters).
BODY_LIMIT = 65536
INERT = {"", "false"}


# --- common -----------------------------------------------------------------------------------------


def fail(message: str) -> NoReturn:
    print(f"::error::{message}", flush=True)
    sys.exit(1)


def warn(message: str) -> None:
    print(f"::warning::{message}", flush=True)


def given_inputs() -> dict[str, str]:
    raw = json.loads(os.environ.get("STANDIN_INPUTS") or "{}")
    # act hands composite actions their inputs with lower-case names (GitHub's are case-insensitive).
    return {name.lower(): "" if value is None else str(value) for name, value in raw.items()}


def flag(value: str) -> bool:
    if value.strip().lower() not in ("true", "false", ""):
        fail(f"{value!r} is not a boolean (true or false)")
    return value.strip().lower() == "true"


def lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


def workspace() -> Path:
    return Path(os.environ["GITHUB_WORKSPACE"])


def state() -> Path:
    return Path(os.environ["ACT_STATE"])


def event() -> dict[str, Any]:
    path = os.environ.get("GITHUB_EVENT_PATH")
    return json.loads(Path(path).read_text(encoding="utf-8")) if path else {}


def set_outputs(**values: str) -> None:
    with open(os.environ["GITHUB_OUTPUT"], "a", encoding="utf-8") as output:
        for name, value in values.items():
            output.write(f"{name.replace('_', '-')}<<STANDIN_EOF\n{value}\nSTANDIN_EOF\n")


def record(action: str, inputs: dict[str, str], **outcome: Any) -> None:
    entry = {"action": action, "job": os.environ.get("GITHUB_JOB", ""), "inputs": inputs, **outcome}
    with locked(), open(Path(os.environ["ACT_RECORDS"]) / "calls.jsonl", "a", encoding="utf-8") as calls:
        calls.write(json.dumps(entry) + "\n")


@contextlib.contextmanager
def locked() -> Iterator[None]:
    """One stand-in at a time touches the shared state (act runs a workflow's jobs in parallel)."""
    with open(state() / ".lock", "a", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def load(name: str, default: Any) -> Any:
    path = state() / name
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else default


def save(name: str, value: Any) -> None:
    path = state() / name
    path.write_text(json.dumps(value, indent=1), encoding="utf-8")


def token_scopes(token: str) -> dict[str, str] | None:
    """What GitHub lets this token do, by scope (tokens the harness made for a run); None for any other
    token (a secret: a personal token, treated as allowed everything)."""
    known = load("tokens.json", {})
    if token not in known:
        return None
    jobs: dict[str, dict[str, str]] = known[token]["jobs"]
    # act gives every job the run's one token; GitHub gives each job its own, with that job's permissions.
    return jobs.get(os.environ.get("GITHUB_JOB", ""), {})


def can_write(token: str, *scopes: str) -> bool:
    permissions = token_scopes(token)
    return permissions is None or any(permissions.get(scope) == "write" for scope in scopes)


def inside(base: Path, relative: str, what: str) -> Path:
    target = (base / relative).resolve()
    if target != base.resolve() and base.resolve() not in target.parents:
        fail(f"{what} {relative!r} is outside the workspace")
    return target


def unsupported(inputs: dict[str, str], names: dict[str, str], action: str) -> None:
    for name, inert in names.items():
        value = inputs.get(name.lower(), "")
        if value not in INERT | {inert}:
            fail(f"the {action} stand-in does not implement {name}: {value!r} (tests/standins/standin.py)")


def git(*arguments: str, cwd: Path | None = None) -> str:
    result = subprocess.run(["git", *arguments], cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        fail(f"git {' '.join(arguments)}: {result.stderr.strip()}")
    return result.stdout.strip()


# --- actions/checkout -------------------------------------------------------------------------------


def checkout() -> None:
    """Fetch a commit of the repository the run is for into the workspace (act, told not to skip
    checkout, leaves the workspace empty, as GitHub does): from the test's repository on this machine,
    which the runner's git reaches as https://github.com/OWNER/REPO (tests/support/act.py rewrites that
    URL)."""
    inputs = given_inputs()
    unsupported(
        inputs,
        {
            "ssh-key": "",
            "ssh-known-hosts": "",
            "sparse-checkout": "",
            "filter": "",
            "reference": "",
            "submodules": "false",
            "lfs": "false",
            "github-server-url": "",
        },
        "actions/checkout",
    )
    repository = os.environ["GITHUB_REPOSITORY"]
    if inputs.get("repository", repository).lower() not in ("", repository.lower()):
        fail(f"the actions/checkout stand-in checks out only {repository}, not {inputs['repository']!r}")
    depth_text = inputs.get("fetch-depth", "1") or "1"
    if not depth_text.isdigit():
        fail(f"fetch-depth {depth_text!r} is not a whole number")
    depth = int(depth_text)
    persist = flag(inputs.get("persist-credentials", "true") or "true")
    target = inside(workspace(), inputs.get("path", ""), "path")
    source = Path(os.environ["ACT_SOURCE_REPO"])
    wanted_ref = inputs.get("ref", "")
    if wanted_ref:
        commit = ""
        # As actions/checkout: a full ref as it is, else a branch, else a tag, else a commit.
        candidates = (
            [wanted_ref]
            if wanted_ref.startswith("refs/")
            else [f"refs/heads/{wanted_ref}", f"refs/tags/{wanted_ref}", wanted_ref]
        )
        for candidate in candidates:
            found = subprocess.run(
                ["git", "rev-parse", "--verify", "--quiet", f"{candidate}^{{commit}}"],
                cwd=source,
                capture_output=True,
                text=True,
                check=False,
            )
            if found.returncode == 0:
                commit = found.stdout.strip()
                ref = candidate if candidate.startswith("refs/") else ""
                break
        else:
            fail(f"A branch or tag with the name '{wanted_ref}' could not be found")
    else:
        commit, ref = os.environ["GITHUB_SHA"], os.environ.get("GITHUB_REF", "")
    target.mkdir(parents=True, exist_ok=True)
    git("init", "--quiet", str(target))
    url = f"{os.environ.get('GITHUB_SERVER_URL', 'https://github.com')}/{repository}"
    git("remote", "add", "origin", url, cwd=target)
    branch = ref.removeprefix("refs/heads/") if ref.startswith("refs/heads/") else ""
    destination = f"+{commit}:refs/remotes/origin/{branch}" if branch else commit
    fetch = ["fetch", "--quiet", "--no-tags", "--prune", "--no-recurse-submodules"]
    if depth == 0:
        git(*fetch, "origin", "+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*", cwd=target)
        git(*fetch, "origin", destination, cwd=target)
    else:
        git(*fetch, f"--depth={depth}", "origin", destination, cwd=target)
    if branch:
        git("checkout", "--quiet", "--force", "-B", branch, f"refs/remotes/origin/{branch}", cwd=target)
    else:
        git("checkout", "--quiet", "--force", "--detach", commit, cwd=target)
    token = inputs.get("token", "")
    if persist:
        basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
        git(
            "config",
            "--local",
            f"http.{url.rsplit('/', 2)[0]}/.extraheader",
            f"AUTHORIZATION: basic {basic}",
            cwd=target,
        )
    set_outputs(ref=ref, commit=commit)
    record(
        "actions/checkout",
        {k: v for k, v in inputs.items() if k not in ("token", "ssh-key")},
        commit=commit,
        ref=ref,
        path=os.path.relpath(target, workspace().resolve()),
        persisted_token=persist and bool(token),
    )


# --- actions/setup-python -------------------------------------------------------------------------


_DEFAULT_DEPENDENCY_FILES = {
    "pip": "**/requirements.txt",
    "pipenv": "**/Pipfile.lock",
    "poetry": "**/poetry.lock",
}


def _version_matches(spec: str, version: str) -> bool:
    spec = spec.strip().removesuffix(".x")
    return version == spec or version.startswith(spec + ".")


# Set (to 1) by a test whose workflow runs igops's own root action (`uses: ./` in this repository): that
# action installs igops from its checkout with pip unless IGOPS_INSTALLED_FROM names the checkout already.
INSTALLED_FROM_CHECKOUT = "ACT_IGOPS_INSTALLED_FROM_CHECKOUT"


def setup_python() -> None:
    """No Python is installed: the test's own (ACT_PYTHON, the one with igops) goes first on PATH.

    With ACT_IGOPS_INSTALLED_FROM_CHECKOUT=1 in the runner's environment, also IGOPS_INSTALLED_FROM=
    $GITHUB_WORKSPACE/ goes to $GITHUB_ENV: "this checkout is installed already" (the test's environment
    has this very checkout installed, editable), so that the root action's pip install step, guarded by
    `if: env.IGOPS_INSTALLED_FROM != github.action_path`, is skipped (pip cannot install offline, and must
    never touch the test's environment) and the test's igops runs. The value is the root action's
    github.action_path as act gives it for `uses: ./`: the workspace with a trailing slash."""
    inputs = given_inputs()
    unsupported(
        inputs,
        {
            "architecture": "x64",
            "freethreaded": "false",
            "pip-version": "",
            "pip-install": "",
            "allow-prereleases": "false",
            "check-latest": "false",
        },
        "actions/setup-python",
    )
    version = ".".join(str(part) for part in sys.version_info[:3])
    requested = inputs.get("python-version", "").strip()
    version_file = inputs.get("python-version-file", "").strip()
    if not requested and version_file:
        path = inside(workspace(), version_file, "python-version-file")
        if not path.is_file():
            fail(f"The specified python version file at: {path} doesn't exist.")
        requested = path.read_text(encoding="utf-8").split()[0]
    if requested and not any(_version_matches(spec, version) for spec in lines(requested)):
        warn(
            f"setup-python stand-in: the workflow asks for Python {requested}; the test's Python is {version}"
        )
    cache = inputs.get("cache", "").strip()
    dependency_files: list[str] = []
    if cache:
        if cache not in _DEFAULT_DEPENDENCY_FILES:
            fail(f"Caching for '{cache}' is not supported")
        patterns = lines(inputs.get("cache-dependency-path", "")) or [_DEFAULT_DEPENDENCY_FILES[cache]]
        for pattern in patterns:
            dependency_files += sorted(glob.glob(pattern, root_dir=workspace(), recursive=True))
        dependency_files = [name for name in dependency_files if (workspace() / name).is_file()]
        if not dependency_files:
            fail(
                f"No file in {workspace()} matched to [{','.join(patterns)}], make sure you have checked out "
                "the target repository"
            )
    python = Path(os.environ["ACT_PYTHON"])
    if flag(inputs.get("update-environment", "true") or "true"):
        with open(os.environ["GITHUB_PATH"], "a", encoding="utf-8") as path_file:
            path_file.write(f"{python.parent}\n")
        with open(os.environ["GITHUB_ENV"], "a", encoding="utf-8") as env_file:
            env_file.write(f"pythonLocation={python.parent.parent}\n")
    installed_from = ""
    if os.environ.get(INSTALLED_FROM_CHECKOUT, "") == "1":
        installed_from = os.path.join(os.environ["GITHUB_WORKSPACE"], "")
        with open(os.environ["GITHUB_ENV"], "a", encoding="utf-8") as env_file:
            env_file.write(f"IGOPS_INSTALLED_FROM={installed_from}\n")
    set_outputs(python_version=version, python_path=str(python), cache_hit="false")
    record(
        "actions/setup-python",
        _public(inputs),
        python_version=version,
        dependency_files=dependency_files,
        installed_from=installed_from,
    )


# --- actions/cache/restore, actions/cache/save --------------------------------------------------------


def _cache_version(paths: list[str]) -> str:
    return hashlib.sha256("|".join([*paths, "zstd-without-long"]).encode()).hexdigest()


def _cache_scopes() -> list[str]:
    """The refs whose caches a run may restore, its own first: GitHub's branch scoping."""
    scopes = [os.environ.get("GITHUB_REF", "")]
    base = os.environ.get("GITHUB_BASE_REF", "")
    if base:
        scopes.append(f"refs/heads/{base}")
    scopes.append(f"refs/heads/{os.environ.get('ACT_DEFAULT_BRANCH', 'main')}")
    return list(dict.fromkeys(scope for scope in scopes if scope))


def _cached_paths(patterns: list[str]) -> list[Path]:
    found: list[Path] = []
    for pattern in patterns:
        if pattern.startswith(("/", "~")):
            fail(f"the actions/cache stand-in caches paths in the workspace only, not {pattern!r}")
        found += [
            workspace() / name for name in sorted(glob.glob(pattern, root_dir=workspace(), recursive=True))
        ]
    return found


def find_cache(key: str, restore_keys: list[str], version: str) -> dict[str, Any] | None:
    entries = [entry for entry in load("cache.json", []) if entry["version"] == version]
    for scope in _cache_scopes():
        in_scope = [entry for entry in entries if entry["ref"] == scope]
        exact = [entry for entry in in_scope if entry["key"] == key]
        if exact:
            return exact[0]
        for prefix in [key, *restore_keys]:
            matches = [entry for entry in in_scope if entry["key"].startswith(prefix)]
            if matches:
                return max(matches, key=lambda entry: entry["created"])
    return None


def cache_restore() -> None:
    inputs = given_inputs()
    unsupported(inputs, {"enableCrossOsArchive": "false"}, "actions/cache/restore")
    key, paths = inputs.get("key", ""), lines(inputs.get("path", ""))
    if not key or not paths:
        fail("Input required and not supplied: " + ("key" if not key else "path"))
    if "," in key:
        fail(f"Key Validation Error: {key} cannot contain commas.")
    restore_keys = lines(inputs.get("restore-keys", ""))
    with locked():
        entry = find_cache(key, restore_keys, _cache_version(paths))
    outputs = {"cache_primary_key": key}
    if entry is None:
        # As actions/cache: on a miss cache-hit is left unset, not "false".
        if flag(inputs.get("fail-on-cache-miss", "false")):
            fail(f"Failed to restore cache entry. Exiting as fail-on-cache-miss is set. Input key: {key}")
        print(f"Cache not found for input keys: {', '.join([key, *restore_keys])}")
    else:
        if not flag(inputs.get("lookup-only", "false")):
            stored = state() / "cache" / str(entry["id"])
            shutil.copytree(stored, workspace(), dirs_exist_ok=True, symlinks=True)
        outputs |= {"cache_hit": str(entry["key"] == key).lower(), "cache_matched_key": entry["key"]}
        print(f"Cache restored from key: {entry['key']}")
    set_outputs(**outputs)
    record(
        "actions/cache/restore",
        inputs,
        matched_key=entry["key"] if entry else None,
        hit=bool(entry and entry["key"] == key),
    )


def cache_save() -> None:
    """Save the paths under the key; as actions/cache/save, a key that exists already (keys never change)
    or paths that do not are a warning, and nothing is saved."""
    inputs = given_inputs()
    unsupported(inputs, {"enableCrossOsArchive": "false", "upload-chunk-size": ""}, "actions/cache/save")
    key, paths = inputs.get("key", ""), lines(inputs.get("path", ""))
    if not key or not paths:
        fail("Input required and not supplied: " + ("key" if not key else "path"))
    ref, version = os.environ.get("GITHUB_REF", ""), _cache_version(paths)
    found = _cached_paths(paths)
    saved, reason = False, ""
    with locked():
        entries = load("cache.json", [])
        if not found:
            reason = (
                "Path Validation Error: Path(s) specified in the action for caching do(es) not exist, "
                "hence no cache is being saved."
            )
        elif any(
            entry["key"] == key and entry["version"] == version and entry["ref"] == ref for entry in entries
        ):
            reason = (
                f"Failed to save: Unable to reserve cache with key {key}, another job may be creating "
                "this cache."
            )
        else:
            identity = len(entries) + 1
            stored = state() / "cache" / str(identity)
            for path in found:
                relative = path.relative_to(workspace())
                if path.is_dir():
                    shutil.copytree(path, stored / relative, symlinks=True)
                else:
                    (stored / relative).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(path, stored / relative)
            entries.append(
                {
                    "id": identity,
                    "key": key,
                    "version": version,
                    "ref": ref,
                    "created": identity,
                    "paths": paths,
                    "run_id": os.environ.get("GITHUB_RUN_ID", ""),
                }
            )
            save("cache.json", entries)
            saved = True
    if saved:
        print(f"Cache saved with key: {key}")
    else:
        warn(reason)
    record(
        "actions/cache/save",
        inputs,
        saved=saved,
        ref=ref,
        reason=reason,
        files=sorted(str(path.relative_to(workspace())) for path in found),
    )


# --- actions/upload-artifact ------------------------------------------------------------------------


def _artifact_files(patterns: list[str], hidden: bool) -> tuple[list[Path], Path]:
    included: list[Path] = []
    excluded: set[Path] = set()
    for pattern in patterns:
        negated = pattern.startswith("!")
        pattern = pattern.removeprefix("!")
        base = Path(pattern) if pattern.startswith("/") else workspace() / pattern
        matched = [Path(name) for name in sorted(glob.glob(str(base), recursive=True))]
        files = [
            file
            for path in matched
            for file in ([path] if path.is_file() else sorted(path.rglob("*")))
            if file.is_file()
        ]
        (excluded.update if negated else included.extend)(files)
    chosen = list(dict.fromkeys(file for file in included if file not in excluded))
    if not hidden:
        chosen = [file for file in chosen if not any(part.startswith(".") for part in _shown_parts(file))]
    if not chosen:
        return [], workspace()
    root = Path(os.path.commonpath([str(file.parent) for file in chosen]))
    return chosen, root


def _shown_parts(file: Path) -> tuple[str, ...]:
    """The parts of a file's path that upload-artifact checks for hidden ones: those under the workspace
    (elsewhere, such as $RUNNER_TEMP, the file's own name)."""
    base = workspace().resolve()
    resolved = file.resolve()
    return resolved.relative_to(base).parts if base in resolved.parents else (file.name,)


def upload_artifact() -> None:
    inputs = given_inputs()
    unsupported(inputs, {"retention-days": "", "compression-level": "6"}, "actions/upload-artifact")
    name = inputs.get("name", "") or "artifact"
    patterns = lines(inputs.get("path", ""))
    if not patterns:
        fail("Input required and not supplied: path")
    if_none = inputs.get("if-no-files-found", "") or "warn"
    if if_none not in ("warn", "error", "ignore"):
        fail(
            f"Unrecognized if-no-files-found input. Provided: {if_none}. "
            "Available options: warn, error, ignore"
        )
    files, root = _artifact_files(patterns, flag(inputs.get("include-hidden-files", "false")))
    if not files:
        message = (
            f"No files were found with the provided path: {inputs['path']}. No artifacts will be uploaded."
        )
        record("actions/upload-artifact", inputs, uploaded=False)
        if if_none == "error":
            fail(message)
        if if_none == "warn":
            warn(message)
        return
    target = Path(os.environ["ACT_RECORDS"]) / "artifacts" / name
    if target.exists():
        if not flag(inputs.get("overwrite", "false")):
            fail(
                "Failed to CreateArtifact: Received non-retryable error: Failed request: (409) Conflict: an "
                "artifact with this name already exists on the workflow run"
            )
        shutil.rmtree(target)
    digest = hashlib.sha256()
    for file in files:
        relative = file.relative_to(root)
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(file, target / relative)
        digest.update(str(relative).encode() + b"\0" + file.read_bytes())
    identity = str(len(list(target.parent.iterdir())))
    server = os.environ.get("GITHUB_SERVER_URL", "https://github.com")
    url = (
        f"{server}/{os.environ['GITHUB_REPOSITORY']}/actions/runs/{os.environ.get('GITHUB_RUN_ID', '')}"
        f"/artifacts/{identity}"
    )
    set_outputs(artifact_id=identity, artifact_url=url, artifact_digest=digest.hexdigest())
    record(
        "actions/upload-artifact",
        inputs,
        uploaded=True,
        files=sorted(str(file.relative_to(root)) for file in files),
    )


def download_artifact() -> None:
    """The artifacts this run uploaded (upload-artifact's stand-in keeps them in the run's records): one by
    name, or those a pattern matches (every one without), as actions/download-artifact v8 unpacks them: a
    name's, the merged ones' and a lone match's files into `path` itself, several matches each into a
    directory of its name there; a pattern that matches none downloads nothing and passes. Other runs'
    artifacts (github-token, run-id) are gh's, not this stand-in's."""
    inputs = given_inputs()
    unsupported(
        inputs,
        {"artifact-ids": "", "github-token": "", "skip-decompress": "false", "digest-mismatch": "error"},
        "actions/download-artifact",
    )
    if inputs.get("run-id", "") != os.environ.get("GITHUB_RUN_ID", "") or inputs.get(
        "repository", ""
    ) != os.environ.get("GITHUB_REPOSITORY", ""):
        fail("the actions/download-artifact stand-in downloads the artifacts of the run itself only")
    stored = Path(os.environ["ACT_RECORDS"]) / "artifacts"
    uploaded = sorted(path.name for path in stored.iterdir()) if stored.is_dir() else []
    name, pattern = inputs.get("name", ""), inputs.get("pattern", "")
    if name:
        if name not in uploaded:
            fail(f"Unable to download artifact(s): Artifact '{name}' not found")
        chosen = [name]
    else:
        chosen = [found for found in uploaded if not pattern or fnmatch.fnmatchcase(found, pattern)]
    path = Path(inputs.get("path", "") or workspace())
    target = path if path.is_absolute() else workspace() / path
    apart = not name and not flag(inputs.get("merge-multiple", "false")) and len(chosen) > 1
    for artifact in chosen:
        shutil.copytree(stored / artifact, target / artifact if apart else target, dirs_exist_ok=True)
    print(f"Total of {len(chosen)} artifact(s) downloaded")
    set_outputs(download_path=str(target.resolve()))
    record("actions/download-artifact", inputs, artifacts=chosen, apart=apart)


# --- marocchino/sticky-pull-request-comment ---------------------------------------------------------


def sticky_marker(header: str) -> str:
    """What marocchino/sticky-pull-request-comment appends to a body to find it again (its
    headerComment(): `<!-- Sticky Pull Request Comment${header} -->`, after a newline)."""
    return f"<!-- Sticky Pull Request Comment{header} -->"


def sticky_comment() -> None:
    inputs = given_inputs()
    unsupported(
        inputs,
        {
            name: "false"
            for name in (
                "append",
                "recreate",
                "delete",
                "only_create",
                "only_update",
                "hide_details",
                "hide",
                "hide_and_recreate",
                "skip_unchanged",
                "follow_symbolic_links",
            )
        }
        | {"owner": "", "repo": "", "hide_classify": "OUTDATED"},
        "marocchino/sticky-pull-request-comment",
    )
    number_text = inputs.get("number", "") or str((event().get("pull_request") or {}).get("number", ""))
    if not number_text.isdigit() or int(number_text) < 1:
        print("no pull request numbers given: skip step")
        record("marocchino/sticky-pull-request-comment", _public(inputs), posted=False)
        return
    message = inputs.get("message", "")
    if not message and inputs.get("path", ""):
        matches = sorted(
            glob.glob(
                str(Path(inputs["path"]) if inputs["path"].startswith("/") else workspace() / inputs["path"])
            )
        )
        message = "\n".join(
            Path(name).read_text(encoding="utf-8") for name in matches if Path(name).is_file()
        )
    if not message:
        if flag(inputs.get("ignore_empty", "false")):
            print("no message given: skip step")
            record("marocchino/sticky-pull-request-comment", _public(inputs), posted=False)
            return
        fail("Either message or path input is required")
    token = inputs.get("github_token", "")
    if not token:
        fail("Parameter token or opts.auth is required")
    if not can_write(token, "pull-requests", "issues"):
        fail(
            "Resource not accessible by integration (HTTP 403): the token may not write pull request comments"
        )
    header = inputs.get("header", "")
    body = f"{message}\n{sticky_marker(header)}"
    if len(body) > BODY_LIMIT:
        fail(
            f"Validation Failed: body is too long (maximum is {BODY_LIMIT} characters); this one is "
            f"{len(body)} with the marker"
        )
    repository, number = os.environ["GITHUB_REPOSITORY"], int(number_text)
    with locked():
        comments = load("comments.json", [])
        previous = next(
            (
                comment
                for comment in comments
                if comment["repository"] == repository
                and comment["number"] == number
                and sticky_marker(header) in comment["body"]
            ),
            None,
        )
        run = os.environ.get("GITHUB_RUN_ID", "")
        if previous is None:
            previous_id = ""
            created = {
                "id": len(comments) + 1,
                "repository": repository,
                "number": number,
                "header": header,
                "body": body,
                "author": "github-actions[bot]",
                "created_run": run,
                "updated_run": run,
                "edits": 0,
            }
            comments.append(created)
            created_id = str(created["id"])
        else:
            previous_id, created_id = str(previous["id"]), ""
            previous.update(body=body, updated_run=run, edits=previous["edits"] + 1)
        save("comments.json", comments)
    set_outputs(previous_comment_id=previous_id, created_comment_id=created_id)
    record(
        "marocchino/sticky-pull-request-comment",
        _public(inputs),
        posted=True,
        number=number,
        length=len(body),
        updated=bool(previous_id),
    )


def _public(inputs: dict[str, str]) -> dict[str, str]:
    return {name: value for name, value in inputs.items() if name not in ("github_token", "token")}


STANDINS: dict[str, Callable[[], None]] = {
    "checkout": checkout,
    "setup-python": setup_python,
    "cache-restore": cache_restore,
    "cache-save": cache_save,
    "upload-artifact": upload_artifact,
    "download-artifact": download_artifact,
    "sticky-comment": sticky_comment,
}


def main(arguments: list[str]) -> None:
    if len(arguments) != 1 or arguments[0] not in STANDINS:
        fail(f"usage: standin.py {{{','.join(STANDINS)}}}; got {arguments}")
    if not os.environ.get("ACT_RECORDS") or not os.environ.get("ACT_STATE"):
        fail("ACT_RECORDS is not set (these stand-ins run under tests/support/act.py only)")
    STANDINS[arguments[0]]()


if __name__ == "__main__":
    main(sys.argv[1:])
