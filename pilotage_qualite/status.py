"""Status against target, Wilson interval and control limits: small pure functions.

The rules are those of ``indicators.md`` ("Status against target"); values are compared
unrounded.
"""

from __future__ import annotations

import math

import numpy as np

ATTEINT = "atteint"
A_SURVEILLER = "à surveiller"
NON_ATTEINT = "non atteint"
SUIVI = "suivi"
PAS_DE_DONNEES = "pas de données"
EFFECTIF_INSUFFISANT = "effectif insuffisant"
STATUSES = (ATTEINT, A_SURVEILLER, NON_ATTEINT, SUIVI, PAS_DE_DONNEES, EFFECTIF_INSUFFISANT)

Z_95 = 1.959963984540054  # two-sided 95 % normal quantile


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or x is np.nan


def status(value, n=None, *, sens=None, cible=None, seuil=None, n_min=None) -> str:
    """Status of one value.

    - no value → « pas de données »;
    - ``n`` below ``n_min`` (given for percentages, default 5 there) → « effectif insuffisant »;
    - no direction or no target → « suivi »;
    - ``hausse``: value ≥ cible → atteint; seuil ≤ value < cible → à surveiller; else non atteint;
    - ``baisse``: value ≤ cible → atteint; cible < value ≤ seuil → à surveiller; else non atteint.
    A missing ``seuil`` means no alert band (below target is « non atteint »).
    """
    if _missing(value):
        return PAS_DE_DONNEES
    if n_min is not None and not _missing(n_min) and not _missing(n) and n < n_min:
        return EFFECTIF_INSUFFISANT
    if sens not in ("hausse", "baisse") or _missing(cible):
        return SUIVI
    if _missing(seuil):
        seuil = cible
    if sens == "hausse":
        if value >= cible:
            return ATTEINT
        return A_SURVEILLER if value >= seuil else NON_ATTEINT
    if value <= cible:
        return ATTEINT
    return A_SURVEILLER if value <= seuil else NON_ATTEINT


_STATUS_BY_RULE = np.array([PAS_DE_DONNEES, EFFECTIF_INSUFFISANT, SUIVI, ATTEINT, A_SURVEILLER, NON_ATTEINT],
                           dtype=object)


def status_array(value, n, *, sens, cible, seuil, n_min) -> np.ndarray:
    """Vectorised :func:`status` (same rules), for the engine's thousands of rows.

    Numbers are arrays with NaN (or None) for missing; ``sens`` is an array of directions
    (None or anything else: no direction). Returns an object array of statuses.
    """
    value, n, cible, seuil, n_min = (np.asarray(x, dtype=float) for x in (value, n, cible, seuil, n_min))
    sens = np.asarray(sens, dtype=object)
    hausse, baisse = sens == "hausse", sens == "baisse"
    # NaN comparisons are False: a missing n or n min never counts as too small, and a missing
    # seuil never matches (no alert band), as in the scalar rules.
    rule = np.select(
        [np.isnan(value), n < n_min, ~(hausse | baisse) | np.isnan(cible),
         np.where(hausse, value >= cible, value <= cible), np.where(hausse, value >= seuil, value <= seuil)],
        np.arange(5), 5)
    return _STATUS_BY_RULE[rule]


