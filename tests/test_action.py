"""The composite action's script, run as GitHub runs it: which exit codes pass, and the files and outputs
that later steps read."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from support.workflows import action, tool_path

from igops import __version__
from igops.templates import write_scaffold
from igops.templates.installed import Pin

# How GitHub runs a composite step's script with `shell: bash`.
BASH = ["bash", "--noprofile", "--norc", "-eo", "pipefail"]


@dataclass
class ActionRun:
    returncode: int
    log: str  # what the step printed on its standard output, as the job log shows it
    errors: str
    outputs: dict[str, str]
    summary: str

    def file(self, output: str) -> str:
        return Path(self.outputs[output]).read_text(encoding="utf-8")


@pytest.fixture
def store(tmp_path: Path) -> Path:
    write_scaffold(tmp_path / "store", Pin(version=__version__))
    return tmp_path / "store"


def run_action(
    store: Path,
    command: str,
    *,
    success_codes: str = "0",
    report_format: str = "text",
    step_summary: str = "false",
    context: str = "",
    github_actions: bool = False,
    token_env: str = "",
    env: dict[str, str] | None = None,
) -> ActionRun:
    (step,) = [step for step in action()["runs"]["steps"] if step.get("id") == "run"]
    assert step["shell"] == "bash"
    runner = store.parent / "runner"
    runner.mkdir(exist_ok=True)
    outputs, summary = runner / "github-output", runner / "step-summary"
    outputs.write_text("", encoding="utf-8")
    summary.write_text("", encoding="utf-8")
    environment = {
        "PATH": tool_path(),
        "NO_COLOR": "1",
        "RUNNER_TEMP": str(runner),
        "GITHUB_OUTPUT": str(outputs),
        "GITHUB_STEP_SUMMARY": str(summary),
        "IGOPS_COMMAND": command,
        "IGOPS_SUCCESS_CODES": success_codes,
        "IGOPS_REPORT_FORMAT": report_format,
        "IGOPS_STEP_SUMMARY": step_summary,
        "IGOPS_CONTEXT": context,
        "IGOPS_TOKEN_ENV": token_env,
        **({"GITHUB_ACTIONS": "true"} if github_actions else {}),
        **(env or {}),
    }
    result = subprocess.run(
        [*BASH, "-c", step["run"]],
        cwd=store,
        env=environment,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    written = dict(line.split("=", 1) for line in outputs.read_text(encoding="utf-8").splitlines())
    return ActionRun(
        result.returncode, result.stdout, result.stderr, written, summary.read_text(encoding="utf-8")
    )


def test_a_command_that_succeeds_streams_its_output_and_reports_it_as_a_code_block(store: Path) -> None:
    run = run_action(store, "validate")
    assert run.returncode == 0, run.errors
    assert run.outputs["exit-code"] == "0"
    assert "1 experience file checked: all valid." in run.file("stdout-file")
    assert run.log == run.file("stdout-file")
    assert run.file("report-file") == f"~~~text\n{run.file('stdout-file').rstrip()}\n~~~\n"
    assert run.summary == ""


def test_exit_2_passes_when_listed_and_markdown_reaches_the_report_and_the_summary_as_is(store: Path) -> None:
    run = run_action(
        store,
        "plan --api sandbox: --format markdown --detailed-exitcode",
        success_codes="0 2",
        report_format="markdown",
        step_summary="true",
    )
    assert run.returncode == 0, run.errors
    assert run.outputs["exit-code"] == "2"
    assert run.file("stdout-file").startswith("**Plan: 1 to create")
    assert run.file("report-file") == run.file("stdout-file") == run.summary


def test_an_exit_code_not_listed_fails_the_step_with_an_annotation(store: Path) -> None:
    run = run_action(store, "plan --api sandbox: --detailed-exitcode")
    assert run.returncode == 1
    assert run.outputs["exit-code"] == "2"
    assert "::error::igops plan exited with 2" in run.log


def test_what_igops_says_on_standard_error_heads_the_report(store: Path) -> None:
    run = run_action(store, "apply --api sandbox:", step_summary="true")
    assert run.returncode == 1
    assert run.outputs["exit-code"] == "1"
    assert run.file("stdout-file") == ""
    assert "there is no terminal to ask on" in run.errors
    assert run.file("report-file").startswith(
        "### ⛔ igops apply failed (exit 1)\n\n~~~text\nError: apply asks for confirmation"
    )
    assert run.summary == run.file("report-file")


def test_a_summary_on_failure_is_written_only_when_the_command_fails(store: Path) -> None:
    passed = run_action(store, "validate", step_summary="failure")
    assert passed.returncode == 0 and passed.summary == ""
    (store / "experiences" / "broken.yaml").write_text("name: [\n", encoding="utf-8")
    failed = run_action(store, "validate", step_summary="failure", github_actions=True)
    assert failed.returncode == 1
    assert failed.summary == failed.file("report-file")
    assert failed.summary.startswith("### ⛔ igops validate failed (exit 1)\n\n1 problem annotated")


def test_annotations_reach_the_log_not_the_report_and_the_context_follows_the_heading(store: Path) -> None:
    (store / "experiences" / "broken.yaml").write_text("name: [\n", encoding="utf-8")
    run = run_action(
        store,
        "validate",
        context="Planned commit `abc` in [run 1](https://example.test/1).",
        github_actions=True,
    )
    assert "::error file=experiences/broken.yaml," in run.log
    report = run.file("report-file")
    assert "::error" not in report
    heading, annotated, context, *_ = report.split("\n\n")
    assert heading == "### ⛔ igops validate failed (exit 1)" and annotated.startswith("1 problem annotated")
    assert context == "Planned commit `abc` in [run 1](https://example.test/1)."
    assert "experiences/broken.yaml" in report


# --- a store's token: token-env names the variable igops reads it from ----------------------------------


@pytest.fixture
def stores(tmp_path: Path) -> Path:
    write_scaffold(tmp_path / "store", Pin(version=__version__), ["us"])
    return tmp_path / "store"


def test_token_env_exports_the_token_given_as_igops_token_under_that_name(stores: Path) -> None:
    # A value an API key never has: igops names the variable it read it from, and shows no value.
    run = run_action(
        stores,
        "plan --store us",
        token_env="INTELLIGEMS_API_TOKEN_US",
        env={"IGOPS_TOKEN": "not a key"},
    )
    assert run.returncode == 1
    said = run.log + run.errors
    assert "store us: INTELLIGEMS_API_TOKEN_US holds a character an API key never has" in said
    assert "not a key" not in said


def test_without_token_env_the_step_names_the_variable_itself(stores: Path) -> None:
    run = run_action(stores, "plan --store us", env={"IGOPS_TOKEN": "not a key"})
    assert run.returncode == 1
    assert "store us: INTELLIGEMS_API_TOKEN_US is not set" in run.log, (
        "IGOPS_TOKEN is read through token-env only"
    )


def test_a_missing_secret_is_an_unset_token_named_by_its_variable(stores: Path) -> None:
    run = run_action(stores, "plan --store us", token_env="INTELLIGEMS_API_TOKEN_US", env={"IGOPS_TOKEN": ""})
    assert run.returncode == 1
    assert "store us: INTELLIGEMS_API_TOKEN_US is not set" in run.log


@pytest.mark.parametrize(
    ("token_env", "error"),
    [
        ("1TOKEN", "token-env is not the name of an environment variable"),
        ("TOKEN;rm -rf .", "token-env is not the name of an environment variable"),
        ("PATH", "token-env PATH names a variable this step has already"),
        ("GITHUB_OUTPUT", "token-env GITHUB_OUTPUT names a variable this step has already"),
    ],
)
def test_a_token_env_that_is_no_name_of_its_own_fails_before_igops_runs(
    stores: Path, token_env: str, error: str
) -> None:
    run = run_action(stores, "plan --store us", token_env=token_env, env={"IGOPS_TOKEN": "k"})
    assert run.returncode == 1
    assert f"::error::{error}" in run.log
    assert run.outputs == {}, "igops did not run"
