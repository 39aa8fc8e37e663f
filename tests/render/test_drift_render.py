"""The drift report's renderers: bounded issue bodies, JSON that follows its schema."""

from __future__ import annotations

import json

from jsonschema import Draft202012Validator

from igops.engine.drift import Drift, DriftReport
from igops.model import FieldChange, PlanError, UnmanagedExperience
from igops.render.drift import render_drift_json, render_drift_markdown, render_drift_text
from igops.schemas import DRIFT_SCHEMA, load_schema


def _report(count: int) -> DriftReport:
    drifted = tuple(
        Drift(f"experience-{index:03d}", f"Experience {index}", f"experiences/experience-{index:03d}.yaml",
              f"id-{index}", 1_764_151_339_000, "paused", "started",
              (FieldChange('variations["B"].percentage', 40, 50),))
        for index in range(count))
    return DriftReport(drifted, (UnmanagedExperience("u1", "Old test", "pricing", "ended"),),
                       (PlanError("broken", "broken: two live experiences are named 'X'."),), count + 1)


def test_the_issue_body_stays_within_its_bound_and_says_what_was_cut() -> None:
    body = render_drift_markdown(_report(400), max_chars=5000)
    assert len(body) <= 5000
    assert body.startswith("**Drift: 400 of 401 managed experiences differ from their files.**")
    assert "> **Error:** broken: two live experiences are named 'X'." in body
    assert "more section(s) not shown: `igops drift --format json` has them all." in body
    assert "Changed in the account 2025-11-26 10:02:19 UTC" in body


def test_text_names_each_difference_and_the_ways_out() -> None:
    text = render_drift_text(_report(1))
    assert "  ~ drift  experience-000 (Experience 0), changed in the account 2025-11-26 10:02:19 UTC" in text
    assert "      status: paused (live) -> started (file)" in text
    assert '      variations["B"].percentage: 40 (live) -> 50 (file)' in text
    assert text.endswith("igops import --overwrite KEY accepts the live one into the file.")
    assert render_drift_text(DriftReport((), checked=3)) == "No drift: the account matches the files."


def test_json_follows_its_schema_and_keeps_every_entry() -> None:
    document = json.loads(render_drift_json(_report(400)))
    assert list(Draft202012Validator(load_schema(DRIFT_SCHEMA)).iter_errors(document)) == []
    assert len(document["drifted"]) == 400 and document["has_drift"] is True
    [field] = document["drifted"][0]["fields"]
    assert field == {"path": 'variations["B"].percentage', "live": 40, "file": 50}
