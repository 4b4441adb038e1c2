"""The date parser: ``dates(series, month_only_allowed=False)`` -> ``datetime64[s]`` at midnight.

``NaT`` if missing. Excel date / datetime cells (time dropped; a cell with a time zone gives its
day in Paris); Excel serial numbers in numeric cells only (1..2958465, 1 = 1900-01-01, Excel's
fictitious 29/02/1900 = serial 60 is invalid); 8-digit ``AAAAMMJJ`` (text or integer cell, years
1900..2199); ISO ``2025-03-14`` (also ``2025/03/14``); day-first ``14/03/2025``, ``14-03-2025``,
``14.03.2025``, ``14/03/25`` (two-digit year = 20yy); French text ``14 mars 2025``, ``14 févr.
2025``, ``1er mars 2025``, ``vendredi 14 mars 2025``, ``14-mars-25``, any case, with or without
accents, French month names and usual abbreviations (English month names are accepted too).
Each form may carry a time (``10:22``, ``10:22:01``, ``10h22``, ``T10:22:01.000Z``, ``à
10h``...), which is checked then dropped; a time with its zone (``Z``, ``UTC``, ``+02:00``) is an
instant, whose day is taken in Paris (``2025-03-31T23:30:00Z`` is 1 April there). Always day-first. Years must be within 1900..9999.
Month-only values (``mars 2025``, ``févr. 2025``, ``mars-25``, ``03/2025``, ``2025-03``) give the
1st of the month when ``month_only_allowed``; otherwise they are invalid ("une date complète
est attendue"). Bare numeric *text* (``"45000"``) is not taken as a serial number.

Text cells are read by :mod:`.date_text`; this module handles the other cell kinds.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

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
    as_series,
    kinds_of,
    new_status,
    object_values,
    parse_distinct,
    to_floats,
)
from pilotage_qualite.intake.parsing.date_text import (
    LOCAL_ZONE,
    MAX_YEAR,
    MIN_YEAR,
    NAT_D,
    R_DATE,
    R_DATE_IMPOSSIBLE,
    R_DATE_YEAR,
    parse_date_strings,
    ymd_to_days,
)
from pilotage_qualite.intake.parsing.strings import non_blank_text

DATE_DTYPE = "datetime64[s]"
EXCEL_SERIAL_MAX = 2958465  # 9999-12-31

R_DATE_SERIAL = "n'est pas un numéro de date Excel valide"
R_DATE_IS_TIME = "est une heure, pas une date"
R_DATE_IS_DURATION = "est une durée, pas une date"
R_DATE_IS_BOOL = "est une valeur oui/non, pas une date"

_EXCEL_EPOCH = np.datetime64("1899-12-30", "D")


def dates(series: Any, month_only_allowed: bool = False) -> Parsed:
    """Parse a column of dates (see the module docstring); values are ``datetime64[s]``."""
    s = as_series(series)
    try:
        if s.dtype.kind == "M" or isinstance(s.dtype, pd.DatetimeTZDtype):
            return _dates_from_datetime64(s)
        if s.dtype == object and infer_dtype(s, skipna=True) in ("datetime", "datetime64", "date"):
            # Only date/datetime cells (and empties): one column-wise conversion, no factorising.
            conv = pd.to_datetime(pd.Index(object_values(s), dtype=object))
            if isinstance(conv, pd.DatetimeIndex):
                return _dates_from_datetime64(pd.Series(conv, index=s.index))
    except Exception:  # e.g. mixed time zones: the general path handles them cell by cell
        pass
    return parse_distinct(s, lambda u: _dates_unique(u, month_only_allowed), DATE_DTYPE)


def _dates_from_datetime64(s: pd.Series) -> Parsed:
    """Fast path for a column already typed datetime64 by the reader."""
    vals = s
    if isinstance(vals.dtype, pd.DatetimeTZDtype):
        vals = vals.dt.tz_convert(LOCAL_ZONE).dt.tz_localize(None)  # the day in Paris
    days = vals.to_numpy(dtype="datetime64[D]")
    empty = np.isnat(days)
    years = _years(np.where(empty, np.datetime64("2000-01-01", "D"), days))
    invalid = ~empty & ((years < MIN_YEAR) | (years > MAX_YEAR))
    days = np.where(invalid, NAT_D, days)
    reasons = np.where(invalid, R_DATE_YEAR, None).astype(object)
    return Parsed(
        values=pd.Series(days.astype(DATE_DTYPE), index=s.index),
        empty=pd.Series(empty, index=s.index),
        invalid=pd.Series(invalid, index=s.index),
        reasons=pd.Series(reasons, index=s.index, dtype=object),
    )


def _dates_unique(uniq: np.ndarray, month_only_allowed: bool) -> DistinctResults:
    """Each kind of cell read its own way; times, durations, bools and others are invalid."""
    kinds = kinds_of(uniq)
    days = np.full(len(uniq), NAT_D)
    empty, invalid, reasons = new_status(len(uniq))
    empty[kinds == K_EMPTY] = True
    _read_text_cells(uniq, kinds, month_only_allowed, days, empty, invalid, reasons)
    _read_calendar_cells(uniq, kinds, days, invalid, reasons)
    _read_number_cells(uniq, kinds, days, empty, invalid, reasons)
    for kind, reason in ((K_TIME, R_DATE_IS_TIME), (K_TIMEDELTA, R_DATE_IS_DURATION),
                         (K_BOOL, R_DATE_IS_BOOL), (K_OTHER, R_DATE)):
        mask = kinds == kind
        invalid[mask] = True
        reasons[mask] = reason
    days = np.where(empty | invalid, NAT_D, days)
    return DistinctResults(days.astype(DATE_DTYPE), empty, invalid, np.where(empty, None, reasons))


def _read_text_cells(uniq: np.ndarray, kinds: np.ndarray, month_only_allowed: bool, days: np.ndarray,
                     empty: np.ndarray, invalid: np.ndarray, reasons: np.ndarray) -> None:
    """Text cells: blank ones are empty, the others go through the written forms."""
    sel = np.flatnonzero(kinds == K_STR)
    if not len(sel):
        return
    sel, low = non_blank_text(sel, uniq[sel], empty)
    if not len(sel):
        return
    days[sel], invalid[sel], reasons[sel] = parse_date_strings(low, month_only_allowed)


def _read_calendar_cells(uniq: np.ndarray, kinds: np.ndarray, days: np.ndarray, invalid: np.ndarray,
                         reasons: np.ndarray) -> None:
    """Date and datetime cells: their calendar day, if its year is within range."""
    sel = np.flatnonzero((kinds == K_DATETIME) | (kinds == K_DATE))
    if not len(sel):
        return
    dd, ok = _datetimes_to_days(uniq[sel])
    years = np.where(ok, _years(np.where(ok, dd, np.datetime64("2000-01-01", "D"))), 0)
    good = ok & (years >= MIN_YEAR) & (years <= MAX_YEAR)
    days[sel] = np.where(good, dd, NAT_D)
    invalid[sel] = ~good
    reasons[sel[~good]] = R_DATE_YEAR


def _read_number_cells(uniq: np.ndarray, kinds: np.ndarray, days: np.ndarray, empty: np.ndarray,
                       invalid: np.ndarray, reasons: np.ndarray) -> None:
    """Numeric cells: Excel serials and AAAAMMJJ integers; NaN is empty."""
    sel = np.flatnonzero((kinds == K_INT) | (kinds == K_FLOAT))
    if not len(sel):
        return
    nums = to_floats(uniq[sel])
    nan = np.isnan(nums)
    empty[sel[nan]] = True
    sel = sel[~nan]
    days[sel], invalid[sel], reasons[sel] = _serials_to_days(nums[~nan])


def _datetimes_to_days(objs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Calendar day of datetime/date cells (time and time zone dropped); ok mask."""
    try:
        idx = pd.to_datetime(pd.Index(objs, dtype=object))
        if not isinstance(idx, pd.DatetimeIndex):
            raise TypeError("mixed time zones")
        if idx.tz is not None:
            idx = idx.tz_convert(LOCAL_ZONE).tz_localize(None)  # an instant: its day in Paris
        days = idx.to_numpy().astype("datetime64[D]")
        return days, ~np.isnat(days)
    except Exception:
        days = np.full(len(objs), NAT_D)
        for i, v in enumerate(objs):
            try:
                if isinstance(v, np.datetime64):
                    days[i] = v.astype("datetime64[D]")
                elif getattr(v, "tzinfo", None) is not None:  # an instant: its day in Paris
                    local = pd.Timestamp(v).tz_convert(LOCAL_ZONE)
                    days[i] = np.datetime64(_dt.date(local.year, local.month, local.day), "D")
                else:
                    days[i] = np.datetime64(_dt.date(v.year, v.month, v.day), "D")
            except Exception:
                pass
        return days, ~np.isnat(days)


