"""Status against target and Wilson interval: small pure functions (control charts: model.spc).

The rules are those of ``indicators.md`` ("Status against target"); values are compared
unrounded. The status words, and how each reads (symbol, colour), are here once for every
layer: the common layer below cannot know the model's words.
"""

from __future__ import annotations

import math

import numpy as np

from pilotage_qualite.common.formats import NO_DATA

ATTEINT = "atteint"
A_SURVEILLER = "à surveiller"
NON_ATTEINT = "non atteint"
SUIVI = "suivi"
PAS_DE_DONNEES = NO_DATA  # the status of a missing value reads as the missing value does
EFFECTIF_INSUFFISANT = "effectif insuffisant"
PERIODE_INCOMPLETE = "période incomplète"  # the data stop inside the period: the value is not judged
STATUSES = (ATTEINT, A_SURVEILLER, NON_ATTEINT, SUIVI, PAS_DE_DONNEES, EFFECTIF_INSUFFISANT, PERIODE_INCOMPLETE)
OFF_TARGET = (NON_ATTEINT, A_SURVEILLER)  # « hors cible »: what a committee must look at

# Status words with a shape, so that neither colour nor a washed-out projector is needed to read them.
# The order of this table is the order of the charts' status scales.
STATUS_SYMBOL = {
    ATTEINT: "✔",
    A_SURVEILLER: "▲",
    NON_ATTEINT: "✖",
    EFFECTIF_INSUFFISANT: "◌",
    PERIODE_INCOMPLETE: "◐",
    SUIVI: "●",
    PAS_DE_DONNEES: "–",
}
STATUS_COLOUR = {  # Okabe-Ito based, distinguishable by the colour-blind
    ATTEINT: "#1a7f37",
    A_SURVEILLER: "#b35900",
    NON_ATTEINT: "#c0152f",
    EFFECTIF_INSUFFISANT: "#6e6e6e",
    PERIODE_INCOMPLETE: "#6e6e6e",
    SUIVI: "#1d4e89",
    PAS_DE_DONNEES: "#6e6e6e",
}


def status_label(word: str) -> str:
    """« ✔ atteint », « ✖ non atteint »…"""
    return f"{STATUS_SYMBOL.get(word, '')} {word}".strip()

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


def shown_value(value: float | None, decimals: int, *, sens: str | None, cible: float | None,
                seuil: float | None) -> float | None:
    """The value rounded for display, never reading as the other side of its target or threshold:
    94,991 % against a target of 95 % shows « 94,9 % », not « 95,0 % » (it is judged unrounded)."""
    if value is None or _missing(value):
        return value
    shown = round(value, decimals)
    step = 10.0 ** -decimals
    for limit in (cible, seuil):
        if limit is None or _missing(limit):
            continue
        if sens == "hausse" and value < limit <= shown:
            shown = math.floor(value / step) * step
        elif sens == "baisse" and value > limit >= shown:
            shown = math.ceil(value / step) * step
    return round(shown, decimals)
