"""French formats for numbers and dates, shared by pages and exports.

`92,5 %`, `1 234`, `14/03/2025` (month names: `months`). A missing value is never shown as 0: it is
« pas de données ».
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd

NO_DATA = "pas de données"
NARROW_NBSP = "\u202f"  # thousands separator and before units, as French typography wants
NBSP = "\u00a0"

UNIT_SUFFIX = {"%": f"{NBSP}%", "jours": f"{NBSP}j", "heures": f"{NBSP}h", "nombre": "", "ratio": ""}


def is_missing(value: object) -> bool:
    """None, NaN, pandas NA or NaT: a value that must read « pas de données », never 0."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def number(value: float | int | None, decimals: int = 0) -> str:
    """1234.5 → « 1 234,5 » (narrow no-break space for thousands, decimal comma)."""
    if is_missing(value):
        return NO_DATA
    text = f"{value:,.{decimals}f}"
    return text.replace(",", NARROW_NBSP).replace(".", ",")


INPUT_DECIMALS = 3  # what a typed target keeps


def input_text(value: float | None) -> str:
    """A number as the user types it back: 80.0 → « 80 », 80.5 → « 80,5 », None → « » (no thousands
    separator, so that the field reads as one number)."""
    if is_missing(value):
        return ""
    return f"{value:.{INPUT_DECIMALS}f}".rstrip("0").rstrip(".").replace(".", ",")


def parse_input_number(text: str, field: str) -> float | None:
    """« 80 », « 80,5 », « 80.5 », « 1 200 », « 85 % » → a float; empty → None; anything else is a
    French ValueError naming the field."""
    cleaned = (text or "").strip().removesuffix("%").strip()
    for space in (" ", NBSP, NARROW_NBSP):
        cleaned = cleaned.replace(space, "")
    if not cleaned:
        return None
    try:
        value = float(cleaned.replace(",", "."))
    except ValueError:
        raise ValueError(f"{field} : « {text.strip()} » n'est pas un nombre (écrivez par exemple 80 ou 80,5).") from None
    if not math.isfinite(value):
        raise ValueError(f"{field} : « {text.strip()} » n'est pas un nombre (écrivez par exemple 80 ou 80,5).")
    return value


def with_unit(value: float | int | None, unit: str, decimals: int = 0) -> str:
    """A value with its unit: « 92,5 % », « 12 j », « 1 234 »."""
    if is_missing(value):
        return NO_DATA
    return number(value, decimals) + UNIT_SUFFIX.get(unit, f"{NBSP}{unit}")


def target_bound(target: float | None, direction: object, unit: str, decimals: int = 0) -> str | None:
    """« ≥ 90,0 % » (≤ when lower is better), as a table's « Cible » cell; None without a target.
    No-break spaces: the sign never ends a line without its value."""
    if is_missing(target):
        return None
    sign = "≥" if direction == "hausse" else "≤"
    return f"{sign}{NBSP}{with_unit(target, unit, decimals)}"


def target_text(target: float | None, direction: object, unit: str, decimals: int = 0) -> str:
    """« cible ≥ 90,0 % », « sans cible »: one unbreakable group (a tile 242 px wide at 1280 px
    showed « cible ≥ » at the end of one line and « 90,0 % » on the next)."""
    bound = target_bound(target, direction, unit, decimals)
    return "sans cible" if bound is None else f"cible{NBSP}{bound}"


def signed(value: float | None, unit: str, decimals: int = 0) -> str | None:
    """A change: « +2,5 pts », « −3 »; None when it cannot be computed."""
    if is_missing(value):
        return None
    sign = "+" if value > 0 else ("−" if value < 0 else "")
    suffix = f"{NBSP}pt" if unit == "%" else UNIT_SUFFIX.get(unit, "")
    return sign + number(abs(value), decimals) + suffix


def date_fr(day: dt.date | dt.datetime | None) -> str:
    if day is None or (isinstance(day, float) and math.isnan(day)):
        return ""
    return day.strftime("%d/%m/%Y")


def datetime_fr(moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    return moment.strftime("%d/%m/%Y à %H:%M")


DATE_HINT = "jj/mm/aaaa"  # a date field's placeholder, as a French form writes it
_DATE_SEPARATORS = ("/", "-", ".")


def parse_input_date(text: str | None) -> dt.date | None:
    """A date typed the French way: « 05/12/2026 », « 5/12/2026 », « 05-12-2026 », « 05.12.2026 »
    (day, month, year of four digits); empty → None; anything else is a French ValueError
    « Date non reconnue : … (attendu jj/mm/aaaa) »."""
    cleaned = (text or "").strip()
    if not cleaned:
        return None
    parts = next((cleaned.split(sep) for sep in _DATE_SEPARATORS if sep in cleaned), [cleaned])
    parts = [part.strip() for part in parts]
    widths_ok = len(parts) == 3 and [len(part) <= 2 for part in parts[:2]] == [True, True] and len(parts[2]) == 4
    if widths_ok and all(part.isascii() and part.isdigit() for part in parts):
        try:
            return dt.date(int(parts[2]), int(parts[1]), int(parts[0]))
        except ValueError:
            pass
    raise ValueError(f"Date non reconnue : « {cleaned} » (attendu {DATE_HINT}).")


def input_date_text(day: dt.date | None) -> str:
    """A date as the user types it back: « 05/12/2026 » (the year on four digits, whatever it is);
    None → « »."""
    return "" if day is None else f"{day.day:02d}/{day.month:02d}/{day.year:04d}"
