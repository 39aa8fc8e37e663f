"""igops.yaml's `policies`: the defaults, the old keys still read (with a note on stderr, so that a JSON plan
on stdout stays whole), and every mistake one located sentence, exit 1, nothing written, no traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.apply import describe_differently, use_sandbox
from support.cli import igops, make_live_equal, prepare_project
from support.emulator import new_sandbox

from igops.config import load_project_config
from igops.engine.rules import BUILT_IN_RULES, rule_book
from igops.sandbox import Sandbox

HERO = "homepage-hero-headline"
NEW_RULES = ("end-gate", "overlap", "freeze", "max-discount", "primary-metric", "max-runtime", "blast-radius")
RAILS = ("max-changes", "running-split", "end-without-winner", "strong-loss-winner")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example repository as the working directory, every example live as its file says."""
    prepare_project(tmp_path, monkeypatch)
    make_live_equal(tmp_path)
    return tmp_path


@pytest.fixture
def sandbox(project: Path, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    sandbox = new_sandbox(project / "account.json")
    use_sandbox(monkeypatch, sandbox)
    return sandbox


def write_config(project: Path, text: str) -> None:
    (project / "igops.yaml").write_text(text)


def test_without_policies_every_new_rule_warns_and_the_rails_refuse(tmp_path: Path) -> None:
    (tmp_path / "igops.yaml").write_text("experiences_dir: experiences\n")
    policies = load_project_config(tmp_path).account.policies
    assert list(policies) == [rule.name for rule in BUILT_IN_RULES]
    assert {name: policies[name].level for name in RAILS} == dict.fromkeys(RAILS, "force")
    assert {name: policies[name].level for name in NEW_RULES} == dict.fromkeys(NEW_RULES, "warn")
    assert dict(policies["max-discount"].options) == {"max_percent": 30, "max_amount": None}
    assert dict(policies["max-runtime"].options) == {"max_days": 35}
    assert dict(policies["blast-radius"].options) == {"max_share": 0.5, "min_running": 4}
    assert dict(policies["freeze"].options) == {"windows": []}
    assert dict(policies["max-changes"].options) == {"max": 25}


def test_a_policy_set_keeps_the_defaults_it_leaves_out(tmp_path: Path) -> None:
    (tmp_path / "igops.yaml").write_text("policies:\n  blast-radius: {level: force, min_running: 10}\n")
    book = rule_book(load_project_config(tmp_path).account.policies, plugins=())
    policy = book.policy("blast-radius")
    assert policy.level.value == "force" and dict(policy.options) == {"max_share": 0.5, "min_running": 10}
    assert book.policy("overlap").level.value == "warn"


def test_old_keys_still_work_with_a_located_note_on_stderr(project: Path, sandbox: Sandbox) -> None:
    write_config(project, "# old style\nmax_changes: 2\nprotect_running_splits: false\n")
    describe_differently(project, HERO, "bundle-and-save", "spring-theme-refresh")
    path = project / "experiences" / f"{HERO}.yaml"
    path.write_text(
        path.read_text()
        .replace("percentage: 50", "percentage: 60", 1)
        .replace("percentage: 50", "percentage: 40", 1)
    )

    result = igops("plan", "--api", "sandbox:", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)  # the notes are not in the document
    risks = {risk["rule"]: risk for risk in document["risks"]}
    assert risks["max-changes"]["level"] == "force" and risks["max-changes"]["figures"] == {
        "changes": 3,
        "max": 2,
    }
    assert risks["running-split"]["level"] == "warn", "protect_running_splits: false is running-split at warn"
    assert result.stderr.splitlines() == [
        "Note: igops.yaml:2:14: max_changes is read as policies: {max-changes: {max: 2}}; write it that way "
        "(igops policies lists every rule).",
        "Note: igops.yaml:3:25: protect_running_splits is read as policies: {running-split: {level: warn}}; "
        "write it that way (igops policies lists every rule).",
    ]
    refused = igops("apply", "--auto-approve", "--api", "sandbox:")
    assert refused.exit_code == 1 and sandbox.writes == []
    assert (
        "Error: policy max-changes: the plan makes 3 changes, more than max-changes allows (2)"
        in refused.output
    )


def test_protect_running_splits_true_is_running_split_at_force(project: Path, sandbox: Sandbox) -> None:
    write_config(project, "protect_running_splits: true\n")
    result = igops("policies", "--format", "json")
    assert result.exit_code == 0, result.output
    levels = {rule["name"]: rule["level"] for rule in json.loads(result.stdout)["rules"]}
    assert levels["running-split"] == "force"
    assert (
        "Note: igops.yaml:1:25: protect_running_splits is read as policies: {running-split: {level: force}}"
        in result.stderr
    )


@pytest.mark.parametrize(
    ("config", "error"),
    [
        pytest.param(
            "max_changes: 3\npolicies:\n  max-changes: {max: 4}\n",
            "Error: igops.yaml:1:14: $.max_changes: max_changes and policies.max-changes.max say the same "
            "thing: keep policies.max-changes.max and remove max_changes.",
            id="old-and-new-max-changes",
        ),
        pytest.param(
            "policies:\n  running-split: {level: warn}\nprotect_running_splits: true\n",
            "Error: igops.yaml:3:25: $.protect_running_splits: protect_running_splits and "
            "policies.running-split.level say the same thing: keep policies.running-split.level and remove "
            "protect_running_splits.",
            id="old-and-new-running-split",
        ),
        pytest.param(
            "policies:\n  end_gate: {level: force}\n",
            "Error: igops.yaml:2:3: policies: no rule is named 'end_gate' (did you mean 'end-gate'?); igops "
            "policies lists the rules installed (a plug-in's needs its distribution installed beside igops).",
            id="unknown-rule",
        ),
        pytest.param(
            "policies:\n  freeze:\n    windows:\n      - name: BFCM\n        start: '2026-11-23T00:00:00'\n"
            "        end: '2026-12-02T00:00:00-05:00'\n",
            "Error: igops.yaml:5:16: $.policies.freeze.windows[0].start: '2026-11-23T00:00:00' has no UTC "
            "offset, so it would mean another moment on each runner: write it with one, such as "
            "2026-11-23T00:00:00-05:00 (or Z for UTC).",
            id="no-offset",
        ),
        pytest.param(
            "policies:\n  freeze:\n    windows:\n      - {name: BFCM, start: '2026-12-02T00:00:00-05:00', "
            "end: '2026-11-23T00:00:00-05:00'}\n",
            "Error: igops.yaml:4:63: $.policies.freeze.windows[0].end: the freeze window 'BFCM' ends at or "
            "before it starts (2026-12-02T00:00:00-05:00).",
            id="end-before-start",
        ),
        pytest.param(
            "policies:\n  freeze:\n    windows:\n"
            "      - {name: BFCM, start: 'Black Friday', end: '2026-11-30T00:00:00Z'}\n",
            "Error: igops.yaml:4:29: $.policies.freeze.windows[0].start: 'Black Friday' is not an ISO 8601 "
            "time, such as 2026-11-23T00:00:00-05:00.",
            id="not-a-time",
        ),
        pytest.param(
            "policies:\n  overlap: {level: strict}\n",
            "Error: igops.yaml:2:20: $.policies.overlap.level: 'strict' is not one of 'off', 'warn', "
            "'force'.",
            id="bad-level",
        ),
        pytest.param(
            "policies:\n  my-own-rule: {level: always}\n",
            "Error: igops.yaml:2:24: $.policies.my-own-rule.level: 'always' is not one of 'off', 'warn', "
            "'force'.",
            id="bad-level-of-a-plug-in",
        ),
        pytest.param(
            "policies:\n  overlap: force\n",
            "Error: igops.yaml:2:12: $.policies.overlap: expected a mapping, found the text 'force'.",
            id="level-without-mapping",
        ),
        pytest.param(
            "policies:\n  overlap: {level: warn, max: 3}\n",
            "Error: igops.yaml:2:26: $.policies.overlap.max: 'max' is not a field here.",
            id="unknown-option",
        ),
        pytest.param(
            "policies:\n  max-discount: {max_percent: 150}\n",
            "Error: igops.yaml:2:31: $.policies.max-discount.max_percent: 150 is above the maximum of 100.",
            id="percent-above-100",
        ),
    ],
)
def test_each_mistake_is_one_located_error_and_nothing_is_written(
    project: Path, sandbox: Sandbox, config: str, error: str
) -> None:
    write_config(project, config)
    describe_differently(project, HERO)  # something to apply, were it not refused
    for command in (
        ("apply", "--auto-approve", "--api", "sandbox:"),
        ("plan", "--api", "sandbox:"),
        ("policies",),
        ("validate",),
    ):
        result = igops(*command)
        assert result.exit_code == 1, (command, result.output)
        assert "Traceback" not in result.output
        errors = [line for line in result.output.splitlines() if line.startswith("Error: ")]
        assert errors == [error], (command, result.output)
    assert sandbox.writes == []


def test_a_window_may_be_in_utc_with_z(project: Path) -> None:
    write_config(
        project,
        "policies:\n  freeze:\n    level: force\n    windows:\n"
        "      - {name: Launch, start: '2030-01-01T00:00:00Z', end: '2030-01-08T00:00:00+01:00'}\n",
    )
    result = igops("policies")
    assert result.exit_code == 0, result.output
    window = "{name: Launch, start: 2030-01-01T00:00:00Z, end: 2030-01-08T00:00:00+01:00}"
    assert f"\nfreeze: force (windows [{window}])\n" in result.output
