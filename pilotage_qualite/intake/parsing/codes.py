"""A text cell listing indicator codes (« REC-03, SAT-01 », « rec-03 sat-01 »): each code is
checked against the catalogue; a cell naming a code the catalogue does not hold is invalid
(datasets.md: an invalid optional cell, left empty with a warning). Valid cells are written
the same way whatever the separators and case: « REC-03, SAT-01 », in the order given."""

from __future__ import annotations

import re
from collections.abc import Collection

import pandas as pd

from pilotage_qualite.intake.parsing.common import Parsed

_SEPARATORS = re.compile(r"[\s,;/]+")


def indicator_codes(parsed: Parsed, known: Collection[str]) -> Parsed:
    """``parsed``: the column read as text. Each distinct cell is checked once."""
    by_upper = {code.upper(): code for code in known}
    values, invalid, reasons = parsed.values.copy(), parsed.invalid.copy(), parsed.reasons.copy()
    for text in parsed.values[parsed.ok].unique():
        codes = list(dict.fromkeys(c for c in _SEPARATORS.split(str(text).upper()) if c))
        unknown = [c for c in codes if c not in by_upper]
        cells = parsed.ok & (parsed.values == text)
        if unknown:
            values[cells] = pd.NA
            invalid[cells] = True
            names = ", ".join(f"« {c} »" for c in unknown)
            reasons[cells] = (f"nomme {names}, absent du catalogue des indicateurs" if len(unknown) == 1
                              else f"nomme {names}, absents du catalogue des indicateurs")
        else:
            values[cells] = ", ".join(by_upper[c] for c in codes)
    return Parsed(values, parsed.empty, invalid, reasons)
