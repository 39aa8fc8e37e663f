"""`igops sandbox serve` as a user runs it: a real process on a 127.0.0.1 port."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
import httpx
import pytest
from click.testing import CliRunner
from support.bodies import onsite_edits_experience, with_ids
from support.cli import REPO
from support.emulator import TOKEN, last_month, new_sandbox
from support.openapi import path_template, response_validator, schema_errors, spec_available
from support.processes import free_port, interrupt

from igops.cli import cli

JSON_STATE = Path(__file__).parent / "sandbox" / "data" / "state-v1.json"


def igops(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "igops", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "NO_COLOR": "1"},
    )


@contextmanager
def serving(state: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "igops",
            "sandbox",
            "serve",
            "--port",
            str(port),
            "--state",
            str(state),
            "--token",
            TOKEN,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}/v25-10-beta"
    deadline = time.monotonic() + 20
    while True:
        try:
            httpx.get(url + "/experiences-list", timeout=1)
            break
        except httpx.TransportError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail(f"igops sandbox serve did not come up: {process.communicate()[1]}")
            time.sleep(0.1)
    try:
        yield url, process
    finally:
        if process.poll() is None:
            interrupt(process)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path, subprocess.Popen[str]]]:
    state = tmp_path / "sandbox.db"
    with serving(state) as (url, process):
        yield url, state, process


def check_shape(method: str, response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body = response.json()
    if spec_available():
        template = path_template(response.url.path)
        if template is not None:
            errors = schema_errors(response_validator(method, template), body)
            assert not errors, f"{method} {response.url.path}: {errors}"
    return body


def test_serve_answers_every_documented_call(served: tuple[str, Path, subprocess.Popen[str]]) -> None:
    url, state, process = served
    with httpx.Client(base_url=url, headers={"intelligems-access-token": TOKEN}, timeout=10) as http:
        assert http.get("/experiences-list", headers={"intelligems-access-token": "wrong"}).json() == {
            "error": "Unauthorized"
        }
        written = onsite_edits_experience("Served")
        created = check_shape("POST", http.post("/experiences", json={"experience": written}))["experience"]
        fetched = check_shape("GET", http.get(f"/experiences/{created['id']}"))["experience"]
        listed = check_shape("GET", http.get("/experiences-list", params={"limit": 5}))
        assert listed["total"] == 1 and listed["experiencesList"][0]["id"] == created["id"]
        put = http.put(
            f"/experiences/{created['id']}",
            json={"experience": with_ids({**written, "description": "v2"}, fetched)},
        )
        assert check_shape("PUT", put)["experience"]["description"] == "v2"
        for action in ("start", "pause", "start"):
            acted = http.post(f"/experiences/{created['id']}/actions/{action}", json={})
            assert check_shape("POST", acted)["experience"]["status"] in ("started", "paused")
        check_shape("POST", http.post(f"/analytics/resource/{created['id']}", json={}))
        check_shape("POST", http.post("/analytics/sitewide/snapshot", json=last_month()))
        winner = next(v["id"] for v in fetched["variations"] if not v["isControl"])
        ended = http.post(f"/experiences/{created['id']}/actions/end", json={"variationId": winner})
        assert check_shape("POST", ended)["experience"]["status"] == "ended"
    process.send_signal(signal.SIGINT)
    process.wait(timeout=10)
    assert process.returncode is not None
    assert [path.name for path in state.parent.iterdir()] == [state.name], "the WAL is folded back in"
    assert TOKEN.encode() not in state.read_bytes()
    assert [experience["name"] for experience in new_sandbox(state).experiences()] == ["Served"]


def test_sigterm_folds_the_wal_back_into_the_state_file_as_ctrl_c_does(tmp_path: Path) -> None:
    """kill, a service manager or a CI runner's cleanup stop the emulator with SIGTERM, not Ctrl-C."""
    state = tmp_path / "account.db"
    with serving(state) as (url, process):
        created = httpx.post(
            f"{url}/experiences",
            json={"experience": onsite_edits_experience("Kept")},
            headers={"intelligems-access-token": TOKEN},
            timeout=10,
        )
        assert created.status_code == 200, created.text
        assert (tmp_path / "account.db-wal").exists(), "the write sits in the WAL while serving"
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=15)
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == ["account.db"], "no -wal or -shm is left"
    assert [experience["name"] for experience in new_sandbox(state).experiences()] == ["Kept"]


