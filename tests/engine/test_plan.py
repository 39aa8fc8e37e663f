"""Plans against the emulator: what they say, what they refuse, and that they never write."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.emulator import new_sandbox
from support.engine import create_as_igops, desired, plan, with_client
from support.files import experience

from igops.engine.diff import field_changes, readable_path
from igops.engine.refresh import RefreshCache
from igops.model import ChangeKind, FieldChange
from igops.sandbox import Sandbox
from igops.sandbox.store import Store


def hero(**fields: object) -> dict[str, object]:
    # Judged on one metric, so that the primary-metric policy has nothing to say about it here.
    metrics = [{"standardEventId": "conversionRate", "isPrimary": True}]
    return experience(name="Homepage hero", experienceKeyMetrics=metrics, **fields)


def seed(sandbox: Sandbox, *documents: dict[str, object]) -> list[dict[str, object]]:
    async def create_all(client):  # type: ignore[no-untyped-def]
        return [await create_as_igops(client, desired(document)) for document in documents]

    return with_client(sandbox, create_all)


def test_one_changed_field_is_named_exactly() -> None:
    sandbox = new_sandbox()
    document = hero(status="started")
    seed(sandbox, document)
    writes = len(sandbox.writes)
    changed = json.loads(json.dumps(document))
    changed["variations"][1]["onsiteEdits"][0]["replace"] = "New words"
    result = plan(sandbox, [desired(changed, "hero")])
    [planned] = result.changed
    [update] = planned.changes
    assert update.kind is ChangeKind.UPDATE
    assert [change.path for change in update.fields] == ['variations["Variant"].onsiteEdits[0].replace']
    assert update.fields[0].after == "New words"
    assert len(sandbox.writes) == writes


def test_plan_never_writes() -> None:
    sandbox = new_sandbox()
    seed(sandbox, hero(status="started"), experience("content/url", name="Redirect", status="paused"))
    before = len(sandbox.writes)
    wanted = [
        desired(hero(status="ended", description="x"), "hero"),
        desired(experience("content/url", name="Redirect", status="started"), "redirect"),
        desired(experience("content/advanced", name="New one", status="started"), "new"),
    ]
    result = plan(sandbox, wanted)
    assert result.count(ChangeKind.CREATE) == 1 and result.count(ChangeKind.END) == 1
    assert len(sandbox.writes) == before


def test_risks_of_running_splits_and_ends_without_a_winner() -> None:
    sandbox = new_sandbox()
    seed(sandbox, hero(status="started"))
    resplit = hero(status="started")
    resplit["variations"][0]["percentage"], resplit["variations"][1]["percentage"] = 30, 70
    resplit_plan = plan(sandbox, [desired(resplit, "hero")])
    assert [(risk.rule, risk.key, risk.needs_force) for risk in resplit_plan.risks] == [
        ("running-split", "hero", True)
    ]
    assert "traffic split" in resplit_plan.risks[0].message

    ending = plan(sandbox, [desired(hero(status="ended"), "hero")])
    assert [change.kind for change in ending.experiences[0].changes] == [ChangeKind.END]
    # end-gate, at its default level warn, says the test never gathered the evidence to end it.
    assert [(risk.rule, risk.key, risk.needs_force) for risk in ending.risks] == [
        ("end-without-winner", "hero", True),
        ("end-gate", "hero", False),
    ]
    with_winner = plan(sandbox, [desired(hero(status="ended", winner="Variant"), "hero")])
    assert with_winner.blocking_risks == () and with_winner.experiences[0].changes[0].winner == "Variant"


def test_paused_experience_edits_are_no_split_risk() -> None:
    sandbox = new_sandbox()
    seed(sandbox, hero(status="paused"))
    resplit = hero(status="paused")
    resplit["variations"][0]["percentage"], resplit["variations"][1]["percentage"] = 30, 70
    paused_plan = plan(sandbox, [desired(resplit, "hero")])
    [planned] = paused_plan.experiences
    assert paused_plan.risks == ()
    assert {change.path for change in planned.changes[0].fields} == {
        'variations["Control"].percentage',
        'variations["Variant"].percentage',
    }


def test_ended_experiences_ignore_config_with_a_note() -> None:
    sandbox = new_sandbox()
    seed(sandbox, hero(status="ended"))
    [planned] = plan(sandbox, [desired(hero(status="ended", description="Later note"), "hero")]).experiences
    assert planned.changes == ()
    assert planned.notes and "description" in planned.notes[0]


def test_unmanaged_experiences_are_listed_and_untouched() -> None:
    sandbox = new_sandbox()
    [other] = seed(sandbox, experience("content/url", name="Made in the dashboard", status="started"))
    result = plan(sandbox, [desired(hero(status="draft"), "hero")])
    assert [(u.id, u.name, u.status) for u in result.unmanaged] == [
        (other["id"], "Made in the dashboard", "started")
    ]
    assert [e.key for e in result.changed] == ["hero"]


def test_target_limits_the_plan_and_unknown_targets_are_errors() -> None:
    sandbox = new_sandbox()
    seed(sandbox, experience("content/url", name="Redirect", status="started"))
    files = [
        desired(hero(status="started"), "hero"),
        desired(experience("content/url", name="Redirect", status="paused"), "redirect"),
    ]
    result = plan(sandbox, files, targets=["hero"])
    assert [e.key for e in result.experiences] == ["hero"]
    assert result.unmanaged == (), "a managed but untargeted experience is not unmanaged"
    missing = plan(sandbox, files, targets=["nope"])
    assert [error.key for error in missing.errors] == ["nope"]


def test_type_changes_and_missing_pins_are_plan_errors() -> None:
    sandbox = new_sandbox()
    seed(sandbox, hero(status="draft"))
    retyped = experience("content/advanced", name="Homepage hero", status="draft")
    [error] = plan(sandbox, [desired(retyped, "hero")]).errors
    assert "type is immutable" in error.message and "create a new experience" in error.message
    pinned = hero(status="draft", id="2f1b7c1e-8d2a-4c55-9a40-5b6f0e3d7a11")
    [error] = plan(sandbox, [desired(pinned, "hero")]).errors
    assert "pinned id" in error.message


def test_a_pinned_id_allows_a_rename() -> None:
    sandbox = new_sandbox()
    [live] = seed(sandbox, hero(status="draft"))
    renamed = {**hero(status="draft", id=live["id"]), "name": "Hero, renamed"}
    [planned] = plan(sandbox, [desired(renamed, "hero")]).experiences
    assert planned.changes[0].fields == (FieldChange("name", "Homepage hero", "Hero, renamed"),)


def test_live_types_igops_cannot_manage_are_plan_errors(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    sandbox = new_sandbox(state)
    [live] = seed(sandbox, hero(status="started"))
    # The API creates no pricing experience: the stored one is changed behind its back.
    with Store(state).transaction() as stored:
        record = stored.get(str(live["id"]))
        assert record is not None
        record.experience["type"] = "pricing"
        stored.save(record)
    [error] = plan(sandbox, [desired(hero(status="started"), "hero")]).errors
    assert "pricing" in error.message and "cannot manage" in error.message


def test_refresh_cache_skips_gets_of_unchanged_experiences(tmp_path: Path) -> None:
    sandbox = new_sandbox()
    live = seed(sandbox, *(experience(name=f"Test {n}", status="draft") for n in range(3)))
    files = [desired(experience(name=f"Test {n}", status="draft"), f"t{n}") for n in range(3)]
    cache_path = tmp_path / "refresh.json"
    sandbox.requests.clear()
    first = plan(sandbox, files, cache=RefreshCache.load(cache_path))
    assert not first.has_changes
    assert sum(1 for r in sandbox.requests if r.path.startswith("/v25-10-beta/experiences/")) == 3
    sandbox.requests.clear()
    second = plan(sandbox, files, cache=RefreshCache.load(cache_path))
    assert not second.has_changes
    assert [r.path for r in sandbox.requests] == ["/v25-10-beta/experiences-list"]

    with_client(sandbox, lambda client: client.act(live[1]["id"], "start"))
    sandbox.requests.clear()
    third = plan(sandbox, files, cache=RefreshCache.load(cache_path))
    assert [r.path for r in sandbox.requests] == [
        "/v25-10-beta/experiences-list",
        f"/v25-10-beta/experiences/{live[1]['id']}",
    ]
    assert [error.key for error in third.errors] == ["t1"], "the fresh read must show it started"
    assert "started live" in third.errors[0].message


def test_a_file_that_is_not_a_cache_is_refused_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "precious.yaml"
    path.write_text("name: keep me\n")
    with pytest.raises(Exception, match="is not an igops refresh cache"):
        RefreshCache.load(path)
    assert path.read_text() == "name: keep me\n"


def test_readable_paths_quote_variation_names_and_odd_keys() -> None:
    assert (
        readable_path(["variations", 'Say "hi"', "onsiteEdits", 0, "replace"])
        == 'variations["Say \\"hi\\""].onsiteEdits[0].replace'
    )
    assert readable_path(["audience", "filters", 1, "priority"]) == "audience.filters[1].priority"
    before = {"variations": [{"name": "A", "percentage": 50.0}, {"name": "B", "percentage": 50}]}
    after = {"variations": [{"name": "B", "percentage": 50}, {"name": "A", "percentage": 50}]}
    assert field_changes(before, after) == (FieldChange("variations (order)", ["A", "B"], ["B", "A"]),)


def test_a_winner_named_after_the_end_is_noted_as_not_applied() -> None:
    sandbox = new_sandbox()
    seed(sandbox, hero(status="ended"))
    [without] = plan(sandbox, [desired(hero(status="ended"), "hero")]).experiences
    assert without.notes == () and without.changes == ()
    [added] = plan(sandbox, [desired(hero(status="ended", winner="Variant"), "hero")]).experiences
    assert added.changes == ()
    [note] = added.notes
    assert note.startswith("winner: Variant is rolled out only by the end action; the experience has ended")


def test_a_renamed_file_whose_old_experience_still_runs_is_warned_about() -> None:
    sandbox = new_sandbox()
    [live] = seed(sandbox, hero(status="started"))
    renamed = plan(sandbox, [desired(experience(name="Homepage hero v2", status="started"), "hero")])
    [planned] = renamed.experiences
    assert planned.changes[0].kind is ChangeKind.CREATE
    [warning] = planned.warnings
    assert "'Homepage hero'" in warning and f"id: {live['id']}" in warning and "two tests" in warning
    # Another set of variations is another experience, and a paused one runs no test.
    other = experience(name="Homepage hero v2", status="started")
    other["variations"][1]["name"] = "Other variant"
    assert plan(sandbox, [desired(other, "hero")]).experiences[0].warnings == ()
    with_client(sandbox, lambda client: client.act(live["id"], "pause"))
    assert plan(sandbox, [desired(experience(name="Homepage hero v2"), "hero")]).experiences[0].warnings == ()


def test_an_id_pinned_to_another_experience_is_named_as_the_account_knows_it() -> None:
    sandbox = new_sandbox()
    _, redirect = seed(sandbox, hero(status="started"), experience("content/url", name="Redirect test"))
    result = plan(sandbox, [desired(hero(id=redirect["id"]), "hero")])
    [error] = result.errors
    assert error.message == (
        f"hero: type is immutable: the live experience 'Redirect test' ({redirect['id']}) is content/url "
        "and the file says content/onsiteEdits; create a new experience (with a new name) instead."
    )
    twice = plan(
        sandbox,
        [
            desired(experience("content/url", name="Redirect test"), "a"),
            desired(experience("content/url", name="Other", id=redirect["id"]), "b"),
        ],
    )
    assert [e.message for e in twice.errors] == [
        f"b: the live experience 'Redirect test' ({redirect['id']}) is already managed by a; each "
        "experience needs exactly one file."
    ]
