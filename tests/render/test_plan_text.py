"""The terminal plan beyond its golden files: colour only when asked, user data kept harmless, layout."""

from __future__ import annotations

import re

from support.plans import experience, review_plan

from igops.model import Change, ChangeKind, FieldChange, Plan, UnmanagedExperience
from igops.render.plan_text import render_plan_text

ESCAPE = "\x1b"


def _field_plan(*fields: FieldChange) -> Plan:
    return Plan((experience("x", "X", changes=(Change(ChangeKind.UPDATE, fields=fields),)),))


def test_no_escape_codes_without_colour_even_when_user_data_carries_them() -> None:
    hostile = f"Red {ESCAPE}[31malert{ESCAPE}[0m\nsecond line\x9b2J"
    update = Change(ChangeKind.UPDATE, fields=(FieldChange("name", "a", hostile),))
    plan = Plan(
        (experience("x", hostile, changes=(update,), warnings=(hostile,), notes=(hostile,)),),
        unmanaged=(UnmanagedExperience("id", hostile, "pricing", "started"),),
    )
    plain = render_plan_text(plan, color=False)
    assert ESCAPE not in plain and "\x9b" not in plain
    assert "Red \\x1b[31malert\\x1b[0m\\x0asecond line\\x9b2J" in plain
    assert ESCAPE not in render_plan_text(review_plan(), color=False)


def test_colour_marks_actions_warnings_and_the_summary() -> None:
    coloured = render_plan_text(review_plan(), color=True)
    assert "\x1b[32m+ create\x1b[0m" in coloured
    assert "\x1b[33m~ update\x1b[0m" in coloured
    assert "\x1b[36m> start\x1b[0m" in coloured
    assert "\x1b[31m> end\x1b[0m" in coloured
    assert "\x1b[31m! end-without-winner (needs --force): ends without a winner" in coloured
    assert "\x1b[33m! the file was renamed" in coloured
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == render_plan_text(review_plan(), color=False)


def test_a_replaced_value_is_one_line_and_an_added_or_removed_one_has_its_sign() -> None:
    text = render_plan_text(
        _field_plan(
            FieldChange('variations["B"].percentage', 50, 60),
            FieldChange("description", None, "New"),
            FieldChange('variations["Old"]', {"name": "Old", "percentage": 0, "isControl": False}, None),
            FieldChange("enabled", True, False),
        ),
        color=False,
    )
    assert text.splitlines()[1:6] == [
        '      ~ variations["B"].percentage = 50 -> 60',
        '      + description = "New"',
        '      - variations["Old"]',
        "          - percentage = 0",
        "      ~ enabled = true -> false",
    ]


def test_signs_are_coloured_and_the_text_of_a_changed_line_is_not() -> None:
    css = Change(ChangeKind.UPDATE, fields=(FieldChange("customCss", "a {}\nb {}\n", "a {}\nc {}\n"),))
    coloured = render_plan_text(Plan((experience("x", "X", changes=(css,)),)), color=True)
    assert "\x1b[33m~\x1b[0m customCss = <<-EOT" in coloured
    assert "          \x1b[31m-\x1b[0m b {}" in coloured.splitlines()
    assert "          \x1b[32m+\x1b[0m c {}" in coloured.splitlines()
    assert "            a {}" in coloured.splitlines(), "an unchanged line has no sign and no colour"


def test_no_changes_says_the_account_matches_and_still_lists_unmanaged() -> None:
    plan = Plan((experience("x", "X"),), unmanaged=(UnmanagedExperience("i1", "Legacy", "pricing", "ended"),))
    assert render_plan_text(plan, color=False) == (
        "Unmanaged (never touched by igops): 1 experience\n"
        "  - Legacy (pricing, ended, id i1)\n"
        "\n"
        "No changes. The account matches the files."
    )
    assert render_plan_text(Plan(()), color=False) == "No changes. The account matches the files."


def test_no_changes_with_ignored_differences_does_not_claim_the_account_matches() -> None:
    plan = Plan((experience("x", "X", live_status="ended", desired_status="ended", notes=("ignored",)),))
    assert render_plan_text(plan, color=False).splitlines()[-1] == "No changes."
