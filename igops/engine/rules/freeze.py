"""freeze: named windows (a sale, a launch) in which a test is not started, ended or re-split.

During a window, a start, an end, or a change to a running test's variations or split is a finding that
names the window. The plan's clock decides, and a saved plan's apply asks again at its own time, so that
a plan saved before a freeze is not applied inside it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from igops.engine.rules.base import BuiltIn, Finding, Level, PlanInputs, Policy
from igops.engine.rules.rails import touches_split
from igops.model import ChangeKind, ExperiencePlan
from igops.statuses import LiveStatus


def _freeze(inputs: PlanInputs, policy: Policy) -> Iterator[Finding]:
    window = current_window(policy["windows"], inputs.now)
    if window is None:
        return
    for experience in inputs.experiences:
        frozen = _frozen_changes(experience)
        if frozen:
            yield Finding(
                experience.key,
                (
                    f"{' and '.join(frozen)} during the freeze window {window['name']} ({window['start']} to "
                    f"{window['end']}): {_way_on(policy)}"
                ),
                {"window": window["name"], "start": window["start"], "end": window["end"], "changes": frozen},
            )


def current_window(windows: list[Mapping[str, Any]], now: float) -> Mapping[str, Any] | None:
    """The first window `now` (Unix seconds) is in: from its start, up to its end."""
    for window in windows:
        start, end = (datetime.fromisoformat(window[bound]).timestamp() for bound in ("start", "end"))
        if start <= now < end:
            return window
    return None


def _frozen_changes(experience: ExperiencePlan) -> list[str]:
    """What the plan does to the experience that a freeze holds back, as phrases."""
    found = []
    running = experience.live_status == LiveStatus.STARTED
    for change in experience.changes:
        if change.kind is ChangeKind.START:
            found.append("starts")
        elif change.kind is ChangeKind.END:
            found.append("ends")
        elif change.kind is ChangeKind.UPDATE and running and any(map(touches_split, change.fields)):
            found.append("changes the split or the variations of a running test")
    return found


def _way_on(policy: Policy) -> str:
    if policy.level is Level.FORCE:
        return "wait until the window ends, or run apply with --force."
    return "consider waiting until the window ends."


FREEZE = BuiltIn("freeze", _freeze, uses_clock=True)
