"""The record of a closed meeting, as evidence (product.md « committee's record »): what the meeting
showed, in named parts, each written as canonical JSON and fingerprinted with SHA-256, and the
fingerprint of the whole record made of the parts' fingerprints in a fixed order. The store keeps
the texts and the fingerprints; anyone can recompute them (``verifier``), and a paper pack printing
the whole record's fingerprint can be checked against the base.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from pilotage_qualite.model.periods import Period

# The parts, in the order the whole record's fingerprint reads them (French: the words of `verifier`).
PARTS = ("reunion", "participants", "notes", "decisions", "indicateurs", "ordre_du_jour")
PART_LABEL = {"reunion": "la réunion (date, période, site)", "participants": "les participants",
              "notes": "les notes des points", "decisions": "les décisions",
              "indicateurs": "les indicateurs montrés (valeurs, n, statuts, cibles, définitions)",
              "ordre_du_jour": "l'ordre du jour (les huit points, leurs tableaux et constats)"}
WHOLE = "empreinte globale"  # the record's fingerprint itself no longer matches its parts'


def plain(value: Any) -> Any:
    """A value as JSON can hold it, the same way every time: dataclasses and mappings as objects,
    tables as lists of rows, dates in ISO, periods by their label, a missing number as null."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Period):
        return value.label
    if isinstance(value, pd.DataFrame):
        return [{str(k): plain(v) for k, v in row.items()} for row in value.to_dict(orient="records")]
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [plain(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, (set, frozenset)) else items
    if isinstance(value, (pd.Timestamp, dt.datetime, dt.date)):
        return value.isoformat()
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else float(value)
    return str(value)


def canonical(value: Any) -> str:
    """The part's text: keys sorted, no spacing left to chance, accents kept."""
    return json.dumps(plain(value), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def fingerprint(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def whole_fingerprint(parts: Mapping[str, str]) -> str:
    """The record's fingerprint from its parts' fingerprints (``parts``: part → fingerprint)."""
    return fingerprint("\n".join(f"{name}:{parts.get(name, '')}" for name in PARTS))


def definition_digest(definition: Any) -> str:
    """A short fingerprint of an indicator's definition as the engine read it (its parsed form)."""
    return fingerprint(repr(definition))[:16]
