"""Statistical process control (indicators.md « Variation and assurance »): control limits from a
fixed baseline, the four special-cause rules, and the two verdicts a committee reads — variation
(is something unusual happening?) and assurance (can we rely on meeting the target?).

After NHS England's « Making Data Count » and Montgomery / NIST: a p-chart for proportions, a
u-chart for rates per exposure, an XmR chart (individuals, σ̂ = mean moving range / 1.128) for
counts, sums, medians, delays and other values. Pure functions over one series, oldest first.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

# Chart kinds (declared per indicator as `carte`, with defaults from its definition).
P_CHART, U_CHART, XMR_CHART, NO_CHART = "p", "u", "xmr", "aucune"
CHARTS = (P_CHART, U_CHART, XMR_CHART, NO_CHART)
CHART_LABEL = {P_CHART: "carte p (proportion)", U_CHART: "carte u (taux par exposition)",
               XMR_CHART: "carte XmR (valeurs individuelles)", NO_CHART: "sans carte de contrôle"}

BASELINE_MIN, BASELINE_MAX = 12, 20  # the first 12 to 20 usable points, then frozen
D2 = 1.128  # E[moving range] / σ for ranges of two points

# The special-cause rules, as named on the chart and in the pack.
BEYOND_LIMIT = "point hors des limites"
RUN_OF_7 = "7 points du même côté de la moyenne"
TREND_OF_6 = "6 points en hausse ou en baisse"
TWO_OF_THREE = "2 points sur 3 au-delà de 2 σ"
RULES = (BEYOND_LIMIT, RUN_OF_7, TREND_OF_6, TWO_OF_THREE)

# Variation of the latest point, and assurance against the target: a word and a symbol each
# (never colour alone; readable in black and white).
COMMON_CAUSE, IMPROVEMENT, CONCERN, UNUSUAL = ("cause commune", "amélioration", "préoccupation",
                                               "variation inhabituelle")
RELIABLY_MET, RELIABLY_MISSED, RANDOM = "cible atteinte de façon fiable", "cible manquée de façon fiable", "aléatoire"
SYMBOL = {COMMON_CAUSE: "≈", IMPROVEMENT: "⬆", CONCERN: "⬇", UNUSUAL: "⚠",
          RELIABLY_MET: "✔✔", RELIABLY_MISSED: "✖✖", RANDOM: "≋"}

# Why a series has no limits.
TOO_SHORT = "historique trop court"
TOO_SHORT_SINCE_CHANGE = "historique trop court depuis le changement de processus"  # a new baseline needs 12 points too
TOO_FEW_CASES = "trop peu de cas"
NOT_INDEPENDENT = "stock ou fenêtre glissante : points non indépendants"
NOT_AT_YEAR_GRAIN = "pas de carte de contrôle à l'année"


def label(word: str | None) -> str:
    """« ⬇ préoccupation »: the symbol and the word."""
    return "" if not word else f"{SYMBOL.get(word, '')} {word}".strip()


@dataclass
class Series:
    """One indicator's series at one grain and scope, oldest first. ``usable``: the point is
    complete and its n reaches n min (only those build limits and signal). ``numerator`` and
    ``denominator`` feed the p- and u-charts (counts, and the exposure for a rate); ``scale``
    turns a proportion or a rate into the value's unit (100 for %, 1 000 for « pour 1 000 »)."""

    values: np.ndarray
    usable: np.ndarray
    numerator: np.ndarray | None = None
    denominator: np.ndarray | None = None
    scale: float = 1.0
    lower_bound: float | None = 0.0  # values never go below (counts, delays, shares)
    upper_bound: float | None = None  # 100 for a percentage
    baseline_start: int = 0  # a recorded process change restarts the baseline here


@dataclass
class Chart:
    """Limits for each point (NaN where none), the rules fired on each point, and the verdicts."""

    kind: str
    centre: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    signals: list[list[str]] = field(default_factory=list)
    baseline: tuple[int, int] | None = None  # first and last point of the baseline
    reason: str | None = None  # why there are no limits


def no_limits(kind: str, size: int, reason: str) -> Chart:
    empty = np.full(size, np.nan)
    return Chart(kind, empty, empty.copy(), empty.copy(), [[] for _ in range(size)], None, reason)


def control_chart(kind: str, series: Series) -> Chart:
    """Limits from the fixed baseline (the first 12–20 usable points from ``baseline_start``),
    frozen for every later point, and the special causes of the usable points."""
    size = len(series.values)
    if kind == NO_CHART:
        return no_limits(kind, size, NOT_INDEPENDENT)
    usable = np.flatnonzero(series.usable[series.baseline_start:]) + series.baseline_start
    if len(usable) < BASELINE_MIN:
        return no_limits(kind, size, TOO_SHORT)
    base = usable[:BASELINE_MAX]
    if kind == P_CHART:
        found = _p_limits(series, base)
    elif kind == U_CHART:
        found = _u_limits(series, base)
    else:
        found = _xmr_limits(series, base)
    if isinstance(found, str):
        return no_limits(kind, size, found)
    centre, sigma = found
    centre_all = np.full(size, np.nan)
    centre_all[series.baseline_start:] = centre
    sigma = np.where(np.arange(size) >= series.baseline_start, sigma, np.nan)
    lower, upper = _bounded(series, centre_all - 3 * sigma), _bounded(series, centre_all + 3 * sigma)
    chart = Chart(kind, centre_all, lower, upper, baseline=(int(base[0]), int(base[-1])))
    chart.signals = special_causes(series.values, series.usable, centre_all, sigma, lower, upper)
    return chart


def _bounded(series: Series, limits: np.ndarray) -> np.ndarray:
    low = -np.inf if series.lower_bound is None else series.lower_bound
    high = np.inf if series.upper_bound is None else series.upper_bound
    return np.clip(limits, low, high)


