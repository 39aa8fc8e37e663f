"""How values show in a plan, whatever the format: new objects expanded, texts diffed, defaults left out."""

from __future__ import annotations

from typing import Any

import pytest
from support.plans import experience

from igops.engine.diff import readable_path
from igops.model import Change, ChangeKind, FieldChange, Plan
from igops.render.plan_markdown import render_plan_markdown
from igops.render.plan_values import Line, detail_lines, parse_path, value_pair


def _lines(*fields: FieldChange, pairs: bool = False) -> list[tuple[str, int, str]]:
    change = Change(ChangeKind.UPDATE, fields=fields)
    return [
        (line.sign, line.depth, line.text)
        for line in detail_lines(experience("x", "X"), change, width=60, pairs=pairs)
    ]


def _created(desired: dict[str, Any]) -> list[Line]:
    return list(
        detail_lines(experience("x", "X", desired=desired), Change(ChangeKind.CREATE), width=60, pairs=False)
    )


@pytest.mark.parametrize(
    "parts",
    [
        ("name",),
        ("variations", "Free shipping", "onsiteEdits", 0, "replace"),
        ("variations", 'Say "hi" \\ twice', "percentage"),
        ("audience", "filters", 2, "expression", 0, "query", "value"),
    ],
)
def test_a_path_the_engine_writes_reads_back_into_its_parts(parts: tuple[str | int, ...]) -> None:
    assert parse_path(readable_path(list(parts))) == parts


@pytest.mark.parametrize("text", ["variations (order)", "", "a..b", "[x]", "0abc", "[0].name"])
def test_other_text_is_no_path(text: str) -> None:
    assert parse_path(text) is None


def test_inside_an_added_object_what_equals_the_api_default_is_left_out() -> None:
    edit = {"onsiteEditType": "text", "querySelectors": [""], "isRegex": True, "remove": False}
    assert _lines(FieldChange('variations["B"].onsiteEdits[0]', None, edit)) == [
        ("+", 0, 'variations["B"].onsiteEdits[0]'),
        ("+", 1, 'onsiteEditType = "text"'),
        ("+", 1, "isRegex        = true"),
    ]
    # The default of excludeCurrency holds a null, which the canonical form leaves out.
    audience = {"enabled": True, "excludeCurrency": {"exclude": False}}
    assert _lines(FieldChange("audience", None, audience)) == [
        ("+", 0, "audience"),
        ("+", 1, "enabled = true"),
    ]


def test_a_value_that_is_all_defaults_still_shows_when_it_is_the_change() -> None:
    assert _lines(FieldChange('variations["B"].isControl', None, False)) == [
        ("+", 0, 'variations["B"].isControl = false')
    ]
    assert _lines(FieldChange("experienceAnalysis", {"analyticsViewType": "none"}, None)) == [
        ("-", 0, "experienceAnalysis"),
        ("-", 1, 'analyticsViewType = "none"'),
    ]


def test_an_added_variation_is_expanded_into_its_fields_under_its_name() -> None:
    added = {
        "name": "Summer",
        "percentage": 33,
        "isControl": False,
        "onsiteEdits": [],
        "onsiteInjection": {"customCss": "a {}\n", "jsInjectionMode": {"type": "immediately"}},
    }
    assert _lines(FieldChange('variations["Summer"]', None, added)) == [
        ("+", 0, 'variations["Summer"]'),
        ("+", 1, "percentage = 33"),
        ("+", 1, "onsiteInjection.customCss = <<-EOT"),
        ("+", 2, "a {}"),
        (" ", 1, "EOT"),
    ]


def test_a_removed_object_shows_its_fields_as_removed_and_an_unknown_path_hides_nothing() -> None:
    assert _lines(FieldChange("odd path", {"isControl": False, "list": [1, 2]}, None)) == [
        ("-", 0, "odd path"),
        ("-", 1, "isControl = false"),
        ("-", 1, "list      = [1, 2]"),
    ]


def test_a_new_experience_shows_every_field_it_states_compactly() -> None:
    lines = _created(
        {
            "name": "N",
            "type": "content/url",
            "experienceAnalysis": {"analyticsViewType": "none"},
            "variations": [{"name": "A", "percentage": 100, "isControl": True, "redirects": []}],
            "audience": {
                "enabled": True,
                "filters": [
                    {"priority": 0, "expression": [{"query": {"key": "device", "value": "mobile"}}]},
                    {"priority": 1, "expression": []},
                ],
            },
            "experienceKeyMetrics": [{"standardEventId": "conversionRate", "isPrimary": False}],
        }
    )
    assert [(line.depth, line.text) for line in lines] == [
        (0, 'name = "N"'),
        (0, 'type = "content/url"'),
        (0, 'variations["A"]'),
        (1, "percentage = 100"),
        (1, "isControl  = true"),
        (0, "audience"),
        (1, "enabled = true"),
        (1, "filters[0]"),
        (2, "priority = 0"),
        (2, "expression[0].query"),
        (3, 'key   = "device"'),
        (3, 'value = "mobile"'),
        (1, "filters[1]"),
        (2, "priority   = 1"),
        (2, "expression = []"),
        (0, 'experienceKeyMetrics[0].standardEventId = "conversionRate"'),
    ]
    assert {line.sign for line in lines} == {"+"}


