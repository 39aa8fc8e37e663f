"""The drift report's renderers: each finding with its way out, texts as line diffs, bounded issue bodies,
JSON that follows its schema."""

from __future__ import annotations

import json
import re

from jsonschema import Draft202012Validator

from igops.model import Drift, DriftReport, FieldChange, Finding, PlanError, UnmanagedExperience
from igops.render.drift import render_drift_json, render_drift_markdown, render_drift_text
from igops.schemas import DRIFT_SCHEMA, load_schema

WAY_OUT = "igops apply restores the file's version; igops drift --adopt --target KEY writes the live values."
CSS_BEFORE = ".hero {\n  color: red;\n}\n"
CSS_AFTER = ".hero {\n  color: blue;\n}\n"


def _changed(key: str, *fields: FieldChange, live_status: str = "paused") -> Drift:
    return Drift(
        key,
        f"Experience {key}",
        f"experiences/{key}.yaml",
        Finding.CHANGED,
        WAY_OUT,
        "started",
        experience_id=f"id-{key}",
        last_update_ts=1_764_151_339_000,
        live_status=live_status,
        live_type="content/onsiteEdits",
        fields=fields,
    )


def _report(count: int) -> DriftReport:
    drifted = tuple(
        _changed(f"experience-{index:03d}", FieldChange('variations["B"].percentage', 40, 50))
        for index in range(count)
    )
    return DriftReport(
        drifted,
        (UnmanagedExperience("u1", "Old test", "pricing", "ended"),),
        (PlanError("broken", "broken: two live experiences are named 'X'."),),
        count + 1,
    )


FINDINGS = DriftReport(
    (
        Drift(
            "gone",
            "Gone test",
            "experiences/gone.yaml",
            Finding.GONE,
            "remove the file.",
            "started",
            pinned_id="0b5c9f51",
        ),
        Drift(
            "ended",
            "Ended test",
            "experiences/ended.yaml",
            Finding.ENDED,
            "set status: ended.",
            "started",
            experience_id="e1",
            last_update_ts=1_764_151_339_000,
            live_status="ended",
            live_type="content/url",
        ),
        Drift(
            "priced",
            "Priced test",
            "experiences/priced.yaml",
            Finding.UNMANAGEABLE,
            "remove this file.",
            "started",
            experience_id="p1",
            last_update_ts=1_764_151_339_000,
            live_status="started",
            live_type="pricing",
        ),
    ),
    checked=5,
)


def test_the_issue_body_stays_within_its_bound_and_says_what_was_cut() -> None:
    body = render_drift_markdown(_report(400), max_chars=5000)
    assert len(body) <= 5000
    assert body.startswith("**Drift: 400 of 401 managed experiences differ from their files.**")
    assert "> **Error:** broken: two live experiences are named 'X'." in body
    assert "more section(s) not shown: `igops drift --format json` has them all." in body
    assert "Changed in the account 2025-11-26 10:02:19 UTC" in body


def test_text_names_each_difference_and_its_way_out() -> None:
    text = render_drift_text(_report(1))
    assert (
        "  ~ drift  experience-000 (Experience experience-000), changed in the account "
        "2025-11-26 10:02:19 UTC"
    ) in text
    assert "      status: paused (live) -> started (file)" in text
    assert '      variations["B"].percentage: 40 (live) -> 50 (file)' in text
    assert f"      Way out: {WAY_OUT}" in text
    assert text.endswith("Drift: 1 of 2 managed experiences differs from its file.")
    assert render_drift_text(DriftReport((), checked=3)) == "No drift: the account matches the files."


