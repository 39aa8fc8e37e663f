"""`igops demo`: the newcomer's first command, on the repository's own examples."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from igops.cli import cli

REPO = Path(__file__).resolve().parents[1]


def test_demo_runs_the_whole_loop_on_the_examples(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    monkeypatch.delenv("INTELLIGEMS_API_TOKEN", raising=False)
    result = CliRunner().invoke(cli, ["demo"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    steps = [line for line in result.output.splitlines() if line.startswith("== ")]
    assert [step.split(":")[0] for step in steps] == [
        "== 1. igops validate", "== The account", "== 2. igops plan", "== 3. igops apply",
        "== 4. igops plan again"]
    assert "Plan: 5 to create, 0 to update, 5 lifecycle actions (start 3, pause 1, end 1)." in result.output
    assert "Apply complete: 5 created, 0 updated, 5 lifecycle actions." in result.output
    final = result.output.split("== 4. igops plan again", 1)[1]
    # The ended example names its winner: the plan notes that a winner after the end is not applied.
    assert "\nNo changes." in final and "winner: Sticky bar is rolled out only by the end action" in final
    assert not any(label in final for label in ("+ create", "~ update", "> start", "> pause", "> end"))
    assert not (REPO / "sandbox.json").exists(), "the demo's account is temporary"


def test_demo_outside_a_project_says_what_it_needs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["demo"])
    assert result.exit_code == 1
    assert "the demo needs valid experience files in experiences/" in result.output
