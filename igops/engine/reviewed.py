"""Apply what was reviewed: why a fresh plan differs from the reviewed one, told by the plan's digest.

The digest (igops.documents.plan: the plan document carries it) covers what a plan does to each experience
(each change, each field's before and after, the winner), not when it was made, its timestamps or the origins
its review was told against: the apply job on main plans again and applies only when its digest equals the
one its reviewers saw. Pure.
"""

from __future__ import annotations

from igops.documents.plan import digested, plan_digest
from igops.model import ExperiencePlan, Plan

_FILES_MOVED = "another pull request merged first, or a commit was pushed after the review"


def review_differences(reviewed: Plan, fresh: Plan) -> list[str]:
    """Why `fresh` does not do what `reviewed` does, one sentence per experience (none when the digests
    agree: files that moved without changing what the plan does, such as another pull request merged and
    applied first, are no difference)."""
    if plan_digest(reviewed) == plan_digest(fresh):
        return []
    before = {experience.key: experience for experience in reviewed.experiences}
    now = {experience.key: experience for experience in fresh.experiences}
    files_moved = reviewed.files_hash != fresh.files_hash
    found = []
    for key in sorted(set(before) | set(now)):
        old, new = before.get(key), now.get(key)
        old_changes = digested(old) if old is not None else []
        new_changes = digested(new) if new is not None else []
        if old_changes != new_changes:
            found.append(f"{key}: {_why(old, new, files_moved)}")
    return found


def _why(reviewed: ExperiencePlan | None, fresh: ExperiencePlan | None, files_moved: bool) -> str:
    if reviewed is None or fresh is None:
        return f"its file was added or removed since the review ({_FILES_MOVED})"
    moves = (
        [f"status {reviewed.live_status} -> {fresh.live_status}"]
        if reviewed.live_status != fresh.live_status
        else []
    )
    moves += ["saved again (lastUpdateTs moved)"] if reviewed.last_update_ts != fresh.last_update_ts else []
    if moves:
        return f"the account changed it since the review ({', '.join(moves)})"
    if files_moved:
        return f"its file changed since the review ({_FILES_MOVED})"
    return "its plan changed since the review"
