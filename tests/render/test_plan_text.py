"""The terminal plan beyond its golden files: colour only when asked, user data kept harmless, values."""

from __future__ import annotations

import re

from plan_fixtures import experience, review_plan

from igops.model import Change, ChangeKind, FieldChange, Plan, UnmanagedExperience
from igops.render.plan_common import value_pair
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
    assert "\x1b[31m! needs --force: ends without a winner" in coloured
    assert "\x1b[33m! the file was renamed" in coloured
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == render_plan_text(review_plan(), color=False)


def test_each_field_change_is_one_line_with_not_set_for_none() -> None:
    text = render_plan_text(_field_plan(
        FieldChange('variations["B"].percentage', 50, 60),
        FieldChange("description", None, "New"),
        FieldChange("variations[\"Old\"]", {"name": "Old"}, None),
        FieldChange("enabled", True, False),
    ), color=False)
    assert '      variations["B"].percentage: 50 -> 60' in text.splitlines()
    assert '      description: (not set) -> "New"' in text.splitlines()
    assert '      variations["Old"]: {"name": "Old"} -> (not set)' in text.splitlines()
    assert "      enabled: true -> false" in text.splitlines()


def test_long_values_are_cut_around_their_first_difference() -> None:
    before = "x" * 100 + "before" + "y" * 100
    after = "x" * 100 + "after" + "y" * 100
    shown_before, shown_after = value_pair(before, after, 40)
    assert "before" in shown_before and "after" in shown_after
    assert shown_before.startswith("…") and shown_before.endswith("…")
    assert len(shown_before) == 40 + 2


def test_long_lists_are_cut_with_an_ellipsis() -> None:
    shown_before, shown_after = value_pair(None, list(range(100)), 30)
    assert shown_before == "(not set)"
    assert shown_after == "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9,…"


def test_short_values_are_whole() -> None:
    assert value_pair("Free shipping", 12.5, 60) == ('"Free shipping"', "12.5")


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
