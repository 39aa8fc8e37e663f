"""The levels of the experiment policies, through igops apply against the emulator: at force a finding is
refused (exit 1, one "Error: policy RULE: ..." line, nothing written) and --force passes it; at warn it is
shown and never refuses; off, the plan does not mention it. One edit of the example repository trips each
rule."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from support.apply import edit, edit_config, forced, refused, use_sandbox
from support.cli import igops, make_live_equal
from support.emulator import new_sandbox
from support.files import dump, experience

from igops.sandbox import Sandbox

POLICIES = "policies:\n"
# A test running on a page of its own since long before the others: its story is the emulator's marker.
OLD_TEST = experience(
    "content/advanced",
    name="Old returns page test",
    description="Decided long ago. [sandbox started 40 days ago]",
    status="started",
    experienceKeyMetrics=[{"standardEventId": "conversionRate", "isPrimary": True}],
    experiencePageTargeting=[
        {
            "expression": [
                {"query": {"type": "urlPath", "key": "path", "filter": "equals", "value": "/pages/old"}}
            ]
        }
    ],
)


@pytest.fixture
def sandbox(project: Path) -> Sandbox:
    """The examples live as their files say, with one more test, started 40 days ago: four running."""
    (project / "experiences" / "old-test.yaml").write_text(dump(OLD_TEST))
    make_live_equal(project)
    return new_sandbox(project / "account.json")


def set_policy(project: Path, rule: str, setting: str) -> None:
    """`rule: setting` under igops.yaml's policies (the example file has the section)."""
    edit_config(project, POLICIES, f"{POLICIES}  {rule}: {setting}\n")


def overlap(project: Path) -> str:
    # Moved from the collection pages to every page under /pages/: the old test's page too.
    edit(project, "collection-quick-add-template", "value: /collections/}", "value: /pages/}")
    return (
        "collection-quick-add-template: runs at the same time as old-test (Old returns page test) on pages "
        "both can match (here: the URL path starts with /pages; old-test: the URL path is /pages/old)"
    )


# A freeze window from a day before this run to a day after it, in New York's offset.
WINDOW = tuple(
    datetime.fromtimestamp(int(time.time() + hours * 3600), timezone(timedelta(hours=-5))).isoformat()
    for hours in (-24, 24)
)


def freeze(project: Path) -> str:
    edit(project, "spring-theme-refresh", "status: draft", "status: started")
    return f"spring-theme-refresh: starts during the freeze window BFCM ({WINDOW[0]} to {WINDOW[1]})"


def freeze_setting(level: str) -> str:
    return f'{{level: {level}, windows: [{{name: BFCM, start: "{WINDOW[0]}", end: "{WINDOW[1]}"}}]}}'


def max_discount(project: Path) -> str:
    edit(project, "bundle-and-save", "unitDiscount: 25", "unitDiscount: 45")
    return (
        "bundle-and-save: the offer of 15% off 2, 25% off 4 gives 45% off in tier 2, more than max-discount "
        "allows (30%)"
    )


def primary_metric(project: Path) -> str:
    unmeasured = experience("content/advanced", name="Unmeasured banner test", status="draft")
    (project / "experiences" / "unmeasured.yaml").write_text(dump(unmeasured))
    return "unmeasured: declares no primary key metric"


def max_runtime(project: Path) -> str:
    edit(project, "old-test", "Decided long ago.", "Decided long ago, still running.")
    return "old-test: has run 40 days, longer than max-runtime allows (35)"


def blast_radius(project: Path) -> str:
    for key in ("homepage-hero-headline", "collection-quick-add-template", "old-test"):
        edit(project, key, "status: started", "status: paused")
    return (
        "the plan starts, pauses or ends 3 experiences (pause 3) while 4 are running, more than blast-radius "
        "allows (50% of them, 2)"
    )


@dataclass(frozen=True)
class Case:
    rule: str
    trip: Callable[[Path], str]  # edits the project; returns how the finding's sentence starts

    def setting(self, level: str) -> str:
        return freeze_setting(level) if self.rule == "freeze" else f"{{level: {level}}}"


