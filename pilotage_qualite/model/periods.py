"""Reporting periods: calendar months, quarters and years.

A period has ``debut`` (its first day, included) and ``fin`` (the first day of the next
period, excluded), as defined in ``indicators.md``. Everything here is a pure function
of its arguments.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import total_ordering

from pilotage_qualite.common.months import month_fr

GRAINS = ("mois", "trimestre", "annee")
# Number of months in one period of each grain.
MONTHS_PER_GRAIN = {"mois": 1, "trimestre": 3, "annee": 12}

_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER_RE = re.compile(r"^(\d{4})-[Tt]([1-4])$")
_YEAR_RE = re.compile(r"^(\d{4})$")


class PeriodError(ValueError):
    """A period label or grain could not be understood (French message)."""


def add_months(day: date, months: int) -> date:
    """First-of-month arithmetic: ``day`` must be the first day of a month."""
    index = day.year * 12 + (day.month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


def month_index(day: date) -> int:
    """Months since year 0 (``2025-06-xx`` → 2025 × 12 + 5): handy for joins and windows."""
    return day.year * 12 + day.month - 1


@total_ordering
@dataclass(frozen=True)
class Period:
    grain: str
    debut: date

    def __post_init__(self) -> None:
        if self.grain not in GRAINS:
            raise PeriodError(f"Grain « {self.grain} » inconnu (grains possibles : mois, trimestre, annee).")
        step = MONTHS_PER_GRAIN[self.grain]
        if self.debut.day != 1 or (self.debut.month - 1) % step:
            raise PeriodError(f"Le {self.debut:%d/%m/%Y} n'est pas le premier jour d'un(e) {self.grain}.")

    # --- bounds --------------------------------------------------------------------
    @property
    def fin(self) -> date:
        """First day of the next period (excluded)."""
        return add_months(self.debut, MONTHS_PER_GRAIN[self.grain])

    @property
    def last_day(self) -> date:
        """The period's last day: what a reader means by « au 31/10/2026 » for the end of October."""
        return self.fin - timedelta(days=1)

    @property
    def debut_fenetre(self) -> date:
        """Start of the rolling 12-month window ``[fin − 12 months, fin)``."""
        return add_months(self.fin, -12)

    @property
    def index(self) -> int:
        """Position on this grain's axis (consecutive periods differ by 1)."""
        return month_index(self.debut) // MONTHS_PER_GRAIN[self.grain]

    def contains(self, day: date) -> bool:
        return self.debut <= day < self.fin

    # --- labels --------------------------------------------------------------------
    @property
    def label(self) -> str:
        """Canonical label: ``2025-06``, ``2025-T2`` or ``2025``."""
        if self.grain == "mois":
            return f"{self.debut.year}-{self.debut.month:02d}"
        if self.grain == "trimestre":
            return f"{self.debut.year}-T{(self.debut.month - 1) // 3 + 1}"
        return f"{self.debut.year}"

    @property
    def label_fr(self) -> str:
        """Label for people: ``juin 2025``, ``2e trimestre 2025``, ``2025``."""
        if self.grain == "mois":
            return month_fr(self.debut)
        if self.grain == "trimestre":
            quarter = (self.debut.month - 1) // 3 + 1
            rank = "1er" if quarter == 1 else f"{quarter}e"
            return f"{rank} trimestre {self.debut.year}"
        return f"{self.debut.year}"

    @property
    def short_label_fr(self) -> str:
        """Compact label for axes and tiles: ``juin 2025``, ``T2 2025``, ``2025``."""
        if self.grain == "trimestre":
            return f"T{(self.debut.month - 1) // 3 + 1} {self.debut.year}"
        return self.label_fr

    def __str__(self) -> str:
        return self.label

    # --- navigation ----------------------------------------------------------------
    def shift(self, count: int) -> "Period":
        """The period ``count`` periods later (earlier when negative), same grain."""
        return Period(self.grain, add_months(self.debut, count * MONTHS_PER_GRAIN[self.grain]))

    def previous(self) -> "Period":
        return self.shift(-1)

    def next(self) -> "Period":
        return self.shift(1)

    def year_before(self) -> "Period":
        """The same period one year earlier (June 2024 for June 2025, 2024-T2 for 2025-T2)."""
        return Period(self.grain, add_months(self.debut, -12))

    def __lt__(self, other: "Period") -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return (self.debut, self.fin) < (other.debut, other.fin)


def parse_period(text: str | Period) -> Period:
    """``2025-06`` → June 2025, ``2025-T2`` → 2nd quarter, ``2025`` → year (French error otherwise)."""
    if isinstance(text, Period):
        return text
    raw = str(text).strip()
    if m := _MONTH_RE.match(raw):
        year, month = int(m.group(1)), int(m.group(2))
        if 1 <= month <= 12:
            return Period("mois", date(year, month, 1))
    elif m := _QUARTER_RE.match(raw):
        year, quarter = int(m.group(1)), int(m.group(2))
        return Period("trimestre", date(year, 3 * quarter - 2, 1))
    elif m := _YEAR_RE.match(raw):
        return Period("annee", date(int(m.group(1)), 1, 1))
    raise PeriodError(
        f"Période « {text} » non reconnue : formats attendus 2025-06 (mois), "
        "2025-T2 (trimestre) ou 2025 (année)."
    )


def period_containing(day: date, grain: str = "mois") -> Period:
    """The period of the given grain that contains ``day``."""
    if grain not in GRAINS:
        raise PeriodError(f"Grain « {grain} » inconnu (grains possibles : mois, trimestre, annee).")
    step = MONTHS_PER_GRAIN[grain]
    return Period(grain, date(day.year, (day.month - 1) // step * step + 1, 1))


def periods_ending(period: Period | str, count: int) -> list[Period]:
    """The ``count`` periods ending at ``period`` (included), oldest first."""
    last = parse_period(period)
    if count < 1:
        raise PeriodError("Le nombre de périodes doit être au moins 1.")
    return [last.shift(-k) for k in range(count - 1, -1, -1)]


def periods_between(first: Period | str, last: Period | str) -> list[Period]:
    """All periods from ``first`` to ``last`` included (same grain), oldest first."""
    a, b = parse_period(first), parse_period(last)
    if a.grain != b.grain:
        raise PeriodError("Les deux bornes doivent être du même grain (mois, trimestre ou année).")
    return [a.shift(k) for k in range(b.index - a.index + 1)]
