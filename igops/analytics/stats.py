"""The statistics igops computes itself: the sample-ratio test (Pearson's chi-square goodness of fit).

Everything else (intervals, probabilities, verdicts) is the API's own; igops only reads it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

# Below this many expected visitors in a variation the chi-square approximation is not trusted.
MIN_EXPECTED = 5.0
_EPSILON = 1e-15
_MAX_TERMS = 10_000


@dataclass(frozen=True)
class RatioTest:
    """Observed visitors against the configured split: the statistic, its degrees of freedom, the p-value."""

    statistic: float
    degrees_of_freedom: int
    p_value: float


def sample_ratio_test(visitors: Sequence[int], percentages: Sequence[float]) -> RatioTest | None:
    """Pearson's chi-square of `visitors` against shares proportional to `percentages`.

    None when there is nothing to test: fewer than two variations with a share, or a variation
    expected to get fewer than MIN_EXPECTED visitors (too little traffic to tell).
    """
    pairs = [(observed, share) for observed, share in zip(visitors, percentages, strict=True) if share > 0]
    total, shares = sum(observed for observed, _ in pairs), sum(share for _, share in pairs)
    if len(pairs) < 2 or total <= 0:
        return None
    expected = [total * share / shares for _, share in pairs]
    if min(expected) < MIN_EXPECTED:
        return None
    statistic = sum(
        (observed - wanted) ** 2 / wanted for (observed, _), wanted in zip(pairs, expected, strict=True)
    )
    degrees = len(pairs) - 1
    return RatioTest(statistic, degrees, chi_square_survival(statistic, degrees))


def chi_square_survival(statistic: float, degrees_of_freedom: int) -> float:
    """P(X >= statistic) for X chi-square distributed with `degrees_of_freedom`: Q(k/2, x/2)."""
    if statistic <= 0:
        return 1.0
    return _upper_regularized_gamma(degrees_of_freedom / 2, statistic / 2)


def _upper_regularized_gamma(a: float, x: float) -> float:
    """Q(a, x) = Γ(a, x) / Γ(a): by its series below a + 1, by Lentz's continued fraction above."""
    log_prefix = a * math.log(x) - x - math.lgamma(a)
    if x < a + 1:
        term = total = 1 / a
        for n in range(1, _MAX_TERMS):
            term *= x / (a + n)
            total += term
            if abs(term) < abs(total) * _EPSILON:
                break
        return max(0.0, 1 - total * math.exp(log_prefix))
    tiny = 1e-300
    b = x + 1 - a
    c, d = 1 / tiny, 1 / b
    fraction = d
    for n in range(1, _MAX_TERMS):
        an = -n * (n - a)
        b += 2
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1 / d
        step = d * c
        fraction *= step
        if abs(step - 1) < _EPSILON:
            break
    return min(1.0, math.exp(log_prefix) * fraction)
