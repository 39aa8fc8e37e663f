"""`igops demo`: the newcomer's first command, on the repository's own examples."""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from support.processes import free_port, interrupt

from igops.cli import cli

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def temporary_files_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo keeps its account in a temporary directory: the test's own."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))


def test_demo_runs_the_whole_loop_on_the_examples(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    monkeypatch.delenv("INTELLIGEMS_API_TOKEN", raising=False)
    result = CliRunner().invoke(cli, ["demo"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    steps = [line for line in result.output.splitlines() if line.startswith("== ")]
    assert [step.split(":")[0] for step in steps] == [
        "== 1. igops validate",
        "== The account",
        "== 2. igops plan",
        "== 3. igops apply",
        "== 4. igops plan again",
        "== 5. igops report",
    ]
    assert "Plan: 5 to create, 0 to update, 5 lifecycle actions (start 3, pause 1, end 1)." in result.output
    assert "Apply complete: 5 created, 0 updated, 5 lifecycle actions." in result.output
    # The end of the sticky bar test shows its results beside its winner.
    planned = result.output.split("== 2. igops plan", 1)[1].split("== 3. igops apply", 1)[0]
    assert "winner: Sticky bar\n      results so far: started, 21.0 days live since" in planned
    assert "Sticky bar (winner)" in planned
    final = result.output.split("== 4. igops plan again", 1)[1].split("== 5. igops report", 1)[0]
    # The ended example names its winner: the plan notes that a winner after the end is not applied.
    assert "\nNo changes." in final and "winner: Sticky bar is rolled out only by the end action" in final
    assert not any(label in final for label in ("+ create", "~ update", "> start", "> pause", "> end"))
    report = result.output.split("== 5. igops report", 1)[1]
    assert "homepage-hero-headline (Homepage hero headline): started, 14.5 days live since" in report
    assert (
        "sticky-add-to-cart (Sticky add-to-cart bar on mobile product pages): ended, 21.0 days live"
    ) in report
    assert (
        "Report: 5 experiences with results, over each experience's whole run. Not started yet: "
        "bundle-and-save, spring-theme-refresh." in report
    )
    assert not (REPO / "account.db").exists(), "the demo's account is temporary"


def test_demo_outside_a_project_says_what_it_needs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["demo"])
    assert result.exit_code == 1
    validated = CliRunner().invoke(cli, ["validate"])
    assert validated.exit_code == 1 and "run igops init" in validated.output
    assert result.output.endswith(validated.output), "the demo says what validate says"


def test_the_closing_hint_pasted_as_it_is_plans_against_the_demos_account(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    demo = CliRunner().invoke(cli, ["demo"], catch_exceptions=False)
    assert demo.exit_code == 0, demo.output
    hint = demo.output[demo.output.index("\nNext, ") :]
    serve, plan = (line.strip() for line in hint.splitlines() if line.startswith("  "))
    assert serve.startswith("igops sandbox serve --port 8787 --state ") and str(tmp_path) in serve
    assert shlex.split(serve)[6].endswith("/account.db"), "the state is SQLite, and named so"
    assert plan.endswith(" igops plan") and "INTELLIGEMS_API_TOKEN=sandbox-token" in plan
    port = str(free_port())  # the hint's port may be taken where the tests run: the only change made
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("IGOPS_API_URL", "INTELLIGEMS_API_TOKEN", "CI")
    } | {"NO_COLOR": "1"}
    server = subprocess.Popen(
        shlex.split(serve.replace("8787", port)),
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stderr is not None and f":{port}/v25-10-beta" in server.stderr.readline()
        planned = subprocess.run(
            ["sh", "-c", plan.replace("8787", port)],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        interrupt(server)
    assert planned.returncode == 0, planned.stdout + planned.stderr
    assert "No changes" in planned.stdout
