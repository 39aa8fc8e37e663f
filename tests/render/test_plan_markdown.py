"""The PR-comment plan beyond its golden files: the length limit, truncation, escaping."""

from __future__ import annotations

import re

import pytest
from support.plans import ODD_NAME, experience, failing_plan, many_plan, review_plan

from igops.model import Change, ChangeKind, FieldChange, Plan, PlanError, UnmanagedExperience
from igops.render.markdown import DOCUMENT_LIMIT
from igops.render.plan_markdown import render_plan_markdown
from igops.render.untrusted import markdown_inline

TRUNCATION = re.compile(
    r"_Plan truncated to fit one comment: (\d+) experiences \((.+) and (\d+) more\) not shown here\. "
    r"The whole plan is in the job summary and in the saved plan \(the <code>igops-plan</code> artifact; "
    r"<code>igops show plan\.json</code>\), and <code>igops plan --format json</code> prints it\._"
)


def test_two_thousand_experiences_fit_one_github_comment_with_a_note_naming_what_was_cut() -> None:
    comment = render_plan_markdown(many_plan(2000))
    assert len(comment) <= DOCUMENT_LIMIT
    assert comment.startswith("**Plan: 0 to create, 2000 to update, 2000 lifecycle actions (pause 2000).**")
    shown = comment.count("<details>")
    assert shown == comment.count("</details>") > 100, "sections are kept whole"
    assert comment.count("```diff") == comment.count("```") / 2 == shown
    found = TRUNCATION.fullmatch(comment.splitlines()[-1])
    assert found is not None, comment.splitlines()[-1]
    assert int(found.group(1)) == 2000 - shown and int(found.group(3)) == 2000 - shown - 5
    named = range(shown, shown + 5)
    assert found.group(2) == ", ".join(f"<code>experience-{index:04d}</code>" for index in named)
    assert "experience-0000" in comment and f"experience-{shown - 1:04d}</b>" in comment
    assert f"experience-{shown:04d}</b>" not in comment


def test_a_short_list_of_cut_experiences_is_named_whole_with_the_unmanaged_list() -> None:
    legacy = tuple(UnmanagedExperience(f"i{n}", f"Legacy {n}", "pricing", "ended") for n in range(9))
    plan = Plan(many_plan(4).experiences, unmanaged=legacy)
    whole = render_plan_markdown(plan)
    first_section_ends = whole.index("</details>") + len("</details>")
    comment = render_plan_markdown(plan, max_chars=first_section_ends + 400)
    assert comment.count("<details>") == 1 and "experience-0000</b>" in comment
    assert comment.endswith(
        "_Plan truncated to fit one comment: 3 experiences (<code>experience-0001</code>, "
        "<code>experience-0002</code>, <code>experience-0003</code>) and the unmanaged list not shown here. "
        "The whole plan is in the job summary and in the saved plan (the <code>igops-plan</code> artifact; "
        "<code>igops show plan.json</code>), and <code>igops plan --format json</code> prints it._"
    )


def test_one_huge_section_is_left_out_alone_and_the_others_kept() -> None:
    huge = FieldChange("description", "short", _text(70_000))
    first = experience("aaa-huge", "Huge", changes=(Change(ChangeKind.UPDATE, fields=(huge,)),))
    plan = Plan(
        (first, *many_plan(5).experiences),
        unmanaged=(UnmanagedExperience("i1", "Legacy", "pricing", "ended"),),
    )
    comment = render_plan_markdown(plan)
    assert len(comment) <= DOCUMENT_LIMIT
    assert comment.count("<details>") == 6, "five experiences and the unmanaged list are kept"
    assert "aaa-huge</b>" not in comment
    assert comment.splitlines()[-1].startswith(
        "_Plan truncated to fit one comment: 1 experience (<code>aaa-huge</code>) not shown here."
    )


def test_the_largest_sections_go_first_until_the_rest_fits() -> None:
    sizes = [3_000, 200, 5_000, 200, 4_000, 200]
    plan = Plan(
        tuple(
            experience(
                f"e{index}",
                f"E{index}",
                changes=(Change(ChangeKind.UPDATE, fields=(FieldChange("description", "", _text(size)),)),),
            )
            for index, size in enumerate(sizes)
        )
    )
    whole = render_plan_markdown(plan)
    comment = render_plan_markdown(plan, max_chars=len(whole) - 7_000)
    assert [key for key in ("e0", "e1", "e2", "e3", "e4", "e5") if f"<b>{key}</b>" in comment] == [
        "e0",
        "e1",
        "e3",
        "e5",
    ], "the 5,000 and the 4,000 go; the 3,000 is not needed to go"


