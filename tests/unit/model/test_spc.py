"""Control charts, special causes, variation and assurance on small crafted series.

Limits are worked out by hand in the comments. The baseline used by most tests: twenty points
alternating 12, 10 (a full baseline: later points do not join it) → centre 11, every moving
range 2, σ̂ = 2 / 1.128 = 1.77305, so 3σ̂ = 5.31915 (limits 5.68085 and 16.31915) and
2σ̂ = 3.54610 (14.54610 above, 7.45390 below). Its last point, 10, is below the centre.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pilotage_qualite.model import spc
from pilotage_qualite.model.spc import (
    BEYOND_LIMIT,
    COMMON_CAUSE,
    CONCERN,
    IMPROVEMENT,
    RANDOM,
    RELIABLY_MET,
    RELIABLY_MISSED,
    RUN_OF_7,
    TREND_OF_6,
    TWO_OF_THREE,
    UNUSUAL,
    Series,
    control_chart,
)

BASELINE = [12.0, 10.0] * 10
AFTER = 20  # the first point after the baseline


def xmr(values, usable=None, **options) -> spc.Chart:
    values = np.array(values, dtype=float)
    usable = np.ones(len(values), dtype=bool) if usable is None else np.array(usable)
    return control_chart(spc.XMR_CHART, Series(values, usable, **options))


def fired(chart: spc.Chart, rule: str) -> list[int]:
    return [i for i, rules in enumerate(chart.signals) if rule in rules]


# --- XmR ------------------------------------------------------------------------------------------


def test_xmr_limits_from_the_mean_moving_range():
    chart = xmr(BASELINE)
    assert chart.centre[0] == pytest.approx(11)
    assert chart.upper[0] == pytest.approx(16.31915, abs=1e-5)
    assert chart.lower[0] == pytest.approx(5.68085, abs=1e-5)
    assert chart.baseline == (0, 19)
    assert not any(chart.signals)


def test_the_baseline_is_frozen_after_its_first_20_points():
    # 25 points: the last five (100, far away) do not move the limits computed on the first 20
    chart = xmr(BASELINE + [100.0] * 5)
    assert chart.baseline == (0, 19)
    assert chart.upper[-1] == pytest.approx(16.31915, abs=1e-5)
    assert fired(chart, BEYOND_LIMIT) == [20, 21, 22, 23, 24]


def test_a_baseline_of_12_to_20_points():
    # 12 points: limits already (the same: centre 11, moving ranges 2); 11: none
    assert xmr(BASELINE[:12]).baseline == (0, 11)
    assert xmr(BASELINE[:12]).upper[0] == pytest.approx(16.31915, abs=1e-5)
    chart = xmr(BASELINE[:11])
    assert chart.reason == spc.TOO_SHORT and np.isnan(chart.upper).all()
    # 12 points of which one is incomplete: still too short
    assert xmr(BASELINE[:12], usable=[True] * 11 + [False]).reason == spc.TOO_SHORT


def test_a_point_beyond_a_limit_at_its_edge():
    assert fired(xmr(BASELINE + [16.4]), BEYOND_LIMIT) == [AFTER]  # 16.4 > 16.31915
    assert fired(xmr(BASELINE + [16.3]), BEYOND_LIMIT) == []  # 16.3 inside
    assert fired(xmr(BASELINE + [5.6]), BEYOND_LIMIT) == [AFTER]  # 5.6 < 5.68085


def test_a_run_of_7_on_one_side_and_not_6():
    assert fired(xmr(BASELINE + [11.5] * 7), RUN_OF_7) == list(range(AFTER, AFTER + 7))
    assert fired(xmr(BASELINE + [11.5] * 6), RUN_OF_7) == []
    # a point on the centre line breaks the run
    assert fired(xmr(BASELINE + [11.5] * 3 + [11.0] + [11.5] * 3), RUN_OF_7) == []


def test_an_incomplete_point_neither_signals_nor_breaks_a_run():
    values = BASELINE + [11.5] * 3 + [3.0] + [11.5] * 4
    usable = [True] * 23 + [False] + [True] * 4
    chart = xmr(values, usable=usable)
    assert fired(chart, RUN_OF_7) == [20, 21, 22, 24, 25, 26, 27]
    assert fired(chart, BEYOND_LIMIT) == []  # 3.0 is below 5.68 but its period is incomplete


def test_a_trend_of_6_and_not_5():
    # after 10 (the baseline's last point): 8 is a fall, then 8 → 13 rises five times: 6 points
    assert fired(xmr(BASELINE + [8.0, 9.0, 10.0, 11.0, 12.0, 13.0]), TREND_OF_6) == list(range(AFTER, AFTER + 6))
    assert fired(xmr(BASELINE + [8.0, 9.0, 10.0, 11.0, 12.0]), TREND_OF_6) == []
    # a repeated value breaks the trend
    assert fired(xmr(BASELINE + [8.0, 9.0, 10.0, 10.0, 11.0, 12.0]), TREND_OF_6) == []


def test_two_of_three_beyond_2_sigma_on_one_side():
    # 15 > 14.5461 (beyond 2σ) but < 16.319 (inside 3σ)
    assert fired(xmr(BASELINE + [15.0, 11.0, 15.0]), TWO_OF_THREE) == [AFTER, AFTER + 2]
    assert fired(xmr(BASELINE + [15.0, 11.0, 11.0, 15.0]), TWO_OF_THREE) == []  # not within 3 points
    assert fired(xmr(BASELINE + [15.0, 11.0, 7.0]), TWO_OF_THREE) == []  # not on the same side


def test_counts_never_get_a_negative_lower_limit():
    # 0, 4 alternating: centre 2, MR̄ 4, 3σ̂ = 10.638 → lower −8.6 shown as 0
    assert xmr([0.0, 4.0] * 10).lower[0] == 0


def test_a_process_change_restarts_the_baseline():
    # twenty points around 11, then twelve around 31 after a recorded change at point 20
    values = BASELINE + [30.0, 32.0] * 6
    chart = xmr(values, baseline_start=AFTER)
    assert chart.baseline == (20, 31) and chart.centre[AFTER] == pytest.approx(31)
    assert np.isnan(chart.centre[:AFTER]).all()
    assert not any(chart.signals)


def test_a_restarted_baseline_needs_twelve_usable_points_of_its_own():
    # twenty points around 11, then eleven around 31: the twenty before the change do not count
    # towards the new baseline, and an incomplete point after it does not either → no limits.
    values = BASELINE + [30.0, 32.0] * 5 + [30.0, 31.0]
    usable = [True] * 31 + [False]
    chart = xmr(values, usable, baseline_start=AFTER)
    assert chart.reason == spc.TOO_SHORT and np.isnan(chart.centre).all() and not any(chart.signals)
    # the twelfth point made usable: limits from the twelve points after the change
    assert xmr(values, baseline_start=AFTER).baseline == (20, 31)


# --- p- and u-charts ------------------------------------------------------------------------------


def p_series(numerators, denominators) -> Series:
    num, den = np.array(numerators, dtype=float), np.array(denominators, dtype=float)
    return Series(100 * num / den, np.ones(len(num), dtype=bool), num, den, scale=100, upper_bound=100)


def test_p_chart_limits_vary_with_n():
    # p̄ = 900 / 1 000 = 0.9; n = 50: σ = √(0.9 × 0.1 / 50) = 0.042426, 3σ = 12.728 points of %
    # n = 20 (the 21st point, after the baseline): σ = √(0.09 / 20) = 0.067082, 3σ = 20.125
    chart = control_chart(spc.P_CHART, p_series([45] * 20 + [18], [50] * 20 + [20]))
    assert chart.centre[0] == pytest.approx(90)
    assert chart.lower[0] == pytest.approx(77.272, abs=1e-3)
    assert chart.upper[0] == 100  # 102.7 clipped to 100
    assert chart.lower[AFTER] == pytest.approx(69.875, abs=1e-3)


def test_p_chart_needs_five_cases_on_each_side():
    # 45 of 50: n̄·(1 − p̄) = 5 exactly → limits; 46 of 50: 4 → « trop peu de cas »
    assert control_chart(spc.P_CHART, p_series([45] * 12, [50] * 12)).reason is None
    assert control_chart(spc.P_CHART, p_series([46] * 12, [50] * 12)).reason == spc.TOO_FEW_CASES


def test_a_sustained_fall_in_satisfaction_is_signalled():
    """The issue's case: about 83 % for a year, then 69 % month after month. A rolling baseline
    absorbed the shift; the frozen one sees it at once (69 % of 100 < 83 − 3 × 3.76 = 71.7)."""
    series = p_series([83] * 20 + [69] * 7, [100] * 27)
    chart = control_chart(spc.P_CHART, series)
    assert fired(chart, BEYOND_LIMIT) == list(range(AFTER, AFTER + 7))
    assert fired(chart, RUN_OF_7) == list(range(AFTER, AFTER + 7))
    assert spc.variation(chart, series.values, AFTER + 6, "hausse") == CONCERN


def test_u_chart_on_the_exposure():
    # 5 complaints per 500 interventions = 10 per 1 000; ū = 60 / 6 = 10 per 1 000 interventions
    # a = 0.5 thousand: σ = √(10 / 0.5) = 4.4721, 3σ = 13.416 → [0 (−3.4 clipped), 23.416]
    counts, exposure = np.full(12, 5.0), np.full(12, 500.0)
    series = Series(1000 * counts / exposure, np.ones(12, dtype=bool), counts, exposure, scale=1000)
    chart = control_chart(spc.U_CHART, series)
    assert chart.centre[0] == pytest.approx(10)
    assert chart.upper[0] == pytest.approx(23.416, abs=1e-3) and chart.lower[0] == 0


def test_no_chart_for_stocks_and_rolling_windows():
    chart = control_chart(spc.NO_CHART, Series(np.array(BASELINE), np.ones(12, dtype=bool)))
    assert chart.reason == spc.NOT_INDEPENDENT and np.isnan(chart.centre).all()


# --- variation and assurance ---------------------------------------------------------------------


@pytest.mark.parametrize(("last", "direction", "expected"), [
    (11.0, "hausse", COMMON_CAUSE),
    (17.0, "hausse", IMPROVEMENT),
    (17.0, "baisse", CONCERN),
    (5.0, "hausse", CONCERN),
    (5.0, "baisse", IMPROVEMENT),
    (17.0, None, UNUSUAL),
])
def test_variation_of_the_latest_point(last, direction, expected):
    values = np.array(BASELINE + [last])
    assert spc.variation(xmr(values), values, AFTER, direction) == expected


def test_a_falling_trend_is_a_concern_when_higher_is_better():
    values = np.array(BASELINE + [13.0, 12.5, 12.0, 11.5, 10.5, 9.5])
    chart = xmr(values)
    assert fired(chart, TREND_OF_6)[-1] == AFTER + 5
    assert spc.variation(chart, values, AFTER + 5, "hausse") == CONCERN


def test_no_variation_without_limits():
    values = np.array(BASELINE[:5])
    assert spc.variation(xmr(values), values, 4, "hausse") is None


@pytest.mark.parametrize(("target", "direction", "expected"), [
    (5.0, "hausse", RELIABLY_MET),  # below the lower limit 5.68: met every month by chance alone
    (17.0, "hausse", RELIABLY_MISSED),  # above the upper limit 16.32: the process must change
    (11.0, "hausse", RANDOM),
    (17.0, "baisse", RELIABLY_MET),
    (5.0, "baisse", RELIABLY_MISSED),
    (11.0, "baisse", RANDOM),
    (None, "hausse", None),
    (11.0, None, None),
])
def test_assurance_against_the_target(target, direction, expected):
    assert spc.assurance(xmr(BASELINE), 11, direction, target) == expected


def test_labels_carry_a_symbol_and_a_word():
    assert spc.label(CONCERN) == "⬇ préoccupation" and spc.label(None) == ""


# --- the rules read on whole arrays equal a reading point by point ---------------------------

def _rules_point_by_point(values, usable, centre, sigma, lower, upper) -> list[list[str]]:
    """The rules as the chart's definition reads them, walking the usable points one by one
    (the engine's earlier implementation, kept here as the reference)."""
    fired: list[list[str]] = [[] for _ in values]
    points = [i for i in range(len(values))
              if usable[i] and math.isfinite(centre[i]) and math.isfinite(values[i])]

    def mark(i, rule):
        if rule not in fired[i]:
            fired[i].append(rule)

    def stretches(signs, length, rule, per_item):
        k = 0
        while k < len(signs):
            j = k
            while j + 1 < len(signs) and signs[j + 1] == signs[k]:
                j += 1
            if signs[k] != 0 and j - k + 1 >= length:
                for i in points[k:j + per_item]:
                    mark(i, rule)
            k = j + 1

    def sign(d):
        return (d > 0) - (d < 0)

    for i in points:
        if values[i] > upper[i] or values[i] < lower[i]:
            mark(i, spc.BEYOND_LIMIT)
    stretches([sign(values[i] - centre[i]) for i in points], 7, spc.RUN_OF_7, 1)
    stretches([sign(values[b] - values[a]) for a, b in zip(points, points[1:])], 5, spc.TREND_OF_6, 2)
    for window in zip(points, points[1:], points[2:]):
        for direction in (1, -1):
            beyond = [i for i in window if direction * (values[i] - centre[i]) > 2 * sigma[i]]
            if len(beyond) >= 2:
                for i in beyond:
                    mark(i, spc.TWO_OF_THREE)
    return fired


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([-6.0, -1.0, 0.0, 1.0, 1.0, 1.0, 2.0, 6.0, float("nan")]),
                          st.sampled_from([True, True, True, False]), st.sampled_from([False] * 5 + [True])),
                max_size=40),
       st.floats(min_value=7.0, max_value=13.0))
def test_the_rules_read_on_arrays_equal_a_reading_point_by_point(points, start):
    """Runs, trends, windows of three and limits (a walk from ``start``: steps make trends and
    runs, jumps make points beyond the limits), with unusable points, missing values and centres
    missing (a baseline starting late), against the point-by-point reading."""
    values, level = [], start
    for step, _, _ in points:
        level = level if math.isnan(step) else level + step
        values.append(float("nan") if math.isnan(step) else level)
    usable = [u for _, u, _ in points]
    centre = [float("nan") if late else 10.0 for _, _, late in points]
    sigma = [1.5] * len(points)
    lower, upper = [c - 4.5 for c in centre], [c + 4.5 for c in centre]
    assert spc.special_causes(np.array(values), np.array(usable, dtype=bool), np.array(centre), np.array(sigma),
                              np.array(lower), np.array(upper)) == _rules_point_by_point(
        values, usable, centre, sigma, lower, upper)
