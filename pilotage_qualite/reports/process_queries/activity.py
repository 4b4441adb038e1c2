"""Activité: interventions by registre, site and month; field presence by site and month."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pilotage_qualite.model.periods import Period
from pilotage_qualite.reports.process_queries.sql import months_frame, period_params, query, site_clause


def activity_by_registre(conn, period: Period, site: str | None) -> pd.DataFrame:
    """Interventions, people met and referrals of the period per registre (most frequent first)."""
    return query(conn, f"""
        SELECT registre, count(*) AS interventions, coalesce(sum(nb_personnes), 0)::BIGINT AS personnes,
               count(*) FILTER (WHERE orientation) AS orientations
        FROM activite WHERE date >= $debut AND date < $fin{site_clause(site)}
        GROUP BY registre ORDER BY interventions DESC, registre""", period_params(period, site))


def activity_by_site(conn, period: Period) -> pd.DataFrame:
    """Interventions and people met of the period per site (every site)."""
    return query(conn, """
        SELECT site, count(*) AS interventions, coalesce(sum(nb_personnes), 0)::BIGINT AS personnes,
               count(*) FILTER (WHERE orientation) AS orientations
        FROM activite WHERE date >= $debut AND date < $fin
        GROUP BY site ORDER BY interventions DESC, site""", period_params(period))


def activity_by_month(conn, period: Period, site: str | None) -> pd.DataFrame:
    """Interventions per month and registre over the 12 months ending with the period."""
    counts = query(conn, f"""
        SELECT date_trunc('month', date)::DATE AS mois, registre, count(*) AS interventions
        FROM activite WHERE date >= $debut_fenetre AND date < $fin{site_clause(site)}
        GROUP BY ALL ORDER BY mois, registre""", period_params(period, site))
    counts["mois"] = pd.to_datetime(counts["mois"])
    return months_frame(period).merge(counts, on="mois", how="inner")


def presence_heatmap(conn, period: Period) -> pd.DataFrame:
    """Field presence per site and month over the 12 months ending with the period:
    hours planned and worked and their ratio (ACT-04 per site and month)."""
    rows = query(conn, """
        SELECT site, date_trunc('month', date)::DATE AS mois, sum(heures_planifiees) AS heures_planifiees,
               sum(heures_realisees) AS heures_realisees, count(*) AS lignes
        FROM presence WHERE date >= $debut_fenetre AND date < $fin
        GROUP BY ALL""", period_params(period))
    rows["mois"] = pd.to_datetime(rows["mois"])
    planned = rows["heures_planifiees"].to_numpy(float)
    rows["taux"] = np.divide(100 * rows["heures_realisees"].to_numpy(float), planned,
                             out=np.full(len(rows), np.nan), where=planned > 0)
    return (months_frame(period).merge(rows, on="mois", how="inner")
            .sort_values(["site", "mois"]).reset_index(drop=True))