def test_variations_without_a_name_are_labelled_by_position() -> None:
    texts = [line.text for line in _created({"variations": [{"percentage": 50, "isControl": True}, 7]})]
    assert texts == ["variations[0]", "percentage = 50", "isControl  = true", "variations[1] = 7"]


def test_a_changed_text_is_a_line_diff_with_distant_unchanged_lines_counted() -> None:
    before = "".join(f"line {index}\n" for index in range(12))
    after = before.replace("line 5\n", "line five\nline 5b\n")
    assert _lines(FieldChange("customCss", before, after)) == [
        ("~", 0, "customCss = <<-EOT"),
        (" ", 1, "# (2 unchanged lines hidden)"),
        *((" ", 1, f"line {index}") for index in (2, 3, 4)),
        ("-", 1, "line 5"),
        ("+", 1, "line five"),
        ("+", 1, "line 5b"),
        *((" ", 1, f"line {index}") for index in (6, 7, 8)),
        (" ", 1, "# (3 unchanged lines hidden)"),
        (" ", 0, "EOT"),
    ]


def test_a_single_line_beyond_the_context_is_shown_and_a_lost_final_line_break_is_visible() -> None:
    lines = _lines(FieldChange("customJs", "a\nb\nc\nd\ne\n", "a\nb\nc\nd\ne"))
    assert lines == [
        ("~", 0, "customJs = <<-EOT"),
        *((" ", 1, line) for line in "abcd"),
        ("-", 1, "e"),
        ("+", 1, "e"),
        (" ", 0, "EOT"),
    ]


def test_a_text_that_becomes_one_line_or_empty_is_still_a_line_diff() -> None:
    assert _lines(FieldChange("html", "<p>\n  hi\n</p>", "")) == [
        ("~", 0, "html = <<-EOT"),
        ("-", 1, "<p>"),
        ("-", 1, "  hi"),
        ("-", 1, "</p>"),
        (" ", 0, "EOT"),
    ]


def test_inside_a_text_tabs_stay_and_every_other_control_is_spelled_out() -> None:
    lines = _lines(FieldChange("customCss", "a {\n\tcolor: red;\r\n}\n", "a {\n\tcolor: \x1b[31mblue;\n}\n"))
    assert ("-", 1, "\tcolor: red;\\x0d") in lines and ("+", 1, "\tcolor: \\x1b[31mblue;") in lines


def test_a_replaced_value_is_one_line_or_in_markdown_a_removed_and_an_added_line() -> None:
    field = FieldChange('variations["B"].percentage', 50, 60)
    assert _lines(field) == [("~", 0, 'variations["B"].percentage = 50 -> 60')]
    assert _lines(field, pairs=True) == [
        ("-", 0, 'variations["B"].percentage = 50'),
        ("+", 0, 'variations["B"].percentage = 60'),
    ]


def test_a_replaced_object_is_removed_then_added() -> None:
    assert _lines(FieldChange("audience", {"enabled": True}, ["x", {"a": 1}])) == [
        ("-", 0, "audience"),
        ("-", 1, "enabled = true"),
        ("+", 0, 'audience[0] = "x"'),
        ("+", 0, "audience[1]"),
        ("+", 1, "a = 1"),
    ]


def test_a_text_in_markdown_cannot_close_the_fence_or_leave_the_section() -> None:
    hostile = "a {}\n```\n</details>\n   ```\n<img src=x>\n"
    fields = (FieldChange("customCss", "a {}\n", hostile), FieldChange("customJs", None, hostile))
    update = Change(ChangeKind.UPDATE, fields)
    lines = render_plan_markdown(Plan((experience("x", "X", changes=(update,)),))).splitlines()
    assert [line for line in lines if line.lstrip(" ").startswith("```")] == ["```diff", "```"]
    assert [line for line in lines if line.startswith("</details>")] == ["</details>"]
    diff = lines[lines.index("```diff") + 1 : lines.index("```")]
    # The user's lines are all there, each behind a sign or four spaces: never read as markdown.
    assert diff.count("+       ```") == 2 and diff.count("+       </details>") == 2
    assert all(line[:1] in "+-~>@" or line.startswith("    ") for line in diff if line), diff


def test_long_values_are_cut_around_their_first_difference() -> None:
    before = "x" * 100 + "before" + "y" * 100
    after = "x" * 100 + "after" + "y" * 100
    shown_before, shown_after = value_pair(before, after, 40)
    assert "before" in shown_before and "after" in shown_after
    assert shown_before.startswith("…") and shown_before.endswith("…")
    assert len(shown_before) == 40 + 2


def test_long_lists_are_cut_with_an_ellipsis() -> None:
    assert value_pair([], list(range(100)), 30) == ("[]", "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9,…")


def test_short_values_are_whole() -> None:
    assert value_pair("Free shipping", 12.5, 60) == ('"Free shipping"', "12.5")
