"""Untrusted text in every renderer: every user- or API-controlled string field of every document set to
text that tries to break out (line breaks, a closing fence, HTML, a heading, mentions, an issue link, bidi
overrides, terminal escapes), and nothing gets out: no raw control or bidi character, no line of its own,
no unbalanced fence, no table cell of its own, no bare `@name` or `#12` outside code, no tag."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
from support.plans import (
    added_variation_plan,
    created_plan,
    css_change_plan,
    failing_plan,
    review_plan,
    unchanged_plan,
)
from support.untrusted import HOSTILE, assert_markdown_safe, assert_terminal_safe

from igops.analytics import (
    ExperienceResults,
    MonitorReport,
    Report,
    SitewideFigures,
    Uplift,
    VariationResult,
    Verdict,
)
from igops.analytics.monitor import Alert
from igops.analytics.sitewide import Figure
from igops.engine.adopting import AdoptedFile, Adoption
from igops.files import FileError, LoadResult
from igops.files.errors import Unreadable
from igops.model import (
    ApplyReport,
    Change,
    ChangeKind,
    Drift,
    DriftReport,
    FieldChange,
    Finding,
    GitBase,
    Origin,
    Outcome,
    Plan,
    PlanError,
    Position,
    Risk,
    StepResult,
    UnmanagedExperience,
)
from igops.render import validation
from igops.render.apply_report import render_apply_report
from igops.render.drift import render_adoption, render_drift_markdown, render_drift_text
from igops.render.github import workflow_command
from igops.render.github_body import Run, compose
from igops.render.monitor import render_monitor_markdown, render_monitor_text
from igops.render.plan_json import render_plan_json
from igops.render.plan_markdown import render_plan_markdown
from igops.render.plan_text import render_plan_text
from igops.render.report import render_report_markdown, render_report_text
from igops.render.sitewide import render_sitewide_markdown, render_sitewide_text
from igops.render.untrusted import fenced, markdown_code, markdown_inline, terminal, terminal_line

# Fields that hold igops's own words or a value the schema limits to a few, never free text.
OWN = {(Alert, "rule"), (Drift, "file_status")}


def hostile(value: Any) -> Any:
    """`value` with every string in it (a dataclass's fields, a mapping's values, items) made HOSTILE."""
    if isinstance(value, Enum | bool | int | float) or value is None:
        return value
    if isinstance(value, str):
        return HOSTILE
    if isinstance(value, Path):
        return Path(HOSTILE)
    if isinstance(value, tuple | list):
        return type(value)(hostile(item) for item in value)
    if isinstance(value, Mapping):
        return {key: hostile(item) for key, item in value.items()}
    assert dataclasses.is_dataclass(value) and not isinstance(value, type), value
    if isinstance(value, Figure):  # the API's figures under igops's own labels
        return value
    return dataclasses.replace(
        value,
        **{
            field.name: hostile(getattr(value, field.name))
            for field in dataclasses.fields(value)
            if field.init and (type(value), field.name) not in OWN
        },
    )


def _ending(plan: Plan) -> Plan:
    """`plan` with an experience that ends, showing its results, and origins against a base commit."""
    results = ExperienceResults(
        "k",
        "n",
        "id",
        "started",
        1_793_491_200,
        9.0,
        "conversion_rate",
        (
            VariationResult("a", "A", True, 50, 100, 5, 0.05, 1.0),
            VariationResult("b", "B", False, 50, 100, 7, 0.07, 1.2, Uplift(0.4, 0.1, 0.7), 0.9),
        ),
        Verdict("strong_win", "Roll it out.", "B", 0.97),
    )
    ending = dataclasses.replace(
        plan.experiences[0],
        results=results,
        changes=(
            Change(ChangeKind.UPDATE, (FieldChange('variations["B"].percentage', 40, 50, Origin.OUTSIDE),)),
            Change(ChangeKind.END, winner="B", origin=Origin.BOTH),
        ),
    )
    return dataclasses.replace(
        plan, experiences=(ending, *plan.experiences[1:]), git_base=GitBase("origin/main", "0" * 40)
    )


PLANS = [
    review_plan(),
    failing_plan(),
    created_plan(),
    added_variation_plan(),
    css_change_plan(),
    unchanged_plan(),
    _ending(review_plan()),
    Plan((), unmanaged=(UnmanagedExperience("i1", "Legacy", "pricing", "ended"),)),
]


@pytest.mark.parametrize("plan", [hostile(plan) for plan in PLANS], ids=range(len(PLANS)))
def test_the_plan_shows_untrusted_text_inert(plan: Plan) -> None:
    assert_terminal_safe(render_plan_text(plan))
    assert_markdown_safe(render_plan_markdown(plan))
    assert_markdown_safe(render_plan_markdown(plan, max_chars=2_000))


def test_the_json_plan_keeps_untrusted_text_as_it_is() -> None:
    plan = hostile(review_plan())
    document = json.loads(render_plan_json(plan))
    assert {experience["name"] for experience in document["experiences"]} == {HOSTILE}


DRIFT = DriftReport(
    (
        Drift(
            "k",
            "n",
            "p",
            Finding.CHANGED,
            "w",
            "started",
            experience_id="e",
            last_update_ts=1_764_151_339_000,
            live_status="paused",
            live_type="t",
            fields=(
                FieldChange('variations["B"].percentage', 40, 50),
                FieldChange("description", "old", "new"),
                FieldChange("variations[0].onsiteInjection.customCss", ".a {}\n.b {}\n", ".a {}\n.c {}\n"),
            ),
        ),
        Drift("g", "n", "p", Finding.GONE, "w", "started", pinned_id="i"),
        Drift(
            "e",
            "n",
            "p",
            Finding.ENDED,
            "w",
            "started",
            experience_id="e",
            last_update_ts=1,
            live_status="ended",
        ),
        Drift(
            "u",
            "n",
            "p",
            Finding.UNMANAGEABLE,
            "w",
            "started",
            experience_id="e",
            last_update_ts=1,
            live_status="started",
            live_type="pricing",
        ),
    ),
    (UnmanagedExperience("i", "n", "t", "s"),),
    (PlanError("k", "m"),),
    5,
)


def test_drift_shows_untrusted_text_inert() -> None:
    report = hostile(DRIFT)
    assert_terminal_safe(render_drift_text(report))
    assert_markdown_safe(render_drift_markdown(report))
    assert_markdown_safe(render_drift_markdown(report, max_chars=1_500))
    adopted = (AdoptedFile(Path("f.yaml"), ("description",), "text"),)
    adoption = hostile(Adoption(DRIFT, adopted, DRIFT.drifted[1:], ("refused",)))
    assert_terminal_safe(render_adoption(adoption))
    assert_markdown_safe(render_adoption(adoption, markdown=True))


RESULTS = ExperienceResults(
    "k",
    "n",
    "id",
    "started",
    1_793_491_200,
    9.0,
    "conversion_rate",
    (
        VariationResult("a", "A", True, 50, 100, 5, 0.05, 1.0),
        VariationResult("b", "B", False, 50, 100, 7, 0.07, 1.2, Uplift(0.4, 0.1, 0.7), 0.9),
    ),
    Verdict("strong_win", "Roll it out.", "B", 0.97),
)


@pytest.mark.parametrize(
    "verdict", [Verdict("strong_win", "act", "B", 0.97), Verdict("error", reason="r"), None]
)
def test_results_show_untrusted_text_inert(verdict: Verdict | None) -> None:
    results = hostile(dataclasses.replace(RESULTS, verdict=verdict))
    report = Report((results,), not_started=(HOSTILE,))
    assert_terminal_safe(render_report_text(report))
    assert_markdown_safe(render_report_markdown(report))
    alert = hostile(Alert("milestone", "k", "n", "milestone: 7 days live.", "v"))
    monitor = MonitorReport((results,), (alert,))
    assert_terminal_safe(render_monitor_text(monitor))
    assert_markdown_safe(render_monitor_markdown(monitor))


def test_sitewide_shows_the_apis_currency_inert() -> None:
    figures = SitewideFigures(
        1_793_491_200,
        1_796_083_200,
        1_790_899_200,
        1_793_491_200,
        HOSTILE,
        (Figure("n_visitors", "Visitors", "count", 1000.0, 0.1),),
    )
    assert_terminal_safe(render_sitewide_text(figures))
    assert_markdown_safe(render_sitewide_markdown(figures))


def test_validate_and_apply_show_untrusted_text_inert() -> None:
    result = hostile(
        LoadResult(
            (),
            (
                FileError(Path("a.yaml"), Position(2, 3), ("variations", "x"), "m"),
                Unreadable(Path("d"), Position(1, 1), (), "m"),
            ),
            (Path("a.yaml"),),
        )
    )
    risks = (Risk("primary-metric", "k", "m", needs_force=True),)
    checked = hostile(validation.Validation(result, risks))
    text = validation.render_text(checked)
    assert_terminal_safe(text)
    assert len(text.split("\n")) == 4, "a line per problem and per finding, and the count"
    for annotation in validation.file_annotations(checked):
        command = workflow_command(annotation)
        assert "\n" not in command and "\r" not in command and command.startswith("::error ")
    report = hostile(
        ApplyReport(
            [
                StepResult("k", ChangeKind.CREATE, Outcome.FAILED, 0.1, "d"),
                StepResult("k", ChangeKind.START, Outcome.NOT_ATTEMPTED),
            ],
            duplicates=("two of n",),
        )
    )
    assert_terminal_safe(render_apply_report(report))


@pytest.mark.parametrize("markdown", [True, False])
def test_the_comment_body_keeps_every_line_of_a_run_inside_its_block(markdown: bool) -> None:
    # A run's output as igops writes it (a document) or as any program may (raw lines), closing fences
    # of every length in it.
    output = render_plan_markdown(hostile(review_plan())) if markdown else HOSTILE + "\n~~~~~~~~~~\n```"
    run = Run("plan --format markdown", 1, False, output, HOSTILE + "\n~~~~~~~~~~~~\n````", markdown)
    assert_markdown_safe(compose(run, "context"))


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("a\nb", "a\\x0ab"),
        ("\x1b[31mred", "\\x1b[31mred"),
        ("\u202eevil\u2066", "\\u202eevil\\u2066"),
        ("tab\there", "tab\\x09here"),
        ("\udcff", "\\udcff"),
        ("café 👍", "café 👍"),
    ],
)
def test_a_terminal_sees_every_control_spelled_out(text: str, shown: str) -> None:
    assert terminal(text) == shown


def test_a_line_of_a_text_keeps_its_tabs() -> None:
    assert terminal_line("\tindented\r\n") == "\tindented\\x0d"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("@everyone and @user", "@&#8288;everyone and @&#8288;user"),
        ("fixes #1", "fixes #&#8288;1"),
        ("## heading", "#&#8288;#&#8288; heading"),
        ("a\u202eb", "a&#92;u202eb"),
    ],
)
def test_mentions_issue_links_and_headings_are_inert_in_markdown(text: str, shown: str) -> None:
    assert markdown_inline(text) == shown


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("plain", "`plain`"),
        ("a`b", "``a`b``"),
        ("``x", "``` ``x ```"),
        (" padded ", "`  padded  `"),
        ("a\nb", "`a\\x0ab`"),
    ],
)
def test_inline_code_shows_the_text_as_typed(text: str, shown: str) -> None:
    assert markdown_code(text) == shown


def test_no_line_closes_a_fenced_block() -> None:
    block = fenced(["~~~", "~~~~~~~ tail", "```", "\u202e"])
    assert block.split("\n")[0] == "~~~~~~~~text" and block.split("\n")[-1] == "~~~~~~~~"
    assert "\\u202e" in block
