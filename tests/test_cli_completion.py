"""Shell completion: `igops completion SHELL` prints what click's completion variable does, and the options
and arguments that take an experience key complete the keys of the files igops.yaml governs, silently."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from support.cli import REPO, igops, work_in

from igops.cli import cli

SHELLS = ("bash", "zsh", "fish")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """igops.yaml and two experience files: homepage-hero-headline and sticky-add-to-cart."""
    (tmp_path / "experiences").mkdir()
    for key in ("homepage-hero-headline", "sticky-add-to-cart"):
        shutil.copy(REPO / "experiences" / f"{key}.yaml", tmp_path / "experiences")
    shutil.copy(REPO / "igops.yaml", tmp_path / "igops.yaml")
    return work_in(tmp_path, monkeypatch)


def completed(*words: str) -> list[str]:
    """What bash is offered for the last of `words` (what is typed so far) after `igops`, as `type,value`."""
    line = " ".join(("igops", *words))
    result = CliRunner().invoke(
        cli,
        [],
        prog_name="igops",
        env={"_IGOPS_COMPLETE": "bash_complete", "COMP_WORDS": line, "COMP_CWORD": str(len(words))},
    )
    assert result.exit_code == 0 and result.stderr == "", result.output
    return [line for line in result.stdout.splitlines() if line]


@pytest.mark.parametrize("shell", SHELLS)
def test_the_printed_script_is_the_one_clicks_variable_gives(shell: str) -> None:
    printed = igops("completion", shell)
    assert printed.exit_code == 0, printed.output
    assert "igops" in printed.stdout and "_IGOPS_COMPLETE" in printed.stdout
    sourced = CliRunner().invoke(cli, [], prog_name="igops", env={"_IGOPS_COMPLETE": f"{shell}_source"})
    assert printed.stdout == sourced.stdout


def test_an_unknown_shell_is_refused() -> None:
    result = igops("completion", "powershell")
    assert result.exit_code == 2
    assert "'powershell' is not one of 'bash', 'zsh', 'fish'" in result.output


@pytest.mark.usefixtures("project")
def test_target_completes_the_matching_key() -> None:
    assert completed("plan", "--target", "ho") == ["plain,homepage-hero-headline"]
    assert completed("plan", "--target", "") == ["plain,homepage-hero-headline", "plain,sticky-add-to-cart"]
    assert completed("plan", "--target", "nothing") == []


@pytest.mark.usefixtures("project")
@pytest.mark.parametrize(
    "words",
    [
        ("plan", "--resend", "st"),
        ("apply", "--target", "st"),
        ("apply", "--resend", "st"),
        ("drift", "--target", "st"),
        ("report", "st"),
        ("report", "homepage-hero-headline", "st"),
        ("import", "st"),
        ("show", "st"),
    ],
    ids=" ".join,
)
def test_every_key_argument_completes_keys(words: tuple[str, ...]) -> None:
    assert completed(*words) == ["plain,sticky-add-to-cart"]


@pytest.mark.usefixtures("project")
def test_show_completes_a_file_name_when_no_key_matches() -> None:
    assert completed("show", "plan.") == ["file,plan."]


def test_with_stores_every_stores_keys_or_the_chosen_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "igops.yaml").write_text("stores:\n  us: {}\n  eu: {}\n")
    for store, key in (("us", "homepage-hero-headline"), ("eu", "sticky-add-to-cart")):
        (tmp_path / "experiences" / store).mkdir(parents=True)
        shutil.copy(REPO / "experiences" / f"{key}.yaml", tmp_path / "experiences" / store)
    work_in(tmp_path, monkeypatch)
    assert completed("plan", "--target", "") == ["plain,homepage-hero-headline", "plain,sticky-add-to-cart"]
    assert completed("plan", "--store", "eu", "--target", "") == ["plain,sticky-add-to-cart"]
    assert completed("plan", "--store", "asia", "--target", "") == []


def test_without_igops_yaml_nothing_is_completed(project: Path) -> None:
    (project / "igops.yaml").unlink()
    assert completed("plan", "--target", "") == []


def test_with_an_invalid_file_nothing_is_completed(project: Path) -> None:
    (project / "experiences" / "broken.yaml").write_text("name: [\n")
    assert completed("plan", "--target", "") == []


def test_with_an_invalid_igops_yaml_nothing_is_completed(project: Path) -> None:
    (project / "igops.yaml").write_text("stores: 3\n")
    assert completed("plan", "--target", "") == []
