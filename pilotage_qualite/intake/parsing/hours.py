"""Durations in hours, for number columns declared with ``hours_allowed``.

``7h``, ``7 h``, ``7 heures``, ``1,5 h``, ``2h30`` (2.5), ``2 h 30``, ``2h30min``, ``0h45``,
``1:30`` (1.5), ``1:30:00``, ``45 min`` (0.75), and ``time`` / ``timedelta`` cells.
"""

from __future__ import annotations

import datetime as _dt

import numpy as np
import pandas as pd

from pilotage_qualite.intake.parsing.strings import SP, extract, ints, lens, present

R_NUMBER_OR_HOURS = "n'est pas un nombre ni une durée (ex. 7 ; 7,5 ; 2h30 ; 1:30)"
R_HOURS = "n'est pas une durée valide (minutes ou secondes au-delà de 59)"

_RE_HOURS = (
    "^(?:(?P<h>[0-9]{1,9})(?:[.,](?P<hf>[0-9]{1,9}))?" + SP + "*h(?:eures?|rs?)?"
    "(?:" + SP + "*(?P<m>[0-9]{1,2})" + SP + "*(?:min|mn|m)?)?"
    "|(?P<ch>[0-9]{1,9}):(?P<cm>[0-9]{2})(?::(?P<cs>[0-9]{2}))?"
    "|(?P<mm>[0-9]{1,9})" + SP + "*(?:minutes?|min|mn))$"
)


def hours_from_strings(low: pd.Series, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Positions of ``rows`` in ``low``, their hours (NaN if not a duration) and reasons."""
    pos, df = extract(low, rows, _RE_HOURS)
    h, m = ints(df["h"]), ints(df["m"])
    has_hf = present(df["hf"])
    hf = np.where(has_hf, ints(df["hf"]) / 10.0 ** lens(df["hf"]), 0.0)
    ch, cm, cs = ints(df["ch"]), ints(df["cm"]), ints(df["cs"])
    mm = ints(df["mm"])
    hform, cform, mform = h >= 0, ch >= 0, mm >= 0
    val = np.select(
        [hform, cform, mform],
        [h + hf + np.maximum(m, 0) / 60.0,
         ch + cm / 60.0 + np.maximum(cs, 0) / 3600.0,
         mm / 60.0],
        np.nan,
    )
    found = (hform | cform | mform) & ~(hform & has_hf & (m >= 0))  # "1,5h30" is not a form
    bad = found & ((hform & (m > 59)) | (cform & ((cm > 59) | (cs > 59))))
    reasons = np.full(len(pos), None, dtype=object)
    reasons[~found] = R_NUMBER_OR_HOURS
    reasons[found & bad] = R_HOURS
    return pos, np.where(found & ~bad, val, np.nan), reasons


def durations_to_hours(objs: np.ndarray) -> np.ndarray:
    """Hours of ``time`` and ``timedelta`` cells; NaN where one cannot be read."""
    out = np.full(len(objs), np.nan)
    for i, v in enumerate(objs):
        try:
            if isinstance(v, _dt.time):
                out[i] = v.hour + v.minute / 60 + (v.second + v.microsecond / 1e6) / 3600
            else:
                out[i] = pd.Timedelta(v).total_seconds() / 3600
        except Exception:
            pass
    return out