def wilson_interval(successes_share: float, n: float, z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval for a proportion ``p`` (0–1) observed on ``n`` rows.

    Returns (low, high) as proportions; (nan, nan) when n ≤ 0 or p is outside [0, 1].
    """
    low, high = wilson_arrays(np.array([successes_share], dtype=float), np.array([n], dtype=float), z)
    return float(low[0]), float(high[0])


def wilson_arrays(p: np.ndarray, n: np.ndarray, z: float = Z_95) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised :func:`wilson_interval` (proportions in, proportions out)."""
    p = np.asarray(p, dtype=float)
    n = np.asarray(n, dtype=float)
    ok = np.isfinite(p) & np.isfinite(n) & (n > 0) & (p >= 0) & (p <= 1)
    safe_n = np.where(ok, n, 1.0)
    safe_p = np.where(ok, p, 0.0)
    z2 = z * z
    denom = 1 + z2 / safe_n
    centre = (safe_p + z2 / (2 * safe_n)) / denom
    half = z / denom * np.sqrt(safe_p * (1 - safe_p) / safe_n + z2 / (4 * safe_n * safe_n))
    low = np.where(ok, np.clip(centre - half, 0.0, 1.0), np.nan)
    high = np.where(ok, np.clip(centre + half, 0.0, 1.0), np.nan)
    return low, high


MIN_HISTORY = 6  # previous periods with a value needed before control limits are drawn


def control_limits(history, *, current_n=None, history_n=None, percentage=False):
    """Control limits for one period from the values of the (up to 12) previous periods.

    - Values: centre = mean, limits = mean ± 3 σ (sample standard deviation).
    - Percentages (p-chart): centre p̄ = Σ(value × n) / Σ n over the previous periods, limits
      p̄ ± 3 √(p̄ (1 − p̄) / n) with the current period's n, clipped to [0, 100].
    Returns (centre, low, high), NaN when fewer than :data:`MIN_HISTORY` previous values.
    """
    values = np.asarray(history, dtype=float)
    ns = np.asarray(history_n if history_n is not None else np.full(values.shape, np.nan), dtype=float)
    c, lo, hi = control_limit_arrays(values[None, :], ns[None, :],
                                     np.array([np.nan if current_n is None else current_n], dtype=float),
                                     np.array([percentage]))
    return float(c[0]), float(lo[0]), float(hi[0])


def control_limit_arrays(values: np.ndarray, ns: np.ndarray, current_n: np.ndarray,
                         percentage: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vectorised control limits: one row per period, columns = previous periods."""
    values = np.asarray(values, dtype=float)
    ns = np.asarray(ns, dtype=float)
    rows = values.shape[0]
    have = np.isfinite(values)
    count = have.sum(axis=1)
    enough = count >= MIN_HISTORY
    centre = np.full(rows, np.nan)
    low = np.full(rows, np.nan)
    high = np.full(rows, np.nan)
    if not enough.any():
        return centre, low, high
    v0 = np.where(have, values, 0.0)
    mean = v0.sum(axis=1) / np.maximum(count, 1)
    sq = np.where(have, (values - mean[:, None]) ** 2, 0.0).sum(axis=1)
    sd = np.sqrt(sq / np.maximum(count - 1, 1))
    nonneg = np.where(have, values >= 0, True).all(axis=1)
    c_plain = mean
    lo_plain = np.where(nonneg, np.maximum(mean - 3 * sd, 0.0), mean - 3 * sd)
    hi_plain = mean + 3 * sd

    # p-chart for percentages: weights are each previous period's n.
    have_n = have & np.isfinite(ns) & (ns > 0)
    n_sum = np.where(have_n, ns, 0.0).sum(axis=1)
    pn_sum = np.where(have_n, values / 100.0 * ns, 0.0).sum(axis=1)
    pbar = np.divide(pn_sum, n_sum, out=np.full(rows, np.nan), where=n_sum > 0)
    cur = np.asarray(current_n, dtype=float)
    p_ok = (np.asarray(percentage, dtype=bool) & (have_n.sum(axis=1) >= MIN_HISTORY)
            & np.isfinite(pbar) & (pbar >= 0) & (pbar <= 1) & np.isfinite(cur) & (cur > 0))
    sigma = np.sqrt(np.where(p_ok, pbar * (1 - pbar) / np.where(p_ok, cur, 1.0), 0.0))
    c_p = 100.0 * pbar
    lo_p = 100.0 * np.clip(pbar - 3 * sigma, 0.0, 1.0)
    hi_p = 100.0 * np.clip(pbar + 3 * sigma, 0.0, 1.0)

    centre = np.where(enough, np.where(p_ok, c_p, c_plain), np.nan)
    low = np.where(enough, np.where(p_ok, lo_p, lo_plain), np.nan)
    high = np.where(enough, np.where(p_ok, hi_p, hi_plain), np.nan)
    return centre, low, high
