"""Statistical process control (indicators.md « Variation and assurance »): control limits from a
fixed baseline, the four special-cause rules, and the two verdicts a committee reads — variation
(is something unusual happening?) and assurance (can we rely on meeting the target?).

After NHS England's « Making Data Count » and Montgomery / NIST: a p-chart for proportions, a
u-chart for rates per exposure, an XmR chart (individuals, σ̂ = mean moving range / 1.128) for
counts, sums, medians, delays and other values. Pure functions over one series, oldest first.
"""

from __future__ import annotations

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
    """The rules each point is part of, in the order of RULES. Only usable points with limits take
    part: an incomplete period or a point below n min neither signals nor breaks a run.

    Read on whole arrays (the engine charts about 300 series per computation; a loop over the
    points cost about 0.3 ms a series): the points taking part are laid side by side, and a run,
    a trend or a window of three is read on them as on consecutive points."""
    x, mid, sd, low, high = (np.asarray(a, dtype=float) for a in (values, centre, sigma, lower, upper))
    taking_part = np.flatnonzero(np.asarray(usable, dtype=bool) & np.isfinite(mid) & np.isfinite(x))
    fired: list[list[str]] = [[] for _ in range(len(x))]
    if not len(taking_part):
        return fired
    px, pmid, psd = x[taking_part], mid[taking_part], sd[taking_part]
    with np.errstate(invalid="ignore"):  # NaN limits or σ: no rule fires on them
        beyond = (px > high[taking_part]) | (px < low[taking_part])
        above, below = px - pmid > 2 * psd, pmid - px > 2 * psd
    run = _in_stretches(np.sign(px - pmid), 7)
    steps = _in_stretches(np.sign(np.diff(px)), 5)  # 6 points in a row going one way = 5 steps
    trend = np.zeros(len(px), dtype=bool)
    trend[:-1] |= steps
    trend[1:] |= steps
    two_of_three = _two_of_three(above) | _two_of_three(below)
    for rule, marked in ((BEYOND_LIMIT, beyond), (RUN_OF_7, run), (TREND_OF_6, trend), (TWO_OF_THREE, two_of_three)):
        for i in taking_part[marked].tolist():
            fired[i].append(rule)
    return fired


def _in_stretches(signs: np.ndarray, length: int) -> np.ndarray:
    """Whether each item lies in a stretch of at least ``length`` equal non-zero signs."""
    if not len(signs):
        return np.zeros(0, dtype=bool)
    starts = np.flatnonzero(np.r_[True, signs[1:] != signs[:-1]])
    lengths = np.diff(np.r_[starts, len(signs)])
    return (np.repeat(lengths, lengths) >= length) & (signs != 0)


def _two_of_three(beyond: np.ndarray) -> np.ndarray:
    """The points beyond 2 σ (on one side) in a window of three consecutive points holding at
    least two of them."""
    marked = np.zeros(len(beyond), dtype=bool)
    if len(beyond) < 3:
        return marked
    counted = beyond.astype(np.int8)
    window = (counted[:-2] + counted[1:-1] + counted[2:]) >= 2  # window k holds points k, k+1, k+2
    for offset in range(3):
        marked[offset:len(beyond) - 2 + offset] |= window
    return marked & beyond


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
