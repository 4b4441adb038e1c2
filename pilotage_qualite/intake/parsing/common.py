"""What every parser shares: the :class:`Parsed` result, cell kinds, and the distinct-value run.

A column is factorised first (bool cells are kept apart from 1/0, which compare equal), the
parser reads its distinct values only, and :func:`parse_distinct` spreads the results back to
every row with ``take``. If the parser fails on odd input, the distinct values are parsed one by
one and a failing one is reported as invalid, so no parser raises.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import math
import numbers as _numbers
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

STR_DTYPE = pd.StringDtype(na_value=np.nan)  # pandas 3 default "str" dtype

# Tests set this to make the column-wise path raise instead of falling back cell by cell.
STRICT = False

R_UNREADABLE = "n'est pas une valeur lisible"


# --- results ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Parsed:
    """Typed column and per-cell status, all sharing the input's index."""

    values: pd.Series
    empty: pd.Series
    invalid: pd.Series
    reasons: pd.Series

    @property
    def ok(self) -> pd.Series:
        """Cells holding a value (neither empty nor invalid)."""
        return ~(self.empty | self.invalid)

    def errors(self) -> pd.Series:
        """French reasons of the invalid cells only (index = rows of the input)."""
        return self.reasons[self.invalid]


@dataclass(frozen=True)
class Cell:
    """One parsed cell (see :func:`parse_cell`)."""

    value: Any
    empty: bool
    invalid: bool
    reason: str | None


@dataclass
class DistinctResults:
    """What a parser found for the distinct values of a column, before they are spread back."""

    values: Any  # numpy array or pandas ExtensionArray, supports .take
    empty: np.ndarray
    invalid: np.ndarray
    reasons: np.ndarray


# --- cell kinds -------------------------------------------------------------------------

K_EMPTY, K_STR, K_BOOL, K_INT, K_FLOAT, K_DATETIME, K_DATE, K_TIME, K_TIMEDELTA, K_OTHER = range(10)

_KIND_CACHE: dict[type, int] = {}


def _kind_of_type(t: type) -> int:
    kind = _KIND_CACHE.get(t)
    if kind is not None:
        return kind
    if issubclass(t, (bool, np.bool_)):
        kind = K_BOOL
    elif issubclass(t, str):
        kind = K_STR
    elif issubclass(t, (_numbers.Integral, np.integer)):
        kind = K_INT
    elif issubclass(t, (_numbers.Real, np.floating, decimal.Decimal)):
        kind = K_FLOAT
    elif issubclass(t, (_dt.datetime, np.datetime64)):
        kind = K_DATETIME
    elif issubclass(t, _dt.date):
        kind = K_DATE
    elif issubclass(t, _dt.time):
        kind = K_TIME
    elif issubclass(t, (_dt.timedelta, np.timedelta64)):
        kind = K_TIMEDELTA
    else:
        kind = K_OTHER
    _KIND_CACHE[t] = kind
    return kind


# infer_dtype answers for which every non-NA value has the same kind (as far as the parsers
# care: ints and floats are both numbers, dates and datetimes both calendar days).
_UNIFORM_KINDS = {
    "string": K_STR, "floating": K_FLOAT, "integer": K_INT, "mixed-integer-float": K_FLOAT,
    "decimal": K_FLOAT, "datetime": K_DATETIME, "datetime64": K_DATETIME, "date": K_DATE,
    "time": K_TIME, "timedelta": K_TIMEDELTA, "boolean": K_BOOL, "empty": K_EMPTY,
}


def _isna(values: np.ndarray) -> np.ndarray:
    try:
        return np.asarray(pd.isna(values), dtype=bool)
    except Exception:  # e.g. Decimal("sNaN") refuses comparisons
        out = np.zeros(len(values), dtype=bool)
        for i, v in enumerate(values):
            try:
                out[i] = bool(pd.isna(v))
            except Exception:
                out[i] = isinstance(v, decimal.Decimal) and v.is_nan()
        return out


def kinds_of(uniq: np.ndarray) -> np.ndarray:
    """Kind code of each distinct value; strings that are blank count as empty."""
    na = _isna(uniq)
    uniform = _UNIFORM_KINDS.get(infer_dtype(uniq, skipna=True))
    if uniform is not None:
        kinds = np.full(len(uniq), uniform, dtype=np.int8)
    else:
        kinds = np.fromiter((_kind_of_type(type(v)) for v in uniq), dtype=np.int8, count=len(uniq))
    kinds[na] = K_EMPTY
    return kinds


# --- distinct values --------------------------------------------------------------------


class _BoolToken:
    """Stand-in for a bool cell while factorising (True == 1 would merge them)."""

    __slots__ = ("value",)

    def __init__(self, value: bool) -> None:
        self.value = value


_TRUE_TOKEN, _FALSE_TOKEN = _BoolToken(True), _BoolToken(False)
_NO_BOOL_INFERRED = {
    "string", "floating", "integer", "mixed-integer-float", "decimal", "datetime",
    "datetime64", "date", "time", "timedelta", "empty", "boolean", "bytes",
}


