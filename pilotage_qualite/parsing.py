"""Coercion of raw spreadsheet cells into typed values, column-wise.

Readers hand over a column as a pandas Series of raw cells: ``str``, ``int``, ``float``,
``bool``, ``datetime.datetime`` / ``pandas.Timestamp`` / ``numpy.datetime64``,
``datetime.date``, ``datetime.time``, ``datetime.timedelta``, ``Decimal`` or an empty cell
(``None``, ``NaN``, ``NaT``, ``pd.NA``, an empty or whitespace-only string). Any other
Series dtype (``float64``, ``datetime64``, ``str``...) and any iterable are accepted too.

Every parser returns a :class:`Parsed` and never raises:

- ``values``  -- Series with the input's index and the typed values; missing (NA/NaN/NaT)
  wherever the cell is empty **or** invalid;
- ``empty``   -- bool Series: the cell was empty (the caller applies defaults / required rules);
- ``invalid`` -- bool Series: the cell was not empty but could not be read;
- ``reasons`` -- object Series: a short French reason for each invalid cell (``None``
  elsewhere), written to follow the raw value, e.g. « 31/02/2025 » *n'est pas une date valide
  (jour ou mois impossible)*. ``Parsed.errors()`` gives the reasons of invalid cells only.

``empty`` and ``invalid`` never overlap, and ``values`` is present exactly where neither is set.

Parsers
-------
``dates(series, month_only_allowed=False)`` -> ``datetime64[s]`` at midnight (``NaT`` if missing).
    Excel date / datetime cells (time dropped, time zone dropped keeping the wall-clock date);
    Excel serial numbers in numeric cells only (1..2958465, 1 = 1900-01-01, Excel's fictitious
    29/02/1900 = serial 60 is invalid); 8-digit ``AAAAMMJJ`` (text or integer cell, years 1900..2199);
    ISO ``2025-03-14`` (also ``2025/03/14``); day-first ``14/03/2025``, ``14-03-2025``,
    ``14.03.2025``, ``14/03/25`` (two-digit year = 20yy); French text ``14 mars 2025``,
    ``14 févr. 2025``, ``1er mars 2025``, ``vendredi 14 mars 2025``, ``14-mars-25``, any case,
    with or without accents, French month names and usual abbreviations (English month names
    are accepted too). Each form may carry a time (``10:22``, ``10:22:01``, ``10h22``,
    ``T10:22:01.000Z``, ``à 10h``...), which is checked then dropped. Always day-first.
    Years must be within 1900..9999. Month-only values (``mars 2025``, ``févr. 2025``,
    ``mars-25``, ``03/2025``, ``2025-03``) give the 1st of the month when
    ``month_only_allowed``; otherwise they are invalid ("une date complète est attendue").
    Bare numeric *text* (``"45000"``) is not taken as a serial number.

``numbers(series, integer=False, hours_allowed=False, minimum=None, maximum=None)``
    -> ``float64`` (NaN if missing), or nullable ``Int64`` when ``integer``.
    Numeric cells as is; text with a decimal comma or point (``3,5``, ``3.5``), thousands
    separated by spaces, U+00A0, U+202F, U+2009 or U+2007 (``1 234,5``), a leading sign (``+``,
    ``-``, ``−``), an exponent, a trailing ``%`` dropped (``92,5 %`` -> 92.5). ``1,234`` is
    1.234 (French reading). With ``hours_allowed``: ``7h``, ``7 h``, ``7 heures``, ``1,5 h``,
    ``2h30`` (2.5), ``2 h 30``, ``2h30min``, ``0h45``, ``1:30`` (1.5), ``1:30:00``, ``45 min``
    (0.75), and ``time`` / ``timedelta`` cells. Bool cells and dates are not numbers.
    ``integer``: non-integral values are invalid. Bounds are inclusive.

``booleans(series)`` -> nullable ``boolean``.
    oui/non, o/n, vrai/faux, yes/no, y, true/false, 1/0, x (= oui), any case / accents /
    surrounding spaces; bool cells; numeric cells 1 and 0.

``choices(series, choices)`` -> ``str`` (pandas string dtype, NaN if missing).
    ``choices`` is a sequence of ``(canonical value, synonyms)`` pairs, of objects with
    ``.value`` and ``.synonyms`` (``declarations.Choice``), or of plain strings. Matching uses
    :func:`normalize_header` on the cell, the values and the synonyms; the canonical value is
    returned. When two entries normalise alike, the first one wins.

``likert(series)`` -> nullable ``Int8`` 1..4.
    4 = très satisfait (tout à fait satisfait), 3 = plutôt satisfait (satisfait, assez
    satisfait), 2 = plutôt pas satisfait (peu satisfait, plutôt insatisfait), 1 = pas du tout
    satisfait (pas satisfait, insatisfait, très insatisfait); feminine forms too; the digits
    1..4 (numeric or text) and prefixed/suffixed labels such as ``4 - Très satisfait`` or
    ``Très satisfait (4)`` when digit and words agree. "Sans avis", "NSP", "ne sait pas",
    "ne se prononce pas", "sans opinion" are *no answer*: ``empty`` is True, not invalid.

``is_likert_column(series, digits_suffice=False) -> bool``
    True when every non-empty cell is a Likert answer or a no-answer, at least one cell is an
    actual answer and -- unless ``digits_suffice`` -- at least one answer is worded (a column of
    bare 1..4 digits may be a count or a grade; the caller decides with ``digits_suffice``).

``texts(series)`` -> ``str`` (pandas string dtype, NaN if missing); never invalid.
    Text stripped; integral numbers without ``.0`` (123.0 -> "123"), other floats as Python
    writes them (``repr``); dates as ISO ``2025-03-14`` (``2025-03-14 10:22:01`` when a time is
    present); times as ``10:22`` / ``10:22:01``; bool cells as "oui" / "non".

``parse_cell(parser, value, **options) -> Cell``
    Scalar convenience (tests, previews): ``Cell(value, empty, invalid, reason)`` where a date
    is returned as ``datetime.date``, an integer as ``int``, a decimal as ``float``.

Implementation: a column is factorised first (bool cells are kept apart from 1/0, which
compare equal), the distinct values are parsed column-wise -- regular expressions through
``Series.str`` on Arrow-backed strings when pyarrow is available (RE2, vectorised), plain
object strings otherwise -- and the results are spread back with ``take``. Listed values
(booleans, choices, Likert) are looked up once per distinct value. If a vectorised step ever
fails on odd input, the distinct values are parsed one by one and a failing one is reported as
invalid, so no parser raises.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import math
import numbers as _numbers
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

from pilotage_qualite.text import normalize_header

try:  # pyarrow ships with pandas 3 / streamlit; regexes then run in RE2, column-wise.
    import pyarrow as _pa
except ImportError:  # pragma: no cover - plain object strings work too, only slower
    _pa = None

__all__ = [
    "Cell",
    "DATE_DTYPE",
    "Parsed",
    "booleans",
    "choices",
    "dates",
    "is_likert_column",
    "likert",
    "numbers",
    "parse_cell",
    "texts",
]

DATE_DTYPE = "datetime64[s]"
STR_DTYPE = pd.StringDtype(na_value=np.nan)  # pandas 3 default "str" dtype
MIN_YEAR = 1900
MAX_YEAR = 9999
EXCEL_SERIAL_MAX = 2958465  # 9999-12-31

# Tests set this to make the column-wise path raise instead of falling back cell by cell.
_STRICT = False

# --- French reasons ---------------------------------------------------------------------

R_DATE = "n'est pas une date valide (format attendu : JJ/MM/AAAA)"
R_DATE_IMPOSSIBLE = "n'est pas une date valide (jour ou mois impossible)"
R_DATE_YEAR = f"n'est pas une date valide (année hors de {MIN_YEAR} à {MAX_YEAR})"
R_DATE_TIME = "n'est pas une date valide (heure impossible)"
R_DATE_MONTH_ONLY = "est un mois sans jour : une date complète est attendue (JJ/MM/AAAA)"
R_DATE_SERIAL = "n'est pas un numéro de date Excel valide"
R_DATE_IS_TIME = "est une heure, pas une date"
R_DATE_IS_DURATION = "est une durée, pas une date"
R_DATE_IS_BOOL = "est une valeur oui/non, pas une date"
R_NUMBER = "n'est pas un nombre"
R_NUMBER_OR_HOURS = "n'est pas un nombre ni une durée (ex. 7 ; 7,5 ; 2h30 ; 1:30)"
R_HOURS = "n'est pas une durée valide (minutes ou secondes au-delà de 59)"
R_NUMBER_IS_BOOL = "est une valeur oui/non, pas un nombre"
R_NUMBER_IS_DATE = "est une date, pas un nombre"
R_NUMBER_IS_DURATION = "est une durée, pas un nombre"
R_NUMBER_INFINITE = "n'est pas un nombre fini"
R_INTEGER = "doit être un nombre entier"
R_BOOLEAN = "n'est pas une valeur oui/non (oui, non, vrai, faux, o, n, x, 1, 0)"
R_LIKERT = (
    "n'est pas une réponse de l'échelle de satisfaction (très satisfait, plutôt satisfait, "
    "plutôt pas satisfait, pas du tout satisfait, 1 à 4, ou sans avis)"
)
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
class _U:
    """Results for the distinct values of a column (internal)."""

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


def _kinds(uniq: np.ndarray) -> np.ndarray:
    """Kind code of each distinct value; strings that are blank count as empty."""
    na = _isna(uniq)
    uniform = _UNIFORM_KINDS.get(infer_dtype(uniq, skipna=True))
    if uniform is not None:
        kinds = np.full(len(uniq), uniform, dtype=np.int8)
    else:
        kinds = np.fromiter((_kind_of_type(type(v)) for v in uniq), dtype=np.int8, count=len(uniq))
    kinds[na] = K_EMPTY
    return kinds


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


def _factorize(obj: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
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


def _as_series(data: Any) -> pd.Series:
    if isinstance(data, pd.Series):
        return data
    if isinstance(data, (pd.Index, np.ndarray)):
        return pd.Series(np.asarray(data, dtype=object), dtype=object)
    return pd.Series(list(data), dtype=object)


def _object_values(series: pd.Series) -> np.ndarray:
    try:
        return series.to_numpy(dtype=object)
    except Exception:
        return np.array(list(series), dtype=object)


def _run(data: Any, parse: Callable[[np.ndarray], _U], dtype: Any) -> Parsed:
    """Factorise, parse the distinct values (plus one trailing NA slot) and spread back."""
    series = _as_series(data)
    obj = _object_values(series)
    codes, uniques = _factorize(obj)
    uniq = np.empty(len(uniques) + 1, dtype=object)
    uniq[:-1] = uniques
    uniq[-1] = None
    try:
        res = parse(uniq)
    except Exception:
        if _STRICT:
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


def _parse_one_by_one(parse: Callable[[np.ndarray], _U], uniq: np.ndarray, dtype: Any) -> _U:
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
    return _U(values, empty, invalid, reasons)


def _new_status(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return np.zeros(n, dtype=bool), np.zeros(n, dtype=bool), np.full(n, None, dtype=object)


# --- column-wise string helpers -----------------------------------------------------------

# Whitespace written as literal characters so the patterns mean the same in RE2 and `re`.
_SPACE_CHARS = " \t\u00a0\u202f\u2009\u2007"
_SP = "[" + _SPACE_CHARS + "]"


def _str_series(values: np.ndarray) -> pd.Series:
    """Strings for column-wise regex work: Arrow-backed when possible."""
    if _pa is not None:
        try:
            arr = _pa.array(values, type=_pa.string(), from_pandas=True)
            return pd.Series(pd.arrays.ArrowExtensionArray(arr))
        except Exception:  # e.g. lone surrogates that UTF-8 cannot hold
            pass
    return pd.Series(values, dtype=object)


def _is_arrow(s: pd.Series) -> bool:
    return isinstance(s.dtype, pd.ArrowDtype)


def _present(col: pd.Series) -> np.ndarray:
    return np.asarray(col.notna().to_numpy(dtype=bool, na_value=False), dtype=bool)


def _bools(x: pd.Series) -> np.ndarray:
    return np.asarray(x.to_numpy(dtype=bool, na_value=False), dtype=bool)


def _ints(col: pd.Series) -> np.ndarray:
    """Integer value of a digits-only extracted group, -1 where absent."""
    if _is_arrow(col):
        return col.astype("int64[pyarrow]").to_numpy(dtype=np.int64, na_value=-1)
    return pd.to_numeric(col, errors="coerce").fillna(-1).to_numpy(dtype=np.int64)


def _slice_ints(s: pd.Series, start: int, stop: int) -> np.ndarray:
    """Integer value of ``s.str[start:stop]``, which the caller knows to be digits."""
    return _ints(s.str.slice(start, stop))


def _subset(s: pd.Series, mask: np.ndarray) -> tuple[np.ndarray, pd.Series]:
    """Positions of ``mask`` and the matching strings (the whole Series when all match)."""
    pos = np.flatnonzero(mask)
    if len(pos) == len(s):
        return pos, s
    return pos, s.iloc[pos].reset_index(drop=True)


def _lens(col: pd.Series) -> np.ndarray:
    lens = col.str.len()
    if _is_arrow(lens):
        return lens.to_numpy(dtype=np.int64, na_value=0)
    return lens.fillna(0).to_numpy(dtype=np.int64)


def _floats_from_text(col: pd.Series) -> np.ndarray:
    """Float value of already-validated numeric strings ("-1234.5e3")."""
    if _is_arrow(col):
        try:
            return col.astype("double[pyarrow]").to_numpy(dtype=np.float64, na_value=np.nan)
        except Exception:
            pass
    out = np.full(len(col), np.nan)
    for i, v in enumerate(col.to_numpy(dtype=object)):
        try:
            out[i] = float(v)
        except Exception:
            pass
    return out


def _extract(s: pd.Series, mask: np.ndarray, pattern: str) -> tuple[np.ndarray, pd.DataFrame]:
    """Positions of ``s[mask]`` and their regex groups (a row of NA where no match)."""
    pos, sub = _subset(s, mask)
    df = sub.str.extract(pattern, expand=True)
    if _is_arrow(sub):
        # RE2 gives "" for an optional group that did not take part: make it missing, as
        # `re` does (every group of our patterns matches at least one character).
        for col in df.columns:
            blank = _bools(df[col] == "")
            if blank.any():
                df[col] = df[col].mask(blank)
    return pos, df


def _lookup_tokens(col: pd.Series, table: dict[str, int]) -> np.ndarray:
    """Map each extracted word through ``table`` (after normalize_header); -1 if unknown."""
    codes, uniques = pd.factorize(col)
    mapped = np.array([table.get(normalize_header(u), -1) for u in uniques] + [-1], dtype=np.int64)
    return mapped[np.where(codes < 0, len(uniques), codes)]


# --- dates ----------------------------------------------------------------------------------

_MONTHS: dict[str, int] = {}
for _num, _names in {
    1: "janvier janv jan january",
    2: "fevrier fevr fev feb february",
    3: "mars mar march",
    4: "avril avr apr april",
    5: "mai may",
    6: "juin jun june",
    7: "juillet juil jul july",
    8: "aout aou aug august",
    9: "septembre sept sep september",
    10: "octobre oct october",
    11: "novembre nov november",
    12: "decembre dec december",
}.items():
    for _name in _names.split():
        _MONTHS[_name] = _num

_WEEKDAYS = {
    name: 1
    for name in (
        "lundi mardi mercredi jeudi vendredi samedi dimanche lun mar mer jeu ven sam dim "
        "monday tuesday wednesday thursday friday saturday sunday mon tue wed thu fri sat sun"
    ).split()
}

_LETTER = "[a-zàâäçéèêëîïôöûüùÿœæ]"
_DSEP = "(?:" + _SP + "|[-.,/])*"
_TIME = (
    "(?:(?:" + _SP + "+(?:à|a)" + _SP + "+|" + _SP + "*[t,]" + _SP + "*|" + _SP + "+)"
    "(?P<hh>[0-9]{1,2})"
    "(?:" + _SP + "*[:h]" + _SP + "*(?P<mi>[0-9]{2})"
    "(?:" + _SP + "*:" + _SP + "*(?P<ss>[0-9]{2})(?:[.,][0-9]+)?)?"
    "|" + _SP + "*h)"
    "(?:" + _SP + "*(?:z|utc|gmt|[-+][0-9]{2}(?::?[0-9]{2})?))?"
    ")?"
)
# Fast lane for the usual shapes (dd/mm/yyyy, dd-mm-yyyy, dd.mm.yyyy, yyyy-mm-dd, each with an
# optional hh:mm[:ss]): a plain match (RE2 runs it as a DFA) then fixed-position slices,
# much cheaper than extracting groups.
_RE_FIXED_DATE = (
    "^(?:[0-9]{2}/[0-9]{2}/[0-9]{4}|[0-9]{2}-[0-9]{2}-[0-9]{4}|[0-9]{2}[.][0-9]{2}[.][0-9]{4}"
    "|[0-9]{4}-[0-9]{2}-[0-9]{2})"
    "(?:[ t][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]{1,9})?)?(?:z|[-+][0-9]{2}:?[0-9]{2})?)?$"
)
_RE_NUMERIC_DATE = (
    "^(?P<a>[0-9]{1,4})(?P<s1>[-/.])(?P<b>[0-9]{1,2})(?P<s2>[-/.])(?P<c>[0-9]{1,4})" + _TIME + "$"
)
_RE_TEXT_DATE = (
    "^(?:(?P<wd>" + _LETTER + "+)[.]?,?" + _SP + "+)?"
    "(?P<d>[0-9]{1,2})(?:er|ᵉʳ|e)?" + _DSEP
    + "(?P<mon>" + _LETTER + "+)" + _DSEP
    + "(?P<y>[0-9]{4}|[0-9]{2})" + _TIME + "$"
)
_RE_OTHER_DATE = (
    "^(?:(?P<mon>" + _LETTER + "+)" + _DSEP + "(?P<my>[0-9]{4}|[0-9]{2})"
    "|(?P<m1>[0-9]{1,2})[-/.](?P<y1>[0-9]{4})"
    "|(?P<y2>[0-9]{4})[-/.](?P<m2>[0-9]{1,2})"
    "|(?P<cy>(?:19|20|21)[0-9]{2})(?P<cm>[0-9]{2})(?P<cd>[0-9]{2}))$"
)

_NAT_D = np.datetime64("NaT", "D")


def _ymd_to_days(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Days (datetime64[D], NaT when impossible), impossible mask and year-out-of-range mask."""
    year_bad = (y < MIN_YEAR) | (y > MAX_YEAR)
    ok = ~year_bad & (m >= 1) & (m <= 12) & (d >= 1)
    ys = np.where(ok, y, 2000)
    ms = np.where(ok, m, 1)
    start = ((ys - 1970) * 12 + (ms - 1)).astype("datetime64[M]")
    start_d = start.astype("datetime64[D]")
    month_len = ((start + 1).astype("datetime64[D]") - start_d).astype(np.int64)
    ok &= d <= month_len
    days = start_d + np.where(ok, d - 1, 0).astype("timedelta64[D]")
    days = np.where(ok, days, _NAT_D)
    return days, ~ok & ~year_bad, year_bad


