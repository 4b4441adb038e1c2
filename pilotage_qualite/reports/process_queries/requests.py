"""Demandes et réclamations: open items by age, processing delays, the oldest open items."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pilotage_qualite.model.periods import Period
from pilotage_qualite.reports.process_queries.sql import band_case, bands_frame, period_params, query, site_clause

# Age of an open request or complaint at `fin`, in days (upper bound included; None = no bound).
OPEN_AGE_BANDS = ((15, "≤ 15 j"), (30, "16–30 j"), (60, "31–60 j"), (90, "61–90 j"), (None, "> 90 j"))
# Processing delay of a closed request / answered complaint, in days.
DELAY_BANDS = ((2, "0–2 j"), (7, "3–7 j"), (15, "8–15 j"), (30, "16–30 j"), (60, "31–60 j"), (None, "> 60 j"))
DELAY_LIMIT_DAYS = 15  # DEM-03 and REC-03: treated within 15 days
OPEN_LIMIT_DAYS = 30  # DEM-04 and REC-04: open for more than 30 days

_REQUESTS = {  # dataset → (French label, the date that ends its processing delay)
    "demandes": ("Demandes", "date_cloture"),
    "reclamations": ("Réclamations", "date_reponse"),
}


def open_items_by_age(conn, period: Period, site: str | None, datasets=("demandes", "reclamations")) -> pd.DataFrame:
    """Requests and complaints still open at `fin`, per age band (every band, zeros included).

    Open: received before `fin` and not closed before `fin`. Age = fin − date_reception.
    The bands beyond 30 days add up to DEM-04 / REC-04.
    """
    label, rank = band_case("($fin - date_reception)", OPEN_AGE_BANDS)
    frames = []
    for dataset in datasets:
        name, _ = _REQUESTS[dataset]
        counts = query(conn, f"""
            SELECT {label} AS tranche, count(*) AS nombre,
                   count(*) FILTER (WHERE $fin - date_reception > {OPEN_LIMIT_DAYS}) AS plus_de_30_jours
            FROM {dataset}
            WHERE date_reception < $fin AND (date_cloture IS NULL OR date_cloture >= $fin){site_clause(site)}
            GROUP BY ALL""", period_params(period, site))
        frame = bands_frame(OPEN_AGE_BANDS).merge(counts, on="tranche", how="left")
        frames.append(frame.assign(jeu=name))
    result = pd.concat(frames, ignore_index=True)
    result["nombre"] = result["nombre"].fillna(0).astype(int)
    result["plus_de_30_jours"] = result["plus_de_30_jours"].fillna(0).astype(int)
    return result[["jeu", "tranche", "ordre", "nombre", "plus_de_30_jours"]]


def oldest_open_items(conn, period: Period, site: str | None, limit: int = 15) -> pd.DataFrame:
    """The open requests and complaints older than 30 days at `fin`, oldest first."""
    return query(conn, f"""
        SELECT * FROM (
            SELECT 'Réclamation' AS jeu, numero, site, date_reception, motif AS objet,
                   date_accuse_reception, date_reponse, $fin - date_reception AS age_jours
            FROM reclamations
            WHERE date_reception < $fin AND (date_cloture IS NULL OR date_cloture >= $fin){site_clause(site)}
            UNION ALL
            SELECT 'Demande', numero, site, date_reception, objet, NULL::DATE, NULL::DATE, $fin - date_reception
            FROM demandes
            WHERE date_reception < $fin AND (date_cloture IS NULL OR date_cloture >= $fin){site_clause(site)})
        WHERE age_jours > {OPEN_LIMIT_DAYS}
        ORDER BY age_jours DESC, jeu, numero LIMIT {int(limit)}""", period_params(period, site))


def delay_distribution(conn, period: Period, site: str | None, datasets=("demandes", "reclamations")) -> pd.DataFrame:
    """Delays of the items closed (requests) or answered (complaints) in the period, per band.

    Requests: date_cloture − date_reception with date_cloture in the period (DEM-02/03);
    complaints: date_reponse − date_reception with date_reponse in the period (REC-03).
    `dans_le_delai` marks the bands within 15 days, whose sum is DEM-03 / REC-03's numerator.
    """
    frames = []
    for dataset in datasets:
        name, answer = _REQUESTS[dataset]
        delay = f"({answer} - date_reception)"
        label, _ = band_case(delay, DELAY_BANDS)
        counts = query(conn, f"""
            SELECT {label} AS tranche, count(*) AS nombre
            FROM {dataset} WHERE {answer} >= $debut AND {answer} < $fin{site_clause(site)}
            GROUP BY ALL""", period_params(period, site))
        frame = bands_frame(DELAY_BANDS).merge(counts, on="tranche", how="left")
        frames.append(frame.assign(jeu=name))
    result = pd.concat(frames, ignore_index=True)
    result["nombre"] = result["nombre"].fillna(0).astype(int)
    limits = {text: upper is not None and upper <= DELAY_LIMIT_DAYS for upper, text in DELAY_BANDS}
    result["dans_le_delai"] = result["tranche"].map(limits)
    return result[["jeu", "tranche", "ordre", "nombre", "dans_le_delai"]]


def delay_summary(conn, period: Period, site: str | None) -> pd.DataFrame:
    """Per dataset: items closed/answered in the period (n), median delay, share within 15 days."""
    rows = []
    for dataset, (name, answer) in _REQUESTS.items():
        delay = f"({answer} - date_reception)"
        found = query(conn, f"""
            SELECT count(*) AS n, median({delay}) AS mediane,
                   count(*) FILTER (WHERE {delay} <= {DELAY_LIMIT_DAYS}) AS dans_le_delai
            FROM {dataset} WHERE {answer} >= $debut AND {answer} < $fin{site_clause(site)}""",
                       period_params(period, site)).iloc[0]
        n, median, within = found["n"], found["mediane"], found["dans_le_delai"]
        rows.append({"jeu": name, "n": int(n), "mediane_jours": float(median) if pd.notna(median) else np.nan,
                     "dans_le_delai": int(within)})
    frame = pd.DataFrame(rows)
    n = frame["n"].to_numpy(float)
    frame["part_dans_le_delai"] = np.divide(100 * frame["dans_le_delai"].to_numpy(float), n,
                                            out=np.full(len(frame), np.nan), where=n > 0)
    return frame
