"""Monitoring rules over running experiences' results: what a scheduled job should raise with a person.

Pure: results in, alerts out. Four rules, each set in igops.yaml under `monitor`:

- sample-ratio mismatch: the visitors of the variations against the configured percentages, by
  Pearson's chi-square; it fires below `p_value` (0.001). A mismatch means the assignment or the
  tracking is broken, and the results cannot be trusted until it is found.
- conversion collapse: a variation converting more than `drop` (30%) below the control, with the
  control past `min_control_orders` (30) and, when the API gives the interval, its upper end below
  zero: a broken variation that costs sales while it runs.
- milestones: an experience reaching `days` (7 and 14) days live, on the day it reaches each one,
  calls for a look at its results.
- due soon: a test whose file schedules its end within `hours` (48) while its results fall short of the
  end-gate policy's evidence (igops.analytics.evidence, off when that policy is): the end would roll out
  a winner on less than the team agreed to, so someone should move the end or accept the evidence before
  the scheduled apply carries it out. Days live are counted to the end (they will be in by then); orders
  and odds are as they are now.

And one policy of igops.yaml's `policies`, with the threshold plans use:

- max-runtime: a test live longer than `max_days` (35) has its answer or will not get one.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from igops.analytics.evidence import DAYS, ORDERS, EndEvidence, days_live_at, judged, projection, ratio_test
from igops.analytics.results import ExperienceResults
from igops.moments import clock_text, relative_text

SRM = "sample-ratio-mismatch"
COLLAPSE = "conversion-collapse"
MILESTONE = "milestone"
MAX_RUNTIME = "max-runtime"
DUE_SOON = "due-soon"
RULES = (SRM, COLLAPSE, MILESTONE, MAX_RUNTIME, DUE_SOON)
HOUR_SECONDS = 3_600


@dataclass(frozen=True)
class MonitorRules:
    """The rules and their thresholds (igops.yaml `monitor`; these are the defaults)."""

    sample_ratio_mismatch: bool = True
    srm_p_value: float = 0.001
    conversion_collapse: bool = True
    collapse_drop: float = 0.3
    collapse_min_control_orders: int = 30
    milestones: bool = True
    milestone_days: tuple[int, ...] = (7, 14)
    # The max-runtime policy's threshold (igops.yaml `policies`), None when it is off.
    max_runtime_days: float | None = 35.0
    due_soon: bool = True
    due_soon_hours: float = 48.0
    # The end-gate policy's evidence (igops.yaml `policies`) that due soon judges by, None when it is off.
    end_evidence: EndEvidence | None = field(default_factory=EndEvidence)

    @property
    def due_soon_evidence(self) -> EndEvidence | None:
        """The evidence due soon judges a scheduled end by; None when it is not checked (off, or end-gate
        is)."""
        return self.end_evidence if self.due_soon else None


@dataclass(frozen=True)
class ScheduledEnd:
    """A running test's end that its file schedules (schedule.end, with status ended), and the winner the
    file names."""

    key: str
    due: datetime
    winner: str | None


@dataclass(frozen=True)
class Alert:
    """A rule that fired for one experience; `message` is one sentence with what to do."""

    rule: str
    key: str
    name: str
    message: str
    variation: str | None = None
    figures: dict[str, float | None] = field(default_factory=dict, compare=False)
    due: datetime | None = None  # due soon: when the scheduled end is due


@dataclass(frozen=True)
class MonitorReport:
    checked: tuple[ExperienceResults, ...]  # the managed, running experiences
    alerts: tuple[Alert, ...]
    rules: MonitorRules = MonitorRules()

    @property
    def fired(self) -> bool:
        return bool(self.alerts)

    def alerts_of(self, key: str) -> tuple[Alert, ...]:
        return tuple(alert for alert in self.alerts if alert.key == key)


def monitor(
    results: Sequence[ExperienceResults],
    rules: MonitorRules,
    runtime_exempt: Collection[str] = (),
    *,
    ends: Sequence[ScheduledEnd] = (),
    now: float,
) -> MonitorReport:
    """Every alert the rules raise on the running experiences' `results` at the clock `now` (Unix seconds);
    `runtime_exempt` are the keys of experiences meant to run on (personalizations), which max-runtime
    leaves alone; `ends` are the running tests' scheduled ends."""
    alerts: list[Alert] = []
    ending = {end.key: end for end in ends}
    needed = rules.due_soon_evidence
    for experience in results:
        if rules.max_runtime_days is not None and experience.key not in runtime_exempt:
            alerts += runtime_alerts(experience, rules.max_runtime_days)
        if rules.sample_ratio_mismatch:
            alerts += sample_ratio_alerts(experience, rules.srm_p_value)
        if rules.conversion_collapse:
            alerts += collapse_alerts(experience, rules.collapse_drop, rules.collapse_min_control_orders)
        if rules.milestones:
            alerts += milestone_alerts(experience, rules.milestone_days)
        end = ending.get(experience.key)
        if end is not None and needed is not None:
            alerts += due_soon_alerts(experience, end, now, rules.due_soon_hours, needed)
    return MonitorReport(tuple(results), tuple(alerts), rules)