def factorize(obj: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes (-1 for NA) and distinct values, keeping bool cells apart from 1 and 0."""
    try:
        codes, uniques = pd.factorize(obj)
        # True == 1 and False == 0: factorize merges them. Nothing was merged when the column
        # holds no bool by its inferred type, or when no distinct value equals 0 or 1 (a bool is
        # one); only then are the cells looked at one by one.
        if infer_dtype(obj, skipna=True) in _NO_BOOL_INFERRED or not any(
                isinstance(u, (int, float, np.number, np.bool_)) and u in (0, 1) for u in uniques):
            return codes, np.asarray(uniques, dtype=object)
        is_bool = np.fromiter(
            (type(v) is bool or type(v) is np.bool_ for v in obj), dtype=bool, count=len(obj)
        )
        if not is_bool.any():
            return codes, np.asarray(uniques, dtype=object)
        key = obj.copy()
        key[is_bool] = [_TRUE_TOKEN if v else _FALSE_TOKEN for v in obj[is_bool]]
        codes, uniques = pd.factorize(key)
        uniques = np.asarray(uniques, dtype=object).copy()
        for i, u in enumerate(uniques):
            if isinstance(u, _BoolToken):
                uniques[i] = u.value
        return codes, uniques
    except Exception:  # unhashable or exotic cells: every cell is its own distinct value
        return np.arange(len(obj)), obj


def as_series(data: Any) -> pd.Series:
    if isinstance(data, pd.Series):
        return data
    if isinstance(data, (pd.Index, np.ndarray)):
        return pd.Series(np.asarray(data, dtype=object), dtype=object)
    return pd.Series(list(data), dtype=object)


def object_values(series: pd.Series) -> np.ndarray:
    try:
        return series.to_numpy(dtype=object)
    except Exception:
        return np.array(list(series), dtype=object)


def parse_distinct(data: Any, parse: Callable[[np.ndarray], DistinctResults], dtype: Any) -> Parsed:
    """Factorise, parse the distinct values (plus one trailing NA slot) and spread back."""
    series = as_series(data)
    obj = object_values(series)
    codes, uniques = factorize(obj)
    uniq = np.empty(len(uniques) + 1, dtype=object)
    uniq[:-1] = uniques
    uniq[-1] = None
    try:
        res = parse(uniq)
    except Exception:
        if STRICT:
            raise
        res = _parse_one_by_one(parse, uniq, dtype)
    idx = np.where(codes < 0, len(uniq) - 1, codes)
    index = series.index
    values = pd.Series(res.values.take(idx), index=index)
    if str(values.dtype) != str(dtype):
        try:
            values = values.astype(dtype)
        except Exception:
            pass
    empty = pd.Series(res.empty.take(idx), index=index, dtype=bool)
    invalid = pd.Series(res.invalid.take(idx), index=index, dtype=bool)
    reasons = pd.Series(res.reasons.take(idx), index=index, dtype=object)
    return Parsed(values=values, empty=empty, invalid=invalid, reasons=reasons)


def _parse_one_by_one(parse: Callable[[np.ndarray], DistinctResults], uniq: np.ndarray,
                      dtype: Any) -> DistinctResults:
    n = len(uniq)
    vals: list[Any] = [None] * n
    empty = np.zeros(n, dtype=bool)
    invalid = np.zeros(n, dtype=bool)
    reasons = np.full(n, None, dtype=object)
    for i, v in enumerate(uniq):
        one = np.empty(1, dtype=object)
        one[0] = v
        try:
            r = parse(one)
            empty[i], invalid[i], reasons[i] = bool(r.empty[0]), bool(r.invalid[0]), r.reasons[0]
            vals[i] = None if (empty[i] or invalid[i]) else r.values[0]
        except Exception:
            if v is None or (isinstance(v, float) and math.isnan(v)):
                empty[i] = True
            else:
                invalid[i], reasons[i] = True, R_UNREADABLE
    try:
        values = pd.array(vals, dtype=dtype)
    except Exception:
        values = pd.array([None] * n, dtype=dtype)
    return DistinctResults(values, empty, invalid, reasons)


def new_status(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Empty, invalid and reasons arrays for ``n`` distinct values: nothing found yet."""
    return np.zeros(n, dtype=bool), np.zeros(n, dtype=bool), np.full(n, None, dtype=object)


def to_floats(objs: np.ndarray) -> np.ndarray:
    """Float value of numeric cells; an unreadable one is infinite (invalid, never empty)."""
    try:
        return np.asarray(objs, dtype=object).astype(np.float64)
    except Exception:
        out = np.full(len(objs), np.nan)
        for i, v in enumerate(objs):
            try:
                out[i] = float(v)
            except OverflowError:
                out[i] = -math.inf if v < 0 else math.inf
            except Exception:
                out[i] = math.inf  # unreadable number: reported as invalid, not empty
        return out


# --- scalar convenience -------------------------------------------------------------------


def parse_cell(parser: Callable[..., Parsed], value: Any, **options: Any) -> Cell:
    """Parse one cell with any of the column parsers, e.g. ``parse_cell(dates, "1er mars 2025")``."""
    cells = np.empty(1, dtype=object)
    cells[0] = value
    res = parser(pd.Series(cells, dtype=object), **options)
    empty, invalid = bool(res.empty.iloc[0]), bool(res.invalid.iloc[0])
    out: Any = None
    if not (empty or invalid):
        out = res.values.iloc[0]
        if isinstance(out, pd.Timestamp):
            out = out.date()
        elif isinstance(out, (np.integer,)):
            out = int(out)
        elif isinstance(out, (np.floating,)):
            out = float(out)
        elif isinstance(out, np.bool_):
            out = bool(out)
    return Cell(value=out, empty=empty, invalid=invalid, reason=res.reasons.iloc[0])
