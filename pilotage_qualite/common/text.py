"""Text normalisation shared by header matching and listed-value matching."""

from __future__ import annotations

import re
import unicodedata

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss"})


def normalize_header(text: object) -> str:
    """Lower case, accents removed, runs of non-alphanumerics folded to one space, trimmed.

    This is the rule of datasets.md for headers and listed values: « Date de réception »,
    "DATE_DE_RECEPTION" and " date  de   reception " all give "date de reception".
    """
    if text is None:
        return ""
    lowered = str(text).lower().translate(_LIGATURES)
    decomposed = unicodedata.normalize("NFKD", lowered)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_ALNUM.sub(" ", stripped).strip()
