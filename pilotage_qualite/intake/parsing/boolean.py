"""The yes/no parser: ``booleans(series)`` -> nullable ``boolean``.

oui/non, o/n, vrai/faux, yes/no, y, true/false, 1/0, x (= oui), any case / accents /
surrounding spaces; bool cells; numeric cells 1 and 0.
"""

from __future__ import annotations

import decimal
import numbers as _numbers
from typing import Any

import numpy as np

from pilotage_qualite.intake.parsing.common import DistinctResults, Parsed, parse_distinct
from pilotage_qualite.intake.parsing.listed import listed_values

R_BOOLEAN = "n'est pas une valeur oui/non (oui, non, vrai, faux, o, n, x, 1, 0)"

# Words are compared after normalize_header; digits on the stripped raw text, so that
# "-1" or "1/0" are not read as "1".
_TRUE_WORDS = {"oui", "o", "vrai", "yes", "y", "true", "x"}
_FALSE_WORDS = {"non", "n", "faux", "no", "false"}
_BOOL_DIGITS = {"1": True, "0": False}


def booleans(series: Any) -> Parsed:
    """Parse a column of yes/no values; nullable ``boolean``."""

    def parse(uniq: np.ndarray) -> DistinctResults:
        res = listed_values(uniq, _boolean_lookup, "boolean")
        res.reasons[res.invalid] = R_BOOLEAN
        return res

    return parse_distinct(series, parse, "boolean")


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
