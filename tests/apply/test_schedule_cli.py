"""A test calendar through the commands, against the emulator: plan, apply, apply --due-only and drift told
by --now on either side of a schedule's boundaries; a saved plan made before a start and applied after it;
the JSON plan's scheduled entries; a due start refused by a freeze at level force."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from support.apply import edit, edit_config, use_sandbox
from support.cli import igops, make_live_equal
from support.emulator import new_sandbox

from igops.sandbox import Sandbox

START = datetime.fromisoformat("2026-12-07T09:00:00+01:00")
END = datetime.fromisoformat("2026-12-27T00:00:00-05:00")
LAUNCH = "pdp-launch"
LAUNCH_FILE = f"""\
name: PDP launch headline
type: content/onsiteEdits
status: started
schedule:
  start: "{START.isoformat()}"
variations:
  - name: Control
    isControl: true
    percentage: 50
  - name: Launch headline
    percentage: 50
    onsiteEdits:
      - title: Headline
        onsiteEditType: text
        find: New in
        replace: Just launched
        querySelectors: ["h1.product__title"]
experiencePageTargeting:
  - expression:
      - query: {{type: urlPath, key: path, filter: startsWith, value: /products/launch}}
"""


def at(moment: datetime, **offset: float) -> tuple[str, str]:
    return ("--now", (moment + timedelta(**offset)).isoformat())


@pytest.fixture
def sandbox(project: Path, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    """The examples live as their files say, and a new file whose test starts at START."""
    make_live_equal(project)
    (project / "experiences" / f"{LAUNCH}.yaml").write_text(LAUNCH_FILE)
    return new_sandbox(project / "account.json")


@pytest.fixture
def api(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> str:
    return use_sandbox(monkeypatch, sandbox)


def plan_json(api: str, *extra: str) -> dict:  # type: ignore[type-arg]
    result = igops("plan", "--api", api, "--format", "json", *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def launch_of(document: dict) -> dict:  # type: ignore[type-arg]
    return next(item for item in document["experiences"] if item["key"] == LAUNCH)


def writes(sandbox: Sandbox) -> list[tuple[str, str]]:
    """Each write as (method, the path's last part): `experiences` for a create, an action's name."""
    return [(write.method, write.path.rsplit("/", 1)[-1]) for write in sandbox.writes]


def test_before_its_start_a_started_file_is_created_as_a_draft_and_its_start_is_scheduled(api: str) -> None:
    document = plan_json(api, *at(START, days=-5))
    launch = launch_of(document)
    assert (launch["status"], launch["effective_status"]) == ("started", "draft")
    assert [change["kind"] for change in launch["changes"]] == ["create"]
    assert launch["scheduled"] == [{"kind": "start", "due": START.isoformat(), "winner": None}]
    assert document["summary"]["scheduled"] == 1 and document["summary"]["start"] == 0
    assert document["now"] == "2026-12-02T08:00:00Z"
    text = igops("plan", "--api", api, *at(START, days=-5))
    assert "@ starts at 2026-12-07 09:00 +01:00 (in 5 days)" in text.output
    assert "1 scheduled action not yet due (the next at 2026-12-07 09:00 +01:00)." in text.output


def test_a_plan_whose_only_entries_are_not_yet_due_has_no_changes(sandbox: Sandbox, api: str) -> None:
    created = igops("apply", "--auto-approve", "--api", api, *at(START, hours=-2))
    assert created.exit_code == 0, created.output
    assert writes(sandbox) == [("POST", "experiences")], "only the draft was created"
    waiting = igops("plan", "--api", api, "--detailed-exitcode", *at(START, minutes=-1))
    assert waiting.exit_code == 0, waiting.output
    assert "No changes. 1 scheduled action not yet due" in waiting.output
    assert "@ later   pdp-launch (PDP launch headline)" in waiting.output
    due = igops("plan", "--api", api, "--detailed-exitcode", *at(START))
    assert due.exit_code == 2, due.output
    assert (
        "> start   pdp-launch" in due.output and "is due: planned now, less than a minute late." in due.output
    )


def test_a_saved_plan_made_before_the_start_is_stale_after_it(
    sandbox: Sandbox, api: str, tmp_path: Path
) -> None:
    saved = tmp_path / "plan.json"
    made = igops("plan", "--api", api, "--out", str(saved), *at(START, hours=-1))
    assert made.exit_code == 0, made.output
    late = igops("apply", str(saved), "--api", api, *at(START, hours=1))
    assert late.exit_code == 1
    assert late.output.strip() == (
        f"Error: The plan {saved} is stale: pdp-launch: its scheduled start (2026-12-07 09:00 +01:00) fell "
        "due after the plan was made (2026-12-07T07:00:00Z). Make a new one with igops plan --out."
    )
    assert sandbox.writes == [], "a stale plan wrote to the account"
    in_time = igops("apply", str(saved), "--api", api, *at(START, minutes=-30))
    assert in_time.exit_code == 0, in_time.output
    assert writes(sandbox) == [("POST", "experiences")]


def test_due_only_applies_the_due_start_alone_never_a_create_or_an_update(sandbox: Sandbox, api: str) -> None:
    assert igops("apply", "--auto-approve", "--api", api, *at(START, days=-1)).exit_code == 0
    del sandbox.writes[:]
    # A reviewer's change not yet applied, and a second scheduled file not yet created: neither is due-only's.
    edit(Path.cwd(), "homepage-hero-headline", "description: Does a benefit-led", "description: Does a")
    (Path.cwd() / "experiences" / "second-launch.yaml").write_text(
        LAUNCH_FILE.replace("PDP launch headline", "Second launch").replace(
            "/products/launch", "/products/two"
        )
    )
    del sandbox.requests[:]
    nothing = igops("apply", "--auto-approve", "--due-only", "--api", api, *at(START, minutes=-5))
    assert nothing.exit_code == 0, nothing.output
    assert sandbox.writes == []
    # Nothing due costs the list alone: no file's boundary has come, so no experience is read.
    assert {(request.method, request.path.rsplit("/", 1)[-1]) for request in sandbox.requests} == {
        ("GET", "experiences-list")
    }
    due = igops("apply", "--auto-approve", "--due-only", "--api", api, *at(START, minutes=7))
    assert due.exit_code == 0, due.output
    assert writes(sandbox) == [("POST", "start")]
    [write] = sandbox.writes
    assert write.experience_id == launch_of(plan_json(api, *at(START, minutes=8)))["experience_id"]
    waiting = due.output[due.output.index("second-launch (Second launch)") :]
    assert "# the scheduled start is due, but the experience is not created yet" in waiting
    after = plan_json(api, *at(START, minutes=8))
    assert after["summary"]["update"] == 1 and after["summary"]["create"] == 1, "the reviewed changes wait"
    assert launch_of(after)["live_status"] == "started"
    again = igops("apply", "--auto-approve", "--due-only", "--api", api, *at(START, minutes=67))
    assert again.exit_code == 0 and len(sandbox.writes) == 1, "a second hourly run does nothing"


def test_due_only_is_refused_beside_a_saved_or_a_reviewed_plan(api: str, tmp_path: Path) -> None:
    saved = tmp_path / "plan.json"
    for extra in ((str(saved),), ("--reviewed", str(saved))):
        result = igops("apply", "--due-only", "--api", api, *extra)
        assert result.exit_code == 1
        assert result.output.startswith("Error: --due-only plans afresh the actions a schedule has made due")


def test_a_due_start_inside_a_freeze_at_level_force_fails_the_due_only_apply(
    sandbox: Sandbox, api: str
) -> None:
    assert igops("apply", "--auto-approve", "--api", api, *at(START, days=-1)).exit_code == 0
    del sandbox.writes[:]
    edit_config(
        Path.cwd(),
        "policies:\n",
        "policies:\n  freeze:\n    level: force\n    windows:\n      - name: December sale\n"
        "        start: '2026-12-06T00:00:00+01:00'\n        end: '2026-12-08T00:00:00+01:00'\n",
    )
    result = igops("apply", "--auto-approve", "--due-only", "--api", api, *at(START, minutes=5))
    assert result.exit_code == 1
    assert "Error: policy freeze: pdp-launch: starts during the freeze window December sale" in result.output
    assert sandbox.writes == []


def test_drift_does_not_report_a_start_not_yet_due(sandbox: Sandbox, api: str) -> None:
    assert igops("apply", "--auto-approve", "--api", api, *at(START, days=-1)).exit_code == 0
    early = igops("drift", "--api", api, *at(START, hours=-1))
    assert early.exit_code == 0, early.output
    late = igops("drift", "--api", api, "--format", "json", *at(START, hours=1))
    assert late.exit_code == 2, late.output
    [found] = json.loads(late.stdout)["drifted"]
    assert found["key"] == LAUNCH and found["live_status"] == "pending"


def test_a_now_without_an_offset_is_one_sentence(api: str) -> None:
    for command in ("plan", "apply", "drift"):
        result = igops(command, "--api", api, "--now", "2026-12-07T09:00:00")
        assert result.exit_code == 1
        assert result.output == (
            "Error: --now '2026-12-07T09:00:00' has no UTC offset, so it would mean another moment on each "
            "runner: write it with one, such as 2026-11-23T00:00:00-05:00 (or Z for UTC).\n"
        )
