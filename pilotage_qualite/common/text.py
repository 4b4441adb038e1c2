"""Text rules shared by every layer: normalisation for header and listed-value matching, and
text from files made inert before Streamlit renders it as Markdown."""

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


_MARKDOWN_SPECIAL = set("\\`*_{}[]()#+-.!|<>~:$&")


def md(text: object) -> str:
    """Text from a file (name, header, cell, message quoting them) made inert in Markdown:
    no link, image, emphasis, directive or HTML entity can come out of it."""
    return "".join("\\" + ch if ch in _MARKDOWN_SPECIAL else ch for ch in str(text)).replace("\n", " ")
