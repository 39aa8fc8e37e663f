"""max-runtime: a test left running past the weeks it was planned for.

A test started more than `max_days` ago that the plan leaves running is flagged on every plan (and by
`igops monitor`, with the same threshold). Days count from its first start at the plan's clock, and again
at a saved plan's apply. Personalizations are meant to run on and are exempt.
"""

from __future__ import annotations

from collections.abc import Iterator

from igops.engine.rules.base import BuiltIn, Finding, Level, PlanInputs, Policy
from igops.statuses import LiveStatus, Status

DAY_SECONDS = 86_400


def _max_runtime(inputs: PlanInputs, policy: Policy) -> Iterator[Finding]:
    for experience in inputs.experiences:
        running_on = (
            experience.live_status == LiveStatus.STARTED and experience.desired_status == Status.STARTED
        )
        if not running_on or experience.started_at is None or not inputs.is_test(experience.key):
            continue
        days = (inputs.now - experience.started_at) / DAY_SECONDS
        if days > policy["max_days"]:
            way_on = "or run apply with --force" if policy.level is Level.FORCE else "or raise max_days"
            yield Finding(
                experience.key,
                (
                    f"has run {days:.0f} days, longer than max-runtime allows ({policy['max_days']:g}): a "
                    "test that long has its answer or will not get one; end it with a winner (status: "
                    f"ended), {way_on}."
                ),
                {"days_live": round(days, 2), "max_days": policy["max_days"]},
            )


MAX_RUNTIME = BuiltIn("max-runtime", _max_runtime, uses_clock=True)
