"""What the apply tests share: routing the CLI to a given emulator, the examples' history, state checks."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import Result

from igops.api import IntelligemsClient
from igops.engine import connect
from igops.files import load_experiences
from igops.sandbox import Sandbox
from support.cli import igops, work_in
from support.emulator import TOKEN, new_sandbox, serve_over_http
from support.engine import create_as_igops, desired, with_client
from support.files import TYPES, dump, experience

# Example files whose status cannot be created from nothing: they must have run first.
HISTORY_FILES = ("long-form-landing-page", "sticky-add-to-cart")


def use_sandbox(monkeypatch: pytest.MonkeyPatch, sandbox: Sandbox) -> str:
    """Make `--api sandbox:` run against this emulator in-process, so the test can watch and steer it.

    Returns the --api value to pass.
    """
    monkeypatch.setattr(connect, "Sandbox", lambda config: sandbox)
    return "sandbox:"


@contextmanager
def reach(sandbox: Sandbox, over_http: bool, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The --api value that reaches this sandbox: over HTTP on 127.0.0.1, or in-process."""
    if over_http:
        with serve_over_http(sandbox) as url:
            yield url
    else:
        yield use_sandbox(monkeypatch, sandbox)


@contextmanager
def history(project: Path) -> Iterator[None]:
    """The example files as they were before the paused and ended tests were paused or ended.

    Inside the block, those files say `status: started` (and name no winner); the real files come back
    when the block exits.
    """
    originals = {}
    for key in HISTORY_FILES:
        path = project / "experiences" / f"{key}.yaml"
        originals[path] = path.read_text()
        text = re.sub(r"(?m)^status: \w+$", "status: started", originals[path])
        path.write_text(re.sub(r"(?m)^winner: .*\n", "", text))
    try:
        yield
    finally:
        for path, text in originals.items():
            path.write_text(text)


def apply_examples(api: str, *extra: str) -> None:
    """Apply the history of the examples, then the examples themselves; both must succeed."""
    project = Path.cwd()
    with history(project):
        result = igops("apply", "--auto-approve", "--api", api, *extra)
        assert result.exit_code == 0, result.output
    result = igops("apply", "--auto-approve", "--api", api, *extra)
    assert result.exit_code == 0, result.output


def assert_no_changes(api: str) -> None:
    result = igops("plan", "--api", api, "--detailed-exitcode")
    assert result.exit_code == 0, result.output
    assert "No changes" in result.output


def edit(project: Path, key: str, old: str, new: str) -> None:
    """Replace the first `old` in the experience file `key` with `new` (`old` must be there)."""
    path = project / "experiences" / f"{key}.yaml"
    assert old in path.read_text(), old
    path.write_text(path.read_text().replace(old, new, 1))


def edit_config(project: Path, old: str, new: str) -> None:
    """Replace `old` in igops.yaml with `new` (`old` must be there)."""
    path = project / "igops.yaml"
    assert old in path.read_text(), old
    path.write_text(path.read_text().replace(old, new))


def describe_differently(project: Path, *keys: str) -> None:
    """Reword the description of each example file `keys`: one update each, touching no split."""
    for key in keys:
        path = project / "experiences" / f"{key}.yaml"
        text = path.read_text()
        start = text.index("\ndescription: ") + len("\ndescription: ")
        path.write_text(text[:start] + "Reworded. " + text[start:])


def refused(sandbox: Sandbox, api: str, *extra: str) -> list[str]:
    """Apply without --force: exit 1, nothing written; the rails' error lines."""
    result = igops("apply", "--auto-approve", "--api", api, *extra)
    assert result.exit_code == 1, result.output
    assert sandbox.writes == [], "a refused plan wrote to the account"
    errors = [line for line in result.output.splitlines() if line.startswith("Error: ")]
    assert errors and all(line.startswith("Error: policy ") for line in errors), result.output
    return errors


def forced(api: str, *extra: str) -> None:
    """Apply with --force: exit 0, and the account then matches the files."""
    result = igops("apply", "--auto-approve", "--api", api, "--force", *extra)
    assert result.exit_code == 0, result.output
    assert_no_changes(api)


def apply_until_done(api: str, runs: int = 5, *extra: str) -> list[Result]:
    """Run `apply --auto-approve` until it exits 0, at most `runs` times; every result, in order."""
    results = []
    for _ in range(runs):
        results.append(igops("apply", "--auto-approve", "--api", api, *extra))
        if results[-1].exit_code == 0:
            return results
        assert results[-1].exit_code == 1, results[-1].output
    outputs = "\n---\n".join(result.output for result in results)
    raise AssertionError(f"apply did not converge in {runs} runs:\n{outputs}")


def names_by_key(project: Path) -> dict[str, str]:
    """The experience name each file gives, by the file's key."""
    loaded = load_experiences([project / "experiences"])
    assert not loaded.errors
    return {experience.key: experience.name for experience in loaded.experiences}


def file_names(project: Path) -> list[str]:
    return sorted(names_by_key(project).values())


