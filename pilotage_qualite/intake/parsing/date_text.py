"""Dates written as text, read column-wise: numeric, worded (French or English), month only.

``14/03/2025``, ``14-03-25``, ``2025-03-14``, ``14 mars 2025``, ``1er mars 2025``, ``vendredi 14
févr. 2025``, ``mars 2025``, ``03/2025``, ``20250314``..., each with an optional time that is
checked then dropped (see :mod:`.date` for the full list). The forms are tried in turn on the
strings no earlier form matched; the year, month and day found are then turned into days.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pilotage_qualite.intake.parsing.strings import (
    SP,
    bools,
    extract,
    ints,
    lens,
    lookup_tokens,
    present,
    slice_ints,
    subset,
)

MIN_YEAR = 1900
MAX_YEAR = 9999

R_DATE = "n'est pas une date valide (format attendu : JJ/MM/AAAA)"
R_DATE_IMPOSSIBLE = "n'est pas une date valide (jour ou mois impossible)"
R_DATE_YEAR = f"n'est pas une date valide (année hors de {MIN_YEAR} à {MAX_YEAR})"
R_DATE_TIME = "n'est pas une date valide (heure impossible)"
R_DATE_MONTH_ONLY = "est un mois sans jour : une date complète est attendue (JJ/MM/AAAA)"

NAT_D = np.datetime64("NaT", "D")

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
_DSEP = "(?:" + SP + "|[-.,/])*"
_TIME = (
    "(?:(?:" + SP + "+(?:à|a)" + SP + "+|" + SP + "*[t,]" + SP + "*|" + SP + "+)"
    "(?P<hh>[0-9]{1,2})"
    "(?:" + SP + "*[:h]" + SP + "*(?P<mi>[0-9]{2})"
    "(?:" + SP + "*:" + SP + "*(?P<ss>[0-9]{2})(?:[.,][0-9]+)?)?"
    "|" + SP + "*h)"
    "(?:" + SP + "*(?:z|utc|gmt|[-+][0-9]{2}(?::?[0-9]{2})?))?"
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
    "^(?:(?P<wd>" + _LETTER + "+)[.]?,?" + SP + "+)?"
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


def ymd_to_days(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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
    days = np.where(ok, days, NAT_D)
    return days, ~ok & ~year_bad, year_bad


def _time_bad(df: pd.DataFrame) -> np.ndarray:
    hh, mi, ss = ints(df["hh"]), ints(df["mi"]), ints(df["ss"])
    return (hh > 23) | (mi > 59) | (ss > 59)


@dataclass
class _DateParts:
    """What the forms found so far, one slot per string (-1: no year, month or day yet)."""

    y: np.ndarray
    m: np.ndarray
    d: np.ndarray
    matched: np.ndarray
    month_only: np.ndarray
    time_bad: np.ndarray

    @classmethod
    def none_found(cls, n: int) -> _DateParts:
        return cls(y=np.full(n, -1, dtype=np.int64), m=np.full(n, -1, dtype=np.int64),
                   d=np.full(n, -1, dtype=np.int64), matched=np.zeros(n, dtype=bool),
                   month_only=np.zeros(n, dtype=bool), time_bad=np.zeros(n, dtype=bool))


def parse_date_strings(low: pd.Series, month_only_allowed: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Days, invalid mask and reasons for non-blank stripped lower-case strings."""
    found = _DateParts.none_found(len(low))
    _read_fixed_shapes(low, found)
    for read_form in (_read_numeric_dates, _read_worded_dates, _read_months_and_compact_dates):
        rest = ~found.matched
        if rest.any():
            read_form(low, rest, found)
    days, invalid, reasons = _days_and_reasons(found, month_only_allowed)
    _to_local_days(low, days, invalid)
    return days, invalid, reasons


# A time followed by its zone (« 23:30:00z », « 10:00 +02:00 », « 23h30 utc »).
_RE_ZONED_TIME = (r"(?P<hh>[0-9]{1,2})\s*[:h]\s*(?P<mi>[0-9]{2})(?::(?P<ss>[0-9]{2})(?:[.,][0-9]+)?)?\s*"
                  r"(?P<zone>z|utc|gmt|(?P<sign>[-+])(?P<oh>[0-9]{2}):?(?P<om>[0-9]{2})?)$")
_RE_HAS_ZONE = (r"[0-9]{1,2}\s*[:h]\s*[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]+)?)?\s*"
                r"(?:z|utc|gmt|[-+][0-9]{2}:?(?:[0-9]{2})?)$")
LOCAL_ZONE = "Europe/Paris"  # where the structures work: the day an event happened there


def _to_local_days(low: pd.Series, days: np.ndarray, invalid: np.ndarray) -> None:
    """A time written with its zone is an instant: its day is the one in Paris (« 2025-03-31T23:30Z »
    happened on 1 April there). Days are moved in place; strings without a zone keep their day."""
    has_zone = low.str.contains(_RE_HAS_ZONE, regex=True).to_numpy(dtype=bool, na_value=False)
    zoned = np.flatnonzero(has_zone & ~invalid)
    if not len(zoned):
        return
    parts = low.iloc[zoned].str.extract(_RE_ZONED_TIME)

    def number(group: str) -> np.ndarray:  # a few cells: an absent group may read "" or NA
        return np.array([int(x) if isinstance(x, str) and x else 0 for x in parts[group]], dtype=np.int64)

    west = np.array([x == "-" for x in parts["sign"]], dtype=bool)
    offset = np.where(west, -1, 1) * (number("oh") * 60 + number("om"))
    minutes = number("hh") * 60 + number("mi") - offset
    instants = days[zoned].astype("datetime64[m]") + minutes.astype("timedelta64[m]")
    local = pd.DatetimeIndex(instants).tz_localize("UTC").tz_convert(LOCAL_ZONE).tz_localize(None)
    days[zoned] = local.to_numpy().astype("datetime64[D]")