def test_each_finding_has_its_own_wording_in_every_format() -> None:
    text = render_drift_text(FINDINGS)
    assert text.count("  ~ drift  ") == 3
    assert (
        "gone (Gone test), gone from the account: the file pins id 0b5c9f51, which the account does not "
        "have\n      Way out: remove the file."
    ) in text
    assert (
        "ended (Ended test), ended in the account (last changed 2025-11-26 10:02:19 UTC) while the file "
        "says started\n      status: ended (live) -> started (file)\n"
        "      Way out: set status: ended."
    ) in text
    assert (
        "priced (Priced test), a pricing experience in the account, which igops cannot manage\n"
        "      Way out: remove this file."
    ) in text
    assert "status: started" not in text  # an unmanageable experience's status is not a difference
    markdown = render_drift_markdown(FINDINGS)
    assert markdown.count("\n### ") == 3 and markdown.count("Way out: ") == 3
    assert (
        "Gone from the account: the file pins id 0b5c9f51, which the account does not have; "
        "file `experiences/gone.yaml`."
    ) in markdown
    assert "| `status` | `ended` | `started` |" in markdown
    assert "A pricing experience in the account, which igops cannot manage; file " in markdown
    document = json.loads(render_drift_json(FINDINGS))
    assert [(entry["key"], entry["finding"], entry["way_out"]) for entry in document["drifted"]] == [
        ("gone", "gone", "remove the file."),
        ("ended", "ended", "set status: ended."),
        ("priced", "unmanageable", "remove this file."),
    ]
    gone, _, priced = document["drifted"]
    assert gone["pinned_id"] == "0b5c9f51" and gone["missing"] and priced["live_type"] == "pricing"


def test_a_css_change_is_a_line_diff_not_an_escaped_cell() -> None:
    css = FieldChange('variations["B"].onsiteInjection.customCss', CSS_BEFORE, CSS_AFTER)
    report = DriftReport(
        (_changed("hero", css, FieldChange("description", "Old", "New"), live_status="started"),), checked=1
    )
    markdown = render_drift_markdown(report)
    assert "\\n" not in markdown and "color: red" not in markdown.split("```diff")[0]
    assert '| `description` | `"Old"` | `"New"` |' in markdown
    assert (
        "```diff\n@@ -live +file @@\n"
        '~   variations["B"].onsiteInjection.customCss = <<-EOT\n'
        "        .hero {\n-         color: red;\n+         color: blue;\n        }\n"
        "    EOT\n```"
    ) in markdown
    text = render_drift_text(report)
    assert (
        "      @@ -live +file @@\n"
        '      ~ variations["B"].onsiteInjection.customCss = <<-EOT\n'
        "            .hero {\n          -   color: red;\n          +   color: blue;\n            }\n"
        "        EOT\n"
    ) in text
    assert '      description: "Old" (live) -> "New" (file)' in text


def test_no_text_in_the_account_can_close_the_fence_of_an_issue_body() -> None:
    hostile = "```\n</details>\n```diff\n   ```\n@mention"
    js = FieldChange("onsiteInjection.customJs", hostile, hostile + "\n")
    report = DriftReport((_changed("hero", js),), checked=1)
    markdown = render_drift_markdown(report)
    # A fence opens or closes on a line of three backticks indented by at most three spaces.
    assert [line for line in markdown.splitlines() if re.match(" {0,3}```", line)] == ["```diff", "```"]
    inside = markdown.split("```diff\n")[1].split("\n```")[0].splitlines()
    assert all(re.match(r"[-+~@ ]", line) for line in inside if line), inside


def test_json_follows_its_schema_and_keeps_every_entry() -> None:
    for report in (_report(400), FINDINGS):
        document = json.loads(render_drift_json(report))
        assert list(Draft202012Validator(load_schema(DRIFT_SCHEMA)).iter_errors(document)) == []
    document = json.loads(render_drift_json(_report(400)))
    assert len(document["drifted"]) == 400 and document["has_drift"] is True
    assert document["format_version"] == 2 and document["drifted"][0]["finding"] == "changed"
    [field] = document["drifted"][0]["fields"]
    assert field == {"path": 'variations["B"].percentage', "live": 40, "file": 50}
