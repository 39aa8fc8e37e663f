"""Drift and import decided from the account's documents (no CLI): what differs, what is written where."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from support.emulator import new_sandbox
from support.engine import create_as_igops, desired, with_client
from support.files import experience
from support.schema_strategies import TYPES, every_block

from igops.engine.drift import build_drift
from igops.engine.importing import file_document, plan_import
from igops.engine.matching import match
from igops.files import check_text
from igops.normalize import canonical_desired, canonical_live
from igops.sandbox import Sandbox
from igops.schemas import EXPERIENCE_SCHEMA


def _seed(sandbox: Sandbox, *documents: dict[str, Any]) -> list[dict[str, Any]]:
    async def create_all(client):  # type: ignore[no-untyped-def]
        return [await create_as_igops(client, desired(document)) for document in documents]

    return with_client(sandbox, create_all)


def test_drift_names_changed_fields_and_a_moved_status() -> None:
    sandbox = new_sandbox()
    [live] = _seed(sandbox, experience(name="Hero", status="started"))
    wanted = desired(experience(name="Hero", status="started", description="From git"), "hero")
    report = build_drift(match([wanted], [live]), {live["id"]: live | {"status": "paused"}})
    [drift] = report.drifted
    assert (
        drift.key == "hero"
        and drift.status_moved
        and (drift.live_status, drift.file_status) == ("paused", "started")
    )
    assert [(change.path, change.before, change.after) for change in drift.fields] == [
        ("description", None, "From git")
    ]
    assert drift.last_update_ts == live["lastUpdateTs"] and report.has_drift and report.checked == 1


def test_no_drift_when_live_equals_the_file_and_missing_experiences_are_drift() -> None:
    sandbox = new_sandbox()
    [live] = _seed(sandbox, experience(name="Hero", status="started"))
    same = desired(experience(name="Hero", status="started"), "hero")
    assert not build_drift(match([same], [live]), {live["id"]: live}).has_drift
    absent = desired(experience(name="Never applied"), "new")
    [drift] = build_drift(match([same, absent], [live]), {live["id"]: live}).drifted
    assert drift.missing and drift.key == "new"


def test_an_imported_file_of_every_type_reads_back_as_its_live_experience(tmp_path: Path) -> None:
    sandbox = new_sandbox()
    lives = _seed(sandbox, *(every_block(kind) | {"status": "paused"} for kind in TYPES))
    schema = tmp_path / "schemas" / EXPERIENCE_SCHEMA
    directory = tmp_path / "experiences" / "pdp"
    imported = plan_import(lives, directory, [], schema=schema)
    assert imported.skipped == () and imported.refused == () and len(imported.files) == len(TYPES)
    assert len({file.path for file in imported.files}) == len(TYPES)
    for file, live in zip(imported.files, lives, strict=True):
        assert file.path.parent == directory and not file.replaces
        assert file.text.startswith("# yaml-language-server: $schema=../../schemas/experience.schema.json\n")
        read = check_text(file.text, file.path)
        assert read.errors == () and read.experience is not None
        assert read.experience.id == live["id"] and read.experience.status == "paused"
        assert canonical_desired(read.experience.body) == canonical_live(live)


def test_import_keeps_existing_files_unless_told_and_skips_what_igops_cannot_manage(tmp_path: Path) -> None:
    sandbox = new_sandbox()
    [live] = _seed(sandbox, experience(name="Hero", status="started"))
    existing = desired(experience(name="Hero"), "my-hero")
    refused = plan_import([live], tmp_path, [existing], schema=None)
    assert refused.files == () and "already holds 'Hero'" in refused.refused[0]
    schema = Path("schemas", EXPERIENCE_SCHEMA)
    [replacing] = plan_import([live], tmp_path / "elsewhere", [existing], schema=schema, overwrite=True).files
    assert replacing.replaces and replacing.path == existing.path
    # The schema line is the replaced file's, in its own directory.
    assert replacing.text.startswith(f"# yaml-language-server: $schema=../{schema.as_posix()}\n")
    pricing = live | {"type": "pricing", "id": "4b8e1f0c-77aa-4e51-9a39-2f3b7c1d9e20", "name": "Prices"}
    [skipped] = plan_import([pricing], tmp_path, [], schema=None).skipped
    assert skipped.name == "Prices" and "cannot be created or updated through the API" in skipped.reason
    assert file_document(live)["status"] == "started"
