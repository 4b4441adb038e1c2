"""Documentation: documents whose review is overdue or due soon, and the count per situation."""

from __future__ import annotations

import pandas as pd

from pilotage_qualite.model.periods import Period
from pilotage_qualite.reports.process_queries.sql import period_params, query

DOCUMENT_HORIZON_DAYS = 60
DOCUMENT_DEFAULT_REVIEW_MONTHS = 24  # DOC-01: next review = date_revision + 24 months when empty

_NEXT_REVIEW = (f"coalesce(date_prochaine_revision, "
                f"(date_revision + INTERVAL {DOCUMENT_DEFAULT_REVIEW_MONTHS} MONTH)::DATE)")


def documents_due(conn, period: Period, horizon_days: int = DOCUMENT_HORIZON_DAYS) -> pd.DataFrame:
    """Documents in force (not archived, revised before `fin`) whose next review is past at
    `fin` or falls within `horizon_days` after it; `jours` = next review − fin."""
    return query(conn, f"""
        SELECT CASE WHEN {_NEXT_REVIEW} < $fin THEN 'révision dépassée'
                    ELSE 'à réviser dans les {horizon_days} jours' END AS situation,
               code, titre, version, statut, date_revision, {_NEXT_REVIEW} AS prochaine_revision,
               {_NEXT_REVIEW} - $fin AS jours
        FROM documents
        WHERE statut IS DISTINCT FROM 'archivé' AND date_revision < $fin
          AND {_NEXT_REVIEW} < $fin + INTERVAL {int(horizon_days)} DAY
        ORDER BY prochaine_revision, code""", period_params(period))


def document_status(conn, period: Period, horizon_days: int = DOCUMENT_HORIZON_DAYS) -> pd.DataFrame:
    """Documents in force at `fin` per review situation (every situation, zeros included);
    « à jour » + « à réviser » over the total is DOC-01."""
    situations = ("révision dépassée", f"à réviser dans les {horizon_days} jours", "à jour")
    counts = query(conn, f"""
        SELECT CASE WHEN {_NEXT_REVIEW} < $fin THEN '{situations[0]}'
                    WHEN {_NEXT_REVIEW} < $fin + INTERVAL {int(horizon_days)} DAY THEN '{situations[1]}'
                    ELSE '{situations[2]}' END AS situation, count(*) AS nombre
        FROM documents WHERE statut IS DISTINCT FROM 'archivé' AND date_revision < $fin
        GROUP BY ALL""", period_params(period))
    frame = pd.DataFrame({"situation": situations, "ordre": range(3)}).merge(counts, on="situation", how="left")
    frame["nombre"] = frame["nombre"].fillna(0).astype(int)
    return frame
