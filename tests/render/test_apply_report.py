"""What apply prints at the end: its first line says how the apply ended."""

from __future__ import annotations

import pytest

from igops.model import ApplyReport, ChangeKind, Outcome, StepResult
from igops.render.apply_report import render_apply_report

CREATE, START = ChangeKind.CREATE, ChangeKind.START
DONE, FAILED, NOT_ATTEMPTED = Outcome.DONE, Outcome.FAILED, Outcome.NOT_ATTEMPTED


def _report(*steps: tuple[str, ChangeKind, Outcome], interrupted: bool = False) -> ApplyReport:
    return ApplyReport([StepResult(key, kind, outcome) for key, kind, outcome in steps], interrupted)


@pytest.mark.parametrize(
    ("report", "first_line"),
    [
        (
            _report(("a", CREATE, DONE), ("a", START, DONE)),
            "Apply complete: 1 created, 0 updated, 1 lifecycle action.",
        ),
        # --keep-going: the other experience was carried on with; only the failed one's start waits.
        (
            _report(
                ("a", CREATE, FAILED), ("a", START, NOT_ATTEMPTED), ("b", CREATE, DONE), ("c", CREATE, FAILED)
            ),
            "Apply finished with 2 failures: 1 created, 0 updated, 0 lifecycle actions.",
        ),
        (
            _report(("b", CREATE, DONE), ("a", CREATE, FAILED)),
            "Apply finished with 1 failure: 1 created, 0 updated, 0 lifecycle actions.",
        ),
        # Without it: the failure stopped what had not started yet, another experience's change included.
        (
            _report(("a", CREATE, FAILED), ("a", START, NOT_ATTEMPTED), ("b", CREATE, NOT_ATTEMPTED)),
            "Apply stopped by a failure: 0 created, 0 updated, 0 lifecycle actions.",
        ),
        (
            _report(("a", CREATE, DONE), ("b", CREATE, NOT_ATTEMPTED), interrupted=True),
            "Apply interrupted: 1 created, 0 updated, 0 lifecycle actions.",
        ),
        # Interrupted after a failure --keep-going carried on past, or while a change in flight failed.
        (
            _report(
                ("a", CREATE, FAILED),
                ("a", START, NOT_ATTEMPTED),
                ("b", CREATE, NOT_ATTEMPTED),
                interrupted=True,
            ),
            "Apply interrupted, with 1 failure: 0 created, 0 updated, 0 lifecycle actions.",
        ),
        # An interrupt as the last changes finished cut nothing short.
        (
            _report(("a", CREATE, DONE), ("a", START, DONE), interrupted=True),
            "Apply complete: 1 created, 0 updated, 1 lifecycle action.",
        ),
        (
            _report(
                ("a", CREATE, FAILED), ("a", START, NOT_ATTEMPTED), ("b", CREATE, DONE), interrupted=True
            ),
            "Apply finished with 1 failure: 1 created, 0 updated, 0 lifecycle actions.",
        ),
    ],
)
def test_the_first_line_says_how_the_apply_ended(report: ApplyReport, first_line: str) -> None:
    assert render_apply_report(report).splitlines()[0] == first_line


def test_an_unfinished_apply_lists_each_outcome_and_says_how_to_finish() -> None:
    report = _report(("a", CREATE, FAILED), ("a", START, NOT_ATTEMPTED), ("b", CREATE, DONE))
    assert render_apply_report(report).splitlines()[1:] == [
        "Done (1):",
        "  - b: create done in 0.00s",
        "Failed (1):",
        "  - a: create failed in 0.00s",
        "Not attempted (1):",
        "  - a: start not attempted",
        "Run igops apply again to finish: it plans from the account as it is now.",
    ]
