"""Drift reports what stops a plan as findings, each with a way out that works: following it leaves no
finding and a plan without errors."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from support.emulator import new_sandbox
from support.engine import create_as_igops, desired, imported, plan, with_client
from support.files import experience

from igops.engine.drift import build_drift
from igops.engine.matching import match
from igops.engine.pipeline import make_drift
from igops.model import ChangeKind, DesiredExperience, DriftReport, Finding
from igops.sandbox import Sandbox

GONE_ID = "0b5c9f51-3a0e-4f7e-9f1d-4c2a7e6b8d10"


def hero(**fields: Any) -> dict[str, Any]:
    return experience(name="Hero", **fields)


def seeded(*documents: dict[str, Any]) -> tuple[Sandbox, list[dict[str, Any]]]:
    sandbox = new_sandbox()

    async def create_all(client):  # type: ignore[no-untyped-def]
        return [await create_as_igops(client, desired(document)) for document in documents]

    return sandbox, with_client(sandbox, create_all)


def drift(sandbox: Sandbox, files: Sequence[DesiredExperience], targets: Sequence[str] = ()) -> DriftReport:
    return with_client(sandbox, lambda client: make_drift(client, files, targets=targets))


def test_a_pinned_experience_gone_from_the_account_is_a_finding_not_an_error() -> None:
    sandbox, _ = seeded()
    pinned = desired(hero(status="started", id=GONE_ID), "hero")
    report = drift(sandbox, [pinned])
    [found] = report.drifted
    assert report.errors == () and report.checked == 1 and found.finding is Finding.GONE
    assert found.pinned_id == GONE_ID and found.missing and not found.status_moved
    assert found.way_out == (
        "igops apply refuses to run while the file pins it: remove the file, or "
        "remove its id: line and igops apply creates it again and starts it."
    )
    assert drift(sandbox, [pinned], targets=["hero"]).drifted == (found,)
    # The plan still refuses it; the way out's plan creates and starts it.
    assert "pinned id" in plan(sandbox, [pinned]).errors[0].message
    [planned] = plan(sandbox, [desired(hero(status="started"), "hero")]).experiences
    assert [change.kind for change in planned.changes] == [ChangeKind.CREATE, ChangeKind.START]


def test_the_way_out_of_a_gone_experience_says_what_apply_does_without_the_id() -> None:
    sandbox, [live] = seeded(hero(status="started"))
    draft = desired(experience(name="Other", id=GONE_ID), "other")
    paused = desired(experience(name="Other", status="paused", id=GONE_ID), "other")
    named = desired(hero(status="started", id=GONE_ID), "hero")
    ways = {
        found.key + found.file_status: found.way_out
        for files in ([draft], [paused], [named])
        for found in drift(sandbox, files).drifted
    }
    assert ways["otherdraft"].endswith("remove its id: line and igops apply creates it again, as a draft.")
    assert ways["otherpaused"].endswith(
        "remove its id: line and set status: draft or started and igops apply creates it again (a new "
        "experience cannot start out paused)."
    )
    assert ways["herostarted"].endswith(
        f"remove its id: line and it manages the live experience 'Hero' ({live['id']}), which has its name, "
        "instead."
    )
    assert plan(sandbox, [desired(hero(status="started"), "hero")]).experiences[0].experience_id == live["id"]


def test_an_unpinned_file_not_in_the_account_is_created_by_apply_not_imported() -> None:
    sandbox, _ = seeded()
    ways = [
        found.way_out
        for status in ("draft", "started", "paused")
        for found in drift(sandbox, [desired(hero(status=status), "hero")]).drifted
    ]
    assert ways == [
        "igops apply creates it, as a draft; or remove the file.",
        "igops apply creates it and starts it; or remove the file.",
        "set status: draft or started and igops apply creates it (a new experience cannot "
        "start out paused); or remove the file.",
    ]


def test_an_end_in_the_dashboard_is_a_finding_whose_ways_out_leave_nothing() -> None:
    sandbox, [live] = seeded(hero(status="ended"))
    started = desired(hero(status="started", description="From git"), "hero")
    [found] = drift(sandbox, [started]).drifted
    assert found.finding is Finding.ENDED and found.status_moved and found.live_status == "ended"
    assert [field.path for field in found.fields] == ["description"]
    assert found.way_out.startswith(
        "igops apply cannot undo an end: set status: ended in the file (and winner: "
    )
    assert "igops drift --adopt --target hero writes the live values into the file" in found.way_out
    assert plan(sandbox, [started]).errors  # apply cannot undo it
    by_hand = desired(hero(status="ended", winner="Variant"), "hero")
    for way_out in (by_hand, imported(live, "hero")):
        assert drift(sandbox, [way_out]).drifted == () and plan(sandbox, [way_out]).errors == ()


def test_a_file_matching_an_experience_igops_cannot_manage_is_a_finding() -> None:
    live = {
        "id": "p1",
        "name": "Hero",
        "type": "pricing",
        "status": "started",
        "lastUpdateTs": 1,
        "variations": [],
    }
    [found] = build_drift(match([desired(hero(status="started"), "hero")], [live]), {"p1": live}).drifted
    assert found.finding is Finding.UNMANAGEABLE and found.live_type == "pricing" and found.fields == ()
    assert found.way_out == (
        "igops cannot manage a pricing experience (the API cannot create or update "
        "one), and igops apply refuses to run while a file matches it: remove the file."
    )


def test_a_type_apply_cannot_change_says_so_and_adopting_it_leaves_nothing() -> None:
    sandbox, [live] = seeded(hero(status="started"))
    retyped = desired(experience("content/template", name="Hero", status="started"), "hero")
    [found] = drift(sandbox, [retyped]).drifted
    assert found.finding is Finding.CHANGED and "type" in [field.path for field in found.fields]
    assert found.way_out.startswith(
        "igops apply cannot change an experience's type (it is content/onsiteEdits live); igops drift "
        "--adopt --target hero writes the live values into the file, or give the file a new name"
    )
    assert plan(sandbox, [retyped]).errors, "apply cannot do it"
    way_out = imported(live, "hero")
    assert drift(sandbox, [way_out]).drifted == () and plan(sandbox, [way_out]).errors == ()


def test_a_status_apply_cannot_restore_says_so() -> None:
    sandbox, _ = seeded(hero(status="started"))
    [found] = drift(sandbox, [desired(hero(status="draft"), "hero")]).drifted
    assert found.finding is Finding.CHANGED and found.way_out.startswith(
        "igops apply cannot restore the file's status (it is started live and an experience cannot return "
        "to draft: set status: paused to stop its traffic, or ended to finish it); igops drift --adopt "
        "--target "
    )
    sandbox, _ = seeded(hero(status="ended"))
    [found] = drift(sandbox, [desired(hero(status="ended", description="From git"), "hero")]).drifted
    assert found.finding is Finding.CHANGED and found.way_out.startswith(
        "igops apply cannot change an ended experience; igops drift --adopt --target hero writes"
    )
