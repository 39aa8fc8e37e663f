"""Shared fixtures: a fresh emulator per test, configured by keyword; commands that do not know they run
in GitHub Actions, and keep their state (apply locks, create journals) in the test's own directory."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from emulator_support import TOKEN

from igops.sandbox import Sandbox, SandboxConfig


@pytest.fixture(autouse=True)
def outside_github_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    """The suite runs in GitHub Actions too, where igops would add annotations to what the tests read."""
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)


@pytest.fixture(autouse=True)
def own_state_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """igops's state directory is per test (never the user's), shared by the processes the test starts."""
    monkeypatch.setenv("IGOPS_STATE_DIR", str(tmp_path_factory.mktemp("igops-state")))


@pytest.fixture
def make_sandbox() -> Callable[..., Sandbox]:
    def make(**options: object) -> Sandbox:
        options.setdefault("token", TOKEN)
        options.setdefault("rate_limits", False)
        return Sandbox(SandboxConfig(**options))  # type: ignore[arg-type]

    return make
