"""The summary line all three renderers share."""

from __future__ import annotations

import pytest
from support.plans import experience

from igops.documents.plan import summary_line
from igops.model import Change, ChangeKind, Plan
from igops.text import counted


def _plan(*kinds: tuple[ChangeKind, ...]) -> Plan:
    return Plan(
        tuple(
            experience(f"e{index}", f"E{index}", changes=tuple(Change(kind) for kind in changes))
            for index, changes in enumerate(kinds)
        )
    )


C, U, S, P, E = ChangeKind.CREATE, ChangeKind.UPDATE, ChangeKind.START, ChangeKind.PAUSE, ChangeKind.END


@pytest.mark.parametrize(
    ("plan", "line"),
    [
        (_plan(), "No changes."),
        (_plan(()), "No changes."),
        (
            _plan((C, S), (C, S), (U,), (E,)),
            "Plan: 2 to create, 1 to update, 3 lifecycle actions (start 2, end 1).",
        ),
        (_plan((S,)), "Plan: 0 to create, 0 to update, 1 lifecycle action (start 1)."),
        (_plan((C,)), "Plan: 1 to create, 0 to update, 0 lifecycle actions."),
        (
            _plan((U, P), (E,), (S,)),
            "Plan: 0 to create, 1 to update, 3 lifecycle actions (start 1, pause 1, end 1).",
        ),
    ],
)
def test_summary_line_counts_each_kind_and_leaves_out_zero_lifecycle_kinds(plan: Plan, line: str) -> None:
    assert summary_line(plan) == line


@pytest.mark.parametrize(("number", "text"), [(0, "0 errors"), (1, "1 error"), (2, "2 errors")])
def test_counted_agrees_with_the_number(number: int, text: str) -> None:
    assert counted(number, "error") == text
