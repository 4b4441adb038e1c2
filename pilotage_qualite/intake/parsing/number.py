"""The number parser: ``numbers(series, integer=False, hours_allowed=False, minimum=None, maximum=None)``.

-> ``float64`` (NaN if missing), or nullable ``Int64`` when ``integer``. Numeric cells as is;
text with a decimal comma or point (``3,5``, ``3.5``), thousands separated by spaces, U+00A0,
U+202F, U+2009 or U+2007 (``1 234,5``), a leading sign (``+``, ``-``, ``−``), an exponent, a
trailing ``%`` dropped (``92,5 %`` -> 92.5). ``1,234`` is 1.234 (French reading). With
``hours_allowed``, durations too (:mod:`.hours`). Bool cells and dates are not numbers.
``integer``: non-integral values are invalid. Bounds are inclusive.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from pilotage_qualite.intake.parsing.common import (
    K_BOOL,
    K_DATE,
    K_DATETIME,
    K_EMPTY,
    K_FLOAT,
    K_INT,
    K_OTHER,
    K_STR,
    K_TIME,
    K_TIMEDELTA,
    DistinctResults,
    Parsed,
    kinds_of,
    new_status,
    parse_distinct,
    to_floats,
)
from pilotage_qualite.intake.parsing.hours import R_HOURS, durations_to_hours, hours_from_strings
from pilotage_qualite.intake.parsing.strings import SP, SPACE_CHARS, bools, floats_from_text, non_blank_text

R_NUMBER = "n'est pas un nombre"
R_NUMBER_IS_BOOL = "est une valeur oui/non, pas un nombre"
R_NUMBER_IS_DATE = "est une date, pas un nombre"
R_NUMBER_IS_DURATION = "est une durée, pas un nombre"
R_NUMBER_INFINITE = "n'est pas un nombre fini"
R_INTEGER = "doit être un nombre entier"

_THOUSANDS = "[ \u00a0\u202f\u2009\u2007]"
_RE_NUMBER = (
    "^[-+\u2212]?" + SP + "*"
    "(?:(?:[0-9]{1,3}(?:" + _THOUSANDS + "[0-9]{3})+|[0-9]+)(?:[.,][0-9]*)?|[.,][0-9]+)"
    "(?:e[-+]?[0-9]+)?" + SP + "*%?$"
)


def numbers(series: Any, integer: bool = False, hours_allowed: bool = False,
            minimum: float | None = None, maximum: float | None = None) -> Parsed:
    """Parse a column of numbers; ``float64``, or ``Int64`` when ``integer``."""
    dtype = "Int64" if integer else "float64"
    return parse_distinct(series, lambda u: _numbers_unique(u, integer, hours_allowed, minimum, maximum), dtype)


def _numbers_unique(uniq: np.ndarray, integer: bool, hours_allowed: bool,
                    minimum: float | None, maximum: float | None) -> DistinctResults:
    """Read each kind of cell, then check integrality and bounds on what was read."""
    kinds = kinds_of(uniq)
    out = np.full(len(uniq), np.nan)
    empty, invalid, reasons = new_status(len(uniq))
    empty[kinds == K_EMPTY] = True
    _read_number_cells(uniq, kinds, out, empty, invalid, reasons)
    _read_text_cells(uniq, kinds, hours_allowed, out, empty, invalid, reasons)
    _read_duration_cells(uniq, kinds, hours_allowed, out, invalid, reasons)
    for kind, reason in ((K_BOOL, R_NUMBER_IS_BOOL), (K_DATETIME, R_NUMBER_IS_DATE),
                         (K_DATE, R_NUMBER_IS_DATE), (K_OTHER, R_NUMBER)):
        mask = kinds == kind
        invalid[mask] = True
        reasons[mask] = reason

    ok = ~empty & ~invalid
    if integer:
        not_int = ok & ((out != np.floor(out)) | (np.abs(out) >= 2.0**63))
        invalid |= not_int
        reasons[not_int] = R_INTEGER
        ok &= ~not_int
    if minimum is not None or maximum is not None:
        out_of_bounds = _check_bounds(out, ok, minimum, maximum, reasons)
        invalid |= out_of_bounds
        ok &= ~out_of_bounds

    reasons[~invalid] = None
    out = np.where(ok, out, np.nan)
    out = np.where(out == 0, 0.0, out)  # no negative zero
    if integer:
        ints = np.where(ok, out, 0).astype(np.int64)
        values: Any = pd.arrays.IntegerArray(ints, ~ok)
    else:
        values = out
    return DistinctResults(values, empty, invalid, reasons)


def _read_number_cells(uniq: np.ndarray, kinds: np.ndarray, out: np.ndarray, empty: np.ndarray,
                       invalid: np.ndarray, reasons: np.ndarray) -> None:
    """Numeric cells as they are: NaN is empty, an infinite value invalid."""
    sel = np.flatnonzero((kinds == K_INT) | (kinds == K_FLOAT))
    if not len(sel):
        return
    nums = to_floats(uniq[sel])
    nan = np.isnan(nums)
    inf = np.isinf(nums)
    out[sel] = np.where(nan | inf, np.nan, nums)
    empty[sel[nan]] = True
    invalid[sel[inf]] = True
    reasons[sel[inf]] = R_NUMBER_INFINITE


def _read_text_cells(uniq: np.ndarray, kinds: np.ndarray, hours_allowed: bool, out: np.ndarray,
                     empty: np.ndarray, invalid: np.ndarray, reasons: np.ndarray) -> None:
    """Text cells: blank ones are empty, the others read as numbers (or durations)."""
    sel = np.flatnonzero(kinds == K_STR)
    if not len(sel):
        return
    sel, low = non_blank_text(sel, uniq[sel], empty)
    if not len(sel):
        return
    out[sel], invalid[sel], reasons[sel] = _parse_number_strings(low, hours_allowed)


def _read_duration_cells(uniq: np.ndarray, kinds: np.ndarray, hours_allowed: bool, out: np.ndarray,
                         invalid: np.ndarray, reasons: np.ndarray) -> None:
    """Time and timedelta cells: hours when durations are allowed, invalid otherwise."""
    sel = np.flatnonzero((kinds == K_TIME) | (kinds == K_TIMEDELTA))
    if not len(sel):
        return
    if hours_allowed:
        hours = durations_to_hours(uniq[sel])
        bad = ~np.isfinite(hours)
        out[sel] = hours
        invalid[sel[bad]] = True
        reasons[sel[bad]] = R_HOURS
    else:
        invalid[sel] = True
        reasons[sel] = R_NUMBER_IS_DURATION


def _parse_number_strings(low: pd.Series, hours_allowed: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Values, invalid mask and reasons for non-blank stripped lower-case strings."""
    out = np.full(len(low), np.nan)
    reasons = np.full(len(low), None, dtype=object)
    is_num = bools(low.str.match(_RE_NUMBER))
    if is_num.any():
        pos = np.flatnonzero(is_num)
        txt = (
            low.iloc[pos]
            .str.replace("[" + SPACE_CHARS + "%]", "", regex=True)
            .str.replace(",", ".", regex=False)
            .str.replace("\u2212", "-", regex=False)
        )
        out[pos] = floats_from_text(txt)
    rest = ~is_num
    if not hours_allowed:
        reasons[rest] = R_NUMBER
    elif rest.any():
        pos, hours, why = hours_from_strings(low, rest)
        out[pos] = hours
        reasons[pos] = why
    invalid = reasons != None  # noqa: E711
    inf = ~invalid & ~np.isfinite(out)
    reasons[inf] = R_NUMBER_INFINITE
    return out, invalid | inf, reasons


def _check_bounds(out: np.ndarray, ok: np.ndarray, minimum: float | None, maximum: float | None,
                  reasons: np.ndarray) -> np.ndarray:
    """The values read that are out of the inclusive bounds, their reason written in ``reasons``."""
    low = ok & (out < minimum) if minimum is not None else np.zeros(len(out), dtype=bool)
    high = ok & (out > maximum) if maximum is not None else np.zeros(len(out), dtype=bool)
    if minimum is not None and maximum is not None:
        reasons[low | high] = f"doit être compris entre {_fmt_bound(minimum)} et {_fmt_bound(maximum)}"
    else:
        if minimum is not None:
            reasons[low] = ("doit être positif ou nul" if minimum == 0
                            else f"doit être supérieur ou égal à {_fmt_bound(minimum)}")
        if maximum is not None:
            reasons[high] = f"doit être inférieur ou égal à {_fmt_bound(maximum)}"
    return low | high


def _fmt_bound(x: float) -> str:
    if float(x).is_integer():
        return str(int(x))
    return repr(float(x)).replace(".", ",")
