"""The pre-commit hook this repository offers (.pre-commit-hooks.yaml): well formed, run on experience files
only, and its entry run as pre-commit runs it (entry, then the matching file names) passes a valid file and
fails an invalid one."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from support.cli import REPO
from support.workflows import tool_path

# The keys pre-commit's manifest schema knows (pre_commit/clientlib.py, MANIFEST_HOOK_DICT).
HOOK_KEYS = {
    "id",
    "name",
    "entry",
    "language",
    "alias",
    "files",
    "exclude",
    "types",
    "types_or",
    "exclude_types",
    "additional_dependencies",
    "args",
    "always_run",
    "fail_fast",
    "pass_filenames",
    "description",
    "language_version",
    "log_file",
    "require_serial",
    "stages",
    "verbose",
    "minimum_pre_commit_version",
}


def the_hook() -> dict[str, Any]:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert isinstance(hooks, list) and len(hooks) == 1
    return dict(hooks[0])


def test_the_hook_is_well_formed() -> None:
    hook = the_hook()
    assert set(hook) <= HOOK_KEYS
    assert {key: hook[key] for key in ("id", "entry", "language", "pass_filenames")} == {
        "id": "igops-validate",
        "entry": "igops validate",
        "language": "python",
        "pass_filenames": True,
    }
    assert isinstance(hook["name"], str) and hook["name"]


@pytest.mark.parametrize(
    ("path", "checked"),
    [
        ("experiences/homepage-hero-headline.yaml", True),
        ("experiences/drafts/new.yml", True),
        ("igops.yaml", False),
        (".github/workflows/igops-plan.yml", False),
        ("experiences/notes.md", False),
        ("schemas/experiences/x.yaml", False),
        ("experiences/x.yaml.bak", False),
    ],
)
def test_the_hook_runs_on_experience_files_only(path: str, checked: bool) -> None:
    assert bool(re.search(the_hook()["files"], path)) is checked


def run_the_hook(root: Path, *files: str) -> subprocess.CompletedProcess[str]:
    """As pre-commit runs it: the entry split as a shell would, then the matching names, from the root."""
    hook = the_hook()
    names = [name for name in files if re.search(hook["files"], name)]
    return subprocess.run(
        [*shlex.split(hook["entry"]), *hook.get("args", []), *names],
        cwd=root,
        env={"PATH": tool_path(), "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_entry_passes_a_valid_file_and_fails_an_invalid_one(tmp_path: Path) -> None:
    shutil.copytree(REPO / "experiences", tmp_path / "experiences")
    valid = run_the_hook(tmp_path, "experiences/homepage-hero-headline.yaml", "igops.yaml")
    assert valid.returncode == 0, valid.stdout + valid.stderr
    assert valid.stdout == "1 experience file checked: all valid.\n"

    (tmp_path / "experiences" / "broken.yaml").write_text("name: Broken\nname: Twice\n", encoding="utf-8")
    invalid = run_the_hook(tmp_path, "experiences/homepage-hero-headline.yaml", "experiences/broken.yaml")
    assert invalid.returncode == 1
    assert invalid.stdout.startswith("experiences/broken.yaml:2:1: $.name: ")
    assert invalid.stdout.endswith("(2 experience files checked).\n") and "Traceback" not in invalid.stderr