def _years(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[Y]").astype(np.int64) + 1970


def _serials_to_days(nums: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Excel serials (and 8-digit AAAAMMJJ integers) to days; reasons for the others."""
    n = len(nums)
    days = np.full(n, NAT_D)
    reasons = np.full(n, None, dtype=object)
    finite = np.isfinite(nums)
    whole = np.floor(np.clip(np.where(finite, nums, 0), -1, 1e9)).astype(np.int64)
    serial = finite & (whole >= 1) & (whole <= EXCEL_SERIAL_MAX) & (whole != 60)
    # Excel counts a fictitious 29/02/1900: serials up to 59 are one day later than the epoch says.
    offset = np.where(whole < 60, whole + 1, whole)
    days[serial] = _EXCEL_EPOCH + offset[serial].astype("timedelta64[D]")
    compact = finite & (nums == whole) & (whole >= 19000101) & (whole <= 21991231)
    if compact.any():
        cd, bad, ybad = ymd_to_days(whole[compact] // 10000, whole[compact] // 100 % 100, whole[compact] % 100)
        days[compact] = cd
        sub = np.full(compact.sum(), None, dtype=object)
        sub[bad | ybad] = R_DATE_IMPOSSIBLE
        reasons[compact] = sub
    reasons[~serial & ~compact] = R_DATE_SERIAL
    return days, reasons != None, reasons  # noqa: E711
