"""The listed-values parser: ``choices(series, choices)`` -> ``str`` (pandas string dtype, NaN if missing).

``choices`` is a sequence of ``(canonical value, synonyms)`` pairs, of objects with ``.value``
and ``.synonyms`` (``declarations.Choice``), or of plain strings. Matching uses
:func:`normalize_header` on the cell, the values and the synonyms; the canonical value is
returned. When two entries normalise alike, the first one wins.
"""

from __future__ import annotations

from typing import Any, Iterable, Sequence

import numpy as np

from pilotage_qualite.common.text import normalize_header
from pilotage_qualite.intake.parsing.common import STR_DTYPE, DistinctResults, Parsed, parse_distinct
from pilotage_qualite.intake.parsing.listed import listed_values


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

    def parse(uniq: np.ndarray) -> DistinctResults:
        res = listed_values(uniq, lambda v, norm: table.get(norm), STR_DTYPE)
        res.reasons[res.invalid] = reason
        return res

    return parse_distinct(series, parse, STR_DTYPE)


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
