"""`igops plan` as users and CI run it, against the emulator (sandbox:STATE and real HTTP)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from support.cli import REPO, account_experiences, igops, make_live_equal, prepare_project
from support.emulator import TOKEN, new_sandbox, serve_over_http

from igops.api import RetryPolicy
from igops.api import client as api_client
from igops.cli import use_color
from igops.sandbox import Faults


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the example repository as the working directory, with an empty sandbox account."""
    yield prepare_project(tmp_path, monkeypatch)


# The example repository as it stands cannot be created from nothing: two files give plan errors.
PLAN_ERRORS = [
    (
        "long-form-landing-page",
        "long-form-landing-page: status paused: it does not exist yet and a new "
        "experience cannot start out paused: set status: draft or started.",
    ),
    (
        "sticky-add-to-cart",
        "sticky-add-to-cart: status ended: it does not exist yet and a new experience "
        "cannot start out ended: set status: draft or started.",
    ),
]


def test_paused_or_ended_files_cannot_be_created(project: Path) -> None:
    result = igops("plan", "--api", f"sandbox:{project / 'account.json'}")
    assert result.exit_code == 1
    assert result.stdout == "", "on a terminal the errors alone say what to fix"
    assert result.stderr.splitlines() == [f"Error: {message}" for _, message in PLAN_ERRORS]


