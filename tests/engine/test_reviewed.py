"""A plan's digest covers what it does, not when it was made; a fresh plan that differs says why."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from igops.documents.plan import plan_digest
from igops.engine.decide import plan_experience
from igops.engine.reviewed import review_differences
from igops.model import (
    Change,
    ChangeKind,
    DesiredExperience,
    ExperiencePlan,
    FieldChange,
    GitBase,
    Origin,
    Plan,
    Schedule,
)

SPLIT = FieldChange('variations["Control"].percentage', 60, 50)


def experience(key: str, *changes: Change, ts: int = 1, status: str = "started") -> ExperiencePlan:
    return ExperiencePlan(
        key=key,
        name=key.title(),
        path=f"experiences/{key}.yaml",
        experience_id=f"id-{key}",
        live_status=status,
        desired_status="started",
        last_update_ts=ts,
        changes=changes,
    )


def plan(*experiences: ExperiencePlan, files: str = "h1") -> Plan:
    return Plan(experiences, files_hash=files)


REVIEWED = plan(
    experience("hero", Change(ChangeKind.UPDATE, (SPLIT,))),
    experience("banner", Change(ChangeKind.START), status="paused"),
    experience("quiet"),
)


def test_the_digest_ignores_order_timestamps_origins_and_unchanged_experiences() -> None:
    shuffled = plan(*reversed(REVIEWED.experiences))
    later = plan(*(replace(e, last_update_ts=99) for e in REVIEWED.experiences if e.key != "quiet"))
    marked = replace(
        REVIEWED,
        git_base=GitBase("main", "0" * 40),
        experiences=(
            experience("hero", Change(ChangeKind.UPDATE, (replace(SPLIT, origin=Origin.OUTSIDE),))),
            *REVIEWED.experiences[1:],
        ),
    )
    assert plan_digest(REVIEWED) == plan_digest(shuffled) == plan_digest(later) == plan_digest(marked)
    assert plan_digest(REVIEWED).startswith("sha256:") and len(plan_digest(REVIEWED)) == 7 + 64


def test_the_digest_moves_with_any_value_action_or_winner() -> None:
    hero, rest = REVIEWED.experiences[:1], REVIEWED.experiences[1:]
    variants = [
        plan(experience("hero", Change(ChangeKind.UPDATE, (replace(SPLIT, before=70),))), *rest),
        plan(experience("hero", Change(ChangeKind.UPDATE, (replace(SPLIT, after=40),))), *rest),
        plan(*hero, experience("banner", Change(ChangeKind.END, winner="B"), status="paused")),
        plan(*hero, experience("banner", Change(ChangeKind.END, winner="C"), status="paused")),
        plan(*hero),
    ]
    digests = {plan_digest(variant) for variant in variants} | {plan_digest(REVIEWED)}
    assert len(digests) == len(variants) + 1


def test_the_same_plan_has_no_differences_even_from_other_files() -> None:
    again = plan(*(replace(e, last_update_ts=e.last_update_ts + 1) for e in REVIEWED.experiences), files="h2")
    assert review_differences(REVIEWED, again) == []


def test_each_difference_says_whether_the_account_or_the_files_moved() -> None:
    fresh = plan(
        experience("hero", Change(ChangeKind.UPDATE, (replace(SPLIT, before=70),)), ts=2),
        experience("banner", Change(ChangeKind.END), status="paused"),
        experience("quiet"),
        experience("new", Change(ChangeKind.CREATE)),
        files="h2",
    )
    moved = "(another pull request merged first, or a commit was pushed after the review)"
    assert review_differences(REVIEWED, fresh) == [
        f"banner: its file changed since the review {moved}",
        "hero: the account changed it since the review (saved again (lastUpdateTs moved))",
        f"new: its file was added or removed since the review {moved}",
    ]


def test_a_different_plan_of_the_same_files_and_account_still_differs() -> None:
    fresh = plan(
        experience("hero", Change(ChangeKind.UPDATE, (replace(SPLIT, after=40),))), *REVIEWED.experiences[1:]
    )
    assert review_differences(REVIEWED, fresh) == ["hero: its plan changed since the review"]


def test_a_plan_reviewed_before_a_scheduled_start_is_the_plan_applied_after_it() -> None:
    start = datetime.fromisoformat("2026-12-07T09:00:00+01:00")
    body = {
        "name": "Launch",
        "type": "content/advanced",
        "variations": [{"name": "Control", "percentage": 100}],
    }

    def planned(schedule_start: datetime, now: datetime) -> Plan:
        file = DesiredExperience(
            "launch",
            Path("experiences/launch.yaml"),
            "Launch",
            "content/advanced",
            "started",
            None,
            None,
            body,
            schedule=Schedule(start=schedule_start),
        )
        made = plan_experience(file, None, now=now.timestamp())
        assert isinstance(made, ExperiencePlan)
        return plan(made)

    before = planned(start, start - timedelta(days=2))
    after = planned(start, start + timedelta(hours=3))
    assert [c.kind for c in before.experiences[0].changes] == [ChangeKind.CREATE]
    assert [c.kind for c in after.experiences[0].changes] == [ChangeKind.CREATE, ChangeKind.START]
    assert review_differences(before, after) == []
    moved = planned(start + timedelta(days=1), start - timedelta(days=2))
    assert review_differences(before, moved) == ["launch: its plan changed since the review"]


def test_a_create_whose_file_changed_after_the_review_is_a_difference() -> None:
    # A create lists no fields: what it sends is the file's experience, which the digest must cover whole.
    def creating(name: str) -> Plan:
        new = replace(
            experience("promo", Change(ChangeKind.CREATE)),
            experience_id=None,
            live_status=None,
            desired={"name": name, "type": "content/onsiteEdits"},
        )
        return plan(new, files="h2" if name != "Promo" else "h1")

    assert plan_digest(creating("Promo")) == plan_digest(creating("Promo"))
    assert plan_digest(creating("Promo")) != plan_digest(creating("Promo, edited"))
    [difference] = review_differences(creating("Promo"), creating("Promo, edited"))
    assert difference.startswith("promo: ")
