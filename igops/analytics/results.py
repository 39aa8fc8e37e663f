"""One experience's results, read from the API's answer: per variation and the API's verdict.

Pure: it takes the live experience (as the list or a GET gives it) and the answer of
`/analytics/resource/{id}`, and keeps what a person reads: visitors, orders, conversion rate, net
revenue per visitor, and, on the primary metric, the uplift against the control with its 95%
interval and the probability to beat the control. Every figure is the API's own; missing ones are
None, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from igops.statuses import LiveStatus

DAY_MS = 86_400_000
# Standard events whose metric the analytics answers name otherwise than the event in snake case.
_ANALYTICS_KEYS = {
    "profit_per_visitor": "gross_profit_per_visitor",
    "profit_per_order": "gross_profit_per_order",
    "subscription_profit_per_visitor": "subscription_gross_profit_per_visitor",
}
# The API's verdicts; not_ready and error say there is none yet.
VERDICTS = (
    "strong_win",
    "directional_win",
    "mixed_signals",
    "directional_loss",
    "strong_loss",
    "not_ready",
    "error",
)
STRONG_LOSS = "strong_loss"


@dataclass(frozen=True)
class Uplift:
    """A relative lift over the control (0.12 = +12%) and its 95% interval, when the API gives one."""

    value: float
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class VariationResult:
    variation_id: str
    name: str
    is_control: bool
    percentage: float | None  # its configured share of traffic
    visitors: int
    orders: int
    conversion_rate: float | None
    net_revenue_per_visitor: float | None
    uplift: Uplift | None = None  # on the primary metric, against the control
    p2bc: float | None = None  # probability to beat the control, on the primary metric
    conversion_uplift: Uplift | None = None  # conversion rate against the control

    @property
    def empty_by_design(self) -> bool:
        """No visitors because its share of traffic is 0%, as a personalization that holds out no one
        gives its control: not missing data."""
        return self.percentage == 0 and self.visitors == 0


@dataclass(frozen=True)
class Verdict:
    """The API's verdict on the test: for its best challenger, on the primary metric."""

    verdict: str
    action: str | None = None
    best_challenger: str | None = None  # the variation's name
    p2bb: float | None = None
    uplift: float | None = None
    reason: str | None = None  # why there is none (verdict "error")

    @property
    def ready(self) -> bool:
        return self.verdict not in ("not_ready", "error")


@dataclass(frozen=True)
class ExperienceResults:
    key: str  # the experience file's key
    name: str
    experience_id: str
    status: str
    started_at: int | None  # Unix seconds
    days_live: float | None
    # The API's primary metric, else the one the experience declares; None when neither names one.
    primary_metric: str | None
    variations: tuple[VariationResult, ...]
    verdict: Verdict | None = None
    # The API's estimate of the best challenger's monthly revenue gain over the control (`impact`):
    # (its net revenue per visitor - the control's) x all visitors x 30 / days of the test, rounded.
    est_monthly_revenue_increase: float | None = None
    currency_symbol: str = "$"  # the experience's currency, as amounts are written

    @property
    def estimated_challenger(self) -> VariationResult | None:
        """The challenger the impact estimate is about: the best net revenue per visitor but the control's."""
        challengers = [
            variation
            for variation in self.variations
            if not variation.is_control and variation.net_revenue_per_visitor is not None
        ]
        return max(challengers, key=lambda variation: variation.net_revenue_per_visitor or 0.0, default=None)

    @property
    def control(self) -> VariationResult | None:
        return next((variation for variation in self.variations if variation.is_control), None)

    @property
    def nothing_to_compare(self) -> bool:
        """The control has no visitors by design (a personalization's holdout of 0%): no challenger can
        be compared with it."""
        control = self.control
        return control is not None and control.empty_by_design

    def variation(self, name: str) -> VariationResult | None:
        return next((variation for variation in self.variations if variation.name == name), None)


def days_live(live: Mapping[str, Any], now: float) -> float | None:
    """Days from the first start to the pause or end, or to `now` (Unix seconds) while it runs."""
    started = _number(live.get("startedAtTs"))
    if started is None:
        return None
    stopped = (
        _number(live.get("endedAtTs"))
        if live.get("status") == LiveStatus.ENDED
        else _number(live.get("pausedAtTs"))
        if live.get("status") == LiveStatus.PAUSED
        else None
    )
    until = stopped if stopped is not None else now * 1000
    return max(0.0, (until - started) / DAY_MS)


