"""The JSON plan: its schema, the document's round trip, and refusals of malformed documents."""

from __future__ import annotations

import copy
import itertools
import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from jsonschema import Draft202012Validator
from support.plan_strategies import plans
from support.plans import failing_plan, review_plan, unchanged_plan

from igops.documents.plan import PLAN_SCHEMA, plan_document, plan_from_document
from igops.model import ChangeKind, GitBase, Origin, Plan
from igops.render.plan_json import render_plan_json
from igops.render.plan_markdown import render_plan_markdown
from igops.render.plan_text import render_plan_text
from igops.schemas import load_schema

REPO = Path(__file__).resolve().parents[2]
SCHEMA = load_schema(PLAN_SCHEMA)
VALIDATOR = Draft202012Validator(SCHEMA)
SOME_FIELD = {"path": "x", "before": 1, "after": 2}


def _round_trip(plan: Plan) -> Plan:
    return plan_from_document(json.loads(render_plan_json(plan)))


def _assert_same(plan: Plan, again: Plan) -> None:
    assert again == plan
    # `desired` is left out of dataclass equality, and it is what apply sends.
    assert [e.desired for e in again.experiences] == [_plain(e.desired) for e in plan.experiences]


def _plain(value: Any) -> Any:
    return json.loads(json.dumps(value))


def test_schema_is_a_valid_2020_12_schema() -> None:
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(SCHEMA)


def test_shipped_copy_is_the_repositorys_schema() -> None:
    root_copy = (REPO / "schemas" / PLAN_SCHEMA).read_bytes()
    assert (REPO / "igops" / "schemas" / PLAN_SCHEMA).read_bytes() == root_copy, (
        f"igops/schemas/{PLAN_SCHEMA} is stale: cp schemas/{PLAN_SCHEMA} igops/schemas/"
    )


