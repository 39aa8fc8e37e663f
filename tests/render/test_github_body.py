"""The body the action posts: what failed first, annotations left to the runner, never over GitHub's limit."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from igops.render.github_body import Run, compose
from igops.render.markdown import DOCUMENT_LIMIT, GITHUB_BODY_LIMIT, MARKER_ROOM

LIMIT = GITHUB_BODY_LIMIT - MARKER_ROOM
# The marker marocchino/sticky-pull-request-comment appends for the plan's header.
STICKY_MARKER = "\n<!-- Sticky Pull Request Comment igops-plan -->"


def run(
    stdout: str = "",
    stderr: str = "",
    *,
    code: int = 0,
    markdown: bool = True,
    command: str = "plan --format markdown",
) -> Run:
    return Run(
        command=command,
        exit_code=code,
        succeeded=code in (0, 2),
        stdout=stdout,
        stderr=stderr,
        markdown=markdown,
    )


def test_a_plan_that_succeeded_is_posted_as_it_is_after_the_context_line() -> None:
    body = compose(
        run("**Plan: 1 to create.**\n\ndetails\n", code=2), "Planned `abc` in [run 7](https://x/7)."
    )
    assert body == "Planned `abc` in [run 7](https://x/7).\n\n**Plan: 1 to create.**\n\ndetails"


def test_a_failure_says_what_failed_and_how_many_problems_are_annotated() -> None:
    stdout = (
        "::error file=experiences/a.yaml,line=3,col=1,title=igops validate::name: required\n"
        "experiences/a.yaml:3:1: name: required\n"
        "::warning file=experiences/b.yaml,line=1,col=1::odd\n"
        "1 error in 1 file (2 experience files checked).\n"
    )
    body = compose(run(stdout, code=1, markdown=False, command="validate"))
    assert body == (
        "### ⛔ igops validate failed (exit 1)\n\n"
        "2 problems annotated on the files and lines they concern (the pull request's Files "
        "changed tab and the job's annotations).\n\n"
        "~~~text\nexperiences/a.yaml:3:1: name: required\n"
        "1 error in 1 file (2 experience files checked).\n~~~"
    )


def test_standard_error_comes_first_without_its_workflow_commands() -> None:
    body = compose(run("**Plan**", "::add-mask::secret\nError: the token was refused.\n", code=1))
    assert "secret" not in body and "::" not in body
    assert body.index("Error: the token was refused.") < body.index("**Plan**")


def test_no_line_of_output_can_close_the_code_block_around_it() -> None:
    hostile = "x\n~~~\n\n<img src=x onerror=alert(1)>\n\n## Plan approved\n~~~~~text"
    body = compose(run(hostile, code=1, markdown=False, command="validate"))
    fence = re.search(r"^(~+)text$", body, re.MULTILINE)
    assert fence is not None and len(fence.group(1)) == 6
    assert body.endswith("\n" + fence.group(1))
    assert body.count(fence.group(1)) == 2


def test_a_huge_standard_error_keeps_its_end_and_says_how_much_was_cut() -> None:
    stderr = "".join(f"warning {index}\n" for index in range(10_000)) + "Error: the last word.\n"
    body = compose(run("**Plan**", stderr, code=1))
    assert "Error: the last word." in body and "**Plan**" in body
    assert re.search(r"\[\d+ earlier lines of standard error cut: the job log has all of it\]", body)
    assert len(body) < 6_000


def test_a_document_over_the_room_left_is_cut_at_a_blank_line_with_a_note() -> None:
    document = "\n\n".join(f"section {index} " + "x" * 500 for index in range(200))
    body = compose(run(document))
    assert len(body) <= LIMIT
    assert body.endswith("this output was not one of them)._")
    assert re.search(r"section \d+ x+\n\n_Cut to fit one comment", body)


@settings(max_examples=60, deadline=None)
@given(
    stdout=st.text(max_size=3000),
    stderr=st.text(max_size=3000),
    repeat=st.integers(1, 60),
    markdown=st.booleans(),
    code=st.integers(0, 3),
    context=st.text(max_size=2000),
)
def test_whatever_a_run_prints_the_body_and_the_marker_fit_one_comment(
    stdout: str, stderr: str, repeat: int, markdown: bool, code: int, context: str
) -> None:
    body = compose(run(stdout * repeat, stderr * repeat, code=code, markdown=markdown), context)
    assert len(body + STICKY_MARKER) <= GITHUB_BODY_LIMIT


def test_igops_documents_leave_room_for_the_heading_the_context_and_standard_error() -> None:
    worst = compose(run("d" * DOCUMENT_LIMIT, "e\n" * 50_000, code=1), "c" * 5_000)
    assert "d" * DOCUMENT_LIMIT in worst, "an igops document within its own limit is never cut here"
    assert len(worst + STICKY_MARKER) <= GITHUB_BODY_LIMIT
