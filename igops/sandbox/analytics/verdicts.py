"""The verdict a results answer carries (testResult) and its estimated monthly impact. Both are
read from the metrics rows already computed, so a verdict never disagrees with the numbers
shown beside it."""

from __future__ import annotations

import math
from typing import Any

from .experiences import _DEFAULT_SECONDARY, _Experience
from .statistics import _METRICS, _estimate, _prob_beat, _usable
from .traffic import DAY, Counts, _add, _empty

_MIN_ORDERS_FOR_VERDICT = 30
_MIN_DAYS_FOR_VERDICT = 3.0
_STABLE_DAYS = 3
_CONVERGED_CI_WIDTH = 0.2
_STRONG, _DIRECTIONAL = 0.95, 0.8
_ACTIONS = {
    "strong_win": "Roll out the best challenger.",
    "directional_win": "Keep the test running to confirm the challenger's lead.",
    "mixed_signals": "Keep the test running; the evidence does not point one way yet.",
    "directional_loss": "Consider ending the test; the challenger trails the control.",
    "strong_loss": "End the test and keep the control.",
}


def _verdict_band(p2bc: float) -> str:
    if p2bc >= _STRONG:
        return "strong_win"
    if p2bc >= _DIRECTIONAL:
        return "directional_win"
    if p2bc <= 1 - _STRONG:
        return "strong_loss"
    if p2bc <= 1 - _DIRECTIONAL:
        return "directional_loss"
    return "mixed_signals"


def _days_held(model: _Experience, days: list[list[Counts]], challenger: int, band: str, key: str) -> int:
    """How many of the latest days the challenger's verdict band has not changed."""
    metric, running = _METRICS[key], [_empty(model.profile) for _ in model.variations]
    bands = []
    for day in days:
        running = [_add(total, counts) for total, counts in zip(running, day, strict=True)]
        pair = [_estimate(running[i], metric, model.profile.order_cv) for i in (challenger, model.baseline)]
        bands.append(_verdict_band(_prob_beat(*pair)) if all(map(_usable, pair)) else None)
    held = 0
    for past in reversed(bands):
        if past != band:
            break
        held += 1
    return held


def _conflicts(model: _Experience, row: dict[str, Any], primary: str, leads: bool) -> list[dict[str, Any]]:
    """Secondary metrics on which the best challenger points the other way."""
    opposite = ("strong_loss", "directional_loss") if leads else ("strong_win", "directional_win")
    return [
        {"key": key, "uplift": row[key]["uplift"]["value"], "p2bb": row[key]["p2bc"]}
        for key in dict.fromkeys([*model.key_metrics[1:], *_DEFAULT_SECONDARY])
        if key != primary and "p2bc" in row[key] and _verdict_band(row[key]["p2bc"]) in opposite
    ]


def _test_result(
    model: _Experience, rows: list[dict[str, Any]], days: list[list[Counts]], runtime: float
) -> dict[str, Any]:
    if len(model.variations) < 2:
        return {"verdict": "error", "reason": "The experience has no challenger variation."}
    orders = {row["variation_id"]: row["n_orders"]["value"] for row in rows}
    runtime_days = round(runtime / DAY, 2)
    primary = model.key_metrics[0]
    challengers = [i for i in range(len(rows)) if i != model.baseline]
    if (
        runtime / DAY < _MIN_DAYS_FOR_VERDICT
        or min(orders.values()) < _MIN_ORDERS_FOR_VERDICT
        or any("p2bc" not in rows[i][primary] for i in challengers)
    ):
        return {"verdict": "not_ready", "runtime_days": runtime_days, "orders_per_variant": orders}
    best = max(challengers, key=lambda i: rows[i][primary]["p2bc"])
    shown = rows[best][primary]
    band = _verdict_band(shown["p2bc"])
    conflicts = _conflicts(model, rows[best], primary, leads=shown["uplift"]["value"] > 0)
    verdict = "mixed_signals" if conflicts and band.startswith("directional") else band
    width = shown["uplift"]["ci_high"] - shown["uplift"]["ci_low"]
    held = _days_held(model, days, best, band, primary)
    return {
        "verdict": verdict,
        "action_to_take": _ACTIONS[verdict],
        "runtime_days": runtime_days,
        "orders_per_variant": orders,
        "primary_metric": {
            "key": primary,
            "best_challenger": {
                "variant": rows[best]["variation_id"],
                "p2bb": shown["p2bc"],
                "uplift": shown["uplift"]["value"],
                "uplift_ci_width": round(width, 6),
                "stability": {
                    "days_held": held,
                    "p2bb_stable": held >= _STABLE_DAYS,
                    "uplift_ci_converged": width <= _CONVERGED_CI_WIDTH,
                },
            },
        },
        "conflicting_metrics": conflicts,
    }


def _impact(rows: list[dict[str, Any]], baseline: int, runtime: float) -> dict[str, Any]:
    """Thirty days of the best challenger's revenue-per-visitor gain over the control."""
    rpv = [row["net_revenue_per_visitor"]["value"] for row in rows]
    challengers = [v for i, v in enumerate(rpv) if i != baseline and v is not None]
    visitors = sum(row["n_visitors"]["value"] for row in rows)
    if not challengers or rpv[baseline] is None or runtime <= 0 or not visitors:
        return {"est_monthly_revenue_increase": None}
    gain = (max(challengers) - rpv[baseline]) * visitors * (30 * DAY / runtime)
    return {"est_monthly_revenue_increase": math.floor(gain + 0.5)}  # JavaScript's Math.round