def _xmr_limits(series: Series, base: np.ndarray) -> tuple[float, np.ndarray]:
    """Individuals: centre = mean of the baseline, σ̂ = mean moving range of consecutive baseline
    points / 1.128."""
    x = series.values[base]
    sigma = float(np.mean(np.abs(np.diff(x)))) / D2
    return float(np.mean(x)), np.full(len(series.values), sigma)


def _p_limits(series: Series, base: np.ndarray) -> tuple[float, np.ndarray] | str:
    """p̄ = Σ numerators / Σ denominators of the baseline; σᵢ = √(p̄(1−p̄)/nᵢ). No limits when
    n̄·p̄ or n̄·(1−p̄) is below 5, read on the counts (45 of 50 is exactly 5)."""
    num, den = series.numerator[base], series.denominator[base]
    if num.sum() / len(base) < 5 or (den - num).sum() / len(base) < 5:
        return TOO_FEW_CASES
    p = num.sum() / den.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        sigma = np.sqrt(p * (1 - p) / series.denominator)
    return p * series.scale, sigma * series.scale


def _u_limits(series: Series, base: np.ndarray) -> tuple[float, np.ndarray] | str:
    """ū = Σ counts / Σ exposure of the baseline; σᵢ = √(ū/aᵢ), the exposure aᵢ in the rate's
    unit (1 000 interventions for « pour 1 000 »)."""
    exposure = series.denominator / series.scale
    u = series.numerator[base].sum() / exposure[base].sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        sigma = np.sqrt(u / exposure)
    return u, sigma


def special_causes(values: np.ndarray, usable: np.ndarray, centre: np.ndarray, sigma: np.ndarray,
                   lower: np.ndarray, upper: np.ndarray) -> list[list[str]]:
    """The rules each point is part of. Only usable points with limits take part: an incomplete
    period or a point below n min neither signals nor breaks a run."""
    fired: list[list[str]] = [[] for _ in values]
    # Plain floats: the rules walk the points one by one, where numpy scalars are slow.
    x, mid, sd, low, high = (np.asarray(a, dtype=float).tolist() for a in (values, centre, sigma, lower, upper))
    ok = np.asarray(usable, dtype=bool).tolist()
    points = [i for i in range(len(x)) if ok[i] and math.isfinite(mid[i]) and math.isfinite(x[i])]
    for i in points:
        if x[i] > high[i] or x[i] < low[i]:
            fired[i].append(BEYOND_LIMIT)
    _mark_stretches(points, [_sign(x[i] - mid[i]) for i in points], 7, RUN_OF_7, fired)
    steps = [_sign(x[b] - x[a]) for a, b in zip(points, points[1:])]
    _mark_stretches(points, steps, 5, TREND_OF_6, fired, points_per_item=2)  # 6 points = 5 steps
    for window in zip(points, points[1:], points[2:]):
        for direction in (1, -1):
            beyond = [i for i in window if direction * (x[i] - mid[i]) > 2 * sd[i]]
            if len(beyond) >= 2:
                for i in beyond:
                    if TWO_OF_THREE not in fired[i]:
                        fired[i].append(TWO_OF_THREE)
    return fired


def _sign(difference: float) -> int:
    return (difference > 0) - (difference < 0)


def _mark_stretches(points: Sequence[int], signs: Sequence[float], length: int, rule: str,
                    fired: list[list[str]], points_per_item: int = 1) -> None:
    """Mark the points of every stretch of at least ``length`` equal non-zero signs: sides of the
    centre (one per point) or steps between consecutive points (a step spans two points)."""
    k = 0
    while k < len(signs):
        j = k
        while j + 1 < len(signs) and signs[j + 1] == signs[k]:
            j += 1
        if signs[k] != 0 and j - k + 1 >= length:
            for i in points[k:j + points_per_item]:
                if rule not in fired[i]:
                    fired[i].append(rule)
        k = j + 1


def variation(chart: Chart, values: np.ndarray, index: int, direction: str | None) -> str | None:
    """The verdict on point ``index``: None without limits; common cause when no rule fired on it;
    else improvement or concern by the direction of the special cause (unusual without direction)."""
    if chart.reason is not None or not np.isfinite(chart.centre[index]):
        return None
    fired = chart.signals[index]
    if not fired:
        return COMMON_CAUSE
    if direction not in ("hausse", "baisse"):
        return UNUSUAL
    above = _side_of_cause(chart, values, index, fired)
    good = above if direction == "hausse" else not above
    return IMPROVEMENT if good else CONCERN


def _side_of_cause(chart: Chart, values: np.ndarray, index: int, fired: list[str]) -> bool:
    """True when the special cause on the point goes up (above the centre, or a rising trend)."""
    if fired == [TREND_OF_6]:
        earlier = [i for i in range(index) if TREND_OF_6 in chart.signals[i]]
        return bool(earlier) and values[index] > values[earlier[-1]]
    return bool(values[index] > chart.centre[index])


def assurance(chart: Chart, index: int, direction: str | None, target: float | None) -> str | None:
    """Against the target, with the limits of point ``index``: reliably met (the target lies beyond
    the limits on the good side), reliably missed (beyond them on the bad side), or random."""
    if chart.reason is not None or target is None or np.isnan(target) or direction not in ("hausse", "baisse"):
        return None
    low, high = chart.lower[index], chart.upper[index]
    if not (np.isfinite(low) and np.isfinite(high)):
        return None
    if direction == "hausse":
        return RELIABLY_MET if target <= low else RELIABLY_MISSED if target > high else RANDOM
    return RELIABLY_MET if target >= high else RELIABLY_MISSED if target < low else RANDOM
