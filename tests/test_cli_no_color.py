"""--no-color: on a terminal, where igops colours, no colour at all with the flag (before the command's name
or after it), as with NO_COLOR: not in the output, the status line or apply's progress bar."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from support.apply import run_on_terminal
from support.cli import igops, prepare_project
from support.processes import serving

from igops.config import SANDBOX_DEFAULT_TOKEN

TARGET = ("--target", "homepage-hero-headline")
_SGR = re.compile(r"\x1b\[([0-9;]*)m")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return prepare_project(tmp_path, monkeypatch)


def colours(output: str) -> list[str]:
    """The escape sequences in `output` that set a foreground or background colour (bold is no colour)."""
    return [
        sequence
        for sequence in _SGR.findall(output)
        if any(part and (30 <= int(part) <= 49 or 90 <= int(part) <= 107) for part in sequence.split(";"))
    ]


def on_a_terminal(args: list[str], cwd: Path) -> str:
    """What `igops ARGS` writes on a pseudo-terminal (stdout and stderr), NO_COLOR unset, once it has ended
    well; with the token `igops sandbox serve` takes."""
    env = {key: value for key, value in os.environ.items() if key != "NO_COLOR"}
    code, output = run_on_terminal(
        args, cwd, env={**env, "INTELLIGEMS_API_TOKEN": SANDBOX_DEFAULT_TOKEN, "COLUMNS": "160"}
    )
    assert code == 0, output
    return output


@pytest.mark.timeout(60)
def test_apply_on_a_terminal_colours_its_plan_and_progress_bar_unless_told_not_to(project: Path) -> None:
    coloured = on_a_terminal(["apply", "--auto-approve", "--api", "sandbox:first.db", *TARGET], project)
    assert "\x1b[32m+ create" in coloured and "Applying \x1b[" in coloured, coloured
    for args in (
        ["apply", "--no-color", "--auto-approve", "--api", "sandbox:second.db", *TARGET],
        ["--no-color", "apply", "--auto-approve", "--api", "sandbox:third.db", *TARGET],
    ):
        plain = on_a_terminal(args, project)
        assert "+ create  homepage-hero-headline" in plain and "Applying " in plain, plain
        assert colours(plain) == [], plain


@pytest.mark.timeout(60)
def test_the_status_line_is_not_coloured_with_no_color(project: Path) -> None:
    # Each request waits 1.2 s: past the second after which the status line names it.
    with serving(project / "slow.db", "--latency-ms", "1200") as url:
        coloured = on_a_terminal(["plan", "--api", url, "--format", "json", *TARGET], project)
        plain = on_a_terminal(["plan", "--api", url, "--format", "json", "--no-color", *TARGET], project)
    assert "waiting for GET /experiences-list" in coloured and colours(coloured), coloured
    assert "waiting for GET /experiences-list" in plain and colours(plain) == [], plain


# Every command whose output, status line (it reads the account) or progress bar may be coloured.
COLOURING = [
    ("plan",),
    ("apply",),
    ("drift",),
    ("show",),
    ("import",),
    ("report",),
    ("sitewide",),
    ("monitor",),
    ("calendar",),
    ("combine-plans",),
    ("demo",),
    ("sandbox", "seed"),
]


@pytest.mark.parametrize("path", COLOURING, ids=" ".join)
def test_every_command_that_colours_takes_no_color(path: tuple[str, ...]) -> None:
    result = igops(*path, "--help")
    assert result.exit_code == 0, result.output
    assert "--no-color" in result.output
