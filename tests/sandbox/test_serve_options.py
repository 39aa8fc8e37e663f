"""`igops sandbox serve`'s options for a stricter account, for late commits and for the buckets' phase reach
the sandbox."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from igops.cli import cli, sandbox_commands
from igops.sandbox import SandboxConfig


def served(monkeypatch: pytest.MonkeyPatch, *options: str) -> SandboxConfig:
    configs: list[SandboxConfig] = []
    monkeypatch.setattr(sandbox_commands, "serve", lambda config, **_: configs.append(config))
    result = CliRunner().invoke(cli, ["sandbox", "serve", *options])
    assert result.exit_code == 0, result.output
    return configs[0]


def test_by_default_names_may_repeat_and_creates_commit_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    config = served(monkeypatch)
    assert config.unique_names is False
    assert config.faults.commit_delay_s == 0
    assert config.refills_from_first_call is False


def test_refills_may_count_from_each_buckets_first_call(monkeypatch: pytest.MonkeyPatch) -> None:
    assert served(monkeypatch, "--refills-from-first-call").refills_from_first_call is True


def test_the_options_set_a_stricter_account_and_late_commits(monkeypatch: pytest.MonkeyPatch) -> None:
    config = served(monkeypatch, "--unique-names", "--commit-delay", "2.5")
    assert config.unique_names is True
    assert config.faults.commit_delay_s == 2.5


@pytest.mark.parametrize("delay", ["-1", "soon"])
def test_a_commit_delay_is_a_number_of_seconds(delay: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox_commands, "serve", lambda *_, **__: pytest.fail("served"))
    result = CliRunner().invoke(cli, ["sandbox", "serve", "--commit-delay", delay])
    assert result.exit_code == 2
    assert "--commit-delay" in result.output
