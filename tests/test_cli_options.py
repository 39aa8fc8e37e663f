"""Options every command shares (-v after the command name) and --max-chars on the markdown plan."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from support.cli import igops, make_live_equal, prepare_project

from igops.cli import cli
from igops.cli.verbose import VerboseGroup


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return prepare_project(tmp_path, monkeypatch)


def command_paths(group: click.Group, above: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for name, command in group.commands.items():
        yield (*above, name)
        if isinstance(command, click.Group):
            yield from command_paths(command, (*above, name))


def test_the_tree_has_the_sandbox_commands() -> None:
    assert {("sandbox", "serve"), ("plan",), ("validate",)} <= set(command_paths(cli))


@pytest.mark.parametrize("path", list(command_paths(cli)), ids=" ".join)
def test_every_command_takes_verbose_after_its_name(path: tuple[str, ...]) -> None:
    for flag in ("-v", "--verbose"):
        result = igops(*path, flag, "--help")
        assert result.exit_code == 0, result.output
        assert "-v, --verbose" in result.output


def test_a_command_registered_later_takes_verbose_too_and_says_each_phase() -> None:
    group = VerboseGroup("igops")
    inner = click.Group("tools")
    seen: list[bool] = []
    inner.add_command(click.Command("deep", callback=lambda: seen.append(True)))
    group.add_command(inner)
    group.add_command(click.Command("late", callback=lambda: seen.append(True)))
    runner = CliRunner()
    for args in (["late", "-v"], ["tools", "deep", "--verbose"]):
        assert runner.invoke(group, args).exit_code == 0
    group.add_command(inner, "alias")
    assert [parameter.name for parameter in inner.params].count("verbose") == 1
    assert seen == [True, True]


def test_verbose_after_the_name_is_verbose_before_it(project: Path) -> None:
    make_live_equal(project, statuses=("paused", "ended"))
    api = f"sandbox:{project / 'account.json'}"
    before, after = igops("-v", "plan", "--api", api), igops("plan", "--api", api, "-v")
    assert before.exit_code == after.exit_code == 0
    assert "igops: reading the account's experience list" in after.stderr
    assert after.stderr == before.stderr and after.stdout == before.stdout
    assert igops("plan", "--api", api).stderr == "", "off again on the next run"


def test_max_chars_bounds_the_markdown_plan_and_the_saved_one(project: Path) -> None:
    make_live_equal(project, statuses=("paused", "ended"))
    api = f"sandbox:{project / 'account.json'}"
    markdown = ("--api", api, "--format", "markdown")
    whole = igops("plan", *markdown, "--out", "plan.json").stdout
    bounded = igops("plan", *markdown, "--max-chars", "1000").stdout
    assert len(whole) > 1001 >= len(bounded)
    assert bounded.startswith(whole.split("\n", 1)[0]), "the summary is kept"
    assert igops("show", "plan.json", *markdown, "--max-chars", "1000").stdout == bounded
    assert igops("show", "plan.json", *markdown, "--max-chars", "900000").stdout == whole


@pytest.mark.parametrize("command", [("plan",), ("show", "plan.json")])
@pytest.mark.parametrize("output_format", [(), ("--format", "text"), ("--format", "json")])
def test_max_chars_with_another_format_is_refused_before_any_call(
    project: Path, command: tuple[str, ...], output_format: tuple[str, ...]
) -> None:
    api = f"sandbox:{project / 'account.json'}"
    result = igops(*command, "--api", api, *output_format, "--max-chars", "500")
    assert result.exit_code == 1
    shown = output_format[1] if output_format else "text"
    assert result.output == (
        f"Error: --max-chars bounds the markdown document and --format {shown} has no "
        "bound: add --format markdown or leave --max-chars out.\n"
    )
    assert not (project / "account.json").exists()


def test_max_chars_must_be_positive(project: Path) -> None:
    result = igops("plan", "--format", "markdown", "--max-chars", "0")
    assert result.exit_code != 0 and "0 is not in the range x>=1" in result.output
