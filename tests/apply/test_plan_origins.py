"""plan --base: whose change each line is, told against the files of a git commit, over real HTTP on
127.0.0.1 with the examples committed on a main branch and edited in the dashboard and on a branch."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from support.apply import apply_examples, by_name
from support.cli import igops
from support.emulator import dashboard_action, dashboard_put, new_sandbox, serve_over_http

from igops.documents.plan import PLAN_SCHEMA
from igops.schemas import load_schema

pytestmark = pytest.mark.http
HERO = "homepage-hero-headline"
LONG_FORM = "long-form-landing-page"
BANNER = "returning-visitor-banner"


def git(project: Path, *arguments: str) -> str:
    author = ["-c", "user.name=Dev", "-c", "user.email=dev@example.invalid"]
    return subprocess.run(
        ["git", "-C", str(project), *author, *arguments],
        check=True,
        capture_output=True,
        text=True,
        timeout=30,
    ).stdout.strip()


def edit(project: Path, key: str, old: str, new: str) -> None:
    path = project / "experiences" / f"{key}.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def changes(document: dict[str, Any]) -> dict[str, list[tuple[str, str | None]]]:
    """Per experience key, each field path (or lifecycle action) with its origin."""
    found: dict[str, list[tuple[str, str | None]]] = {}
    for experience in document["experiences"]:
        for change in experience["changes"]:
            items = [(field["path"], field.get("origin")) for field in change["fields"]] or [
                (change["kind"], change.get("origin"))
            ]
            found.setdefault(experience["key"], []).extend(items)
    return found


@pytest.fixture
def moved(project: Path) -> tuple[Path, str]:
    """The examples committed on main and applied; then, in the dashboard, the hero test's split moved to
    60/40 and the banner paused; on the branch `change`, the long-form page's description edited."""
    git(project, "init", "--quiet", "--initial-branch", "main")
    git(project, "add", "-A")
    git(project, "commit", "--quiet", "-m", "main")
    sandbox = new_sandbox()
    with serve_over_http(sandbox) as url:
        apply_examples(url)
        live = by_name(sandbox.experiences())
        hero = live["Homepage hero headline"]
        for variation in hero["variations"]:
            variation["percentage"] = 60 if variation["isControl"] else 40
        dashboard_put(url, hero)
        dashboard_action(url, live["Welcome-back banner for returning visitors"]["id"], "pause")
        git(project, "checkout", "--quiet", "-b", "change")
        edit(project, LONG_FORM, "Paid social traffic lands", "Paid and organic social traffic lands")
        git(project, "commit", "--quiet", "-am", "A longer description")
        yield project, url


