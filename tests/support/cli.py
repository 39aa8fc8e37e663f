"""Running the `igops` command in tests: a copy of the example repository, the CLI, a seeded account."""

from __future__ import annotations

import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from click.testing import CliRunner, Result

from igops.api import IntelligemsClient, RetryPolicy
from igops.api import client as api_client
from igops.cli import cli
from igops.files import load_experiences
from support.emulator import TOKEN, new_sandbox
from support.engine import create_as_igops, with_client

REPO = Path(__file__).resolve().parents[2]
ALL_STATUSES = ("draft", "started", "paused", "ended")
T = TypeVar("T")


def prepare_project(root: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Copy the example repository into `root` and make it the working directory, token set."""
    shutil.copytree(REPO / "experiences", root / "experiences")
    shutil.copy(REPO / "igops.yaml", root / "igops.yaml")
    return work_in(root, monkeypatch)


def work_in(root: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """`root` as the working directory of the commands, with the test token and no colour."""
    monkeypatch.chdir(root)
    monkeypatch.setenv("INTELLIGEMS_API_TOKEN", TOKEN)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("IGOPS_API_URL", raising=False)
    monkeypatch.delenv("CI", raising=False)
    return root


def igops(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def fast_retries(monkeypatch: pytest.MonkeyPatch, max_attempts: int = 3) -> None:
    """The client's default retry policy, with millisecond backoffs so fault tests stay quick."""
    monkeypatch.setattr(
        api_client,
        "RetryPolicy",
        lambda: RetryPolicy(max_attempts=max_attempts, base_delay=0.001, max_delay=0.05),
    )


def with_state_client(project: Path, work: Callable[[IntelligemsClient], Awaitable[T]]) -> T:
    """`work` done on the project's sandbox state (account.json), the file closed after it as a
    finished command leaves it: a state still open would be checkpointed later, by whoever closes last."""
    sandbox = new_sandbox(project / "account.json")
    try:
        return with_client(sandbox, work)
    finally:
        sandbox.close()


def account_experiences(project: Path) -> list[dict[str, Any]]:
    """Every experience in the project's sandbox state, as full reads (update stamps included): what
    a command that must not write to the account has to leave as it found. Not the file's bytes: SQLite
    may checkpoint its write-ahead log into the file whenever a connection closes."""

    async def read_all(client: IntelligemsClient) -> list[dict[str, Any]]:
        return [await client.get_experience(str(item["id"])) for item in await client.list_experiences()]

    return with_state_client(project, read_all)


def make_live_equal(project: Path, statuses: tuple[str, ...] = ALL_STATUSES) -> None:
    """What successful applies leave behind: the examples with these statuses live, as their files say."""
    loaded = load_experiences([project / "experiences"])

    async def create_all(client):  # type: ignore[no-untyped-def]
        for experience in loaded.experiences:
            if experience.status in statuses:
                await create_as_igops(client, experience)

    with_state_client(project, create_all)
