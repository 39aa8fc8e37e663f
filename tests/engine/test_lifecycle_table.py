"""Every cell of the lifecycle table, against live experiences the emulator put in each status."""

from __future__ import annotations

import pytest
from support.emulator import new_sandbox
from support.engine import create_as_igops, desired, plan, with_client
from support.files import experience

from igops.engine.lifecycle import transition
from igops.model import ChangeKind

LIVE_OF = {"pending": "draft", "started": "started", "paused": "paused", "ended": "ended"}
# (live status or None for absent, desired status) -> the actions, or None for a plan error.
TABLE: dict[tuple[str | None, str], list[str] | None] = {
    (None, "draft"): ["create"],
    (None, "started"): ["create", "start"],
    (None, "paused"): None,
    (None, "ended"): None,
    ("pending", "draft"): [],
    ("pending", "started"): ["start"],
    ("pending", "paused"): None,
    ("pending", "ended"): None,
    ("started", "draft"): None,
    ("started", "started"): [],
    ("started", "paused"): ["pause"],
    ("started", "ended"): ["end"],
    ("paused", "draft"): None,
    ("paused", "started"): ["start"],
    ("paused", "paused"): [],
    ("paused", "ended"): ["end"],
    ("ended", "draft"): None,
    ("ended", "started"): None,
    ("ended", "paused"): None,
    ("ended", "ended"): [],
}


@pytest.mark.parametrize(("live", "wanted"), sorted(TABLE, key=str))
def test_each_cell_of_the_lifecycle_table(live: str | None, wanted: str) -> None:
    sandbox = new_sandbox()
    document = experience(name="Hero test")
    if live is not None:
        with_client(
            sandbox, lambda client: create_as_igops(client, desired({**document, "status": LIVE_OF[live]}))
        )
    writes_before = len(sandbox.writes)
    result = plan(sandbox, [desired({**document, "status": wanted}, key="hero")])
    assert len(sandbox.writes) == writes_before, "plan wrote to the account"
    expected = TABLE[(live, wanted)]
    if expected is None:
        assert [error.key for error in result.errors] == ["hero"]
        message = result.errors[0].message
        assert message.startswith(f"hero: status {wanted}: ") and "set status" in message
        assert not result.experiences
    else:
        assert not result.errors
        [planned] = result.experiences
        assert [change.kind.value for change in planned.changes] == expected
        assert planned.live_status == live


def test_unknown_live_status_is_refused_not_guessed() -> None:
    assert transition("archived", "started").refusal is not None
    assert transition(None, "started").actions == (ChangeKind.CREATE, ChangeKind.START)
