"""`igops comment-body` as the action calls it: files in, the bounded body out, bad input in one sentence."""

from __future__ import annotations

from pathlib import Path

from support.cli import igops


def write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_the_body_of_a_failed_run_from_its_files(tmp_path: Path) -> None:
    stdout = write(tmp_path / "out", "::error file=a.yaml,line=1::bad\na.yaml:1:1: $: bad\n")
    stderr = write(tmp_path / "err", "")
    result = igops(
        "comment-body",
        "--command",
        "validate",
        "--exit-code",
        "1",
        "--stdout",
        stdout,
        "--stderr",
        stderr,
        "--context",
        "Checked `abc`.",
    )
    assert result.exit_code == 0, result.output
    assert result.output == (
        "### ⛔ igops validate failed (exit 1)\n\n1 problem annotated on the files and lines they concern "
        "(the pull request's Files changed tab and the job's annotations).\n\n"
        "Checked `abc`.\n\n~~~text\na.yaml:1:1: $: bad\n~~~\n"
    )


def test_max_chars_bounds_the_body(tmp_path: Path) -> None:
    stdout = write(tmp_path / "out", "line\n" * 1000)
    stderr = write(tmp_path / "err", "")
    result = igops(
        "comment-body",
        "--command",
        "plan",
        "--exit-code",
        "0",
        "--stdout",
        stdout,
        "--stderr",
        stderr,
        "--max-chars",
        "500",
    )
    assert result.exit_code == 0
    assert len(result.output.rstrip("\n")) <= 500
    assert "more lines of output cut" in result.output


def test_success_codes_that_are_not_numbers_are_one_sentence(tmp_path: Path) -> None:
    stdout = write(tmp_path / "out", "")
    result = igops(
        "comment-body",
        "--command",
        "plan",
        "--exit-code",
        "2",
        "--success-codes",
        "0 two",
        "--stdout",
        stdout,
        "--stderr",
        stdout,
    )
    assert result.exit_code == 1
    assert result.output == "Error: --success-codes '0 two' is not a list of whole numbers.\n"


def test_an_unreadable_file_is_one_sentence(tmp_path: Path) -> None:
    stdout = write(tmp_path / "out", "")
    result = igops(
        "comment-body",
        "--command",
        "plan",
        "--exit-code",
        "0",
        "--stdout",
        stdout,
        "--stderr",
        str(tmp_path / "missing"),
    )
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: --stderr {tmp_path / 'missing'}: cannot read it (")
    assert result.output.count("\n") == 1
