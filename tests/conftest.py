"""Shared fixtures: commands that do not know they run in GitHub Actions, and keep their state (apply locks,
create journals) in the test's own directory. Support modules are in tests/support (`from support.cli import
igops`): pyproject's pytest `pythonpath` puts tests/ on the import path."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def outside_github_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    """The suite runs in GitHub Actions too, where igops would add annotations to what the tests read."""
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)


@pytest.fixture(autouse=True)
def own_state_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """igops's state directory is per test (never the user's), shared by the processes the test starts."""
    monkeypatch.setenv("IGOPS_STATE_DIR", str(tmp_path_factory.mktemp("igops-state")))