def _object_schemas(node: Any, where: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        if node.get("type") == "object" and "properties" in node:
            yield where, node
        for key, child in node.items():
            yield from _object_schemas(child, f"{where}/{key}")


# Members a document may leave out, so that every other plan reads as it did before they existed: an
# experience's results are there only when the plan ends it, origins only with plan --base, a change's due
# boundary only when a schedule called for it, a store only with several, an override only on a shared file.
OPTIONAL = {
    "#/$defs/experience": {"results", "override"},
    "#": {"git_base", "store"},
    "#/$defs/change": {"origin", "due"},
    "#/$defs/fieldChange": {"origin"},
}


def test_every_object_is_closed_and_every_property_has_a_one_line_description() -> None:
    objects = list(_object_schemas(SCHEMA))
    assert len(objects) == 15
    for where, node in objects:
        assert node["additionalProperties"] is False, where
        assert set(node["required"]) == set(node["properties"]) - OPTIONAL.get(where, set()), where
        for key, prop in node["properties"].items():
            description = prop.get("description", "")
            assert description and "\n" not in description and len(description) <= 120, f"{where}/{key}"


@pytest.mark.parametrize("make", [review_plan, unchanged_plan, failing_plan])
def test_fixed_plans_round_trip_and_follow_the_schema(make: Any) -> None:
    plan = make()
    assert list(VALIDATOR.iter_errors(plan_document(plan))) == []
    _assert_same(plan, _round_trip(plan))


def test_every_managed_experience_is_in_the_document_with_what_apply_checks() -> None:
    document = plan_document(review_plan())
    assert [e["key"] for e in document["experiences"]] == [e.key for e in review_plan().experiences]
    footer = next(e for e in document["experiences"] if e["key"] == "footer-links")
    assert footer["changes"] == [] and footer["experience_id"] == "exp-footer-links"
    assert footer["last_update_ts"] == 1_764_000_000_000 and footer["live_status"] == "pending"
    assert document["summary"] == {
        "create": 1,
        "update": 2,
        "start": 2,
        "pause": 1,
        "end": 2,
        "scheduled": 0,
        "line": "Plan: 1 to create, 2 to update, 5 lifecycle actions (start 2, pause 1, end 2).",
        "est_monthly_revenue_increase": None,
    }
    assert document["has_changes"] is True and document["files_hash"] == "sha256:5f2b9c0d7e"


def test_rendering_is_stable() -> None:
    assert render_plan_json(review_plan()) == render_plan_json(_round_trip(review_plan()))


@settings(max_examples=60, deadline=None)
@given(plans)
def test_any_plan_round_trips_follows_the_schema_and_renders(plan: Plan) -> None:
    document = plan_document(plan)
    assert list(VALIDATOR.iter_errors(document)) == []
    _assert_same(plan, _round_trip(plan))
    assert "\x1b" not in render_plan_text(plan, color=False)
    assert len(render_plan_markdown(plan, max_chars=600)) <= 600


def _broken(change: Any) -> dict[str, Any]:
    document = copy.deepcopy(plan_document(review_plan()))
    change(document)
    return document


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([], "at the top level: [] is not of type 'object'"),
        (_broken(lambda d: d.pop("experiences")), "at the top level: 'experiences' is a required property"),
        (_broken(lambda d: d.update(extra=1)), "at the top level: Additional properties are not allowed"),
        (
            _broken(lambda d: d["experiences"][0]["changes"][0].update(kind="launch")),
            "at experiences[0].changes[0].kind: 'launch' is not one of",
        ),
        (
            _broken(lambda d: d["experiences"][0]["changes"][1].update(winner="B")),
            "at experiences[0].changes[1].winner: 'B' is not of type 'null'",
        ),
        (
            _broken(lambda d: d["experiences"][2]["changes"][0]["fields"].append(SOME_FIELD)),
            "at experiences[2].changes[0].fields",
        ),
        (
            _broken(lambda d: d["experiences"][1].update(last_update_ts=-1)),
            "at experiences[1].last_update_ts: -1 is less than the minimum of 0",
        ),
        (
            _broken(lambda d: d["unmanaged"][0].update(status="archived")),
            "at unmanaged[0].status: 'archived' is not one of",
        ),
    ],
)
def test_a_malformed_document_is_refused_in_one_sentence_saying_where(document: Any, message: str) -> None:
    with pytest.raises(ValueError, match=r"^The plan is not a valid igops plan document ") as refused:
        plan_from_document(document)
    assert message in str(refused.value)
    assert "\n" not in str(refused.value) and len(str(refused.value)) < 300


def test_a_plan_of_another_format_version_is_refused_for_that_reason() -> None:
    with pytest.raises(ValueError, match="format_version 1; this igops reads format_version 6"):
        plan_from_document(_broken(lambda d: d.update(format_version=1)))


def _with_origins(plan: Plan) -> Plan:
    """`plan` as plan --base makes it: each field and action marked, cycling through the origins."""
    origins = itertools.cycle(Origin)
    experiences = tuple(
        replace(
            experience,
            changes=tuple(
                replace(change, fields=tuple(replace(field, origin=next(origins)) for field in change.fields))
                if change.kind is ChangeKind.UPDATE
                else replace(change, origin=next(origins))
                for change in experience.changes
            ),
        )
        for experience in plan.experiences
    )
    return replace(plan, experiences=experiences, git_base=GitBase("origin/main", "0123456789" * 4))


def test_a_plan_with_origins_round_trips_and_follows_the_schema() -> None:
    plan = _with_origins(review_plan())
    document = plan_document(plan)
    assert list(VALIDATOR.iter_errors(document)) == []
    assert document["git_base"] == {"ref": "origin/main", "commit": "0123456789" * 4}
    marked = [
        item.get("origin")
        for e in document["experiences"]
        for change in e["changes"]
        for item in (change["fields"] or [change])
    ]
    assert set(marked) == {"file", "outside", "both"}
    again = _round_trip(plan)
    assert again.git_base == plan.git_base
    assert [change for e in again.experiences for change in e.changes] == [
        change for e in plan.experiences for change in e.changes
    ]
