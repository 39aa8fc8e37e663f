"""`igops apply` as people and CI run it: confirmation, lost answers, failures, the report, --keep-going."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from support.apply import (
    apply_examples,
    assert_no_changes,
    assert_one_per_file,
    by_name,
    history,
    names_by_key,
    reach,
    refuse_creating,
    run_on_terminal,
    state_experiences,
    use_sandbox,
)
from support.cli import fast_retries, igops
from support.emulator import new_sandbox

from igops.sandbox import Faults

HERO = "homepage-hero-headline"
HERO_NAME = "Homepage hero headline"
PROMPT = "Apply these changes? Only 'yes' will be accepted"


@pytest.mark.parametrize("over_http", [False, pytest.param(True, marks=pytest.mark.http)])
def test_creates_whose_answers_were_lost_are_adopted_not_duplicated(
    project: Path, monkeypatch: pytest.MonkeyPatch, over_http: bool
) -> None:
    fast_retries(monkeypatch)
    sandbox = new_sandbox(faults=Faults(drop_rate=1.0))  # every write commits, then loses its answer
    with reach(sandbox, over_http, monkeypatch) as api, history(project):
        result = igops("apply", "--auto-approve", "--api", api)
        assert result.exit_code == 0, result.output
        assert result.output.count("create done") == 7
        assert result.output.count("(adopted: the answer to its create (") == 7
        assert result.output.count("start done") == 5 and result.output.count("(already live)") == 5
        assert sum(1 for write in sandbox.writes if write.path.endswith("/experiences")) == 7
        assert_one_per_file(project, sandbox.experiences())
        sandbox.faults.drop_rate = 0.0
        assert_no_changes(api)


def test_typing_yes_applies(project: Path) -> None:
    code, output = run_on_terminal(
        ["apply", "--api", "sandbox:account.json", "--target", HERO],
        cwd=project,
        answer="yes",
        wait_for=PROMPT,
    )
    assert code == 0, output
    assert "Apply complete: 1 created, 0 updated, 1 lifecycle action." in output
    [hero] = state_experiences(project / "account.json")
    assert (hero["name"], hero["status"]) == (HERO_NAME, "started")


@pytest.mark.parametrize("answer", ["no", "y"])
def test_any_other_answer_cancels_and_writes_nothing(project: Path, answer: str) -> None:
    code, output = run_on_terminal(
        ["apply", "--api", "sandbox:account.json", "--target", HERO],
        cwd=project,
        answer=answer,
        wait_for=PROMPT,
    )
    assert code == 1, output
    assert "Error: Apply cancelled: nothing was changed." in output
    assert state_experiences(project / "account.json") == []


def test_without_a_terminal_apply_needs_auto_approve(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sandbox = new_sandbox(project / "account.json")
    api = use_sandbox(monkeypatch, sandbox)
    result = igops("apply", "--api", api, input="yes\n")  # stdin is not a terminal, even with an answer
    assert result.exit_code == 1
    assert result.output.strip() == (
        "Error: apply asks for confirmation and there is no terminal to ask on: review the plan, then run "
        "igops apply --auto-approve (or apply a saved plan)."
    )
    assert sandbox.requests == [] and sandbox.experiences() == []


def apply_refusing_the_hero(project: Path, monkeypatch: pytest.MonkeyPatch, *extra: str) -> list[str]:
    """Apply the examples' history to an account that refuses to create the hero: the report's lines.

    The refusal is immediate while every other answer takes 30 ms, so other changes are in flight then.
    """
    sandbox = new_sandbox(project / "account.json", faults=Faults(latency_ms=30), rate_limits=True)
    refuse_creating(sandbox, HERO_NAME)
    api = use_sandbox(monkeypatch, sandbox)
    with history(project):
        result = igops("apply", "--auto-approve", "--api", api, *extra)
    assert result.exit_code == 1, result.output
    ending = re.search(r"^Apply (stopped by a failure|finished with 1 failure): ", result.output, re.M)
    assert ending is not None, result.output
    report = result.output[ending.start() :].splitlines()
    failed = [line for line in report if " failed in " in line]
    assert len(failed) == 1 and re.fullmatch(
        rf"  - {HERO}: create failed in \d+\.\d\ds \(The Intelligems API refused POST /experiences: "
        r"experience\.name: Reserved name\.\)",
        failed[0],
    ), failed
    # Each of the plan's 12 changes is reported once; what is live is exactly what is reported done.
    steps = [line.removeprefix("  - ").split(" in ")[0] for line in report if line.startswith("  - ")]
    assert len(steps) == len(set(steps)) == 12
    live = {key: by_name(sandbox.experiences()).get(name) for key, name in names_by_key(project).items()}
    assert {key for key, experience in live.items() if experience is not None} == {
        step.split(":")[0] for step in steps if step.endswith("create done")
    }
    assert {key for key, experience in live.items() if experience and experience["status"] == "started"} == {
        step.split(":")[0] for step in steps if step.endswith("start done")
    }
    return report


def second_run_finishes(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The same account, refusing nothing now.
    api = use_sandbox(monkeypatch, new_sandbox(project / "account.json"))
    with history(project):
        result = igops("apply", "--auto-approve", "--api", api)
        assert result.exit_code == 0, result.output
        assert "homepage-hero-headline: create done" in result.output
        assert_no_changes(api)
    apply_examples(api)
    assert_no_changes(api)
    assert_one_per_file(project, state_experiences(project / "account.json"))


def test_a_failure_stops_new_changes_reports_and_a_second_run_finishes(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = apply_refusing_the_hero(project, monkeypatch)
    assert report[0].startswith("Apply stopped by a failure: ")
    assert [line.split(" (")[0] for line in report[1:] if not line.startswith("  - ")] == [
        "Done",
        "Failed",
        "Not attempted",
        "Run igops apply again to finish: it plans from the account as it is now.",
    ]
    not_attempted = [line.removeprefix("  - ") for line in report if line.endswith(" not attempted")]
    assert f"{HERO}: start not attempted" in not_attempted
    assert any(" create not attempted" in line for line in not_attempted), "new changes started after it"
    second_run_finishes(project, monkeypatch)


def test_keep_going_carries_on_past_a_failed_experience(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = apply_refusing_the_hero(project, monkeypatch, "--keep-going")
    assert report[0] == "Apply finished with 1 failure: 6 created, 0 updated, 4 lifecycle actions."
    not_attempted = [line.removeprefix("  - ") for line in report if line.endswith(" not attempted")]
    assert not_attempted == [f"{HERO}: start not attempted"], "only what depends on the failed create waits"
    second_run_finishes(project, monkeypatch)


def test_a_create_without_an_answer_is_never_sent_twice_and_held_off_until_create_hold_off(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast_retries(monkeypatch)
    sandbox = new_sandbox(project / "account.json")
    refusing = refuse_creating(sandbox, HERO_NAME, status=503)
    api = use_sandbox(monkeypatch, sandbox)
    with history(project):
        result = igops("apply", "--auto-approve", "--api", api, "--keep-going")
    assert result.exit_code == 1, result.output
    assert [transport.refusals for transport in refusing] == [1], "sent once: it may have been made"
    assert (
        f"  - {HERO}: create failed in " in result.output
        and "s (possibly created: its create (HTTP 503), sent at " in result.output
        and "may have been made although 'Homepage hero headline' is "
        "not in the account yet; igops adopts it if it appears, and does not create it again before "
        in result.output
    ), result.output
    # At once, another run (the same machine, the same account) looks for it and holds off.
    sandbox = new_sandbox(project / "account.json")
    api = use_sandbox(monkeypatch, sandbox)
    with history(project):
        again = igops("apply", "--auto-approve", "--api", api, "--target", HERO)
    assert again.exit_code == 1 and "possibly created: an earlier run's create, sent at" in again.output
    assert not [write for write in sandbox.writes if write.method == "POST"], "nothing was sent"
    # Once the hold-off has passed (here: none), a run creates it.
    (project / "igops.yaml").write_text((project / "igops.yaml").read_text() + "create_hold_off: 0\n")
    second_run_finishes(project, monkeypatch)
