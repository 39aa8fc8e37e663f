"""drift, import and show as users and CI run them, against the emulator over real HTTP on 127.0.0.1."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from support.apply import apply_examples, by_name
from support.cli import igops, work_in
from support.emulator import dashboard_action, dashboard_put, new_sandbox, serve_over_http
from support.files import dump, experience
from support.schema_strategies import TYPES, every_block

from igops.files import load_experiences
from igops.files.writer import MAX_STEM
from igops.sandbox.store import Store
from igops.schemas import DRIFT_SCHEMA, load_schema
from igops.statuses import Status

pytestmark = pytest.mark.http
HERO = "Homepage hero headline"
BANNER = "Welcome-back banner for returning visitors"
GONE_ID = "0b5c9f51-3a0e-4f7e-9f1d-4c2a7e6b8d10"


def test_drift_names_dashboard_edits_and_apply_restores_them(project: Path) -> None:
    sandbox = new_sandbox()
    with serve_over_http(sandbox) as url:
        apply_examples(url)
        assert igops("drift", "--api", url).exit_code == 0
        live = by_name(sandbox.experiences())
        hero = live[HERO]
        for variation in hero["variations"]:
            variation["percentage"] = 60 if variation["isControl"] else 40
        hero["description"] = "Edited in the dashboard"
        dashboard_put(url, hero)
        dashboard_action(url, live[BANNER]["id"], "pause")

        text = igops("drift", "--api", url)
        markdown = igops("drift", "--api", url, "--format", "markdown")
        document = json.loads(igops("drift", "--api", url, "--format", "json").output)
        assert text.exit_code == markdown.exit_code == 2, text.output
        assert 'variations["Control"].percentage: 60 (live) -> 50 (file)' in text.output
        assert 'description: "Edited in the dashboard" (live) -> ' in text.output
        assert "status: paused (live) -> started (file)" in text.output
        assert "Drift: 2 of 7 managed experiences differ from their files." in text.output
        assert "igops drift --adopt --target homepage-hero-headline" in markdown.output
        assert "Changed in the account 20" in markdown.output and "| Field | Live | File |" in markdown.output
        assert list(Draft202012Validator(load_schema(DRIFT_SCHEMA)).iter_errors(document)) == []
        assert {entry["key"] for entry in document["drifted"]} == {
            "homepage-hero-headline",
            "returning-visitor-banner",
        }

        restored = igops("apply", "--auto-approve", "--force", "--api", url)
        assert restored.exit_code == 0, restored.output
        assert igops("drift", "--api", url).exit_code == 0


# Code as it comes from the dashboard, one kind per type: each is written as a block, or double-quoted
# where a block cannot hold it exactly.
CODE = (
    "console.log(1)\n",
    "a {\n\tcolor: red;\n}",
    "  <b>Free</b>\n\n",
    "trailing \nblank",
    "\n",
    "a();\r\nb();\r\n",
    "x",
)
CODE_LINE = re.compile(r"^ *(?:customCss|customJs|replace): (.)", re.MULTILINE)


def _with_code(document: dict[str, Any], code: str) -> dict[str, Any]:
    for variation in document["variations"]:
        variation["onsiteInjection"] |= {"customCss": code, "customJs": code}
        variation["onsiteEdits"][0] |= {"onsiteEditType": "html", "replace": code}
    return document


def _copy_schemas(project: Path) -> None:
    shutil.copytree(Path(__file__).resolve().parents[2] / "schemas", project / "schemas")


def test_import_all_then_plan_shows_no_changes_for_every_type_and_block(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert len(CODE) == len(TYPES)
    documents = [_with_code(every_block(kind), code) for kind, code in zip(TYPES, CODE, strict=True)]
    work_in(tmp_path, monkeypatch)
    _copy_schemas(tmp_path)
    (tmp_path / "igops.yaml").write_text("experiences_dir: seed\n")
    (tmp_path / "seed").mkdir()
    for index, document in enumerate(documents):
        (tmp_path / "seed" / f"e{index}.yaml").write_text(dump(document))
    sandbox = new_sandbox()
    with serve_over_http(sandbox) as url:
        assert igops("apply", "--auto-approve", "--force", "--api", url).exit_code == 0
        (tmp_path / "igops.yaml").write_text("experiences_dir: experiences\n")
        imported = igops("import", "--all", "--api", url)
        assert imported.exit_code == 0, imported.output
        assert imported.output.endswith(f"Import complete: {len(TYPES)} file(s) written, 0 skipped.\n")
        assert igops("validate").exit_code == 0
        planned = igops("plan", "--api", url, "--detailed-exitcode")
        assert planned.exit_code == 0, planned.output
        again = igops("import", "--all", "--api", url)
        assert again.exit_code == 1 and "run igops import --overwrite" in again.output
    loaded = load_experiences([tmp_path / "experiences"]).experiences
    assert {experience.id for experience in loaded} == {live["id"] for live in sandbox.experiences()}
    assert {experience.status for experience in loaded} == {Status.STARTED}
    for file in loaded:
        text = file.path.read_text(encoding="utf-8")
        assert text.startswith("# yaml-language-server: $schema=../schemas/experience.schema.json\n")
        code = file.body["variations"][0]["onsiteInjection"]["customCss"]
        assert code in CODE and file.body["variations"][1]["onsiteEdits"][0]["replace"] == code
        quoted = code in ("trailing \nblank", "a();\r\nb();\r\n")
        assert CODE_LINE.findall(text) == ['"' if quoted else "|"] * 6, text


@pytest.mark.parametrize(
    ("where", "line"),
    [
        (
            "experiences/pdp/mobile",
            "# yaml-language-server: $schema=../../../schemas/experience.schema.json\n",
        ),
        ("../outside", ""),  # outside the project: a path back into it would break when either moved
    ],
)
def test_import_points_each_file_at_the_projects_schema_from_where_it_is(
    where: str, line: str, project: Path
) -> None:
    _copy_schemas(project)
    with serve_over_http(new_sandbox()) as url:
        apply_examples(url)
        imported = igops("import", HERO, "--dir", where, "--api", url)
    assert imported.exit_code == 0, imported.output
    [written] = (project / where).iterdir()
    text = written.read_text(encoding="utf-8")
    assert text.startswith(line + "name: ")
    assert load_experiences([project / where]).errors == ()


def test_without_the_schema_in_the_project_no_schema_line_is_written(project: Path) -> None:
    with serve_over_http(new_sandbox()) as url:
        apply_examples(url)
        shown = igops("show", "homepage-hero-headline", "--api", url)
        (project / "experiences" / "homepage-hero-headline.yaml").unlink()
        imported = igops("import", HERO, "--api", url)
    assert shown.exit_code == 0 and shown.output.startswith("name: ")
    assert imported.exit_code == 0, imported.output
    written = (project / "experiences" / "homepage-hero-headline.yaml").read_text(encoding="utf-8")
    assert written == shown.output


@pytest.mark.parametrize(
    "hostile",
    [["../../etc/passwd"], ["CON"], ["x" * 300], ["🎉 Summer 🎉"], ["Summer sale", "summer  SALE!"]],
)
def test_hostile_names_land_inside_the_directory_distinct_and_round_trip(
    hostile: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work_in(tmp_path, monkeypatch)
    (tmp_path / "igops.yaml").write_text("experiences_dir: seed\n")
    (tmp_path / "seed").mkdir()
    for index, name in enumerate(hostile):
        (tmp_path / "seed" / f"e{index}.yaml").write_text(dump(experience(name=name, status="started")))
    sandbox = new_sandbox()
    with serve_over_http(sandbox) as url:
        assert igops("apply", "--auto-approve", "--api", url).exit_code == 0
        (tmp_path / "igops.yaml").write_text("experiences_dir: experiences\n")
        assert igops("import", "--all", "--api", url).exit_code == 0
        written = sorted((tmp_path / "experiences").iterdir())
        assert len(written) == len(hostile)
        assert all(path.parent == tmp_path / "experiences" and len(path.stem) <= MAX_STEM for path in written)
        assert igops("plan", "--api", url, "--detailed-exitcode").exit_code == 0
    assert sorted(e.name for e in load_experiences([tmp_path / "experiences"]).experiences) == sorted(hostile)
    assert sandbox.experiences()


def test_show_prints_a_live_experience_as_its_file_and_a_saved_plan(project: Path) -> None:
    _copy_schemas(project)
    sandbox = new_sandbox()
    with serve_over_http(sandbox) as url:
        apply_examples(url)
        hero = by_name(sandbox.experiences())[HERO]
        by_key = igops("show", "homepage-hero-headline", "--api", url)
        by_id = igops("show", hero["id"], "--api", url)
        assert by_key.exit_code == 0 and by_key.output == by_id.output
        assert f"id: {hero['id']}" in by_key.output
        # What import would write there: its file moved to a subdirectory takes its schema line along.
        (project / "experiences" / "home").mkdir()
        (project / "experiences" / "homepage-hero-headline.yaml").rename(
            project / "experiences" / "home" / "homepage-hero-headline.yaml"
        )
        moved = igops("show", "homepage-hero-headline", "--api", url)
        (project / "experiences" / "home" / "homepage-hero-headline.yaml").unlink()
        unmanaged = igops("show", hero["id"], "--api", url)
        assert by_key.output.startswith("# yaml-language-server: $schema=../schemas/experience.schema.json\n")
        assert moved.output == by_key.output.replace("=../schemas/", "=../../schemas/", 1)
        assert unmanaged.output == by_key.output
        assert igops("plan", "--api", url, "--out", "plan.json").exit_code == 0
        shown = igops("show", "plan.json", "--api", url)
        assert shown.exit_code == 0 and "No changes." in shown.output
        unknown = igops("show", "no-such-thing", "--api", url)
    assert unknown.exit_code == 1 and "'no-such-thing' is no experience file's key" in unknown.output


def _retype(state: Path, experience_id: str, kind: str) -> None:
    """Give a stored experience a type the API cannot create: only an account's history has such files'
    experiences, so the state is changed behind the emulator's back."""
    with Store(state).transaction() as stored:
        record = stored.get(experience_id)
        assert record is not None
        record.experience["type"] = kind
        stored.save(record)


