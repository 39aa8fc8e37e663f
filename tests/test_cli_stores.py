"""`igops stores`: the stores of igops.yaml, and those a change since a commit touches, as a workflow's matrix
(real git repositories in tmp_path)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from support.cli import igops, work_in

EXAMPLE = (Path(__file__).resolve().parents[1] / "igops" / "templates" / "experience.yaml").read_text(
    encoding="utf-8"
)
TWO_STORES = """\
# Two regions and a wholesale store.
stores:
  us:
  eu:
    shared: [promo]   # only this shared file
  wholesale:
    token_env: WHOLESALE_KEY
    experiences_dir: b2b
    shared: []
"""

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(root: Path, *arguments: str) -> str:
    author = ["-c", "user.name=Dev", "-c", "user.email=dev@example.invalid"]
    return subprocess.run(
        ["git", "-C", str(root), *author, *arguments], check=True, capture_output=True, text=True, timeout=30
    ).stdout.strip()


def write(root: Path, relative: str, text: str = EXAMPLE) -> None:
    (root / relative).parent.mkdir(parents=True, exist_ok=True)
    (root / relative).write_text(text, encoding="utf-8")


def commit(root: Path, message: str = "change") -> str:
    git(root, "add", "-A")
    git(root, "commit", "--quiet", "--allow-empty", "-m", message)
    return git(root, "rev-parse", "HEAD")


@pytest.fixture
def stores(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository of three stores, each with a file, and two shared files, committed; returns its root,
    the working directory."""
    git(tmp_path, "init", "--quiet")
    write(tmp_path, "igops.yaml", TWO_STORES)
    for relative in (
        "experiences/us/headline.yaml",
        "experiences/eu/headline.yaml",
        "experiences/eu/overrides/promo.yaml",
        "b2b/bulk.yaml",
        "experiences/_shared/promo.yaml",
        "experiences/_shared/banner.yaml",
        "README.md",
    ):
        write(tmp_path, relative)
    commit(tmp_path, "three stores")
    return work_in(tmp_path, monkeypatch)


def matrix(*arguments: str) -> dict[str, Any]:
    result = igops("stores", "--format", "json", *arguments)
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.output)
    return document


def touched(since: str, *arguments: str) -> list[str]:
    """The stores of the matrix for the changes since `since`, checking its shape on the way."""
    document = matrix("--changed-since", since, *arguments)
    assert list(document) == ["include"], "any other member would be one more dimension of the matrix"
    return [entry["store"] for entry in document["include"]]


def test_every_store_with_the_variable_of_its_token_in_igops_yaml_order(stores: Path) -> None:
    assert matrix() == {
        "include": [
            {"store": "us", "token_env": "INTELLIGEMS_API_TOKEN_US"},
            {"store": "eu", "token_env": "INTELLIGEMS_API_TOKEN_EU"},
            {"store": "wholesale", "token_env": "WHOLESALE_KEY"},
        ]
    }
    text = igops("stores")
    assert text.exit_code == 0
    assert text.output.splitlines() == [
        "us         INTELLIGEMS_API_TOKEN_US  experiences/us",
        "eu         INTELLIGEMS_API_TOKEN_EU  experiences/eu",
        "wholesale  WHOLESALE_KEY             b2b",
    ]


def test_store_chooses_stores_as_the_other_commands_do(stores: Path) -> None:
    assert [entry["store"] for entry in matrix("--store", "wholesale", "--store", "us")["include"]] == [
        "us",
        "wholesale",
    ]
    unknown = igops("stores", "--store", "ca")
    assert unknown.exit_code == 1
    assert (
        unknown.output
        == "Error: --store ca: no store of that name in igops.yaml (its stores: us, eu, wholesale).\n"
    )


def test_nothing_changed_touches_no_store_and_the_matrix_is_empty(stores: Path) -> None:
    assert touched("HEAD") == []
    text = igops("stores", "--changed-since", "HEAD")
    assert text.output == "No store (of 3) is touched by the changes since HEAD.\n"


def test_a_change_to_one_stores_file_touches_that_store_only(stores: Path) -> None:
    base = git(stores, "rev-parse", "HEAD")
    write(stores, "experiences/us/headline.yaml", EXAMPLE.replace("status: draft", "status: started"))
    commit(stores)
    assert touched(base) == ["us"]
    text = igops("stores", "--changed-since", base[:12])
    assert text.output.splitlines() == [
        "us  INTELLIGEMS_API_TOKEN_US  experiences/us/headline.yaml",
        f"1 of 3 stores touched by the changes since {base[:12]}.",
    ]


def test_the_commits_since_and_the_work_tree_staged_or_not_and_new_files_all_count(stores: Path) -> None:
    base = git(stores, "rev-parse", "HEAD")
    write(stores, "b2b/bulk.yaml", EXAMPLE + "\n")
    commit(stores)
    commit(stores, "nothing")
    write(stores, "experiences/eu/headline.yaml", EXAMPLE + "\n")
    assert touched(base) == ["eu", "wholesale"]
    assert touched("HEAD") == ["eu"], "an edit not yet added"
    git(stores, "add", "-A")
    assert touched("HEAD") == ["eu"], "a staged edit"
    git(stores, "reset", "--quiet", "--hard")
    write(stores, "experiences/us/new.yaml")
    assert touched("HEAD") == ["us"], "a file not yet added"
    write(stores, ".gitignore", "*.plan.json\n")
    commit(stores)
    write(stores, "experiences/eu/saved.plan.json", "{}")
    assert touched("HEAD") == [], "a file git ignores is no change"