def _read_fixed_shapes(low: pd.Series, found: _DateParts) -> None:
    """The fast lane: 14/03/2025, 2025-03-14 10:22:01 ... read at fixed positions."""
    fixed = bools(low.str.match(_RE_FIXED_DATE))
    if not fixed.any():
        return
    found.matched |= fixed
    year_first = fixed & bools(low.str.slice(4, 5) == "-")
    for rows, (ys, ms, ds) in ((fixed & ~year_first, ((6, 10), (3, 5), (0, 2))),
                               (year_first, ((0, 4), (5, 7), (8, 10)))):
        if rows.any():
            pos, sub = subset(low, rows)
            found.y[pos], found.m[pos], found.d[pos] = (slice_ints(sub, *ys), slice_ints(sub, *ms),
                                                        slice_ints(sub, *ds))
    lengths = lens(low)
    for rows, fields in ((fixed & (lengths >= 16), ((11, 13), (14, 16))),
                         (fixed & (lengths >= 19), ((17, 19),))):
        if rows.any():
            pos, sub = subset(low, rows)
            for part in fields:
                found.time_bad[pos] |= slice_ints(sub, *part) > (23 if part[0] == 11 else 59)


def _read_numeric_dates(low: pd.Series, rest: np.ndarray, found: _DateParts) -> None:
    """14/03/2025, 14-03-25, 14.03.2025, 2025-03-14, each with an optional time."""
    pos, df = extract(low, rest, _RE_NUMERIC_DATE)
    a, b, c = ints(df["a"]), ints(df["b"]), ints(df["c"])
    la, lc = lens(df["a"]), lens(df["c"])
    same_sep = present(df["a"]) & bools(df["s1"] == df["s2"])
    year_first = same_sep & (la == 4) & (lc <= 2)
    day_first = same_sep & (la <= 2) & ((lc == 4) | (lc == 2))
    hit = year_first | day_first
    found.y[pos] = np.where(year_first, a, np.where(lc == 2, 2000 + c, c))
    found.m[pos] = b
    found.d[pos] = np.where(year_first, c, a)
    found.matched[pos] = hit
    found.time_bad[pos] = hit & _time_bad(df)


def _read_worded_dates(low: pd.Series, rest: np.ndarray, found: _DateParts) -> None:
    """14 mars 2025, 1er mars 2025, vendredi 14 févr. 2025 10:22."""
    pos, df = extract(low, rest, _RE_TEXT_DATE)
    month = lookup_tokens(df["mon"], _MONTHS)
    wd_given = present(df["wd"])
    wd_ok = ~wd_given | (lookup_tokens(df["wd"], _WEEKDAYS) == 1)
    hit = present(df["d"]) & (month > 0) & wd_ok
    yy, ly = ints(df["y"]), lens(df["y"])
    found.y[pos] = np.where(hit, np.where(ly == 2, 2000 + yy, yy), found.y[pos])
    found.m[pos] = np.where(hit, month, found.m[pos])
    found.d[pos] = np.where(hit, ints(df["d"]), found.d[pos])
    found.matched[pos] |= hit
    found.time_bad[pos] |= hit & _time_bad(df)


def _read_months_and_compact_dates(low: pd.Series, rest: np.ndarray, found: _DateParts) -> None:
    """mars 2025, 03/2025, 2025-03 (the 1st of the month), 20250314."""
    pos, df = extract(low, rest, _RE_OTHER_DATE)
    month = lookup_tokens(df["mon"], _MONTHS)
    text_month = present(df["mon"]) & (month > 0)
    my, lmy = ints(df["my"]), lens(df["my"])
    slash_my = present(df["m1"])
    slash_ym = present(df["y2"])
    compact = present(df["cy"])
    mo = text_month | slash_my | slash_ym
    found.y[pos] = np.select(
        [text_month, slash_my, slash_ym, compact],
        [np.where(lmy == 2, 2000 + my, my), ints(df["y1"]), ints(df["y2"]), ints(df["cy"])],
        found.y[pos],
    )
    found.m[pos] = np.select(
        [text_month, slash_my, slash_ym, compact],
        [month, ints(df["m1"]), ints(df["m2"]), ints(df["cm"])],
        found.m[pos],
    )
    found.d[pos] = np.select([mo, compact], [np.ones(len(pos), dtype=np.int64), ints(df["cd"])], found.d[pos])
    found.matched[pos] |= mo | compact
    found.month_only[pos] = mo


def _days_and_reasons(found: _DateParts, month_only_allowed: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Days of the valid strings and the reason of the others (where several apply, the last written wins)."""
    days, impossible, year_bad = ymd_to_days(found.y, found.m, found.d)
    matched = found.matched
    reasons = np.full(len(matched), None, dtype=object)
    reasons[~matched] = R_DATE
    reasons[matched & impossible] = R_DATE_IMPOSSIBLE
    reasons[matched & year_bad] = R_DATE_YEAR
    reasons[matched & found.time_bad] = R_DATE_TIME
    if not month_only_allowed:
        reasons[matched & found.month_only] = R_DATE_MONTH_ONLY
    invalid = reasons != None  # noqa: E711 - element-wise on an object array
    days = np.where(invalid, NAT_D, days)
    return days, invalid, reasons