def test_serve_converts_a_json_state_file_of_old(tmp_path: Path) -> None:
    state = tmp_path / "sandbox.json"
    shutil.copy(JSON_STATE, state)
    names = [item["experience"]["name"] for item in json.loads(JSON_STATE.read_text())["experiences"]]
    with serving(state) as (url, _):
        listed = httpx.get(
            f"{url}/experiences-list", params={"limit": 100}, headers={"intelligems-access-token": TOKEN}
        ).json()["experiencesList"]
    assert [item["name"] for item in listed] == names


def _command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = [prefix]
    for name, command in group.commands.items():
        paths += (
            _command_paths(command, (*prefix, name))
            if isinstance(command, click.Group)
            else [(*prefix, name)]
        )
    return paths


def test_help_has_an_example_on_every_command() -> None:
    paths = _command_paths(cli)
    named = {path[0] for path in paths if path}
    assert {"plan", "apply", "drift", "import", "show", "init", "validate", "demo"} <= named
    for path in paths:
        result = CliRunner().invoke(cli, [*path, "--help"])
        assert result.exit_code == 0, path
        assert "Example:" in result.output, f"igops {' '.join(path)} --help has no example"


@pytest.mark.parametrize("path", [("sandbox",), ("sandbox", "serve")])
def test_help_names_the_state_file_as_the_sqlite_file_it_is(path: tuple[str, ...]) -> None:
    shown = CliRunner().invoke(cli, [*path, "--help"]).output
    assert "--state sandbox.db" in shown and ".json" not in shown


@pytest.mark.parametrize(
    "args",
    [
        ["sandbox", "serve", "--fail-rate", "2"],
        ["sandbox", "serve", "--port", "99999"],
        ["sandbox", "serve", "--token", " "],
        ["no-such-command"],
    ],
)
def test_bad_options_are_one_sentence_and_exit_1(args: list[str]) -> None:
    result = igops(*args)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "Error:" in result.stderr


def test_a_corrupt_state_file_is_refused_in_one_sentence(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    state.write_text("garbage{")
    result = igops("sandbox", "serve", "--port", str(free_port()), "--state", str(state))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        f"Error: {state} is not a sandbox state file (Expecting value: line 1 column 1 (char 0)): "
        "move it away or choose another --state."
    ]
    assert state.read_text() == "garbage{"


def test_a_port_in_use_is_refused_in_one_sentence() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = igops("sandbox", "serve", "--port", str(port))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"Cannot serve on 127.0.0.1:{port}" in result.stderr


def test_a_state_file_in_a_missing_directory_is_refused_in_one_sentence(tmp_path: Path) -> None:
    state = tmp_path / "missing" / "state.json"
    result = igops("sandbox", "serve", "--port", str(free_port()), "--state", str(state))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"Error: --state {state} cannot be written: its directory {state.parent} does not exist."
    ]
    assert not state.parent.exists(), "no directory is created behind the user's back"


def test_a_scenario_the_emulator_cannot_use_is_refused_in_one_sentence(tmp_path: Path) -> None:
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text("- a list, not names\n")
    result = igops("sandbox", "serve", "--port", str(free_port()), "--scenario", str(scenario))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"Error: --scenario {scenario} is not a mapping of experience names to directives "
        "(Name: started 12 days ago, uplift +8%)."
    ]


def test_a_sandbox_url_reads_the_scenario_igops_sandbox_scenario_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The story of an example, told by the scenario: its first start dated back, and so days of results."""
    shutil.copytree(REPO / "experiences", tmp_path / "experiences")
    (tmp_path / "igops.yaml").write_text("experiences_dir: experiences\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("IGOPS_API_URL", raising=False)
    runner = CliRunner()
    api = f"sandbox:{tmp_path / 'account.db'}"
    started = {"IGOPS_SANDBOX_SCENARIO": str(REPO / "sandbox-scenario.yaml"), "NO_COLOR": "1"}
    applied = runner.invoke(
        cli,
        ["apply", "--auto-approve", "--force", "--api", api, "--target", "homepage-hero-headline"],
        env=started,
    )
    assert applied.exit_code == 0, applied.output
    report = runner.invoke(
        cli, ["report", "--api", api, "--format", "json", "homepage-hero-headline"], env=started
    )
    assert report.exit_code == 0, report.output
    [result] = json.loads(report.output)["experiences"]
    assert 14 <= result["days_live"] < 15, result
    broken = tmp_path / "broken.yaml"
    broken.write_text("Hero: [\n")
    refused = runner.invoke(cli, ["plan", "--api", api], env={"IGOPS_SANDBOX_SCENARIO": str(broken)})
    assert refused.exit_code == 1
    assert refused.output == (
        f"Error: {broken} is not valid YAML: fix the file IGOPS_SANDBOX_SCENARIO names, or unset it.\n"
    )
