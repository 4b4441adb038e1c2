"""The day a register was extracted, as its title rows say (« Exporté le 05/01/2026 »).

A register lists everything up to the day it was extracted: that day, not its last row's date,
is where its coverage ends (indicators.md « Coverage »). Only the rows above the header are read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from pilotage_qualite.common.text import normalize_header
from pilotage_qualite.intake.parsing.common import parse_cell
from pilotage_qualite.intake.parsing.date import dates

# The words that announce an extraction day, normalised (lower case, no accents).
_ANNOUNCED = re.compile(r"\b(exporte|export|extraction|extrait|edite|edition|genere|mis a jour|mise a jour|"
                        r"donnees au|etat au|situation au|arrete au)\b")
_DAY = re.compile(r"\d{1,2}/\d{1,2}/\d{2,4}|\d{4}-\d{2}-\d{2}|\d{1,2}(?:er)?\s+[a-zéû.]+\s+\d{4}")


def extraction_date(title_cells: Iterable[object]) -> date | None:
    """The first day announced by an extraction word in these cells, None when none says so."""
    for cell in title_cells:
        if not isinstance(cell, str):
            continue
        if _ANNOUNCED.search(normalize_header(cell)) is None:
            continue
        for found in _DAY.finditer(cell.lower()):
            parsed = parse_cell(dates, found.group(0))
            if parsed.value is not None:
                return parsed.value
    return None
