"""end-gate: a test ends only on the evidence a team agreed on.

Ending a test (a `status: ended` change) needs at least `min_days` live, `min_orders` orders in every
variation, no sample-ratio mismatch (the monitor's test at monitor.sample_ratio_mismatch.p_value) and,
for a winner other than the control, `min_probability` that it beats the control on the primary metric.
It reads the results the end plan already reads; what lacks is said with its figures, and when orders
or days are short, when the test will have them at its current daily rate (igops.analytics.evidence, which
igops monitor judges a scheduled end by too). Personalizations are exempt.
"""

from __future__ import annotations

from collections.abc import Iterator

from igops.analytics.evidence import EndEvidence, days_live_at, judged, projection
from igops.engine.rules.base import BuiltIn, Finding, Level, PlanInputs, Policy
from igops.model import ChangeKind, ExperiencePlan
from igops.statuses import LiveStatus
from igops.text import sentence_case


def _end_gate(inputs: PlanInputs, policy: Policy) -> Iterator[Finding]:
    for experience in inputs.experiences:
        ending = [change for change in experience.changes if change.kind is ChangeKind.END]
        if ending and inputs.is_test(experience.key):
            finding = _judged(experience, ending[0].winner, inputs.now, policy)
            if finding is not None:
                yield finding


def _judged(experience: ExperiencePlan, winner: str | None, now: float, policy: Policy) -> Finding | None:
    results = experience.results
    if results is None:
        if experience.live_status is not None and LiveStatus(experience.live_status).has_run:
            return Finding(
                experience.key,
                "ends without the evidence the end-gate needs: its results could not be read; "
                + _way_on(policy),
                {"results": None},
            )
        return Finding(
            experience.key,
            f"ends without ever having run, so it has none of the evidence the end-gate needs "
            f"({policy['min_days']:g} days live, {policy['min_orders']} orders in every variation): "
            + _way_on(policy),
            {"days_live": 0.0, "min_days": policy["min_days"], "min_orders": policy["min_orders"]},
        )
    days = days_live_at(results, now)
    needed = EndEvidence(**policy.options)
    evidence = judged(results, winner, days, needed)
    if not evidence.shortfalls:
        return None
    figures = evidence.figures
    when = projection(results, days, needed)
    if when is not None:
        figures["days_to_evidence"] = when[1]
    told = ", ".join(evidence.statements)
    later = f"; {when[0]}" if when is not None else ""
    # The way on starts a sentence of its own here (after the projection's full stop).
    way_on = sentence_case(_way_on(policy))
    return Finding(experience.key, f"ends before the evidence is in: {told}{later}. {way_on}", figures)


def _way_on(policy: Policy) -> str:
    if policy.level is Level.FORCE:
        return "let it run until the evidence is in, or run apply with --force to end it now."
    return "consider letting it run until the evidence is in."


END_GATE = BuiltIn("end-gate", _end_gate, uses_clock=True)
