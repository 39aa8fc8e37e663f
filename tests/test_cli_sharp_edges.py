"""Sharp edges of the settings and of talking to the API, through the CLI: each ends in one sentence and
exit 1 (no traceback, no secret), or works the way a user expects."""

from __future__ import annotations

import io
import json
import os
import pty
import re
import select
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
import httpx
import pytest
from click.testing import CliRunner
from rich.console import Console
from support.cli import REPO, fast_retries, igops, make_live_equal, prepare_project, work_in
from support.emulator import TOKEN, new_sandbox, serve_over_http
from support.processes import interrupt

from igops.api.client import duration
from igops.cli import cli, common, sandbox_commands
from igops.cli.common import API_OPTION, TIMEOUT_OPTION, load_project
from igops.engine import connect
from igops.sandbox import Faults


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the example repository as the working directory, token set."""
    return prepare_project(tmp_path, monkeypatch)


def one_error_line(output: str) -> str:
    lines = output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in output, output
    return lines[0]


@contextmanager
def silent_server() -> Iterator[str]:
    """A TCP server on 127.0.0.1 that accepts connections and never answers; closed when the block ends."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)
    held: list[socket.socket] = []
    done = threading.Event()

    def accept() -> None:
        while not done.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        done.set()
        thread.join(timeout=5)
        for connection in held:
            connection.close()
        listener.close()


# 1. A malformed API URL

BAD_URLS = [
    ("http://127.0.0.1:99999", "its port '99999' is not a number from 1 to 65535"),
    ("http://127.0.0.1:abc", "its port 'abc' is not a number from 1 to 65535"),
    ("http://[::1", "its host has an unclosed ["),
    ("http://", "it has no host: write it as http://HOST[:PORT]"),
    ("http://exa mple.com", "it contains white space"),
    ("https://api.example.test/?store=1", "it has a query (?...) or fragment (#...)"),
]


@pytest.mark.parametrize(("url", "flaw"), BAD_URLS)
def test_a_malformed_api_url_is_one_sentence_naming_the_bad_part(
    project: Path, monkeypatch: pytest.MonkeyPatch, url: str, flaw: str
) -> None:
    sentence = f"{url!r} is not a usable API URL: {flaw}"
    flagged = igops("plan", "--api", url)
    assert flagged.exit_code == 1
    assert one_error_line(flagged.output).startswith(f"Error: --api: {sentence}")

    monkeypatch.setenv("IGOPS_API_URL", url)
    from_env = igops("plan")
    assert from_env.exit_code == 1
    assert one_error_line(from_env.output).startswith(f"Error: IGOPS_API_URL: {sentence}")

    monkeypatch.delenv("IGOPS_API_URL")
    (project / "igops.yaml").write_text(f"api_url: '{url}'\n")
    for command in (["plan"], ["validate"]):
        from_file = igops(*command)
        assert from_file.exit_code == 1
        assert f"igops.yaml:1:10: $.api_url: {sentence}" in from_file.output
        assert "Traceback" not in from_file.output


def test_a_password_in_the_api_url_is_refused_without_being_shown(project: Path) -> None:
    result = igops("plan", "--api", "https://user:hunter2@api.example.test")
    assert result.exit_code == 1
    assert "carries a user name or password" in one_error_line(result.output)
    assert "hunter2" not in result.output


# 2. The URL `igops sandbox serve` prints, and a wrong path


