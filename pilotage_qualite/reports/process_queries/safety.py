"""Sécurité: adverse events by type and site, the rate per 1,000 hours by month and by site."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pilotage_qualite.model.periods import Period
from pilotage_qualite.reports.process_queries.sql import months_frame, period_params, query, site_clause


def incidents_by_type_and_site(conn, period: Period, site: str | None) -> pd.DataFrame:
    """Adverse events of the period per type and site: every type and site ever seen, zeros
    included (the dataset has rows, so no event is a real zero)."""
    clause = site_clause(site)
    return query(conn, f"""
        WITH types AS (SELECT DISTINCT type FROM incidents),
             sites AS (SELECT DISTINCT site FROM incidents WHERE TRUE{clause}),
             counts AS (SELECT type, site, count(*) AS nombre, coalesce(sum(jours_arret), 0)::BIGINT AS jours_arret
                        FROM incidents WHERE date >= $debut AND date < $fin{clause} GROUP BY ALL)
        SELECT t.type, s.site, coalesce(c.nombre, 0) AS nombre, coalesce(c.jours_arret, 0) AS jours_arret
        FROM types t CROSS JOIN sites s LEFT JOIN counts c USING (type, site)
        ORDER BY t.type, s.site""", period_params(period, site))


def incident_rate_by_month(conn, period: Period, site: str | None) -> pd.DataFrame:
    """Events, field hours worked and events per 1,000 hours, month by month over the 12
    months ending with the period (SEC-03 monthly). No hours → no rate (never 0)."""
    clause = site_clause(site)
    frame = query(conn, f"""
        WITH e AS (SELECT date_trunc('month', date)::DATE AS mois, count(*) AS evenements
                   FROM incidents WHERE date >= $debut_fenetre AND date < $fin{clause} GROUP BY ALL),
             h AS (SELECT date_trunc('month', date)::DATE AS mois, sum(heures_realisees) AS heures
                   FROM presence WHERE date >= $debut_fenetre AND date < $fin{clause} GROUP BY ALL)
        SELECT mois, coalesce(e.evenements, 0) AS evenements, h.heures
        FROM h FULL JOIN e USING (mois)""", period_params(period, site))
    frame["mois"] = pd.to_datetime(frame["mois"])
    frame = months_frame(period).merge(frame, on="mois", how="left")
    frame["evenements"] = frame["evenements"].fillna(0).astype(int)
    hours = frame["heures"].to_numpy(float)
    frame["taux_1000h"] = np.divide(1000 * frame["evenements"].to_numpy(float), hours,
                                    out=np.full(len(frame), np.nan), where=np.isfinite(hours) & (hours > 0))
    return frame


def incident_rate_by_site(conn, period: Period) -> pd.DataFrame:
    """Per site: events of the period, field hours worked and events per 1,000 hours (SEC-03)."""
    frame = query(conn, """
        WITH e AS (SELECT site, count(*) AS evenements FROM incidents
                   WHERE date >= $debut AND date < $fin GROUP BY site),
             h AS (SELECT site, sum(heures_realisees) AS heures FROM presence
                   WHERE date >= $debut AND date < $fin GROUP BY site)
        SELECT site, coalesce(e.evenements, 0) AS evenements, h.heures
        FROM h FULL JOIN e USING (site) ORDER BY site""", period_params(period))
    hours = frame["heures"].to_numpy(float)
    frame["taux_1000h"] = np.divide(1000 * frame["evenements"].to_numpy(float), hours,
                                    out=np.full(len(frame), np.nan), where=np.isfinite(hours) & (hours > 0))
    return frame
