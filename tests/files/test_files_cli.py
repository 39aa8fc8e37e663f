"""`igops validate` as CI and pre-commit hooks run it, and igops.yaml."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from support.files import dump, experience

from igops.cli import cli
from igops.config import InvalidConfig, load_project_config
from igops.files.discovery import MAX_FILE_BYTES

REPO = Path(__file__).resolve().parents[2]
LOCATED = re.compile(r"^(?P<file>[^\n]+?):(?P<line>\d+):(?P<column>\d+): \$\S*: .+\.$")


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, ["validate", *args])


def test_examples_pass_from_the_configured_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    result = run()
    assert result.exit_code == 0, result.output
    examples = len(list((REPO / "experiences").glob("*.yaml")))
    assert result.output == f"{examples} experience files checked: all valid.\n"


VALID = dump(experience())
BAD_INPUTS: dict[str, bytes] = {
    "YAML syntax error": b"name: [oops\n",
    "tab indentation": VALID.replace("  percentage: 50", "\tpercentage: 50", 1).encode(),
    "duplicate key": (VALID + "name: again\n").encode(),
    "empty file": b"",
    "top level not a mapping": b"- a\n- b\n",
    "wrong type": VALID.replace("percentage: 50", "percentage: fifty", 1).encode(),
    "unknown field": VALID.replace("isControl:", "isControll:", 1).encode(),
    "value out of enum": VALID.replace("status: draft", "status: live").encode(),
    "percentages off": VALID.replace("percentage: 50", "percentage: 40", 1).encode(),
    "zero controls": VALID.replace("  isControl: true\n", "").encode(),
    "two controls": VALID.replace("- name: Variant\n", "- name: Variant\n  isControl: true\n").encode(),
    "winner without ended": (VALID + "winner: Variant\n").encode(),
    "not UTF-8": VALID.encode("utf-16"),
    "binary": b"\x7fELF\x02\x01\x01\x00\x00\x00",
    "over 1 MB": (VALID + "#" * MAX_FILE_BYTES).encode(),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS), ids=list(BAD_INPUTS))
def test_bad_input_exits_1_with_its_location(tmp_path: Path, case: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(BAD_INPUTS[case])
    result = run(str(path))
    assert result.exit_code == 1, result.output
    *errors, summary = result.output.splitlines()
    assert errors and all(LOCATED.match(line) for line in errors), result.output
    assert all(line.startswith(f"{path}:") for line in errors)
    assert re.fullmatch(r"\d+ errors? in 1 file \(1 experience file checked\)\.", summary), summary


def test_symlink_outside_is_refused(tmp_path: Path) -> None:
    (tmp_path / "elsewhere.yaml").write_text(VALID, encoding="utf-8")
    (tmp_path / "experiences").mkdir()
    os.symlink(tmp_path / "elsewhere.yaml", tmp_path / "experiences" / "linked.yaml")
    result = run(str(tmp_path / "experiences"))
    assert result.exit_code == 1
    assert f"{tmp_path / 'experiences' / 'linked.yaml'}:1:1: $: a symbolic link to" in result.output


def test_json_format_lists_every_error(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(dump(experience(status="live", percentge=3)), encoding="utf-8")
    (tmp_path / "b.yaml").write_text(VALID, encoding="utf-8")
    result = run(str(tmp_path), "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["valid"] is False and report["files"] == 2
    located = [(error["path"], error["line"]) for error in report["errors"]]
    assert located == [("$.status", 3), ("$.percentge", 14)]
    assert set(report["errors"][0]) == {"file", "line", "column", "path", "message"}


def test_json_format_when_valid(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(VALID, encoding="utf-8")
    result = run(str(tmp_path), "--format", "json")
    document = json.loads(result.output)
    # The file declares no primary metric: the primary-metric policy warns, and a warning passes.
    findings = document.pop("findings")
    assert (result.exit_code, document) == (0, {"valid": True, "passes": True, "files": 1, "errors": []})
    assert [(f["rule"], f["level"], f["key"], f["file"]) for f in findings] == [
        ("primary-metric", "warn", "a", str(tmp_path / "a.yaml"))
    ]


def test_default_directory_comes_from_igops_yaml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "igops.yaml").write_text("experiences_dir: tests/exp\n", encoding="utf-8")
    (tmp_path / "tests" / "exp").mkdir(parents=True)
    (tmp_path / "tests" / "exp" / "bad.yaml").write_text("name: [\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run()
    assert result.exit_code == 1
    assert result.output.startswith("tests/exp/bad.yaml:1:8: $: the file is not valid YAML")


def test_invalid_igops_yaml_is_reported_with_its_location(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "igops.yaml").write_text("max_change: 10\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run()
    assert result.exit_code == 1
    assert (
        "igops.yaml:1:1: $.max_change: 'max_change' is not a field here (did you mean 'max_changes'?)."
    ) in result.output


def test_nothing_to_validate_says_where_it_looked_and_to_run_igops_init(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run()
    assert result.exit_code == 1
    assert result.output == (
        f"Error: There is no directory {tmp_path / 'experiences'} for the experience files, and no "
        f"igops.yaml in {tmp_path} or any directory above it to name another: run igops init to start a "
        "project here, or run igops in your project.\n"
    )


def test_an_experiences_dir_igops_yaml_names_and_that_is_missing_is_igops_yamls_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "igops.yaml").write_text("experiences_dir: exps\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run()
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "igops.yaml:1:1: $: The experiences directory exps does not exist (experiences_dir in igops.yaml): "
        "create it, or fix experiences_dir.",
        "1 error in 1 file (0 experience files checked).",
    ]


def test_a_missing_store_directory_is_reported_for_its_store_and_the_others_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "igops.yaml").write_text("stores:\n  us: {}\n  eu: {}\n", encoding="utf-8")
    (tmp_path / "experiences" / "us").mkdir(parents=True)
    (tmp_path / "experiences" / "us" / "home.yaml").write_text(VALID, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run()
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == (
        "igops.yaml:1:1: $: The experiences directory experiences/eu of the store eu does not exist "
        "(stores.eu.experiences_dir in igops.yaml, by default the store's name in experiences_dir): create "
        "it, or fix experiences_dir."
    )
    assert lines[-1].startswith("1 error in 1 file (1 experience file checked).")


def test_console_script_exit_codes_and_no_traceback(tmp_path: Path) -> None:
    for name, content in BAD_INPUTS.items():
        (tmp_path / f"{name.replace(' ', '-')}.yaml").write_bytes(content)
    command = [sys.executable, "-m", "igops", "validate", str(tmp_path), str(REPO / "experiences")]
    process = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert process.returncode == 1
    assert "Traceback" not in process.stdout + process.stderr
    failing = {line.split(":", 1)[0] for line in process.stdout.splitlines()[:-1]}
    assert failing == {str(tmp_path / f"{name.replace(' ', '-')}.yaml") for name in BAD_INPUTS}
    assert process.stdout.splitlines()[-1].endswith(
        f"in {len(BAD_INPUTS)} files ({len(BAD_INPUTS) + 7} experience files checked)."
    )


def test_project_config_defaults_without_a_file(tmp_path: Path) -> None:
    config = load_project_config(tmp_path)
    assert (
        config.account.api_url,
        config.account.token_env,
        config.account.policies["max-changes"].options,
    ) == (
        "https://api.intelligems.io",
        "INTELLIGEMS_API_TOKEN",
        {"max": 25},
    )
    assert config.account.experiences_dir == tmp_path / "experiences"
    assert config.account.policies["running-split"].level == "force"
    # One account, implicit, until igops.yaml names several stores.
    assert config.accounts == (config.account,) and config.account.name == "default"
    assert config.source is None


def test_project_config_reads_the_repository_file() -> None:
    config = load_project_config(REPO)
    assert config.source == REPO / "igops.yaml" and config.account.experiences_dir == REPO / "experiences"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("max_changes: -1\n", "below the minimum of 0"),
        ("max_changes: many\n", "expected a whole number"),
        ("api_url: ftp://example.com\n", "neither an http(s) URL nor sandbox:[STATE_FILE]"),
        ("token_env: MY TOKEN\n", "is not the name of an environment variable"),
        ("timeout: 0\n", "below the minimum of 0.1"),
        ("- a\n", "expected a mapping"),
        ("max_changes: 1\nmax_changes: 2\n", "appears twice"),
    ],
)
def test_bad_project_config_is_located(tmp_path: Path, text: str, words: str) -> None:
    (tmp_path / "igops.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(InvalidConfig) as caught:
        load_project_config(tmp_path)
    (error,) = caught.value.errors
    assert words in error.message and str(error).startswith(f"{tmp_path / 'igops.yaml'}:")


def test_comment_only_project_config_means_defaults(tmp_path: Path) -> None:
    (tmp_path / "igops.yaml").write_text("# nothing to change\n", encoding="utf-8")
    assert load_project_config(tmp_path).account.policies["max-changes"].options == {"max": 25}