def sample_ratio_alerts(experience: ExperienceResults, p_value: float) -> list[Alert]:
    test = ratio_test(experience)
    if test is None or test.p_value >= p_value:
        return []
    visitors = " / ".join(f"{v.visitors:,}" for v in experience.variations)
    split = " / ".join(f"{_share(v.percentage or 0.0)}%" for v in experience.variations)
    return [
        Alert(
            SRM,
            experience.key,
            experience.name,
            (
                f"sample-ratio mismatch: {visitors} visitors where the split is {split} (chi-square "
                f"{test.statistic:.1f}, p {_p(test.p_value)}, below {p_value:g}): the assignment or the "
                "tracking is "
                "off, so its results cannot be trusted; check redirects, targeting and caching before "
                "reading them."
            ),
            figures={
                "chi_square": round(test.statistic, 4),
                "degrees_of_freedom": test.degrees_of_freedom,
                "p_value": test.p_value,
            },
        )
    ]


def collapse_alerts(experience: ExperienceResults, drop: float, min_control_orders: int) -> list[Alert]:
    control = experience.control
    if control is None or control.orders < min_control_orders or not control.conversion_rate:
        return []
    alerts = []
    for variation in experience.variations:
        if variation.is_control or variation.conversion_rate is None:
            continue
        change = variation.conversion_rate / control.conversion_rate - 1
        interval = variation.conversion_uplift
        settled = interval is None or interval.high is None or interval.high < 0
        if change > -drop or not settled:
            continue
        between = (
            ""
            if interval is None or interval.low is None or interval.high is None
            else f", 95% interval {_percent(interval.low)} to {_percent(interval.high)}"
        )
        alerts.append(
            Alert(
                COLLAPSE,
                experience.key,
                experience.name,
                (
                    f"conversion collapse: {variation.name} converts at {variation.conversion_rate:.2%} "
                    "against the "
                    f"control's {control.conversion_rate:.2%} ({_percent(change)}{between}), more than "
                    f"{drop:.0%} below: check that the variation works (add to cart, checkout) and pause "
                    "the test "
                    "if it is broken."
                ),
                variation=variation.name,
                figures={
                    "conversion_rate": variation.conversion_rate,
                    "control_conversion_rate": control.conversion_rate,
                    "change": round(change, 6),
                },
            )
        )
    return alerts


def milestone_alerts(experience: ExperienceResults, days: Sequence[int]) -> list[Alert]:
    """A milestone fires on the day the experience reaches it: from `m` days live until `m + 1`."""
    live = experience.days_live
    if live is None:
        return []
    return [
        Alert(
            MILESTONE,
            experience.key,
            experience.name,
            (f"{milestone} days live today: time for a look at its results (igops report {experience.key})."),
            figures={"days": float(milestone), "days_live": round(live, 2)},
        )
        for milestone in sorted(set(days))
        if milestone <= live < milestone + 1
    ]


def runtime_alerts(experience: ExperienceResults, max_days: float) -> list[Alert]:
    live = experience.days_live
    if live is None or live <= max_days:
        return []
    return [
        Alert(
            MAX_RUNTIME,
            experience.key,
            experience.name,
            (
                f"{live:.0f} days live, longer than max-runtime allows ({max_days:g}): a test that long has "
                f"its answer or will not get one; read its results (igops report {experience.key}) and end "
                "it with a winner."
            ),
            figures={"days_live": round(live, 2), "max_days": float(max_days)},
        )
    ]


def due_soon_alerts(
    experience: ExperienceResults, end: ScheduledEnd, now: float, hours: float, needed: EndEvidence
) -> list[Alert]:
    """Due soon fires from `hours` before the scheduled end until it is due; from then on a plan carries
    the end out (and the end-gate judges it there)."""
    due = end.due.timestamp()
    if not now < due <= now + hours * HOUR_SECONDS:
        return []
    evidence = judged(experience, end.winner, days_live_at(experience, due), needed, days_at="at the end")
    if not evidence.shortfalls:
        return []
    # How much later the end would have to be: the days and orders at the rate so far, counted from now.
    when = (
        projection(experience, days_live_at(experience, now), needed)
        if {DAYS, ORDERS} & set(evidence.shortfalls)
        else None
    )
    orders = evidence.figures["orders"].values()
    figures = {name: value for name, value in evidence.figures.items() if name != "orders"}
    figures |= {
        "hours_left": round((due - now) / HOUR_SECONDS, 2),
        "fewest_orders": min(orders, default=None),
    }
    if when is not None:
        figures["days_to_evidence"] = when[1]
    winner = f" with the winner {end.winner}" if end.winner is not None else ""
    later = f"; {when[0]}" if when is not None else ""
    return [
        Alert(
            DUE_SOON,
            experience.key,
            experience.name,
            (
                f"due soon: ends at {clock_text(end.due)} ({relative_text(end.due, now)}){winner}, "
                f"before the evidence the end-gate needs is in: {', '.join(evidence.statements)}{later}. "
                "Let it run longer (move schedule.end later), or accept the evidence as it is and let it end."
            ),
            variation=end.winner,
            figures=figures,
            due=end.due,
        )
    ]


def _share(percentage: float) -> str:
    return f"{percentage:g}"


def _percent(change: float) -> str:
    return f"{change:+.1%}"


def _p(p_value: float) -> str:
    return "< 0.000001" if p_value < 1e-6 else f"= {p_value:.6f}".rstrip("0")