def _time_bad(df: pd.DataFrame) -> np.ndarray:
    hh, mi, ss = _ints(df["hh"]), _ints(df["mi"]), _ints(df["ss"])
    return (hh > 23) | (mi > 59) | (ss > 59)


def _prepare(strs: np.ndarray) -> tuple[pd.Series, np.ndarray]:
    """Stripped lower-case strings (column-wise) and the blank mask."""
    low = _str_series(strs).str.strip().str.lower()
    return low, _bools(low.str.len() == 0)


def _parse_date_strings(low: pd.Series, month_only_allowed: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Days, invalid mask and reasons for non-blank stripped lower-case strings."""
    n = len(low)
    y = np.full(n, -1, dtype=np.int64)
    m = np.full(n, -1, dtype=np.int64)
    d = np.full(n, -1, dtype=np.int64)
    matched = np.zeros(n, dtype=bool)
    month_only = np.zeros(n, dtype=bool)
    time_bad = np.zeros(n, dtype=bool)

    # fast lane: 14/03/2025, 2025-03-14 10:22:01 ...
    fixed = _bools(low.str.match(_RE_FIXED_DATE))
    if fixed.any():
        matched |= fixed
        year_first = fixed & _bools(low.str.slice(4, 5) == "-")
        for rows, (ys, ms, ds) in ((fixed & ~year_first, ((6, 10), (3, 5), (0, 2))),
                                   (year_first, ((0, 4), (5, 7), (8, 10)))):
            if rows.any():
                pos, sub = _subset(low, rows)
                y[pos], m[pos], d[pos] = (_slice_ints(sub, *ys), _slice_ints(sub, *ms),
                                          _slice_ints(sub, *ds))
        lens = _lens(low)
        for rows, fields in ((fixed & (lens >= 16), ((11, 13), (14, 16))),
                             (fixed & (lens >= 19), ((17, 19),))):
            if rows.any():
                pos, sub = _subset(low, rows)
                for part in fields:
                    time_bad[pos] |= _slice_ints(sub, *part) > (23 if part[0] == 11 else 59)

    # 14/03/2025, 14-03-25, 14.03.2025, 2025-03-14, each with an optional time
    rest = ~matched
    if rest.any():
        pos, df = _extract(low, rest, _RE_NUMERIC_DATE)
        a, b, c = _ints(df["a"]), _ints(df["b"]), _ints(df["c"])
        la, lc = _lens(df["a"]), _lens(df["c"])
        same_sep = _present(df["a"]) & _bools(df["s1"] == df["s2"])
        year_first = same_sep & (la == 4) & (lc <= 2)
        day_first = same_sep & (la <= 2) & ((lc == 4) | (lc == 2))
        hit = year_first | day_first
        y[pos] = np.where(year_first, a, np.where(lc == 2, 2000 + c, c))
        m[pos] = b
        d[pos] = np.where(year_first, c, a)
        matched[pos] = hit
        time_bad[pos] = hit & _time_bad(df)

    # 14 mars 2025, 1er mars 2025, vendredi 14 févr. 2025 10:22
    rest = ~matched
    if rest.any():
        pos, df = _extract(low, rest, _RE_TEXT_DATE)
        month = _lookup_tokens(df["mon"], _MONTHS)
        wd_given = _present(df["wd"])
        wd_ok = ~wd_given | (_lookup_tokens(df["wd"], _WEEKDAYS) == 1)
        hit = _present(df["d"]) & (month > 0) & wd_ok
        yy, ly = _ints(df["y"]), _lens(df["y"])
        y[pos] = np.where(hit, np.where(ly == 2, 2000 + yy, yy), y[pos])
        m[pos] = np.where(hit, month, m[pos])
        d[pos] = np.where(hit, _ints(df["d"]), d[pos])
        matched[pos] |= hit
        time_bad[pos] |= hit & _time_bad(df)

    # mars 2025, 03/2025, 2025-03, 20250314
    rest = ~matched
    if rest.any():
        pos, df = _extract(low, rest, _RE_OTHER_DATE)
        month = _lookup_tokens(df["mon"], _MONTHS)
        text_month = _present(df["mon"]) & (month > 0)
        my, lmy = _ints(df["my"]), _lens(df["my"])
        slash_my = _present(df["m1"])
        slash_ym = _present(df["y2"])
        compact = _present(df["cy"])
        mo = text_month | slash_my | slash_ym
        y[pos] = np.select(
            [text_month, slash_my, slash_ym, compact],
            [np.where(lmy == 2, 2000 + my, my), _ints(df["y1"]), _ints(df["y2"]), _ints(df["cy"])],
            y[pos],
        )
        m[pos] = np.select(
            [text_month, slash_my, slash_ym, compact],
            [month, _ints(df["m1"]), _ints(df["m2"]), _ints(df["cm"])],
            m[pos],
        )
        d[pos] = np.select([mo, compact], [np.ones(len(pos), dtype=np.int64), _ints(df["cd"])], d[pos])
        matched[pos] |= mo | compact
        month_only[pos] = mo

    days, impossible, year_bad = _ymd_to_days(y, m, d)
    reasons = np.full(n, None, dtype=object)
    reasons[~matched] = R_DATE
    reasons[matched & impossible] = R_DATE_IMPOSSIBLE
    reasons[matched & year_bad] = R_DATE_YEAR
    reasons[matched & time_bad] = R_DATE_TIME
    if not month_only_allowed:
        reasons[matched & month_only] = R_DATE_MONTH_ONLY
    invalid = reasons != None  # noqa: E711 - element-wise on an object array
    days = np.where(invalid, _NAT_D, days)
    return days, invalid, reasons


def _datetimes_to_days(objs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Calendar day of datetime/date cells (time and time zone dropped); ok mask."""
    try:
        idx = pd.to_datetime(pd.Index(objs, dtype=object))
        if not isinstance(idx, pd.DatetimeIndex):
            raise TypeError("mixed time zones")
        if idx.tz is not None:
            idx = idx.tz_localize(None)
        days = idx.to_numpy().astype("datetime64[D]")
        return days, ~np.isnat(days)
    except Exception:
        days = np.full(len(objs), _NAT_D)
        for i, v in enumerate(objs):
            try:
                if isinstance(v, np.datetime64):
                    days[i] = v.astype("datetime64[D]")
                else:
                    days[i] = np.datetime64(_dt.date(v.year, v.month, v.day), "D")
            except Exception:
                pass
        return days, ~np.isnat(days)


def _years(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[Y]").astype(np.int64) + 1970


_EXCEL_EPOCH = np.datetime64("1899-12-30", "D")


def _serials_to_days(nums: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Excel serials (and 8-digit AAAAMMJJ integers) to days; reasons for the others."""
    n = len(nums)
    days = np.full(n, _NAT_D)
    reasons = np.full(n, None, dtype=object)
    finite = np.isfinite(nums)
    whole = np.floor(np.clip(np.where(finite, nums, 0), -1, 1e9)).astype(np.int64)
    serial = finite & (whole >= 1) & (whole <= EXCEL_SERIAL_MAX) & (whole != 60)
    # Excel counts a fictitious 29/02/1900: serials up to 59 are one day later than the epoch says.
    offset = np.where(whole < 60, whole + 1, whole)
    days[serial] = _EXCEL_EPOCH + offset[serial].astype("timedelta64[D]")
    compact = finite & (nums == whole) & (whole >= 19000101) & (whole <= 21991231)
    if compact.any():
        cd, bad, ybad = _ymd_to_days(whole[compact] // 10000, whole[compact] // 100 % 100, whole[compact] % 100)
        days[compact] = cd
        sub = np.full(compact.sum(), None, dtype=object)
        sub[bad | ybad] = R_DATE_IMPOSSIBLE
        reasons[compact] = sub
    reasons[~serial & ~compact] = R_DATE_SERIAL
    return days, reasons != None, reasons  # noqa: E711


def _dates_unique(uniq: np.ndarray, month_only_allowed: bool) -> _U:
    n = len(uniq)
    kinds = _kinds(uniq)
    days = np.full(n, _NAT_D)
    empty, invalid, reasons = _new_status(n)
    empty[kinds == K_EMPTY] = True

    sel = np.flatnonzero(kinds == K_STR)
    if len(sel):
        low, blank = _prepare(uniq[sel])
        empty[sel[blank]] = True
        if not blank.all():
            low = low[~blank].reset_index(drop=True) if blank.any() else low
            sel = sel[~blank]
            dd, bad, why = _parse_date_strings(low, month_only_allowed)
            days[sel], invalid[sel], reasons[sel] = dd, bad, why

    sel = np.flatnonzero((kinds == K_DATETIME) | (kinds == K_DATE))
    if len(sel):
        dd, ok = _datetimes_to_days(uniq[sel])
        years = np.where(ok, _years(np.where(ok, dd, np.datetime64("2000-01-01", "D"))), 0)
        good = ok & (years >= MIN_YEAR) & (years <= MAX_YEAR)
        days[sel] = np.where(good, dd, _NAT_D)
        invalid[sel] = ~good
        reasons[sel[~good]] = R_DATE_YEAR

    sel = np.flatnonzero((kinds == K_INT) | (kinds == K_FLOAT))
    if len(sel):
        nums = _to_float_array(uniq[sel])
        nan = np.isnan(nums)
        empty[sel[nan]] = True
        sel = sel[~nan]
        dd, bad, why = _serials_to_days(nums[~nan])
        days[sel], invalid[sel], reasons[sel] = dd, bad, why

    for kind, reason in ((K_TIME, R_DATE_IS_TIME), (K_TIMEDELTA, R_DATE_IS_DURATION),
                         (K_BOOL, R_DATE_IS_BOOL), (K_OTHER, R_DATE)):
        mask = kinds == kind
        invalid[mask] = True
        reasons[mask] = reason

    days = np.where(empty | invalid, _NAT_D, days)
    return _U(days.astype(DATE_DTYPE), empty, invalid, np.where(empty, None, reasons))


def _to_float_array(objs: np.ndarray) -> np.ndarray:
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


def dates(series: Any, month_only_allowed: bool = False) -> Parsed:
    """Parse a column of dates (see the module docstring); values are ``datetime64[s]``."""
    s = _as_series(series)
    try:
        if s.dtype.kind == "M" or isinstance(s.dtype, pd.DatetimeTZDtype):
            return _dates_from_datetime64(s)
        if s.dtype == object and infer_dtype(s, skipna=True) in ("datetime", "datetime64", "date"):
            # Only date/datetime cells (and empties): one column-wise conversion, no factorising.
            conv = pd.to_datetime(pd.Index(_object_values(s), dtype=object))
            if isinstance(conv, pd.DatetimeIndex):
                return _dates_from_datetime64(pd.Series(conv, index=s.index))
    except Exception:  # e.g. mixed time zones: the general path handles them cell by cell
        pass
    return _run(s, lambda u: _dates_unique(u, month_only_allowed), DATE_DTYPE)


def _dates_from_datetime64(s: pd.Series) -> Parsed:
    """Fast path for a column already typed datetime64 by the reader."""
    vals = s
    if isinstance(vals.dtype, pd.DatetimeTZDtype):
        vals = vals.dt.tz_localize(None)
    days = vals.to_numpy(dtype="datetime64[D]")
    empty = np.isnat(days)
    years = _years(np.where(empty, np.datetime64("2000-01-01", "D"), days))
    invalid = ~empty & ((years < MIN_YEAR) | (years > MAX_YEAR))
    days = np.where(invalid, _NAT_D, days)
    reasons = np.where(invalid, R_DATE_YEAR, None).astype(object)
    return Parsed(
        values=pd.Series(days.astype(DATE_DTYPE), index=s.index),
        empty=pd.Series(empty, index=s.index),
        invalid=pd.Series(invalid, index=s.index),
        reasons=pd.Series(reasons, index=s.index, dtype=object),
    )


# --- numbers ----------------------------------------------------------------------------

_THOUSANDS = "[ \u00a0\u202f\u2009\u2007]"
_RE_NUMBER = (
    "^[-+\u2212]?" + _SP + "*"
    "(?:(?:[0-9]{1,3}(?:" + _THOUSANDS + "[0-9]{3})+|[0-9]+)(?:[.,][0-9]*)?|[.,][0-9]+)"
    "(?:e[-+]?[0-9]+)?" + _SP + "*%?$"
)
_RE_HOURS = (
    "^(?:(?P<h>[0-9]{1,9})(?:[.,](?P<hf>[0-9]{1,9}))?" + _SP + "*h(?:eures?|rs?)?"
    "(?:" + _SP + "*(?P<m>[0-9]{1,2})" + _SP + "*(?:min|mn|m)?)?"
    "|(?P<ch>[0-9]{1,9}):(?P<cm>[0-9]{2})(?::(?P<cs>[0-9]{2}))?"
    "|(?P<mm>[0-9]{1,9})" + _SP + "*(?:minutes?|min|mn))$"
)


def _parse_number_strings(low: pd.Series, hours_allowed: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Values, invalid mask and reasons for non-blank stripped lower-case strings."""
    n = len(low)
    out = np.full(n, np.nan)
    reasons = np.full(n, None, dtype=object)
    is_num = _bools(low.str.match(_RE_NUMBER))
    if is_num.any():
        pos = np.flatnonzero(is_num)
        txt = (
            low.iloc[pos]
            .str.replace("[" + _SPACE_CHARS + "%]", "", regex=True)
            .str.replace(",", ".", regex=False)
            .str.replace("\u2212", "-", regex=False)
        )
        out[pos] = _floats_from_text(txt)
    rest = ~is_num
    if hours_allowed and rest.any():
        pos, df = _extract(low, rest, _RE_HOURS)
        h, m = _ints(df["h"]), _ints(df["m"])
        has_hf = _present(df["hf"])
        hf = np.where(has_hf, _ints(df["hf"]) / 10.0 ** _lens(df["hf"]), 0.0)
        ch, cm, cs = _ints(df["ch"]), _ints(df["cm"]), _ints(df["cs"])
        mm = _ints(df["mm"])
        hform, cform, mform = h >= 0, ch >= 0, mm >= 0
        val = np.select(
            [hform, cform, mform],
            [h + hf + np.maximum(m, 0) / 60.0,
             ch + cm / 60.0 + np.maximum(cs, 0) / 3600.0,
             mm / 60.0],
            np.nan,
        )
        found = (hform | cform | mform) & ~(hform & has_hf & (m >= 0))  # "1,5h30" is not a form
        bad = found & ((hform & (m > 59)) | (cform & ((cm > 59) | (cs > 59))))
        out[pos] = np.where(found & ~bad, val, np.nan)
        sub = np.full(len(pos), None, dtype=object)
        sub[~found] = R_NUMBER_OR_HOURS
        sub[found & bad] = R_HOURS
        reasons[pos] = sub
    else:
        reasons[rest] = R_NUMBER_OR_HOURS if hours_allowed else R_NUMBER
    invalid = reasons != None  # noqa: E711
    inf = ~invalid & ~np.isfinite(out)
    reasons[inf] = R_NUMBER_INFINITE
    return out, invalid | inf, reasons


def _durations_to_hours(objs: np.ndarray) -> np.ndarray:
    out = np.full(len(objs), np.nan)
    for i, v in enumerate(objs):
        try:
            if isinstance(v, _dt.time):
                out[i] = v.hour + v.minute / 60 + (v.second + v.microsecond / 1e6) / 3600
            else:
                out[i] = pd.Timedelta(v).total_seconds() / 3600
        except Exception:
            pass
    return out


def _fmt_bound(x: float) -> str:
    if float(x).is_integer():
        return str(int(x))
    return repr(float(x)).replace(".", ",")


def _numbers_unique(uniq: np.ndarray, integer: bool, hours_allowed: bool,
                    minimum: float | None, maximum: float | None) -> _U:
    n = len(uniq)
    kinds = _kinds(uniq)
    out = np.full(n, np.nan)
    empty, invalid, reasons = _new_status(n)
    empty[kinds == K_EMPTY] = True

    sel = np.flatnonzero((kinds == K_INT) | (kinds == K_FLOAT))
    if len(sel):
        nums = _to_float_array(uniq[sel])
        nan = np.isnan(nums)
        inf = np.isinf(nums)
        out[sel] = np.where(nan | inf, np.nan, nums)
        empty[sel[nan]] = True
        invalid[sel[inf]] = True
        reasons[sel[inf]] = R_NUMBER_INFINITE

    sel = np.flatnonzero(kinds == K_STR)
    if len(sel):
        low, blank = _prepare(uniq[sel])
        empty[sel[blank]] = True
        if not blank.all():
            low = low[~blank].reset_index(drop=True) if blank.any() else low
            sel = sel[~blank]
            vals, bad, why = _parse_number_strings(low, hours_allowed)
            out[sel], invalid[sel], reasons[sel] = vals, bad, why

    sel = np.flatnonzero((kinds == K_TIME) | (kinds == K_TIMEDELTA))
    if len(sel):
        if hours_allowed:
            hours = _durations_to_hours(uniq[sel])
            bad = ~np.isfinite(hours)
            out[sel] = hours
            invalid[sel[bad]] = True
            reasons[sel[bad]] = R_HOURS
        else:
            invalid[sel] = True
            reasons[sel] = R_NUMBER_IS_DURATION

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
        low = ok & (out < minimum) if minimum is not None else np.zeros(n, dtype=bool)
        high = ok & (out > maximum) if maximum is not None else np.zeros(n, dtype=bool)
        if minimum is not None and maximum is not None:
            why = f"doit être compris entre {_fmt_bound(minimum)} et {_fmt_bound(maximum)}"
            reasons[low | high] = why
        else:
            if minimum is not None:
                reasons[low] = ("doit être positif ou nul" if minimum == 0
                                else f"doit être supérieur ou égal à {_fmt_bound(minimum)}")
            if maximum is not None:
                reasons[high] = f"doit être inférieur ou égal à {_fmt_bound(maximum)}"
        invalid |= low | high
        ok &= ~(low | high)

    reasons[~invalid] = None
    out = np.where(ok, out, np.nan)
    out = np.where(out == 0, 0.0, out)  # no negative zero
    if integer:
        ints = np.where(ok, out, 0).astype(np.int64)
        values: Any = pd.arrays.IntegerArray(ints, ~ok)
    else:
        values = out
    return _U(values, empty, invalid, reasons)


def numbers(series: Any, integer: bool = False, hours_allowed: bool = False,
            minimum: float | None = None, maximum: float | None = None) -> Parsed:
    """Parse a column of numbers; ``float64``, or ``Int64`` when ``integer``."""
    dtype = "Int64" if integer else "float64"
    return _run(series, lambda u: _numbers_unique(u, integer, hours_allowed, minimum, maximum), dtype)


# --- listed values: booleans, choices, Likert ---------------------------------------------


def _text_of(v: Any) -> str:
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


def _listed(uniq: np.ndarray, lookup: Callable[[Any, str], Any], dtype: Any,
            no_answer: Callable[[str], bool] | None = None) -> _U:
    """Per-distinct-value lookup; ``lookup(raw, normalised)`` returns a value or None."""
    n = len(uniq)
    kinds = _kinds(uniq)
    vals: list[Any] = [None] * n
    empty, invalid, reasons = _new_status(n)
    for i, (v, kind) in enumerate(zip(uniq, kinds)):
        if kind == K_EMPTY:
            empty[i] = True
            continue
        try:
            text = _text_of(v)
        except Exception:
            text = ""
        if kind == K_STR and text == "":
            empty[i] = True
            continue
        norm = normalize_header(text)
        if no_answer is not None and no_answer(norm):
            empty[i] = True
            continue
        found = lookup(v, norm)
        if found is None:
            invalid[i] = True
        else:
            vals[i] = found
    return _U(pd.array(vals, dtype=dtype), empty, invalid, reasons)


# Words are compared after normalize_header; digits on the stripped raw text, so that
# "-1" or "1/0" are not read as "1".
_TRUE_WORDS = {"oui", "o", "vrai", "yes", "y", "true", "x"}
_FALSE_WORDS = {"non", "n", "faux", "no", "false"}
_BOOL_DIGITS = {"1": True, "0": False}


def _boolean_lookup(v: Any, norm: str) -> bool | None:
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (_numbers.Real, np.number, decimal.Decimal)) and not isinstance(v, str):
        try:
            f = float(v)
        except Exception:
            return None
        return True if f == 1 else False if f == 0 else None
    if isinstance(v, str) and v.strip() in _BOOL_DIGITS:
        return _BOOL_DIGITS[v.strip()]
    if norm in _TRUE_WORDS:
        return True
    if norm in _FALSE_WORDS:
        return False
    return None


def booleans(series: Any) -> Parsed:
    """Parse a column of yes/no values; nullable ``boolean``."""

    def parse(uniq: np.ndarray) -> _U:
        res = _listed(uniq, _boolean_lookup, "boolean")
        res.reasons[res.invalid] = R_BOOLEAN
        return res

    return _run(series, parse, "boolean")


def _choice_pairs(choices: Iterable[Any]) -> list[tuple[str, tuple[str, ...]]]:
    pairs: list[tuple[str, tuple[str, ...]]] = []
    for c in choices:
        if isinstance(c, str):
            pairs.append((c, ()))
        elif hasattr(c, "value"):
            pairs.append((str(c.value), tuple(getattr(c, "synonyms", ()) or ())))
        else:
            value, synonyms = c
            if isinstance(synonyms, str):
                synonyms = (synonyms,)
            pairs.append((str(value), tuple(synonyms or ())))
    return pairs


def choices(series: Any, choices: Sequence[Any]) -> Parsed:
    """Parse a column of listed values; returns the canonical values (``str`` dtype)."""
    try:
        pairs = _choice_pairs(choices)
    except Exception:
        pairs = []
    table: dict[str, str] = {}
    for value, synonyms in pairs:
        for form in (value, *synonyms):
            table.setdefault(normalize_header(form), value)
    table.pop("", None)
    allowed = ", ".join(value for value, _ in pairs)
    reason = f"n'est pas une des valeurs autorisées : {allowed}"

    def parse(uniq: np.ndarray) -> _U:
        res = _listed(uniq, lambda v, norm: table.get(norm), STR_DTYPE)
        res.reasons[res.invalid] = reason
        return res

    return _run(series, parse, STR_DTYPE)


_LIKERT_WORDS: dict[str, int] = {}
for _level, _forms in {
    4: ("tres satisfait", "tout a fait satisfait"),
    3: ("plutot satisfait", "satisfait", "assez satisfait"),
    2: ("plutot pas satisfait", "peu satisfait", "plutot insatisfait"),
    1: ("pas du tout satisfait", "pas satisfait", "insatisfait", "tres insatisfait"),
}.items():
    for _form in _forms:
        # Inclusive spellings as survey tools write them: satisfaite, Satisfait(e), Satisfait·e.
        for _variant in ("satisfait", "satisfaite", "satisfait e"):
            _LIKERT_WORDS[_form.replace("satisfait", _variant)] = _level
_LIKERT_DIGITS = {"1": 1, "2": 2, "3": 3, "4": 4}
# Not concerned by a question is no answer too (not a rejected row).
_NO_ANSWER = {"sans avis", "nsp", "ne sait pas", "ne se prononce pas", "sans opinion", "non concerne",
              "non concernee", "non concerne e", "sans objet", "non applicable"}


def _likert_lookup(v: Any, norm: str) -> tuple[int, bool] | None:
    """(level, worded) or None."""
    if isinstance(v, (bool, np.bool_)):
        return None
    if isinstance(v, (_numbers.Real, np.number, decimal.Decimal)) and not isinstance(v, str):
        try:
            f = float(v)
        except Exception:
            return None
        return (int(f), False) if f in (1.0, 2.0, 3.0, 4.0) else None
    if norm in _LIKERT_WORDS:
        return _LIKERT_WORDS[norm], True
    if isinstance(v, str) and v.strip() in _LIKERT_DIGITS:
        return _LIKERT_DIGITS[v.strip()], False
    head, _, tail = norm.partition(" ")
    if head in _LIKERT_DIGITS and _LIKERT_WORDS.get(tail) == _LIKERT_DIGITS[head]:
        return _LIKERT_DIGITS[head], True
    head, _, tail = norm.rpartition(" ")
    if tail in _LIKERT_DIGITS and _LIKERT_WORDS.get(head) == _LIKERT_DIGITS[tail]:
        return _LIKERT_DIGITS[tail], True
    return None


def _likert_unique(uniq: np.ndarray) -> tuple[_U, np.ndarray]:
    worded = np.zeros(len(uniq), dtype=bool)

    def lookup(v: Any, norm: str) -> int | None:
        found = _likert_lookup(v, norm)
        if found is None:
            return None
        return found[0]

    res = _listed(uniq, lookup, "Int8", no_answer=lambda norm: norm in _NO_ANSWER)
    res.reasons[res.invalid] = R_LIKERT
    for i, v in enumerate(uniq):
        if not (res.empty[i] or res.invalid[i]):
            found = _likert_lookup(v, normalize_header(_text_of(v)))
            worded[i] = bool(found and found[1])
    return res, worded


def likert(series: Any) -> Parsed:
    """Parse a column of satisfaction answers; nullable ``Int8`` 1..4, no answer = empty."""
    return _run(series, lambda u: _likert_unique(u)[0], "Int8")


def is_likert_column(series: Any, digits_suffice: bool = False) -> bool:
    """Whether a column holds only Likert answers / no-answers, with at least one answer.

    Bare digits 1..4 alone are not enough unless ``digits_suffice``: at least one answer
    must be worded ("plutôt satisfait", "4 - Très satisfait"...).
    """
    try:
        s = _as_series(series)
        codes, uniques = _factorize(_object_values(s))
        uniq = np.asarray(uniques, dtype=object)
        if len(uniq) == 0:
            return False
        res, worded = _likert_unique(uniq)
        if res.invalid.any():
            return False
        answered = ~res.empty
        if not answered.any():
            return False
        return bool(digits_suffice or worded.any())
    except Exception:
        return False


# --- texts --------------------------------------------------------------------------------


def _texts_unique(uniq: np.ndarray) -> _U:
    n = len(uniq)
    kinds = _kinds(uniq)
    out = np.full(n, None, dtype=object)
    empty, invalid, reasons = _new_status(n)
    empty[kinds == K_EMPTY] = True
    sel = np.flatnonzero(kinds == K_STR)
    if len(sel):
        stripped = _str_series(uniq[sel]).str.strip()
        stripped_obj = stripped.to_numpy(dtype=object, na_value=None)
        blank = _bools(stripped.str.len() == 0)
        out[sel] = stripped_obj
        empty[sel[blank]] = True
    sel = np.flatnonzero((kinds == K_INT) | (kinds == K_FLOAT))
    looped = np.ones(n, dtype=bool)
    looped[kinds == K_STR] = looped[kinds == K_EMPTY] = False
    if len(sel):
        nums = _to_float_array(uniq[sel])
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
            out[i] = _text_of(v)
        except Exception:
            out[i] = None
        if not out[i]:
            empty[i] = True
    out[empty] = None
    try:
        values = pd.array(out, dtype=STR_DTYPE)
    except UnicodeError:  # lone surrogates cannot be stored as UTF-8: replace them with U+FFFD
        values = pd.array([_valid_utf8(v) for v in out], dtype=STR_DTYPE)
    return _U(values, empty, invalid, reasons)


def _valid_utf8(v: Any) -> Any:
    if not isinstance(v, str):
        return v
    return v.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def texts(series: Any) -> Parsed:
    """Text column: stripped strings, integral numbers without ".0", dates in ISO."""
    return _run(series, _texts_unique, STR_DTYPE)


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