def started_at(live: Mapping[str, Any]) -> int | None:
    """When the live experience first started, in Unix seconds; None when it never has."""
    started = _number(live.get("startedAtTs"))
    return None if started is None else int(started // 1000)


def declared_primary(key_metrics: Any) -> str | None:
    """The analytics key of the key metric an experience marks primary (conversionRate ->
    conversion_rate); None when none is marked, or it is a custom metric, whose figures igops does not
    read."""
    metrics = key_metrics if isinstance(key_metrics, Sequence) and not isinstance(key_metrics, str) else []
    primary = next(
        (metric for metric in metrics if isinstance(metric, Mapping) and metric.get("isPrimary")), None
    )
    event = primary.get("standardEventId") if primary is not None else None
    if not isinstance(event, str) or not event:
        return None
    key = re.sub(r"(?<!^)(?=[A-Z])", "_", event).lower()
    return _ANALYTICS_KEYS.get(key, key)


def experience_results(
    key: str, live: Mapping[str, Any], answer: Mapping[str, Any], now: float, declared: str | None = None
) -> ExperienceResults:
    """The results of the live experience `live` managed by the file `key`, from the API's `answer`. The
    uplift and the probability are on the primary metric the API names, else on `declared` (the one the
    experience declares, see declared_primary); with neither, there are none."""
    verdict = _verdict(answer.get("testResult"))
    raw = answer.get("testResult")
    primary_block = raw.get("primary_metric") if isinstance(raw, Mapping) else None
    primary = (
        str(primary_block.get("key"))
        if isinstance(primary_block, Mapping) and primary_block.get("key")
        else declared
    )
    configured = _variations(live.get("variations"))
    described = _variations(answer.get("variations"))
    rows = [row for row in answer.get("metrics") or [] if isinstance(row, Mapping) and "audience" not in row]
    ids = [str(row.get("variation_id")) for row in rows]
    # The configured order first, then any variation only the answer knows.
    order = [*[vid for vid in configured if vid in ids], *[vid for vid in ids if vid not in configured]]
    by_id = {str(row.get("variation_id")): row for row in rows}
    variations = tuple(
        _variation(vid, by_id[vid], configured.get(vid) or described.get(vid) or {}, primary) for vid in order
    )
    names = {variation.variation_id: variation.name for variation in variations}
    if verdict is not None and verdict.best_challenger is not None:
        verdict = Verdict(
            verdict.verdict,
            verdict.action,
            names.get(verdict.best_challenger, verdict.best_challenger),
            verdict.p2bb,
            verdict.uplift,
            verdict.reason,
        )
    impact = answer.get("impact")
    return ExperienceResults(
        key=key,
        name=str(live.get("name") or answer.get("experienceName") or key),
        experience_id=str(live.get("id") or answer.get("experienceId") or ""),
        status=str(live.get("status") or ""),
        started_at=started_at(live),
        days_live=days_live(live, now),
        primary_metric=primary,
        variations=variations,
        verdict=verdict,
        est_monthly_revenue_increase=(
            _number(impact.get("est_monthly_revenue_increase")) if isinstance(impact, Mapping) else None
        ),
        currency_symbol=_currency_symbol(live.get("currency")),
    )


def _currency_symbol(currency: Any) -> str:
    symbol = currency.get("symbol") if isinstance(currency, Mapping) else None
    return symbol if isinstance(symbol, str) and symbol.isprintable() and 0 < len(symbol) <= 4 else "$"


def winner_verdict(results: ExperienceResults, winner: str) -> str | None:
    """The API's verdict on `winner` against the control, when it gives one for that variation.

    The verdict is about the best challenger, so it holds for `winner` when that is the best
    challenger, or when it is a strong loss (then every challenger trails the control). None for
    the control, an unknown name, or no verdict yet.
    """
    chosen = results.variation(winner)
    verdict = results.verdict
    if chosen is None or chosen.is_control or verdict is None or not verdict.ready:
        return None
    if verdict.best_challenger == winner or verdict.verdict == STRONG_LOSS:
        return verdict.verdict
    return None


def metric_label(key: str) -> str:
    """How a metric key reads in a sentence: net_revenue_per_visitor -> net revenue per visitor."""
    return key.replace("_", " ").strip()


def _variations(items: Any) -> dict[str, Mapping[str, Any]]:
    if not isinstance(items, Sequence) or isinstance(items, str):
        return {}
    ordered = sorted(
        (item for item in items if isinstance(item, Mapping) and item.get("id") is not None),
        key=lambda item: _number(item.get("order")) or 0,
    )
    return {str(item["id"]): item for item in ordered}


def _variation(
    variation_id: str, row: Mapping[str, Any], config: Mapping[str, Any], primary: str | None
) -> VariationResult:
    metric = _cell(row, primary) if primary is not None else {}
    conversion = _cell(row, "conversion_rate")
    return VariationResult(
        variation_id=variation_id,
        name=str(config.get("name") or variation_id),
        is_control=bool(config.get("isControl")),
        percentage=_number(config.get("percentage")),
        visitors=int(_value(row, "n_visitors") or 0),
        orders=int(_value(row, "n_orders") or 0),
        conversion_rate=_value(row, "conversion_rate"),
        net_revenue_per_visitor=_value(row, "net_revenue_per_visitor"),
        uplift=_uplift(metric.get("uplift")),
        p2bc=_number(metric.get("p2bc")),
        conversion_uplift=_uplift(conversion.get("uplift")),
    )


def _cell(row: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    cell = row.get(key)
    return cell if isinstance(cell, Mapping) else {}


def _value(row: Mapping[str, Any], key: str) -> float | None:
    return _number(_cell(row, key).get("value"))


def _uplift(raw: Any) -> Uplift | None:
    if not isinstance(raw, Mapping):
        return None
    value = _number(raw.get("value"))
    if value is None:
        return None
    return Uplift(value, _number(raw.get("ci_low")), _number(raw.get("ci_high")))


def _verdict(raw: Any) -> Verdict | None:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("verdict"), str):
        return None
    primary = raw.get("primary_metric")
    found = primary.get("best_challenger") if isinstance(primary, Mapping) else None
    best: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    return Verdict(
        verdict=str(raw["verdict"]),
        action=_text(raw.get("action_to_take")),
        best_challenger=_text(best.get("variant")),
        p2bb=_number(best.get("p2bb")),
        uplift=_number(best.get("uplift")),
        reason=_text(raw.get("reason")),
    )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


@dataclass(frozen=True)
class Report:
    """The results of the managed experiences that have started, from `window_start` to `window_end`
    (None: from the start, or to the end, of each one's run)."""

    experiences: tuple[ExperienceResults, ...]
    window_start: int | None = None
    window_end: int | None = None
    not_started: tuple[str, ...] = ()  # keys of managed files whose experience has not started
