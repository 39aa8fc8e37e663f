"""The lifecycle table: one home for statuses and actions, and the emulator's own copy agreeing with it."""

from __future__ import annotations

from igops.engine.lifecycle import transition
from igops.sandbox.lifecycle import TRANSITIONS
from igops.statuses import ACTIONS, API_ACTIONS, ChangeKind, LiveStatus, Status


def test_every_change_kind_has_one_row() -> None:
    assert set(ACTIONS) == set(ChangeKind)
    assert all(row.kind is kind for kind, row in ACTIONS.items())
    lifecycle = [kind for kind in ChangeKind if kind.is_lifecycle]
    assert lifecycle == [ChangeKind.START, ChangeKind.PAUSE, ChangeKind.END]


def test_statuses_map_both_ways() -> None:
    assert {status.live.file_status for status in Status} == set(Status)
    assert Status.DRAFT.live is LiveStatus.PENDING and LiveStatus.PENDING.file_status is Status.DRAFT
    assert [status for status in LiveStatus if not status.has_run] == [LiveStatus.PENDING]


def test_the_emulator_knows_the_same_actions_and_where_they_lead() -> None:
    """The emulator keeps its own table (an independent oracle): the same actions, leading to the same
    statuses, from the statuses igops's transitions take them from."""
    assert set(TRANSITIONS) == set(API_ACTIONS)
    for row in ACTIONS.values():
        if row.api_action is None:
            continue
        sources, target = TRANSITIONS[row.api_action]
        assert target == row.status_after
        # Every live status igops plans this action from is one the emulator takes it from.
        planned_from = {
            live for live in LiveStatus for desired in Status if row.kind in transition(live, desired).actions
        }
        assert planned_from <= sources, (row.api_action, planned_from - sources)