def test_an_api_url_ending_in_the_api_version_works_and_a_wrong_one_says_so(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = new_sandbox()
    with serve_over_http(sandbox) as url:
        monkeypatch.setenv("IGOPS_API_URL", f"{url}/v25-10-beta/")
        served = igops("plan", "--target", "homepage-hero-headline", "--detailed-exitcode")
        wrong = igops("plan", "--api", f"{url}/api")
    assert served.exit_code == 2, served.output
    assert "homepage-hero-headline" in served.output
    assert wrong.exit_code == 1
    assert one_error_line(wrong.output) == (
        f"Error: Nothing found at GET /experiences-list (404): the API URL {url}/api is probably wrong; it "
        "should be the API's root, such as https://api.intelligems.io, to which igops adds /v25-10-beta."
    )


# 3. A server that never answers


def test_a_server_that_never_answers_fails_within_the_timeout_saying_how_long_it_tried(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast_retries(monkeypatch, max_attempts=2)
    (project / "igops.yaml").write_text("timeout: 0.3\n")
    with silent_server() as url:
        began = time.monotonic()
        result = igops("plan", "--api", url)
        took = time.monotonic() - began
    assert result.exit_code == 1
    assert re.fullmatch(
        rf"Error: The Intelligems API at {re.escape(url)} did not answer GET /experiences-list within 0\.3s "
        r"\(2 attempt\(s\) over 0\.[6-9]s\): check the API URL and the network, or allow more time "
        r"\(--timeout, or timeout in igops\.yaml\)\.",
        one_error_line(result.output),
    ), result.output
    assert took < 3, f"gave up after {took:.1f}s"
    assert "waiting for" not in result.output, "a status line where there is no terminal"


def test_the_timeout_option_overrides_igops_yaml(project: Path) -> None:
    @click.command()
    @API_OPTION
    @TIMEOUT_OPTION
    def command(api: str | None) -> None:
        click.echo(load_project(api).settings.timeout)

    (project / "igops.yaml").write_text("timeout: 12\n")
    runner = CliRunner()
    assert runner.invoke(command, ["--api", "sandbox:"]).output == "12.0\n"
    assert runner.invoke(command, ["--api", "sandbox:", "--timeout", "2.5"]).output == "2.5\n"
    refused = runner.invoke(command, ["--timeout", "0"])
    assert refused.exit_code == 2 and "0 is not in the range x>=0.1" in refused.output


def test_the_status_line_shows_while_reading_and_leaves_apply_to_its_progress(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    terminal = io.StringIO()
    monkeypatch.setattr(
        common, "status_console", lambda: Console(file=terminal, force_terminal=True, width=160)
    )
    sandbox = new_sandbox(faults=Faults(latency_ms=1300))
    monkeypatch.setattr(connect, "Sandbox", lambda config: sandbox)
    result = igops("apply", "--auto-approve", "--api", "sandbox:", "--target", "homepage-hero-headline")
    assert result.exit_code == 0, result.output
    shown = terminal.getvalue()
    assert "waiting for GET /experiences-list (attempt 1 of 6, giving up in " in shown, shown
    assert "waiting for POST" not in shown, "the status line drew over apply's own progress"
    assert "waiting for" not in result.output


def run_on_a_terminal_until(args: list[str], cwd: Path, wanted: str, timeout: float) -> str:
    """`igops ARGS` on a pseudo-terminal (NO_COLOR set) until `wanted` shows or `timeout` passes; then it
    is stopped. What it wrote."""
    controller, terminal = pty.openpty()
    env = {**os.environ, "INTELLIGEMS_API_TOKEN": TOKEN, "NO_COLOR": "1", "COLUMNS": "160"}
    process = subprocess.Popen(
        [sys.executable, "-m", "igops", *args],
        cwd=cwd,
        env=env,
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        close_fds=True,
    )
    os.close(terminal)
    output = b""
    deadline = time.monotonic() + timeout
    try:
        while wanted.encode() not in output and time.monotonic() < deadline:
            if select.select([controller], [], [], 0.1)[0]:
                try:
                    output += os.read(controller, 4096)
                except OSError:  # the terminal closed: the process is gone
                    break
    finally:
        interrupt(process)
        os.close(controller)
    return output.decode(errors="replace")


@pytest.mark.timeout(30)
def test_on_a_terminal_a_status_line_names_the_request_being_waited_for(project: Path) -> None:
    (project / "igops.yaml").write_text("timeout: 20\n")
    wanted = "waiting for GET /experiences-list (attempt 1 of 6, giving up in "
    with silent_server() as url:
        output = run_on_a_terminal_until(["plan", "--api", url], project, wanted, timeout=15)
    assert wanted in output, output
    seconds = re.search(r"giving up in (\d+)m(\d\d)s\)", output)
    assert seconds is not None, output
    # Six attempts of up to 20 s and the waits between them (the retry policy's ceilings, 15.5 s).
    assert 120 <= int(seconds[1]) * 60 + int(seconds[2]) <= 136, output
    assert "\x1b[32m" not in output and "Traceback" not in output, "colour despite NO_COLOR"


def test_durations_read_the_way_people_say_them() -> None:
    assert [duration(seconds) for seconds in (0, 0.04, 0.5, 9.94, 25.3, 59.6, 100, 3725)] == [
        "0s",
        "0s",
        "0.5s",
        "9.9s",
        "25s",
        "1m00s",
        "1m40s",
        "62m05s",
    ]


# 5. A token where the name of its environment variable belongs


@pytest.mark.parametrize("value", ["ghp_16C7e42F292c6912E7710c838347Ae178B4a", "ig-live-7f3a9c2e"])
def test_a_token_in_token_env_is_refused_without_being_shown(project: Path, value: str) -> None:
    (project / "igops.yaml").write_text(f"token_env: {value}\n")
    for command in (["plan"], ["validate"], ["validate", "--format", "json"], ["demo"]):
        result = igops(*command)
        assert result.exit_code == 1, result.output
        assert "$.token_env" in result.output or "token_env" in result.output
        assert "its value is not shown" in result.output and "INTELLIGEMS_API_TOKEN" in result.output
        assert value not in result.output and value[:12] not in result.output


# 6. --port 0


def test_sandbox_serve_on_port_0_prints_the_port_it_bound() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "igops", "sandbox", "serve", "--port", "0"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    try:
        assert process.stderr is not None
        announced = process.stderr.readline() + process.stderr.readline()
        found = re.search(r"on http://127\.0\.0\.1:(\d+)/v25-10-beta, accepting", announced)
        assert found is not None and int(found[1]) != 0, announced
        port = int(found[1])
        hint = f"IGOPS_API_URL=http://127.0.0.1:{port} INTELLIGEMS_API_TOKEN=sandbox-token igops plan"
        assert hint in announced
        answer = httpx.get(
            f"http://127.0.0.1:{port}/v25-10-beta/experiences-list",
            headers={"intelligems-access-token": "sandbox-token"},
            timeout=10,
        )
        assert answer.status_code == 200
    finally:
        interrupt(process)


def test_sandbox_serve_prints_a_url_and_command_that_work_as_they_are(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        sandbox_commands, "serve", lambda config, host, port, on_listening: on_listening(54321)
    )
    result = CliRunner().invoke(
        cli, ["sandbox", "serve", "--host", "::1", "--port", "0", "--token", "mine-42"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Intelligems sandbox on http://[::1]:54321/v25-10-beta, accepting the --token. Ctrl-C stops it.",
        "Point igops at it: IGOPS_API_URL=http://[::1]:54321 INTELLIGEMS_API_TOKEN=<your --token> igops plan",
    ]


# 7. A missing experiences directory


def test_a_missing_experiences_directory_names_it_and_where_it_was_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work_in(tmp_path, monkeypatch)
    bare = igops("plan", "--api", "sandbox:")
    assert bare.exit_code == 1
    assert one_error_line(bare.output) == (
        f"Error: There is no directory {tmp_path / 'experiences'} for the experience files, and no "
        f"igops.yaml in {tmp_path} or any directory above it to name another: run igops init to start a "
        "project here, or run igops in your project."
    )

    (tmp_path / "igops.yaml").write_text("experiences_dir: tests/experiences\n")
    configured = igops("plan", "--api", "sandbox:")
    assert configured.exit_code == 1
    sentence = (
        "The experiences directory tests/experiences does not exist (experiences_dir in igops.yaml): "
        "create it, or fix experiences_dir."
    )
    assert one_error_line(configured.output) == f"Error: {sentence}"
    validated = igops("validate")
    assert validated.exit_code == 1
    assert validated.output.startswith(f"igops.yaml:1:1: $: {sentence}\n")


# 8. max_changes 0


def test_max_changes_0_means_every_change_needs_force_in_igops_yaml_and_as_a_flag(project: Path) -> None:
    make_live_equal(project, statuses=("paused", "ended"))
    api = f"sandbox:{project / 'account.json'}"
    target = ("--target", "homepage-hero-headline")
    refusal = "Error: policy max-changes: the plan makes 2 changes, more than max-changes allows (0)"
    assert refusal in igops("apply", "--auto-approve", "--api", api, "--max-changes", "0", *target).output

    config = project / "igops.yaml"
    config.write_text(config.read_text().replace("max: 25", "max: 0"))
    planned = igops("plan", "--api", api, *target, "--format", "json")
    assert planned.exit_code == 0, planned.output
    risks = json.loads(planned.output)["risks"]
    assert [(risk["kind"], risk["needs_force"]) for risk in risks if risk["needs_force"]] == [
        ("max-changes", True)
    ]
    refused = igops("apply", "--auto-approve", "--api", api, *target)
    assert refused.exit_code == 1 and refusal in refused.output
    forced = igops("apply", "--auto-approve", "--api", api, "--force", *target)
    assert forced.exit_code == 0, forced.output


# 10. igops.yaml in a parent directory


def test_igops_works_from_any_subdirectory_with_paths_relative_to_igops_yaml(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = project / "igops.yaml"
    config.write_text(
        config.read_text().replace("api_url: https://api.intelligems.io", "api_url: sandbox:account.json")
    )
    deeper = project / "experiences" / "drafts"
    deeper.mkdir()
    monkeypatch.chdir(deeper)
    assert igops("validate").exit_code == 0
    make_live_equal(project, statuses=("paused", "ended"))
    planned = igops("plan", "--detailed-exitcode")
    assert planned.exit_code == 2, planned.output
    assert "homepage-hero-headline" in planned.output
    assert not (deeper / "account.json").exists(), "the state file was not taken relative to igops.yaml"

    broken = project / "experiences" / "broken.yaml"
    broken.write_text("name: Broken\nname: Twice\n")
    assert igops("validate").output.startswith("../../experiences/broken.yaml:2:1: ")
    broken.unlink()


def test_without_igops_yaml_anywhere_defaults_apply_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work_in(tmp_path, monkeypatch)
    shutil.copytree(REPO / "experiences", tmp_path / "experiences")
    result = igops("validate")
    assert result.exit_code == 0, result.output
    assert "7 experience files checked" in result.output
