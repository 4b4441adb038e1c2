"""The text parser: ``texts(series)`` -> ``str`` (pandas string dtype, NaN if missing); never invalid.

Text stripped; integral numbers without ``.0`` (123.0 -> "123"), other floats as Python writes
them (``repr``); dates as ISO ``2025-03-14`` (``2025-03-14 10:22:01`` when a time is present);
times as ``10:22`` / ``10:22:01``; bool cells as "oui" / "non".
"""

from __future__ import annotations

import datetime as _dt
import decimal
import math
import numbers as _numbers
from typing import Any

import numpy as np
import pandas as pd

from pilotage_qualite.intake.parsing.common import (
    K_EMPTY,
    K_FLOAT,
    K_INT,
    K_STR,
    STR_DTYPE,
    DistinctResults,
    Parsed,
    kinds_of,
    new_status,
    parse_distinct,
    to_floats,
)
from pilotage_qualite.intake.parsing.strings import bools, str_series


def texts(series: Any) -> Parsed:
    """Text column: stripped strings, integral numbers without ".0", dates in ISO."""
    return parse_distinct(series, _texts_unique, STR_DTYPE)


def text_of(v: Any) -> str:
    """Text form of one non-empty cell, as :func:`texts` writes it."""
    if isinstance(v, str):
        return v.strip()
    if isinstance(v, (bool, np.bool_)):
        return "oui" if v else "non"
    if isinstance(v, (_numbers.Integral, np.integer)):
        return str(int(v))
    if isinstance(v, decimal.Decimal):
        if v.is_finite() and v == v.to_integral_value():
            return str(int(v))
        return str(v)
    if isinstance(v, (_numbers.Real, np.floating)):
        f = float(v)
        if math.isfinite(f) and f.is_integer():
            return str(int(f))
        return repr(f)
    if isinstance(v, np.datetime64):
        v = pd.Timestamp(v)
    if isinstance(v, _dt.datetime):
        if (v.hour, v.minute, v.second, v.microsecond) == (0, 0, 0, 0):
            return v.date().isoformat()
        return v.replace(tzinfo=None, microsecond=0).isoformat(sep=" ")
    if isinstance(v, _dt.date):
        return v.isoformat()
    if isinstance(v, _dt.time):
        return v.strftime("%H:%M" if v.second == 0 else "%H:%M:%S")
    return str(v).strip()


def _texts_unique(uniq: np.ndarray) -> DistinctResults:
    """Strings and integral numbers column-wise; every other cell through :func:`text_of`."""
    n = len(uniq)
    kinds = kinds_of(uniq)
    out = np.full(n, None, dtype=object)
    empty, invalid, reasons = new_status(n)
    empty[kinds == K_EMPTY] = True
    sel = np.flatnonzero(kinds == K_STR)
    if len(sel):
        stripped = str_series(uniq[sel]).str.strip()
        stripped_obj = stripped.to_numpy(dtype=object, na_value=None)
        blank = bools(stripped.str.len() == 0)
        out[sel] = stripped_obj
        empty[sel[blank]] = True
    sel = np.flatnonzero((kinds == K_INT) | (kinds == K_FLOAT))
    looped = np.ones(n, dtype=bool)
    looped[kinds == K_STR] = looped[kinds == K_EMPTY] = False
    if len(sel):
        nums = to_floats(uniq[sel])
        empty[sel[np.isnan(nums)]] = True
        looped[sel[np.isnan(nums)]] = False
        # integral numbers exactly representable: written column-wise without ".0"
        exact = np.isfinite(nums) & (np.abs(nums) < 2.0**53)
        exact[exact] = nums[exact] == np.floor(nums[exact])
        out[sel[exact]] = nums[exact].astype(np.int64).astype(str).tolist()
        looped[sel[exact]] = False
    for i in np.flatnonzero(looped):
        v = uniq[i]
        try:
            out[i] = text_of(v)
        except Exception:
            out[i] = None
        if not out[i]:
            empty[i] = True
    out[empty] = None
    try:
        values = pd.array(out, dtype=STR_DTYPE)
    except UnicodeError:  # lone surrogates cannot be stored as UTF-8: replace them with U+FFFD
        values = pd.array([_valid_utf8(v) for v in out], dtype=STR_DTYPE)
    return DistinctResults(values, empty, invalid, reasons)


def _valid_utf8(v: Any) -> Any:
    if not isinstance(v, str):
        return v
    return v.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
