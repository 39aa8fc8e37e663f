"""The rules a plan is checked against: one registry, one vocabulary with the files' rules, one
assessment, and settings that an override never resets."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.emulator import TOKEN
from support.files import dump, experience

from igops import engine
from igops.engine.rules import BUILT_IN_RULES, DEFAULT_BOOK, PlanInputs, RuleBook, assess
from igops.files.rules import FILE_RULES
from igops.model import Change, ChangeKind, ExperiencePlan, FieldChange
from igops.schemas import CONFIG_SCHEMA, load_schema


def test_every_built_in_rule_has_its_settings_in_the_config_schema_and_the_other_way_round() -> None:
    names = [rule.name for rule in BUILT_IN_RULES]
    assert len(set(names)) == len(names)
    assert names == list(load_schema(CONFIG_SCHEMA)["properties"]["policies"]["properties"])
    assert all(rule.description for rule in BUILT_IN_RULES)


def test_file_rules_speak_the_same_vocabulary_and_need_no_account() -> None:
    names = [rule.name for rule in FILE_RULES]
    assert len(set(names)) == len(names) and all(not rule.needs_account for rule in FILE_RULES)
    assert not set(names) & {rule.name for rule in BUILT_IN_RULES}
    assert "percentages-total-100" in names


def _ending(key: str, *, split: bool = False) -> ExperiencePlan:
    changes = [Change(ChangeKind.END)]
    if split:
        changes.insert(0, Change(ChangeKind.UPDATE, (FieldChange('variations["B"].percentage', 50, 60),)))
    return ExperiencePlan(
        key=key,
        name=key,
        path=f"experiences/{key}.yaml",
        experience_id=f"id-{key}",
        live_status="started",
        desired_status="ended",
        last_update_ts=1,
        changes=tuple(changes),
    )


def test_risks_come_plan_wide_first_then_per_experience_in_plan_order_and_rule_order() -> None:
    inputs = PlanInputs((_ending("b-first", split=True), _ending("a-second")))
    book = DEFAULT_BOOK.with_option("max-changes", "max", 1)
    assert [(risk.rule, risk.key) for risk in assess(inputs, book.in_force())] == [
        ("max-changes", None),
        ("running-split", "b-first"),
        ("end-without-winner", "b-first"),
        ("end-without-winner", "a-second"),
    ]


def test_max_changes_given_on_the_command_line_keeps_every_other_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--max-changes once rebuilt the settings positionally: protect_running_splits: false came back on.
    The old keys are read as policies (running-split at warn, max-changes' max)."""
    monkeypatch.setenv("INTELLIGEMS_API_TOKEN", TOKEN)
    monkeypatch.delenv("IGOPS_API_URL", raising=False)
    (tmp_path / "igops.yaml").write_text(
        f"api_url: sandbox:{tmp_path / 'account.db'}\nprotect_running_splits: false\nmax_changes: 9\n"
    )
    (tmp_path / "experiences").mkdir()
    (tmp_path / "experiences" / "hero.yaml").write_text(dump(experience(status="started")))
    project = engine.open_project(directory=tmp_path)
    seen: list[tuple[str, int]] = []

    async def planned(client: object, desired: object, **options: object) -> object:
        rules = options["rules"]
        assert isinstance(rules, RuleBook)
        seen.append((rules.policy("running-split").level.value, rules.policy("max-changes")["max"]))
        raise engine.EngineError("seen")

    monkeypatch.setattr("igops.engine.operations.make_plan", planned)
    for max_changes in (None, 3):
        with pytest.raises(engine.EngineError, match="seen"):
            engine.run(
                project.settings, lambda session, given=max_changes: session.plan(project, max_changes=given)
            )
    assert seen == [("warn", 9), ("warn", 3)]
