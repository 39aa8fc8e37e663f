"""The sample-ratio test: Pearson's chi-square against numbers worked out by hand."""

from __future__ import annotations

import math

import pytest

from igops.analytics import chi_square_survival, sample_ratio_test


def test_a_fifty_fifty_split_against_a_hand_computed_chi_square() -> None:
    # 10,000 visitors on a 50/50 test: 5,000 expected each. Observed 5,200 and 4,800:
    # (200^2 + 200^2) / 5,000 = 16.0, one degree of freedom.
    test = sample_ratio_test([5_200, 4_800], [50, 50])
    assert test is not None
    assert test.statistic == pytest.approx(16.0)
    assert test.degrees_of_freedom == 1
    # With one degree of freedom, P(X >= x) = erfc(sqrt(x / 2)): erfc(sqrt(8)) = 6.334e-5.
    assert test.p_value == pytest.approx(math.erfc(math.sqrt(8.0)), rel=1e-9)
    assert test.p_value == pytest.approx(6.334248e-5, rel=1e-5)


def test_an_uneven_three_way_split_against_a_hand_computed_chi_square() -> None:
    # 34/33/33 of 9,000 visitors: expected 3,060, 2,970, 2,970. Observed 3,100, 2,900, 3,000:
    # 40^2/3060 + 70^2/2970 + 30^2/2970 = 0.522876 + 1.649832 + 0.303030 = 2.475738, 2 degrees of freedom,
    # where P(X >= x) = exp(-x / 2) = 0.290002.
    test = sample_ratio_test([3_100, 2_900, 3_000], [34, 33, 33])
    assert test is not None
    assert test.statistic == pytest.approx(1600 / 3060 + 4900 / 2970 + 900 / 2970)
    assert test.statistic == pytest.approx(2.475738, abs=1e-6)
    assert test.degrees_of_freedom == 2
    assert test.p_value == pytest.approx(math.exp(-test.statistic / 2), rel=1e-9)
    assert test.p_value == pytest.approx(0.290002, abs=1e-6)


@pytest.mark.parametrize(
    ("statistic", "degrees", "expected"),
    [
        (3.841459, 1, 0.05),  # the textbook critical values
        (10.827566, 1, 0.001),
        (5.991465, 2, 0.05),
        (7.814728, 3, 0.05),
        (16.266236, 3, 0.001),
        (11.070498, 5, 0.05),
        (0.0, 2, 1.0),
    ],
)
def test_the_survival_function_meets_the_critical_values(
    statistic: float, degrees: int, expected: float
) -> None:
    assert chi_square_survival(statistic, degrees) == pytest.approx(expected, rel=1e-5)


def test_an_exact_split_has_nothing_to_report() -> None:
    test = sample_ratio_test([4_000, 6_000], [40, 60])
    assert test is not None and test.statistic == 0 and test.p_value == 1.0


def test_shares_are_relative_so_a_zero_percent_variation_is_left_out() -> None:
    with_idle = sample_ratio_test([5_200, 4_800, 0], [50, 50, 0])
    assert with_idle is not None and with_idle.degrees_of_freedom == 1
    assert with_idle.statistic == pytest.approx(16.0)


@pytest.mark.parametrize(
    ("visitors", "percentages"),
    [
        ([0, 0], [50, 50]),  # no traffic yet
        ([6, 3], [50, 50]),  # 4.5 expected each: too few to tell
        ([100, 0], [100, 0]),  # one variation with a share: nothing to compare
    ],
)
def test_too_little_to_test_is_no_test(visitors: list[int], percentages: list[float]) -> None:
    assert sample_ratio_test(visitors, percentages) is None