CASES = [
    Case("overlap", overlap),
    Case("freeze", freeze),
    Case("max-discount", max_discount),
    Case("primary-metric", primary_metric),
    Case("max-runtime", max_runtime),
    Case("blast-radius", blast_radius),
]
IDS = [case.rule for case in CASES]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_force_is_refused_without_force_and_passes_with_it(
    case: Case, project: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = use_sandbox(monkeypatch, sandbox)
    set_policy(project, case.rule, case.setting("force"))
    start = case.trip(project)
    errors = refused(sandbox, api)
    assert [error for error in errors if error.startswith(f"Error: policy {case.rule}: ")] == errors, errors
    [error] = errors
    assert error.startswith(f"Error: policy {case.rule}: {start}"), error
    assert "--force" in error, "the refusal says how to pass it"
    forced(api)
    assert sandbox.writes, "--force applied the plan"


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_warn_is_shown_and_never_refuses(
    case: Case, project: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = use_sandbox(monkeypatch, sandbox)
    set_policy(project, case.rule, case.setting("warn"))
    start = case.trip(project)
    result = igops("apply", "--auto-approve", "--api", api)
    assert result.exit_code == 0, result.output
    sentence = start.partition(": ")[2] if case.rule != "blast-radius" else start
    assert f"! {case.rule} (warning): {sentence}" in result.output, result.output
    assert "Error:" not in result.output
    assert sandbox.writes


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_off_is_silent(case: Case, project: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    api = use_sandbox(monkeypatch, sandbox)
    set_policy(project, case.rule, case.setting("off"))
    case.trip(project)
    planned = igops("plan", "--api", api, "--format", "json")
    assert planned.exit_code == 0, planned.output
    document = json.loads(planned.stdout)
    assert document["has_changes"]
    assert [risk for risk in document["risks"] if risk["rule"] == case.rule] == []
    assert f"{case.rule} (" not in igops("plan", "--api", api).output
    result = igops("apply", "--auto-approve", "--api", api)
    assert result.exit_code == 0, result.output
    assert sandbox.writes


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_at_its_default_level_each_new_rule_warns(
    case: Case, project: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = use_sandbox(monkeypatch, sandbox)
    if case.rule == "freeze":
        set_policy(project, "freeze", freeze_setting("warn").replace("level: warn, ", ""))
    start = case.trip(project)
    document = json.loads(igops("plan", "--api", api, "--format", "json").stdout)
    [risk] = [risk for risk in document["risks"] if risk["rule"] == case.rule]
    assert (risk["level"], risk["needs_force"]) == ("warn", False)
    assert (
        f"{risk['key']}: {risk['message']}".startswith(start)
        if risk["key"]
        else risk["message"].startswith(start)
    )


def test_a_plan_saved_before_a_freeze_is_refused_inside_it_and_applies_after_it(
    project: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = use_sandbox(monkeypatch, sandbox)
    now = time.time()
    start, end = (datetime.fromtimestamp(int(now + hours * 3600), UTC).isoformat() for hours in (1, 2))
    set_policy(
        project, "freeze", f'{{level: force, windows: [{{name: Launch, start: "{start}", end: "{end}"}}]}}'
    )
    edit(project, "spring-theme-refresh", "status: draft", "status: started")
    saved = igops("plan", "--api", api, "--out", "plan.json")
    assert saved.exit_code == 0 and "freeze" not in saved.output, saved.output

    monkeypatch.setattr(time, "time", lambda: now + 1.5 * 3600)
    inside = igops("apply", "plan.json", "--api", api)
    assert inside.exit_code == 1 and sandbox.writes == [], inside.output
    assert (
        "Error: policy freeze: spring-theme-refresh: starts during the freeze window Launch "
        f"({start} to {end}): wait until the window ends, or run apply with --force."
    ) in inside.output.splitlines()

    monkeypatch.setattr(time, "time", lambda: now + 2.5 * 3600)
    after = igops("apply", "plan.json", "--api", api)
    assert after.exit_code == 0, after.output
    assert [write.path.rsplit("/", 1)[-1] for write in sandbox.writes] == ["start"]