def test_each_change_is_marked_the_files_or_outside_git_in_the_json_plan(moved: tuple[Path, str]) -> None:
    project, url = moved
    result = igops("plan", "--api", url, "--base", "main", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    Draft202012Validator(load_schema(PLAN_SCHEMA)).validate(document)
    assert document["format_version"] == 6
    assert document["git_base"] == {"ref": "main", "commit": git(project, "rev-parse", "main")}
    assert changes(document) == {
        HERO: [
            ('variations["Control"].percentage', "outside"),
            ('variations["Free shipping headline"].percentage', "outside"),
        ],
        LONG_FORM: [("description", "file")],
        BANNER: [("start", "outside")],
    }
    (split,) = [risk for risk in document["risks"] if risk["kind"] == "running-split"]
    assert split["key"] == HERO and split["needs_force"]
    assert "changed outside git" in split["message"]
    assert f"igops drift --adopt --target {HERO} and commit the file" in split["message"]


def test_the_text_and_markdown_plans_say_first_what_apply_will_revert(moved: tuple[Path, str]) -> None:
    project, url = moved
    short = git(project, "rev-parse", "--short=7", "main")
    text = igops("plan", "--api", url, "--base", "main").output.splitlines()
    assert text[:5] == [
        f"! Changed outside git since main ({short}): apply will revert these.",
        f'  {HERO}: variations["Control"].percentage is 60 in the account, 50 in main\'s files: '
        "apply sets 50.",
        f'  {HERO}: variations["Free shipping headline"].percentage is 40 in the account, 50 in main\'s '
        "files: apply sets 50.",
        f"  {BANNER}: paused in the account, started in main's files: apply will start it.",
        "",
    ]
    assert not any(LONG_FORM in line for line in text[:4]), "the branch's own change is not outside git"
    markdown = igops("plan", "--api", url, "--base", "main", "--format", "markdown").output
    summary, digest, outside = markdown.split("\n\n")[:3]
    assert summary.startswith("**Plan: 0 to create, 2 to update, 1 lifecycle action")
    assert re.fullmatch(
        r"<sub>Plan digest <code>sha256:[0-9a-f]{64}</code>: on merge, igops apply "
        r"--reviewed applies only a plan with this digest\.</sub>",
        digest,
    ), digest
    assert outside.startswith(f"> **⚠️ Changed outside git since main ({short}): apply will revert these.**")
    assert outside.count("\n> - ") == 3 and LONG_FORM not in outside


def test_a_field_both_sides_changed_is_marked_both(moved: tuple[Path, str]) -> None:
    project, url = moved
    edit(project, HERO, "percentage: 50", "percentage: 70")
    edit(project, HERO, "percentage: 50", "percentage: 30")
    git(project, "commit", "--quiet", "-am", "A new split")
    document = json.loads(igops("plan", "--api", url, "--base", "main", "--format", "json").output)
    assert dict(changes(document)[HERO]) == {
        'variations["Control"].percentage': "both",
        'variations["Free shipping headline"].percentage': "both",
    }
    text = igops("plan", "--api", url, "--base", "main").output
    assert (
        'variations["Control"].percentage is 60 in the account, and this change makes it 70: the '
        "account's edit is lost."
    ) in text


def test_without_base_the_plan_is_as_before(moved: tuple[Path, str]) -> None:
    _, url = moved
    document = json.loads(igops("plan", "--api", url, "--format", "json").output)
    assert "git_base" not in document
    assert all(origin is None for found in changes(document).values() for _, origin in found)
    assert "Changed outside git" not in igops("plan", "--api", url).output


def test_a_base_that_is_no_commit_is_one_sentence(moved: tuple[Path, str]) -> None:
    _, url = moved
    result = igops("plan", "--api", url, "--base", "no-such-branch")
    assert result.exit_code == 1
    assert result.output == (
        "Error: --base no-such-branch: no such commit in this repository (a pull request's base may need "
        "fetching first: git fetch origin BRANCH, or actions/checkout with fetch-depth: 0).\n"
    )


def test_a_base_outside_a_git_repository_is_one_sentence(project: Path) -> None:
    result = igops("plan", "--api", "sandbox:", "--base", "main")
    assert result.exit_code == 1
    assert result.output.startswith("Error: --base: not a git repository")
    assert result.output.count("\n") == 1


def review_then_merge(project: Path, url: str) -> dict[str, Any]:
    """The pull request's plan saved as its reviewers saw it, then the branch merged into main."""
    reviewed = igops("plan", "--api", url, "--base", "main", "--out", "reviewed.json")
    assert reviewed.exit_code == 0, reviewed.output
    git(project, "checkout", "--quiet", "main")
    git(project, "merge", "--quiet", "--ff-only", "change")
    document: dict[str, Any] = json.loads((project / "reviewed.json").read_text(encoding="utf-8"))
    return document


def test_after_merge_the_reviewed_plan_is_applied(moved: tuple[Path, str]) -> None:
    project, url = moved
    review_then_merge(project, url)
    # --force: the reviewers saw the rail on the hero test's split, and chose to move it back.
    result = igops("apply", "--api", url, "--auto-approve", "--force", "--reviewed", "reviewed.json")
    assert result.exit_code == 0, result.output
    assert "Apply complete: 0 created, 2 updated, 1 lifecycle action." in result.output
    assert igops("plan", "--api", url, "--detailed-exitcode").exit_code == 0


def test_an_edit_in_the_dashboard_after_review_stops_the_apply_naming_the_experience(
    moved: tuple[Path, str],
) -> None:
    project, url = moved
    review_then_merge(project, url)
    sandbox_state = igops("show", "--api", url, LONG_FORM).output
    banner = json.loads(igops("plan", "--api", url, "--format", "json").output)
    banner_id = next(e["experience_id"] for e in banner["experiences"] if e["key"] == BANNER)
    dashboard_action(url, banner_id, "start")
    result = igops("apply", "--api", url, "--auto-approve", "--force", "--reviewed", "reviewed.json")
    assert result.exit_code == 1
    # The plan it made comes first; then why it was not applied, in one line.
    assert result.output.splitlines()[-1].startswith(
        "Error: This plan is not the one reviewed in reviewed.json, so nothing was applied: "
        f"{BANNER}: the account changed it since the review (status paused -> started, saved again "
        "(lastUpdateTs moved)). Plan the change again"
    )
    assert igops("show", "--api", url, LONG_FORM).output == sandbox_state, "nothing was applied"


def test_a_reviewed_plan_of_other_files_is_refused(moved: tuple[Path, str]) -> None:
    project, url = moved
    review_then_merge(project, url)
    edit(project, HERO, "status: started", "status: paused")
    git(project, "commit", "--quiet", "-am", "Another pull request, merged first")
    result = igops("apply", "--api", url, "--auto-approve", "--force", "--reviewed", "reviewed.json")
    assert result.exit_code == 1
    assert f"{HERO}: its file changed since the review (another pull request merged first" in result.output


def test_reviewed_and_a_saved_plan_together_are_refused(moved: tuple[Path, str]) -> None:
    project, url = moved
    review_then_merge(project, url)
    result = igops("apply", "reviewed.json", "--api", url, "--reviewed", "reviewed.json")
    assert result.exit_code == 1 and "give one of them" in result.output


def test_a_reviewed_plan_from_another_address_of_the_account_is_compared_not_refused(
    moved: tuple[Path, str],
) -> None:
    project, url = moved
    review_then_merge(project, url)
    # The pull request's job reached the account another way: what is applied is the fresh plan, and only
    # when it does the same.
    other = url.replace("127.0.0.1", "localhost")
    result = igops("apply", "--api", other, "--auto-approve", "--force", "--reviewed", "reviewed.json")
    assert result.exit_code == 0, result.output
    assert "Apply complete: 0 created, 2 updated, 1 lifecycle action." in result.output


def test_a_reviewed_plan_changed_after_igops_wrote_it_is_refused(moved: tuple[Path, str]) -> None:
    project, url = moved
    document = review_then_merge(project, url)
    document["plan"]["digest"] = "sha256:" + "0" * 64
    (project / "reviewed.json").write_text(json.dumps(document), encoding="utf-8")
    result = igops("apply", "--api", url, "--auto-approve", "--force", "--reviewed", "reviewed.json")
    assert result.exit_code == 1 and "was changed after igops wrote it" in result.output, result.output