def test_drift_reports_what_stops_a_plan_one_finding_each_in_every_format(project: Path) -> None:
    """A pinned experience gone from the account, an end in the dashboard, a type igops cannot manage."""
    sandbox = new_sandbox(project / "account.json")
    with serve_over_http(sandbox) as url:
        apply_examples(url)
        # Imported once, then deleted from the account: the file pins an id the account no longer has.
        retired = experience(name="Retired test", status="started", id=GONE_ID)
        (project / "experiences" / "retired-test.yaml").write_text(dump(retired))
        live = by_name(sandbox.experiences())
        dashboard_action(url, live[BANNER]["id"], "end")
        _retype(project / "account.json", live[HERO]["id"], "pricing")
        assert igops("plan", "--api", url).exit_code == 1  # the plan still stops on what drift reports

        text = igops("drift", "--api", url)
        markdown = igops("drift", "--api", url, "--format", "markdown")
        as_json = igops("drift", "--api", url, "--format", "json")
    assert text.exit_code == markdown.exit_code == as_json.exit_code == 2, text.output
    document = json.loads(as_json.output)
    assert list(Draft202012Validator(load_schema(DRIFT_SCHEMA)).iter_errors(document)) == []
    assert document["errors"] == [] and document["checked"] == 8
    assert [(entry["key"], entry["finding"]) for entry in document["drifted"]] == [
        ("homepage-hero-headline", "unmanageable"),
        ("retired-test", "gone"),
        ("returning-visitor-banner", "ended"),
    ]
    for output in (text.output, markdown.output):
        assert "Drift: 3 of 8 managed experiences differ from their files." in output
        assert output.count("Way out: ") == 3 and "Error" not in output
        assert "a pricing experience in the account, which igops cannot manage" in output.lower()
        assert f"gone from the account: the file pins id {GONE_ID}, which the account does not have" in (
            output.lower()
        )
        assert "ended in the account (last changed 20" in output.lower()
        assert "remove its id: line and igops apply creates it again and starts it." in output
        assert "igops apply cannot undo an end: set status: ended in the file" in output
        assert "--target retired-test" not in output
    assert "status: ended (live) -> started (file)" in text.output
    assert "| `status` | `ended` | `started` |" in markdown.output
