"""Formation et RH: training hours per ETP, the professional title, onboarding, headcount."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pilotage_qualite.model.periods import Period
from pilotage_qualite.reports.process_queries.sql import period_params, query, site_clause, with_wilson

_PRESENT_AT_FIN = "date_entree < $fin AND (date_sortie IS NULL OR date_sortie >= $fin)"


def training_hours(conn, period: Period) -> pd.DataFrame:
    """Training hours done over the 12 months ending with the period, per type of training,
    and the same per ETP present at `fin`: the rows add up to FOR-01."""
    frame = query(conn, f"""
        SELECT coalesce(type, 'non précisé') AS type, sum(heures) AS heures, count(*) AS participations,
               count(DISTINCT salarie) AS personnes,
               (SELECT sum(etp) FROM effectifs WHERE {_PRESENT_AT_FIN}) AS etp
        FROM formations WHERE statut = 'réalisée' AND date >= $debut_fenetre AND date < $fin
        GROUP BY ALL ORDER BY heures DESC, type""", period_params(period))
    etp = frame["etp"].to_numpy(float)
    frame["heures_par_etp"] = np.divide(frame["heures"].to_numpy(float), etp, out=np.full(len(frame), np.nan),
                                        where=etp > 0)
    return frame


def certification_by_site(conn, period: Period) -> pd.DataFrame:
    """Mediators present at `fin` per site: n, holders of the professional title, share and
    Wilson 95 % interval (FOR-02 per site)."""
    frame = query(conn, f"""
        SELECT coalesce(site, 'sans site') AS site, count(*) AS n,
               count(*) FILTER (WHERE certifie) AS certifies
        FROM effectifs WHERE fonction = 'médiateur' AND {_PRESENT_AT_FIN}
        GROUP BY ALL ORDER BY site""", period_params(period))
    return with_wilson(frame, successes="certifies")


def onboarding(conn, period: Period, site: str | None) -> pd.DataFrame:
    """People who joined in the 12 months ending with the period and their onboarding at `fin`:
    done within 3 months (date_fin_integration ≤ date_entree + 90 days, as FOR-03), done later,
    still within its 3 months, or overdue."""
    return query(conn, f"""
        WITH arrivals AS (
            SELECT salarie, fonction, site, date_entree, date_entree + INTERVAL 90 DAY AS echeance,
                   CASE WHEN date_fin_integration < $fin THEN date_fin_integration END AS fin_integration
            FROM effectifs
            WHERE date_entree >= $debut_fenetre AND date_entree < $fin{site_clause(site)})
        SELECT salarie, fonction, site, date_entree, echeance::DATE AS echeance,
               fin_integration AS date_fin_integration,
               CASE WHEN fin_integration IS NOT NULL AND fin_integration <= echeance THEN 'réalisée dans les 3 mois'
                    WHEN fin_integration IS NOT NULL THEN 'réalisée après 3 mois'
                    WHEN echeance >= $fin THEN 'en cours'
                    ELSE 'non réalisée, échéance dépassée' END AS situation
        FROM arrivals ORDER BY date_entree DESC, salarie""", period_params(period, site))


def headcount(conn, period: Period) -> pd.DataFrame:
    """People and ETP present at `fin`, per site and function."""
    return query(conn, f"""
        SELECT coalesce(site, 'sans site') AS site, fonction, count(*) AS personnes, sum(etp) AS etp
        FROM effectifs WHERE {_PRESENT_AT_FIN}
        GROUP BY ALL ORDER BY site, fonction""", period_params(period))
