"""In GitHub Actions, igops annotates the files: validate's problems, and the errors and safety rails of the
plans that plan and apply make, while the documents on standard output stay as they are."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.cli import igops, make_live_equal, prepare_project

HERO = "homepage-hero-headline"
BROKEN = "name: Broken\nname: Twice\n"
DUPLICATE_KEY = "$.name: the key 'name' appears twice in this mapping (first on line 1); keep only one."


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return prepare_project(tmp_path, monkeypatch)


@pytest.fixture
def in_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")


def test_validate_github_annotates_each_problem_on_its_file_line_and_column(project: Path) -> None:
    # Unescaped, the runner would read this name as the end of the file property and the start of others.
    (project / "experiences" / "odd,line=99:%.yaml").write_text(BROKEN, encoding="utf-8")
    result = igops("validate", "--format", "github")
    assert result.exit_code == 1
    annotation, line, count = result.stdout.splitlines()
    assert annotation == (
        "::error file=experiences/odd%2Cline=99%3A%25.yaml,line=2,col=1,"
        f"title=igops validate::{DUPLICATE_KEY}"
    )
    # Then the text lines, which the pull request comment shows (it leaves the annotations out).
    assert line == f"experiences/odd,line=99:%.yaml:2:1: {DUPLICATE_KEY}"
    assert count == "1 error in 1 file (8 experience files checked)."


@pytest.mark.parametrize(
    ("environment", "given", "shown"),
    [
        ("true", (), "github"),
        ("false", (), "text"),
        (None, (), "text"),
        ("true", ("--format", "text"), "text"),
        ("true", ("--format", "json"), "json"),
    ],
)
def test_validate_defaults_to_github_in_actions_only(
    project: Path,
    monkeypatch: pytest.MonkeyPatch,
    environment: str | None,
    given: tuple[str, ...],
    shown: str,
) -> None:
    if environment is not None:
        monkeypatch.setenv("GITHUB_ACTIONS", environment)
    (project / "experiences" / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    first = igops("validate", *given).stdout.splitlines()[0]
    assert (
        first
        == {
            "github": f"::error file=experiences/broken.yaml,line=2,col=1,title=igops validate::"
            f"{DUPLICATE_KEY}",
            "text": f"experiences/broken.yaml:2:1: {DUPLICATE_KEY}",
            "json": "{",
        }[shown]
    )


def test_annotated_files_are_named_from_the_repository_root(
    project: Path, monkeypatch: pytest.MonkeyPatch, in_actions: None
) -> None:
    """The action's working-directory may be a subdirectory of the checkout; GitHub looks from its root."""
    monkeypatch.setenv("GITHUB_WORKSPACE", str(project.parent))
    (project / "experiences" / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    annotation = igops("validate").stdout.splitlines()[0]
    assert annotation.startswith(f"::error file={project.name}/experiences/broken.yaml,line=2,")
    monkeypatch.setenv("GITHUB_WORKSPACE", str(project / "elsewhere"))
    assert igops("validate").stdout.startswith("::error file=experiences/broken.yaml,"), (
        "a file outside the workspace keeps its name"
    )


def test_plan_errors_are_annotated_on_stderr_and_the_document_stays_clean(
    project: Path, in_actions: None
) -> None:
    result = igops("plan", "--api", f"sandbox:{project / 'account.json'}", "--format", "markdown")
    assert result.exit_code == 1
    assert not any(line.startswith("::") for line in result.stdout.splitlines())
    annotations = [line for line in result.stderr.splitlines() if line.startswith("::")]
    assert annotations == [
        f"::error file=experiences/{key}.yaml,line=1,title=igops plan::{key}: status {status}: it does not "
        f"exist yet and a new experience cannot start out {status}: set status: draft or started."
        for key, status in (("long-form-landing-page", "paused"), ("sticky-add-to-cart", "ended"))
    ]


def cross_rails(project: Path) -> str:
    """An account matching the files, then a plan that changes the hero's running split (a warning once
    running splits are not protected) and makes more changes than max-changes' max 0 allows (an error)."""
    make_live_equal(project)
    config = project / "igops.yaml"
    config.write_text(
        config.read_text()
        .replace("max: 25", "max: 0")
        .replace("running-split: {level: force}", "running-split: {level: warn}")
    )
    hero = project / "experiences" / f"{HERO}.yaml"
    hero.write_text(
        hero.read_text()
        .replace("percentage: 50", "percentage: 60", 1)
        .replace("percentage: 50", "percentage: 40", 1)
    )
    return f"sandbox:{project / 'account.json'}"


def annotates_the_rails(stderr: str, command: str) -> bool:
    annotations = [line for line in stderr.splitlines() if line.startswith("::")]
    starts = [
        f"::error title=igops {command}::max-changes: the plan makes 1 change",
        f"::warning file=experiences/{HERO}.yaml,line=1,title=igops {command}::running-split: {HERO}: "
        "changes the traffic split or the variations of a running test",
    ]
    return len(annotations) == len(starts) and all(map(str.startswith, annotations, starts))


def test_plan_annotates_the_rails_it_crosses_forced_ones_as_errors(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = cross_rails(project)
    clock = ("--now", "2026-12-04T09:00:00Z")
    quiet = igops("plan", "--api", api, "--format", "json", *clock)
    assert quiet.exit_code == 0 and quiet.stderr == "", "outside GitHub Actions nothing is added"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    annotated = igops("plan", "--api", api, "--format", "json", *clock)
    assert annotated.exit_code == 0 and annotated.stdout == quiet.stdout
    assert annotated.stderr.count("\n") == 2 and annotates_the_rails(annotated.stderr, "plan")


def test_apply_annotates_the_plan_it_makes_and_a_saved_one(project: Path, in_actions: None) -> None:
    api = cross_rails(project)
    refused = igops("apply", "--auto-approve", "--api", api)
    assert refused.exit_code == 1 and annotates_the_rails(refused.stderr, "apply")
    assert "Error: policy max-changes: the plan makes 1 change" in refused.stderr

    assert igops("plan", "--api", api, "--out", "plan.json").exit_code == 0
    saved = igops("apply", "plan.json", "--api", api)
    assert saved.exit_code == 1 and annotates_the_rails(saved.stderr, "apply")
