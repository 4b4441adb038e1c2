"""Audits: the findings still open at `fin`, by type and age."""

from __future__ import annotations

import pandas as pd

from pilotage_qualite.model.periods import Period
from pilotage_qualite.reports.process_queries.sql import band_case, literal, period_params, query

# Age of an open audit finding at `fin`.
FINDING_AGE_BANDS = ((90, "≤ 3 mois"), (182, "3 à 6 mois"), (365, "6 à 12 mois"), (None, "> 1 an"))
# Findings that wait for a closure (« point fort » is not one).
FINDING_TYPES = ("non-conformité majeure", "non-conformité mineure", "point sensible", "piste de progrès")

_OPEN_FINDING = "date < $fin AND (date_levee IS NULL OR date_levee >= $fin)"


def open_findings_by_age(conn, period: Period) -> pd.DataFrame:
    """Audit findings still open at `fin` per type of finding and age band (age = fin − date):
    every type × band, zeros included. The two kinds of non-conformity add up to AUD-01."""
    label, _ = band_case("($fin - date)", FINDING_AGE_BANDS)
    types = ", ".join(literal(t) for t in FINDING_TYPES)
    counts = query(conn, f"""
        SELECT constat, {label} AS tranche, count(*) AS nombre
        FROM audits WHERE constat IN ({types}) AND {_OPEN_FINDING}
        GROUP BY ALL""", period_params(period))
    grid = pd.DataFrame([(t, i, text, j) for i, t in enumerate(FINDING_TYPES)
                         for j, (_, text) in enumerate(FINDING_AGE_BANDS)],
                        columns=["constat", "rang_constat", "tranche", "ordre"])
    frame = grid.merge(counts, on=["constat", "tranche"], how="left")
    frame["nombre"] = frame["nombre"].fillna(0).astype(int)
    return frame


def open_findings(conn, period: Period) -> pd.DataFrame:
    """The open findings at `fin` (non-conformities first, then the oldest)."""
    types = ", ".join(literal(t) for t in FINDING_TYPES)
    order = " ".join(f"WHEN {literal(t)} THEN {i}" for i, t in enumerate(FINDING_TYPES))
    return query(conn, f"""
        SELECT constat, audit, type_audit, date, processus, description, action, $fin - date AS age_jours
        FROM audits WHERE constat IN ({types}) AND {_OPEN_FINDING}
        ORDER BY CASE constat {order} END, date, audit""", period_params(period))
