"""Satisfaction answers on a four-level scale: ``likert(series)`` -> nullable ``Int8`` 1..4.

4 = très satisfait (tout à fait satisfait), 3 = plutôt satisfait (satisfait, assez satisfait),
2 = plutôt pas satisfait (peu satisfait, plutôt insatisfait), 1 = pas du tout satisfait (pas
satisfait, insatisfait, très insatisfait); feminine forms too; the digits 1..4 (numeric or
text) and prefixed/suffixed labels such as ``4 - Très satisfait`` or ``Très satisfait (4)``
when digit and words agree. "Sans avis", "NSP", "ne sait pas", "ne se prononce pas", "sans
opinion" are *no answer*: ``empty`` is True, not invalid.

``is_likert_column(series, digits_suffice=False) -> bool``: True when every non-empty cell is a
Likert answer or a no-answer, at least one cell is an actual answer and -- unless
``digits_suffice`` -- at least one answer is worded (a column of bare 1..4 digits may be a
count or a grade; the caller decides with ``digits_suffice``).
"""

from __future__ import annotations

import decimal
import numbers as _numbers
from typing import Any

import numpy as np

from pilotage_qualite.common.text import normalize_header
from pilotage_qualite.intake.parsing.common import (
    DistinctResults,
    Parsed,
    as_series,
    factorize,
    object_values,
    parse_distinct,
)
from pilotage_qualite.intake.parsing.listed import listed_values
from pilotage_qualite.intake.parsing.text import text_of

R_LIKERT = (
    "n'est pas une réponse de l'échelle de satisfaction (très satisfait, plutôt satisfait, "
    "plutôt pas satisfait, pas du tout satisfait, 1 à 4, ou sans avis)"
)

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


def likert(series: Any) -> Parsed:
    """Parse a column of satisfaction answers; nullable ``Int8`` 1..4, no answer = empty."""
    return parse_distinct(series, lambda u: _likert_unique(u)[0], "Int8")


def is_likert_column(series: Any, digits_suffice: bool = False) -> bool:
    """Whether a column holds only Likert answers / no-answers, with at least one answer.

    Bare digits 1..4 alone are not enough unless ``digits_suffice``: at least one answer
    must be worded ("plutôt satisfait", "4 - Très satisfait"...).
    """
    try:
        s = as_series(series)
        codes, uniques = factorize(object_values(s))
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


def _likert_unique(uniq: np.ndarray) -> tuple[DistinctResults, np.ndarray]:
    """Levels of the distinct values, and which of them were worded."""
    worded = np.zeros(len(uniq), dtype=bool)

    def lookup(v: Any, norm: str) -> int | None:
        found = _likert_lookup(v, norm)
        if found is None:
            return None
        return found[0]

    res = listed_values(uniq, lookup, "Int8", no_answer=lambda norm: norm in _NO_ANSWER)
    res.reasons[res.invalid] = R_LIKERT
    for i, v in enumerate(uniq):
        if not (res.empty[i] or res.invalid[i]):
            found = _likert_lookup(v, normalize_header(text_of(v)))
            worded[i] = bool(found and found[1])
    return res, worded