def _text(size: int) -> str:
    """A multi-line text of about `size` characters, which a plan shows whole (a line diff)."""
    return "\n".join(f"line {index:05d} of a long text" for index in range(size // 26))


def test_keys_in_the_note_are_inert() -> None:
    plan = Plan(
        (
            experience("a", "A", changes=many_plan(1).experiences[0].changes),
            experience("`b`_</details>", "B", changes=many_plan(1).experiences[0].changes),
        )
    )
    comment = render_plan_markdown(plan, max_chars=len(render_plan_markdown(plan)) - 1)
    assert "(<code>&#96;b&#96;&#95;&lt;/details&gt;</code>)" in comment.splitlines()[-1]


@pytest.mark.parametrize("max_chars", [700, 1000, 5000, 20000])
def test_the_limit_holds_for_any_size_and_leaves_out_sections_whole(max_chars: int) -> None:
    plan = Plan(
        many_plan(200).experiences,
        unmanaged=(UnmanagedExperience("i1", "Legacy", "pricing", "ended"),),
        errors=(PlanError("k", "k: broken."),),
    )
    comment = render_plan_markdown(plan, max_chars=max_chars)
    assert len(comment) <= max_chars
    assert comment.count("<details>") == comment.count("</details>")
    assert comment.splitlines()[-1].startswith("_Plan truncated to fit one comment: ")
    if max_chars >= 5000:
        assert "<b>experience-0000</b>" in comment, "the largest go first: the ones with longer names"
        assert "Legacy" in comment, "the unmanaged list, the smallest, is kept"
    assert "> **Error:** k: broken." in comment, "errors are never cut"


def test_the_whole_plan_is_kept_when_it_fits() -> None:
    whole = render_plan_markdown(review_plan())
    assert render_plan_markdown(review_plan(), max_chars=len(whole)) == whole
    assert "_Plan truncated" not in whole


def test_errors_come_first_under_a_title_that_says_apply_refuses_the_plan() -> None:
    comment = render_plan_markdown(failing_plan())
    assert comment.split("\n\n")[:4] == [
        "**Plan: 1 to create, 0 to update, 0 lifecycle actions.**",
        "**⛔ 2 errors: igops apply refuses this plan until they are fixed.**",
        "> **Error:** old-promo: status draft: the experience has already started, and the API cannot move "
        "it back to pending: set status: paused to stop it, or status: ended to end it.",
        "> **Error:** two files are named 'Summer sale': each experience needs exactly one file.",
    ]
    one = render_plan_markdown(Plan((), errors=(PlanError(None, "broken <b>."),)))
    assert one.split("\n\n")[1:] == [
        "**⛔ 1 error: igops apply refuses this plan until it is fixed.**",
        "> **Error:** broken &lt;b&gt;.",
    ]


def test_a_limit_below_the_headline_is_still_a_limit() -> None:
    comment = render_plan_markdown(review_plan(), max_chars=50)
    assert len(comment) == 50 and comment.endswith("…")
    with pytest.raises(ValueError, match="max_chars"):
        render_plan_markdown(review_plan(), max_chars=0)


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("a | b", "a &#124; b"),
        ("`code`", "&#96;code&#96;"),
        ("*bold* _it_ ~~gone~~", "&#42;bold&#42; &#95;it&#95; &#126;&#126;gone&#126;&#126;"),
        ("[link](https://example.com)", "&#91;link&#93;(https://example.com)"),
        ("\\*not an escape", "&#92;&#42;not an escape"),
        ("Tom & Jerry", "Tom &amp; Jerry"),
        ("two\nlines", "two&#92;x0alines"),
    ],
)
def test_user_text_is_inert_in_markdown_and_html(text: str, escaped: str) -> None:
    assert markdown_inline(text) == escaped


def test_user_data_cannot_break_out_of_its_place() -> None:
    fence = "```\n</details><img src=x>"
    changes = review_plan().experiences[1].changes
    plan = Plan(
        (
            experience("odd", ODD_NAME, changes=changes, warnings=(fence,), notes=(ODD_NAME,)),
            experience("fence", fence, path="experiences/```.yaml", changes=changes),
        ),
        unmanaged=(UnmanagedExperience("a|b", "Name | with | pipes", "pricing", "ended"),),
    )
    comment = render_plan_markdown(plan)
    assert "<img" not in comment and "<v2>" not in comment
    assert comment.count("</details>") == comment.count("<details>") == 3
    fenced_lines = [line for line in comment.splitlines() if line.startswith("```")]
    assert fenced_lines == ["```diff", "```"] * 2, "no user value opens or closes a code block"
    table_rows = [line for line in comment.splitlines() if line.startswith("| ")]
    assert all(row.count("|") == 5 for row in table_rows), "no user value adds a table cell"