def test_json_with_plan_errors_is_printed_carrying_them_and_exits_1(project: Path) -> None:
    api = f"sandbox:{project / 'account.json'}"
    result = igops("plan", "--api", api, "--format", "json", "--out", "saved.json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    schema = json.loads((REPO / "schemas" / "plan.schema.json").read_text())
    assert not list(Draft202012Validator(schema).iter_errors(document))
    assert [(error["key"], error["message"]) for error in document["errors"]] == PLAN_ERRORS
    assert document["summary"]["create"] == 5, "the rest of the plan is in the document too"
    assert result.stderr.splitlines() == [f"Error: {message}" for _, message in PLAN_ERRORS]
    assert not (project / "saved.json").exists(), "a plan with errors is never saved"


def test_markdown_with_plan_errors_shows_them_first_and_exits_1(project: Path) -> None:
    result = igops("plan", "--api", f"sandbox:{project / 'account.json'}", "--format", "markdown")
    assert result.exit_code == 1
    paragraphs = result.stdout.split("\n\n")
    assert paragraphs[:4] == [
        "**Plan: 5 to create, 0 to update, 3 lifecycle actions (start 3).**",
        "**⛔ 2 errors: igops apply refuses this plan until they are fixed.**",
        *(f"> **Error:** {message}" for _, message in PLAN_ERRORS),
    ]
    assert "<b>homepage-hero-headline</b>" in result.stdout


def test_plan_shows_creates_and_lifecycle_actions(project: Path) -> None:
    make_live_equal(project, statuses=("paused", "ended"))  # the experiences that ran in the past
    api = f"sandbox:{project / 'account.json'}"
    result = igops("plan", "--api", api, "--detailed-exitcode")
    assert result.exit_code == 2, result.output
    assert "+ create" in result.output and "> start" in result.output
    assert result.output.strip().splitlines()[-1] == (
        "Plan: 5 to create, 0 to update, 3 lifecycle actions (start 3)."
    )
    assert igops("plan", "--api", api).exit_code == 0, "without --detailed-exitcode changes exit 0"


def test_plan_after_the_account_matches_is_empty_and_one_edit_names_one_field(project: Path) -> None:
    make_live_equal(project)
    api = f"sandbox:{project / 'account.json'}"
    account_before = account_experiences(project)
    result = igops("plan", "--api", api, "--detailed-exitcode")
    assert result.exit_code == 0, result.output
    assert "No changes" in result.output

    hero = project / "experiences" / "homepage-hero-headline.yaml"
    hero.write_text(hero.read_text().replace("replace: Start shopping", "replace: Shop now"))
    result = igops("plan", "--api", api, "--detailed-exitcode", "--format", "json")
    assert result.exit_code == 2
    document = json.loads(result.output)
    changed = [e for e in document["experiences"] if e["changes"]]
    assert [e["key"] for e in changed] == ["homepage-hero-headline"]
    [update] = changed[0]["changes"]
    assert [field["path"] for field in update["fields"]] == [
        'variations["Free shipping headline"].onsiteEdits[1].replace'
    ]
    assert (update["fields"][0]["before"], update["fields"][0]["after"]) == ("Start shopping", "Shop now")
    assert account_experiences(project) == account_before, "plan wrote to the account"


def test_json_output_follows_the_plan_schema_and_out_saves_it(project: Path) -> None:
    make_live_equal(project, statuses=("paused", "ended"))
    schema = json.loads((REPO / "schemas" / "plan.schema.json").read_text())
    Draft202012Validator.check_schema(schema)
    api = f"sandbox:{project / 'account.json'}"
    result = igops("plan", "--api", api, "--format", "json", "--out", "saved.json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert not list(Draft202012Validator(schema).iter_errors(document))
    saved = json.loads((project / "saved.json").read_text())
    assert saved["plan"] == document and saved["format"] == "igops-saved-plan/2"
    assert TOKEN not in (project / "saved.json").read_text()


def test_markdown_starts_with_the_summary(project: Path) -> None:
    make_live_equal(project, statuses=("paused", "ended"))
    result = igops("plan", "--api", f"sandbox:{project / 'account.json'}", "--format", "markdown")
    assert result.exit_code == 0
    first = next(line for line in result.output.splitlines() if line.strip())
    assert "Plan: 5 to create" in first and "<details>" in result.output


def test_invalid_files_stop_the_plan_with_their_locations(project: Path) -> None:
    (project / "experiences" / "broken.yaml").write_text("name: Broken\nname: Twice\n")
    result = igops("plan", "--api", "sandbox:")
    assert result.exit_code == 1
    assert "broken.yaml:2:1:" in result.output


def test_plan_errors_are_sentences_and_exit_1(project: Path) -> None:
    make_live_equal(project)
    hero = project / "experiences" / "homepage-hero-headline.yaml"
    hero.write_text(hero.read_text().replace("status: started", "status: draft"))
    result = igops("plan", "--api", f"sandbox:{project / 'account.json'}")
    assert result.exit_code == 1
    assert result.output.startswith("Error: homepage-hero-headline: status draft: it is started live")


@pytest.mark.parametrize(
    ("faults", "expected"),
    [
        (Faults(throttle_rate=1.0), "Still rate limited"),
        (Faults(fail_rate=1.0), "kept failing (HTTP 500)"),
    ],
)
def test_api_failures_after_retries_are_one_sentence(
    project: Path, monkeypatch: pytest.MonkeyPatch, faults: Faults, expected: str
) -> None:
    monkeypatch.setattr(api_client, "RetryPolicy", lambda: RetryPolicy(max_attempts=3, base_delay=0.001))
    sandbox = new_sandbox(faults=faults)
    with serve_over_http(sandbox) as url:
        result = igops("plan", "--api", url)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and expected in lines[0]
    assert TOKEN not in result.output


def test_wrong_token_and_unreachable_api_are_one_sentence(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with serve_over_http(new_sandbox(token="another-token")) as url:
        result = igops("plan", "--api", url)
    assert result.exit_code == 1 and "401 Unauthorized" in result.output and TOKEN not in result.output
    assert "set INTELLIGEMS_API_TOKEN to a valid API key" in result.output
    # The sentence names the variable the token came from: the one igops.yaml names, when it names one.
    config = project / "igops.yaml"
    original = config.read_text()
    config.write_text(re.sub(r"(?m)^token_env: .*$", "token_env: STORE_KEY", original))
    monkeypatch.setenv("STORE_KEY", TOKEN)
    with serve_over_http(new_sandbox(token="another-token")) as url:
        result = igops("plan", "--api", url)
    assert result.exit_code == 1 and "set STORE_KEY to a valid API key" in result.output, result.output
    config.write_text(original)
    monkeypatch.setattr(api_client, "RetryPolicy", lambda: RetryPolicy(max_attempts=2, base_delay=0.001))
    result = igops("plan", "--api", f"{url}/")  # the server has stopped: nothing listens there now
    assert result.exit_code == 1 and "Could not reach the Intelligems API" in result.output
    monkeypatch.delenv("INTELLIGEMS_API_TOKEN")
    result = igops("plan", "--api", "https://api.intelligems.io")
    assert result.exit_code == 1 and "INTELLIGEMS_API_TOKEN is not set" in result.output


def test_the_installed_command_exits_1_on_usage_errors(project: Path) -> None:
    env = {**os.environ, "INTELLIGEMS_API_TOKEN": TOKEN}
    result = subprocess.run(
        [sys.executable, "-m", "igops", "plan", "--format", "yaml"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    make_live_equal(project, statuses=("paused", "ended"))
    api = f"sandbox:{project / 'account.json'}"
    done = subprocess.run(
        [sys.executable, "-m", "igops", "plan", "--api", api, "--detailed-exitcode"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert "\x1b[" not in done.stdout, "colour codes when piped"


def test_plan_over_real_http_with_the_url_from_the_environment(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = new_sandbox()
    with serve_over_http(sandbox) as url:
        monkeypatch.setenv("IGOPS_API_URL", url)
        result = igops("plan", "--target", "homepage-hero-headline", "--detailed-exitcode")
    assert result.exit_code == 2, result.output
    assert "+ create  homepage-hero-headline" in result.output
    assert sandbox.writes == []


def test_colour_only_on_a_terminal_without_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal:
        def __init__(self, tty: bool) -> None:
            self.tty = tty

        def isatty(self) -> bool:
            return self.tty

    monkeypatch.delenv("NO_COLOR", raising=False)
    assert use_color(Terminal(True)) and not use_color(Terminal(False))  # type: ignore[arg-type]
    monkeypatch.setenv("NO_COLOR", "1")
    assert not use_color(Terminal(True))  # type: ignore[arg-type]


def test_an_unusable_sandbox_state_is_one_sentence(project: Path) -> None:
    result = igops("plan", "--api", f"sandbox:{project / 'missing' / 'account.json'}")
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"Error: {project / 'missing' / 'account.json'} cannot be written: its directory "
        f"{project / 'missing'} does not exist: fix the sandbox: URL or move the file away."
    ]


def test_verbose_says_each_phase_on_stderr_and_only_when_asked(project: Path) -> None:
    make_live_equal(project, statuses=("paused", "ended"))
    api = f"sandbox:{project / 'account.json'}"
    verbose = igops("-v", "plan", "--api", api)
    assert verbose.exit_code == 0, verbose.output
    assert "igops: reading the account's experience list" in verbose.stderr
    assert "igops: planned: " in verbose.stderr and "igops:" not in verbose.stdout
    quiet = igops("plan", "--api", api)
    assert quiet.stderr == "" and quiet.stdout == verbose.stdout


@pytest.mark.parametrize(
    "given",
    [
        "homepage-hero-headline",
        "experiences/homepage-hero-headline.yaml",
        "./experiences/../experiences/homepage-hero-headline.yaml",
    ],
)
def test_target_takes_a_key_or_the_files_path(project: Path, given: str) -> None:
    result = igops("plan", "--api", f"sandbox:{project / 'account.json'}", "--target", given)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("  + create  homepage-hero-headline")
    assert result.output.count("+ create") == 1


def test_a_target_that_is_no_file_is_one_sentence(project: Path) -> None:
    missing = "experiences/nope.yaml"
    result = igops("plan", "--api", f"sandbox:{project / 'account.json'}", "--target", missing)
    assert result.exit_code == 1
    assert result.output == (
        f"Error: --target {missing}: no experience file has that key or path (a key "
        "is the file name without .yaml).\n"
    )
