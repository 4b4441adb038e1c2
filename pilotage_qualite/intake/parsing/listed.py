"""Listed values (yes/no, choices, Likert answers): looked up once per distinct value.

Words are compared after :func:`normalize_header` of the cell's text, so case, accents and
surrounding spaces do not matter.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pandas as pd

from pilotage_qualite.common.text import normalize_header
from pilotage_qualite.intake.parsing.common import K_EMPTY, K_STR, DistinctResults, kinds_of, new_status
from pilotage_qualite.intake.parsing.text import text_of


def listed_values(uniq: np.ndarray, lookup: Callable[[Any, str], Any], dtype: Any,
                  no_answer: Callable[[str], bool] | None = None) -> DistinctResults:
    """Per-distinct-value lookup; ``lookup(raw, normalised)`` returns a value or None.

    The caller writes the reason of the invalid values (``reasons`` is left empty).
    """
    n = len(uniq)
    kinds = kinds_of(uniq)
    vals: list[Any] = [None] * n
    empty, invalid, reasons = new_status(n)
    for i, (v, kind) in enumerate(zip(uniq, kinds)):
        if kind == K_EMPTY:
            empty[i] = True
            continue
        try:
            text = text_of(v)
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
    return DistinctResults(pd.array(vals, dtype=dtype), empty, invalid, reasons)