def state_experiences(state_file: Path) -> list[dict[str, Any]]:
    """The experiences a sandbox state file holds (the file must be a valid state)."""
    sandbox = new_sandbox(state_file)
    try:
        return sandbox.experiences()
    finally:
        sandbox.close()


def assert_one_per_file(project: Path, experiences: list[dict[str, Any]]) -> None:
    """The account holds exactly one experience per file, and nothing else."""
    names = Counter(str(experience["name"]) for experience in experiences)
    duplicates = sorted(name for name, count in names.items() if count > 1)
    assert not duplicates, f"duplicate experiences: {duplicates}"
    assert sorted(names) == file_names(project)


def by_name(experiences: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {str(experience["name"]): experience for experience in experiences}


def differences(before: Any, after: Any, path: str = "") -> list[str]:
    """Paths of the leaves that differ between two stored experiences, timestamps (`...Ts`) aside."""
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        found = []
        for key in sorted(set(before) | set(after)):
            if str(key).endswith("Ts"):
                continue
            found += differences(before.get(key), after.get(key), f"{path}.{key}" if path else str(key))
        return found
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        return [
            p
            for i, (b, a) in enumerate(zip(before, after, strict=True))
            for p in differences(b, a, f"{path}[{i}]")
        ]
    return [] if before == after else [path]


class RefuseCreating(httpx.AsyncBaseTransport):
    """The emulator, except that creating the experience named `name` is refused at once: 400 (the
    documented validation envelope) or a 5xx that changes nothing. `refusals` counts them."""

    def __init__(self, inner: httpx.AsyncBaseTransport, name: str, status: int) -> None:
        self.inner = inner
        self.name = name
        self.status = status
        self.refusals = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path.endswith("/experiences"):
            body = json.loads(request.content or b"{}")
            if body.get("experience", {}).get("name") == self.name:
                self.refusals += 1
                envelope = {"errors": [], "properties": {"experience.name": {"errors": ["Reserved name"]}}}
                answer = envelope if self.status == 400 else {"error": "Internal Server Error"}
                return httpx.Response(self.status, json=answer, request=request)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def refuse_creating(sandbox: Sandbox, name: str, status: int = 400) -> list[RefuseCreating]:
    """From now on the sandbox's in-process transports refuse to create `name`; returns them as made."""
    transport = sandbox.transport
    made: list[RefuseCreating] = []

    def refusing() -> httpx.AsyncBaseTransport:
        made.append(RefuseCreating(transport(), name, status))
        return made[-1]

    sandbox.transport = refusing  # type: ignore[method-assign]
    return made


def igops_env(**extra: str) -> dict[str, str]:
    """The environment for `igops` as a subprocess: the test token, no colour, unbuffered output."""
    env = {key: value for key, value in os.environ.items() if key not in ("IGOPS_API_URL", "CI")}
    return {**env, "INTELLIGEMS_API_TOKEN": TOKEN, "NO_COLOR": "1", "PYTHONUNBUFFERED": "1", **extra}


def run_on_terminal(
    args: list[str],
    cwd: Path,
    answer: str = "",
    wait_for: str | None = None,
    timeout: float = 30,
    env: Mapping[str, str] | None = None,
) -> tuple[int, str]:
    """Run `igops ARGS` on a pseudo-terminal (in `env`, default igops_env()); type `answer` once `wait_for`
    appears (never without it). Exit code, output."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "igops", *args],
        cwd=cwd,
        env=igops_env() if env is None else dict(env),
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        close_fds=True,
    )
    os.close(terminal)
    output = b""
    answered = False
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([controller], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(controller, 4096)
                except OSError:  # the terminal closed: the process is gone
                    break
                if not chunk:
                    break
                output += chunk
            if not answered and wait_for is not None and wait_for.encode() in output:
                os.write(controller, answer.encode() + b"\n")
                answered = True
            elif process.poll() is not None and not ready:
                break
        code = process.wait(timeout=max(0.1, deadline - time.monotonic()))
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        os.close(controller)
    return code, output.decode(errors="replace").replace("\r\n", "\n")


def edited_project(root: Path, monkeypatch: pytest.MonkeyPatch, count: int, **edit: Any) -> Path:
    """A project of `count` experiences of every type, live as "Before" (half draft, half started), with
    every file then edited: description "After", plus the fields in `edit`. The working directory."""
    work_in(root, monkeypatch)
    (root / "igops.yaml").write_text("experiences_dir: experiences\n")
    (root / "experiences").mkdir()
    documents = {
        f"experience-{n:02}": experience(
            TYPES[n % len(TYPES)],
            name=f"Experience {n:02}",
            description="Before",
            status=("draft", "started")[n % 2],
        )
        for n in range(count)
    }

    async def create_all(client: IntelligemsClient) -> None:
        for key, document in documents.items():
            await create_as_igops(client, desired(document, key))

    with_client(new_sandbox(root / "account.json"), create_all)
    for key, document in documents.items():
        (root / "experiences" / f"{key}.yaml").write_text(dump({**document, "description": "After", **edit}))
    return root