def test_a_deleted_or_renamed_file_touches_the_stores_of_both_its_paths(stores: Path) -> None:
    base = git(stores, "rev-parse", "HEAD")
    git(stores, "mv", "experiences/us/headline.yaml", "b2b/headline.yaml")
    commit(stores, "moved to wholesale")
    assert touched(base) == ["us", "wholesale"]
    base = commit(stores, "again")
    git(stores, "rm", "--quiet", "experiences/eu/headline.yaml")
    assert touched(base) == ["eu"]


def test_an_override_touches_its_store(stores: Path) -> None:
    write(stores, "experiences/eu/overrides/promo.yaml", "description: Europe\n")
    assert touched("HEAD") == ["eu"]


def test_a_shared_file_touches_the_stores_that_plan_its_key(stores: Path) -> None:
    write(stores, "experiences/_shared/banner.yaml", EXAMPLE + "\n")
    assert touched("HEAD") == ["us"], "eu plans promo only, wholesale no shared file"
    write(stores, "experiences/_shared/promo.yaml", EXAMPLE + "\n")
    assert touched("HEAD") == ["us", "eu"]
    git(stores, "reset", "--quiet", "--hard")
    write(stores, "experiences/_shared/notes.md", "not an experience")
    write(stores, "experiences/_shared/.promo.yaml", "an editor's backup")
    assert touched("HEAD") == [], "no store plans a file that is not an experience"


def test_igops_yaml_touches_every_store_and_files_elsewhere_none(stores: Path) -> None:
    write(stores, "README.md", "# Our stores\n")
    write(stores, "schemas/x.json", "{}")
    assert touched("HEAD") == []
    write(stores, "igops.yaml", TWO_STORES.replace("# Two regions", "# Three stores: two regions"))
    assert touched("HEAD") == ["us", "eu", "wholesale"]
    assert touched("HEAD", "--store", "eu") == ["eu"]


def test_it_works_from_a_subdirectory_and_with_igops_yaml_below_the_top_of_the_repository(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    git(tmp_path, "init", "--quiet")
    write(tmp_path, "shop/igops.yaml", TWO_STORES)
    write(tmp_path, "shop/experiences/eu/headline.yaml")
    write(tmp_path, "experiences/us/elsewhere.yaml")
    base = commit(tmp_path)
    write(tmp_path, "shop/experiences/eu/headline.yaml", EXAMPLE + "\n")
    write(tmp_path, "experiences/us/elsewhere.yaml", EXAMPLE + "\n")
    work_in(tmp_path / "shop" / "experiences", monkeypatch)
    assert touched(base) == ["eu"], "experiences/us at the top is not the store us's directory"
    assert igops("stores", "--changed-since", base).output.startswith(
        "eu  INTELLIGEMS_API_TOKEN_EU  eu/headline.yaml\n"
    )


def test_without_stores_the_repository_is_one_store_named_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    git(tmp_path, "init", "--quiet")
    write(tmp_path, "igops.yaml", "token_env: SHOP_TOKEN\n")
    write(tmp_path, "experiences/headline.yaml")
    write(tmp_path, "experiences/us/nested.yaml")
    base = commit(tmp_path)
    work_in(tmp_path, monkeypatch)
    one = {"include": [{"store": "", "token_env": "SHOP_TOKEN"}]}
    assert matrix() == one
    assert igops("stores").output == "(one store)  SHOP_TOKEN  experiences\n"
    assert touched(base) == []
    assert igops("stores", "--changed-since", base).output == (
        f"The repository's one store is not touched by the changes since {base}.\n"
    )
    write(tmp_path, "README.md", "# Our store\n")
    assert touched(base) == []
    write(tmp_path, "experiences/us/nested.yaml", EXAMPLE + "\n")
    assert matrix("--changed-since", base) == one
    git(tmp_path, "checkout", "--quiet", "--", "experiences")
    write(tmp_path, "igops.yaml", "token_env: SHOP_TOKEN\ntimeout: 20\n")
    assert matrix("--changed-since", base) == one
    named = igops("stores", "--store", "us")
    assert named.exit_code == 1 and "has no stores" in named.output


@pytest.mark.parametrize("ref", ["no-such-branch", "0" * 40, "HEAD~5", "--output=x"])
def test_a_ref_git_cannot_resolve_is_one_sentence(stores: Path, ref: str) -> None:
    result = igops("stores", "--changed-since", ref)
    assert result.exit_code == 1
    assert result.output == (
        f"Error: --changed-since {ref}: no such commit in this repository (a pull request's base may need "
        "fetching first: git fetch origin BRANCH, or actions/checkout with fetch-depth: 0).\n"
    )
    assert not (stores / "x").exists()


def test_outside_a_git_repository_is_one_sentence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "igops.yaml", TWO_STORES)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    work_in(tmp_path, monkeypatch)
    result = igops("stores", "--changed-since", "main")
    assert result.exit_code == 1
    assert result.output == (
        f"Error: --changed-since main: {tmp_path} is not in a git repository, so igops cannot tell what "
        "changed.\n"
    )
    assert igops("stores").exit_code == 0, "without --changed-since, git is not needed"


def test_an_invalid_igops_yaml_is_reported_as_every_command_reports_it(stores: Path) -> None:
    write(stores, "igops.yaml", "stores:\n  US: {}\n")
    result = igops("stores")
    assert result.exit_code == 1
    assert result.output.startswith("Error: igops.yaml:1:1: $.stores: 'US' is not of the expected form")
