"""Lifecycle actions: which transitions exist, and what each one changes."""

from __future__ import annotations

from typing import Any

from .build import new_id
from .errors import ErrorAnswer, field_error
from .markers import Markers, markers

PERFORMER = "api@sandbox.invalid"

# action -> the statuses it may start from, and the status it leads to
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "start": (frozenset({"pending", "paused"}), "started"),
    "pause": (frozenset({"started"}), "paused"),
    "end": (frozenset({"started", "paused"}), "ended"),
}
HISTORY_ACTIONS = {"start": "startExperience", "pause": "pauseExperience", "end": "endExperience"}


def refusal(action: str, status: str) -> ErrorAnswer | None:
    """Why `action` cannot run on an experience in `status`, or None when it can."""
    sources, _ = TRANSITIONS[action]
    if status in sources:
        return None
    if status == "ended":
        return field_error("action", f"Cannot {action} an experience that has ended")
    allowed = " or ".join(sorted(sources))
    return field_error("action", f"Cannot {action} an experience that is {status} (only when {allowed})")


def apply_action(
    experience: dict[str, Any], action: str, stamp: int, story: Markers | None = None
) -> dict[str, Any]:
    """The experience after `action`, which the caller has checked is allowed; a first start is dated
    back as far as `story` says (by default, the experience's own marker)."""
    _, target = TRANSITIONS[action]
    changed = {**experience, "status": target, "lastUpdateTs": stamp}
    if action == "start":
        # A story may date a first start back, so that the experience has traffic to show.
        told = markers(experience) if story is None else story
        backdated = stamp - round(told.started_days_ago * 86_400_000)
        changed.update(isPreview=False, pausedAtTs=None, startedAtTs=experience["startedAtTs"] or backdated)
    elif action == "pause":
        changed.update(isPreview=True, pausedAtTs=stamp)
    else:
        changed.update(isPreview=True, endedAtTs=stamp)
    changed["experienceActions"] = [
        *experience["experienceActions"],
        {
            "id": new_id(),
            "experienceId": experience["id"],
            "action": action,
            "actionTs": stamp,
            "performedBy": PERFORMER,
        },
    ]
    return changed


def history_entry(experience_id: str, action: str, stamp: int) -> dict[str, Any]:
    """A list item's history record; `action` is a lifecycle action or "save"."""
    return {
        "id": new_id(),
        "userId": None,
        "user": None,
        "experienceId": experience_id,
        "action": HISTORY_ACTIONS.get(action, "saveExperience"),
        "source": "external",
        "lastUpdateTs": stamp,
        "createdAtTs": stamp,
    }
