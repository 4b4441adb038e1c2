"""French month names, full and abbreviated, and the month labels made of them.

Light on purpose (no pandas): the model's periods use it, and the command line loads them at
start-up.
"""

from __future__ import annotations

import datetime as dt

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
          "octobre", "novembre", "décembre")
MONTH_ABBREVIATIONS = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
                       "nov.", "déc.")


def month_fr(day: dt.date) -> str:
    """« mars 2025 »."""
    return f"{MONTHS[day.month - 1]} {day.year}"


def short_month_fr(day: dt.date) -> str:
    """« nov. 2025 »: compact month for chart axes and tables."""
    return f"{MONTH_ABBREVIATIONS[day.month - 1]} {day.year}"
