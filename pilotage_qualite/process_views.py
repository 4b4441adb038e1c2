"""Aggregated views of the process pages: small DataFrames computed in DuckDB.

Every function takes an open DuckDB connection (over the store's live views), the period
and, where the view follows the site filter, the site (None = Ensemble). Rows are
aggregated here, in SQL, so that only a few dozen rows ever reach a chart. No Streamlit.

Conventions shared with the indicator catalogue (indicators.md):

- a flow counts rows whose date falls in ``[debut, fin)``;
- a stock is the state *as of* ``fin`` (the first day after the period): everything dated
  before ``fin`` is known, a date on or after ``fin`` has not happened yet;
- ages and delays are whole days ``date_b − date_a``; an item « open for more than 30
  days » has an age ``fin − date_reception > 30`` (DEM-04, REC-04);
- monthly series cover the 12 months ending with the period (``[fin − 12 months, fin)``),
  whatever the grain.

So each view can be checked against the indicator it details: the open items older than
30 days add up to DEM-04 / REC-04, the late actions to PA-02, and so on (tested).
"""

from __future__ import annotations

import re
from datetime import date

import duckdb
import numpy as np
import pandas as pd

from pilotage_qualite.periods import Period, add_months
from pilotage_qualite.status import wilson_arrays

MONTH_ABBREVIATIONS = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
                       "nov.", "déc.")

# Age of an open request or complaint at `fin`, in days (upper bound included; None = no bound).
OPEN_AGE_BANDS = ((15, "≤ 15 j"), (30, "16–30 j"), (60, "31–60 j"), (90, "61–90 j"), (None, "> 90 j"))
# Processing delay of a closed request / answered complaint, in days.
DELAY_BANDS = ((2, "0–2 j"), (7, "3–7 j"), (15, "8–15 j"), (30, "16–30 j"), (60, "31–60 j"), (None, "> 60 j"))
DELAY_LIMIT_DAYS = 15  # DEM-03 and REC-03: treated within 15 days
OPEN_LIMIT_DAYS = 30  # DEM-04 and REC-04: open for more than 30 days
# Age of an open audit finding at `fin`.
FINDING_AGE_BANDS = ((90, "≤ 3 mois"), (182, "3 à 6 mois"), (365, "6 à 12 mois"), (None, "> 1 an"))
# Findings that wait for a closure (« point fort » is not one).
FINDING_TYPES = ("non-conformité majeure", "non-conformité mineure", "point sensible", "piste de progrès")
PUBLICS = ("habitant", "partenaire")
GLOBAL_QUESTION = "Satisfaction globale"
ACTION_HORIZON_DAYS = 30
DOCUMENT_HORIZON_DAYS = 60
DOCUMENT_DEFAULT_REVIEW_MONTHS = 24
TIMELINE_TITLE_CHARS = 34  # DOC-01: next review = date_revision + 24 months when empty


# --- helpers --------------------------------------------------------------------------

def _used(sql: str, params: dict | None) -> dict:
    """The parameters the statement names (DuckDB refuses unused named parameters)."""
    names = set(re.findall(r"\$(\w+)", sql))
    return {key: value for key, value in (params or {}).items() if key in names}


def _query(conn: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> pd.DataFrame:
    return conn.execute(sql, _used(sql, params)).df()


def _site_clause(site: str | None, column: str = "site") -> str:
    return f" AND {column} = $site" if site else ""


def _params(period: Period, site: str | None = None, **extra) -> dict:
    params = {"debut": period.debut, "fin": period.fin, "debut_fenetre": period.debut_fenetre, **extra}
    if site:
        params["site"] = site
    return params


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _band_case(expression: str, bands) -> tuple[str, str]:
    """SQL CASE expressions giving a band's label and rank for a number of days."""
    label = ["CASE"]
    rank = ["CASE"]
    for i, (upper, text) in enumerate(bands):
        text = _literal(text)[1:-1]
        if upper is None:
            label.append(f"ELSE '{text}'")
            rank.append(f"ELSE {i}")
        else:
            label.append(f"WHEN {expression} <= {upper} THEN '{text}'")
            rank.append(f"WHEN {expression} <= {upper} THEN {i}")
    return " ".join(label) + " END", " ".join(rank) + " END"


def _bands_frame(bands) -> pd.DataFrame:
    return pd.DataFrame({"tranche": [text for _, text in bands], "ordre": range(len(bands))})


def month_label(day: date) -> str:
    """« nov. 2025 »: compact month for chart axes."""
    return f"{MONTH_ABBREVIATIONS[day.month - 1]} {day.year}"


def window_months(period: Period) -> list[date]:
    """First days of the 12 months ending with the period, oldest first."""
    return [add_months(period.fin, -k) for k in range(12, 0, -1)]


def _months_frame(period: Period) -> pd.DataFrame:
    months = window_months(period)
    return pd.DataFrame({"mois": pd.to_datetime(months), "mois_fr": [month_label(m) for m in months]})


def with_wilson(frame: pd.DataFrame, successes: str = "satisfaits", total: str = "n") -> pd.DataFrame:
    """Add `pourcentage`, `ic_bas`, `ic_haut` (Wilson 95 %, in %); no value when n = 0."""
    n = frame[total].to_numpy(float)
    k = frame[successes].to_numpy(float)
    share = np.divide(k, n, out=np.full(len(frame), np.nan), where=n > 0)
    low, high = wilson_arrays(share, n)
    return frame.assign(pourcentage=100 * share, ic_bas=100 * low, ic_haut=100 * high)


# --- Activité -----------------------------------------------------------------------------

def activity_by_registre(conn, period: Period, site: str | None) -> pd.DataFrame:
    """Interventions, people met and referrals of the period per registre (most frequent first)."""
    return _query(conn, f"""
        SELECT registre, count(*) AS interventions, coalesce(sum(nb_personnes), 0)::BIGINT AS personnes,
               count(*) FILTER (WHERE orientation) AS orientations
        FROM activite WHERE date >= $debut AND date < $fin{_site_clause(site)}
        GROUP BY registre ORDER BY interventions DESC, registre""", _params(period, site))


def activity_by_site(conn, period: Period) -> pd.DataFrame:
    """Interventions and people met of the period per site (every site)."""
    return _query(conn, """
        SELECT site, count(*) AS interventions, coalesce(sum(nb_personnes), 0)::BIGINT AS personnes,
               count(*) FILTER (WHERE orientation) AS orientations
        FROM activite WHERE date >= $debut AND date < $fin
        GROUP BY site ORDER BY interventions DESC, site""", _params(period))


def activity_by_month(conn, period: Period, site: str | None) -> pd.DataFrame:
    """Interventions per month and registre over the 12 months ending with the period."""
    counts = _query(conn, f"""
        SELECT date_trunc('month', date)::DATE AS mois, registre, count(*) AS interventions
        FROM activite WHERE date >= $debut_fenetre AND date < $fin{_site_clause(site)}
        GROUP BY ALL ORDER BY mois, registre""", _params(period, site))
    counts["mois"] = pd.to_datetime(counts["mois"])
    return _months_frame(period).merge(counts, on="mois", how="inner")


def presence_heatmap(conn, period: Period) -> pd.DataFrame:
    """Field presence per site and month over the 12 months ending with the period:
    hours planned and worked and their ratio (ACT-04 per site and month)."""
    rows = _query(conn, """
        SELECT site, date_trunc('month', date)::DATE AS mois, sum(heures_planifiees) AS heures_planifiees,
               sum(heures_realisees) AS heures_realisees, count(*) AS lignes
        FROM presence WHERE date >= $debut_fenetre AND date < $fin
        GROUP BY ALL""", _params(period))
    rows["mois"] = pd.to_datetime(rows["mois"])
    planned = rows["heures_planifiees"].to_numpy(float)
    rows["taux"] = np.divide(100 * rows["heures_realisees"].to_numpy(float), planned,
                             out=np.full(len(rows), np.nan), where=planned > 0)
    return (_months_frame(period).merge(rows, on="mois", how="inner")
            .sort_values(["site", "mois"]).reset_index(drop=True))


# --- Demandes et réclamations -----------------------------------------------------------

_REQUESTS = {  # dataset → (French label, the date that ends its processing delay)
    "demandes": ("Demandes", "date_cloture"),
    "reclamations": ("Réclamations", "date_reponse"),
}


def open_items_by_age(conn, period: Period, site: str | None, datasets=("demandes", "reclamations")) -> pd.DataFrame:
    """Requests and complaints still open at `fin`, per age band (every band, zeros included).

    Open: received before `fin` and not closed before `fin`. Age = fin − date_reception.
    The bands beyond 30 days add up to DEM-04 / REC-04.
    """
    label, rank = _band_case("($fin - date_reception)", OPEN_AGE_BANDS)
    frames = []
    for dataset in datasets:
        name, _ = _REQUESTS[dataset]
        counts = _query(conn, f"""
            SELECT {label} AS tranche, count(*) AS nombre,
                   count(*) FILTER (WHERE $fin - date_reception > {OPEN_LIMIT_DAYS}) AS plus_de_30_jours
            FROM {dataset}
            WHERE date_reception < $fin AND (date_cloture IS NULL OR date_cloture >= $fin){_site_clause(site)}
            GROUP BY ALL""", _params(period, site))
        frame = _bands_frame(OPEN_AGE_BANDS).merge(counts, on="tranche", how="left")
        frames.append(frame.assign(jeu=name))
    result = pd.concat(frames, ignore_index=True)
    result["nombre"] = result["nombre"].fillna(0).astype(int)
    result["plus_de_30_jours"] = result["plus_de_30_jours"].fillna(0).astype(int)
    return result[["jeu", "tranche", "ordre", "nombre", "plus_de_30_jours"]]


def oldest_open_items(conn, period: Period, site: str | None, limit: int = 15) -> pd.DataFrame:
    """The open requests and complaints older than 30 days at `fin`, oldest first."""
    return _query(conn, f"""
        SELECT * FROM (
            SELECT 'Réclamation' AS jeu, numero, site, date_reception, motif AS objet,
                   date_accuse_reception, date_reponse, $fin - date_reception AS age_jours
            FROM reclamations
            WHERE date_reception < $fin AND (date_cloture IS NULL OR date_cloture >= $fin){_site_clause(site)}
            UNION ALL
            SELECT 'Demande', numero, site, date_reception, objet, NULL::DATE, NULL::DATE, $fin - date_reception
            FROM demandes
            WHERE date_reception < $fin AND (date_cloture IS NULL OR date_cloture >= $fin){_site_clause(site)})
        WHERE age_jours > {OPEN_LIMIT_DAYS}
        ORDER BY age_jours DESC, jeu, numero LIMIT {int(limit)}""", _params(period, site))


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
        label, _ = _band_case(delay, DELAY_BANDS)
        counts = _query(conn, f"""
            SELECT {label} AS tranche, count(*) AS nombre
            FROM {dataset} WHERE {answer} >= $debut AND {answer} < $fin{_site_clause(site)}
            GROUP BY ALL""", _params(period, site))
        frame = _bands_frame(DELAY_BANDS).merge(counts, on="tranche", how="left")
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
        found = _query(conn, f"""
            SELECT count(*) AS n, median({delay}) AS mediane,
                   count(*) FILTER (WHERE {delay} <= {DELAY_LIMIT_DAYS}) AS dans_le_delai
            FROM {dataset} WHERE {answer} >= $debut AND {answer} < $fin{_site_clause(site)}""",
                       _params(period, site)).iloc[0]
        n, median, within = found["n"], found["mediane"], found["dans_le_delai"]
        rows.append({"jeu": name, "n": int(n), "mediane_jours": float(median) if pd.notna(median) else np.nan,
                     "dans_le_delai": int(within)})
    frame = pd.DataFrame(rows)
    n = frame["n"].to_numpy(float)
    frame["part_dans_le_delai"] = np.divide(100 * frame["dans_le_delai"].to_numpy(float), n,
                                            out=np.full(len(frame), np.nan), where=n > 0)
    return frame


# --- Satisfaction ------------------------------------------------------------------------

def satisfaction_by_public(conn, period: Period, site: str | None) -> pd.DataFrame:
    """Overall satisfaction of the period per public (habitants, partenaires): answers n,
    satisfied (≥ 3 on the 1–4 scale, as SAT-01/02), the share with its Wilson 95 % interval,
    and the count of each answer."""
    counts = _query(conn, f"""
        SELECT public, count(satisfaction_globale) AS n,
               count(*) FILTER (WHERE satisfaction_globale >= 3) AS satisfaits,
               count(*) FILTER (WHERE satisfaction_globale = 4) AS tres_satisfaits,
               count(*) FILTER (WHERE satisfaction_globale = 3) AS plutot_satisfaits,
               count(*) FILTER (WHERE satisfaction_globale = 2) AS plutot_pas_satisfaits,
               count(*) FILTER (WHERE satisfaction_globale = 1) AS pas_du_tout_satisfaits,
               count(*) FILTER (WHERE satisfaction_globale IS NULL) AS sans_reponse
        FROM satisfaction WHERE date >= $debut AND date < $fin{_site_clause(site)}
        GROUP BY public""", _params(period, site))
    frame = pd.DataFrame({"public": list(PUBLICS)}).merge(counts, on="public", how="outer")
    numbers = [c for c in frame.columns if c != "public"]
    frame[numbers] = frame[numbers].fillna(0).astype(int)
    return with_wilson(frame).reset_index(drop=True)


def satisfaction_by_question(conn, period: Period, site: str | None) -> pd.DataFrame:
    """Per question (overall satisfaction first, then each extra Likert question) and public:
    answers n, satisfied (≥ 3), share and Wilson 95 % interval. Unanswered questions are not
    counted in n."""
    clause = _site_clause(site)
    counts = _query(conn, f"""
        SELECT '{GLOBAL_QUESTION}' AS question, 0 AS rang, public, count(satisfaction_globale) AS n,
               count(*) FILTER (WHERE satisfaction_globale >= 3) AS satisfaits
        FROM satisfaction WHERE date >= $debut AND date < $fin{clause}
        GROUP BY public
        UNION ALL
        SELECT question, 1, public, count(reponse), count(*) FILTER (WHERE reponse >= 3)
        FROM satisfaction_questions WHERE date >= $debut AND date < $fin{clause}
        GROUP BY question, public""", _params(period, site))
    counts = counts[counts["n"] > 0]
    return with_wilson(counts.sort_values(["rang", "question", "public"]).drop(columns="rang")
                       .reset_index(drop=True))


# --- Formation et RH ------------------------------------------------------------------------

_PRESENT_AT_FIN = "date_entree < $fin AND (date_sortie IS NULL OR date_sortie >= $fin)"


def training_hours(conn, period: Period) -> pd.DataFrame:
    """Training hours done over the 12 months ending with the period, per type of training,
    and the same per ETP present at `fin`: the rows add up to FOR-01."""
    frame = _query(conn, f"""
        SELECT coalesce(type, 'non précisé') AS type, sum(heures) AS heures, count(*) AS participations,
               count(DISTINCT salarie) AS personnes,
               (SELECT sum(etp) FROM effectifs WHERE {_PRESENT_AT_FIN}) AS etp
        FROM formations WHERE statut = 'réalisée' AND date >= $debut_fenetre AND date < $fin
        GROUP BY ALL ORDER BY heures DESC, type""", _params(period))
    etp = frame["etp"].to_numpy(float)
    frame["heures_par_etp"] = np.divide(frame["heures"].to_numpy(float), etp, out=np.full(len(frame), np.nan),
                                        where=etp > 0)
    return frame


def certification_by_site(conn, period: Period) -> pd.DataFrame:
    """Mediators present at `fin` per site: n, holders of the professional title, share and
    Wilson 95 % interval (FOR-02 per site)."""
    frame = _query(conn, f"""
        SELECT coalesce(site, 'sans site') AS site, count(*) AS n,
               count(*) FILTER (WHERE certifie) AS certifies
        FROM effectifs WHERE fonction = 'médiateur' AND {_PRESENT_AT_FIN}
        GROUP BY ALL ORDER BY site""", _params(period))
    return with_wilson(frame, successes="certifies")


def onboarding(conn, period: Period, site: str | None) -> pd.DataFrame:
    """People who joined in the 12 months ending with the period and their onboarding at `fin`:
    done within 3 months (date_fin_integration ≤ date_entree + 90 days, as FOR-03), done later,
    still within its 3 months, or overdue."""
    return _query(conn, f"""
        WITH arrivals AS (
            SELECT salarie, fonction, site, date_entree, date_entree + INTERVAL 90 DAY AS echeance,
                   CASE WHEN date_fin_integration < $fin THEN date_fin_integration END AS fin_integration
            FROM effectifs
            WHERE date_entree >= $debut_fenetre AND date_entree < $fin{_site_clause(site)})
        SELECT salarie, fonction, site, date_entree, echeance::DATE AS echeance,
               fin_integration AS date_fin_integration,
               CASE WHEN fin_integration IS NOT NULL AND fin_integration <= echeance THEN 'réalisée dans les 3 mois'
                    WHEN fin_integration IS NOT NULL THEN 'réalisée après 3 mois'
                    WHEN echeance >= $fin THEN 'en cours'
                    ELSE 'non réalisée, échéance dépassée' END AS situation
        FROM arrivals ORDER BY date_entree DESC, salarie""", _params(period, site))


def headcount(conn, period: Period) -> pd.DataFrame:
    """People and ETP present at `fin`, per site and function."""
    return _query(conn, f"""
        SELECT coalesce(site, 'sans site') AS site, fonction, count(*) AS personnes, sum(etp) AS etp
        FROM effectifs WHERE {_PRESENT_AT_FIN}
        GROUP BY ALL ORDER BY site, fonction""", _params(period))


# --- Audits et amélioration ------------------------------------------------------------------

_OPEN_FINDING = "date < $fin AND (date_levee IS NULL OR date_levee >= $fin)"


def open_findings_by_age(conn, period: Period) -> pd.DataFrame:
    """Audit findings still open at `fin` per type of finding and age band (age = fin − date):
    every type × band, zeros included. The two kinds of non-conformity add up to AUD-01."""
    label, _ = _band_case("($fin - date)", FINDING_AGE_BANDS)
    types = ", ".join(_literal(t) for t in FINDING_TYPES)
    counts = _query(conn, f"""
        SELECT constat, {label} AS tranche, count(*) AS nombre
        FROM audits WHERE constat IN ({types}) AND {_OPEN_FINDING}
        GROUP BY ALL""", _params(period))
    grid = pd.DataFrame([(t, i, text, j) for i, t in enumerate(FINDING_TYPES)
                         for j, (_, text) in enumerate(FINDING_AGE_BANDS)],
                        columns=["constat", "rang_constat", "tranche", "ordre"])
    frame = grid.merge(counts, on=["constat", "tranche"], how="left")
    frame["nombre"] = frame["nombre"].fillna(0).astype(int)
    return frame


def open_findings(conn, period: Period) -> pd.DataFrame:
    """The open findings at `fin` (non-conformities first, then the oldest)."""
    types = ", ".join(_literal(t) for t in FINDING_TYPES)
    order = " ".join(f"WHEN {_literal(t)} THEN {i}" for i, t in enumerate(FINDING_TYPES))
    return _query(conn, f"""
        SELECT constat, audit, type_audit, date, processus, description, action, $fin - date AS age_jours
        FROM audits WHERE constat IN ({types}) AND {_OPEN_FINDING}
        ORDER BY CASE constat {order} END, date, audit""", _params(period))


_OPEN_ACTION = ("date_ouverture < $fin AND statut IS DISTINCT FROM 'abandonnée' "
                "AND (date_realisation IS NULL OR date_realisation >= $fin)")


def actions_late_or_due(conn, period: Period, horizon_days: int = ACTION_HORIZON_DAYS) -> pd.DataFrame:
    """Improvement actions open at `fin` that are late (échéance < fin: PA-02) or due within
    `horizon_days` after `fin`; `jours` is échéance − fin (negative: days late)."""
    return _query(conn, f"""
        SELECT CASE WHEN echeance < $fin THEN 'en retard' ELSE 'échéance dans les {horizon_days} jours' END
                   AS situation,
               numero, intitule, origine, site, pilote, date_ouverture, echeance, statut,
               echeance - $fin AS jours
        FROM actions
        WHERE {_OPEN_ACTION} AND echeance < $fin + INTERVAL {int(horizon_days)} DAY
        ORDER BY echeance, numero""", _params(period))


def action_timeline(conn, period: Period) -> pd.DataFrame:
    """Actions open at some time in the 12 months ending with the period (not abandoned):
    opening → completion (or `fin` while open), with the due date and the situation at `fin`."""
    frame = _query(conn, """
        WITH a AS (
            SELECT numero, intitule, origine, date_ouverture, echeance,
                   CASE WHEN date_realisation < $fin THEN date_realisation END AS realisation
            FROM actions
            WHERE date_ouverture < $fin AND statut IS DISTINCT FROM 'abandonnée'
              AND (date_realisation IS NULL OR date_realisation >= $debut_fenetre))
        SELECT numero, intitule, origine, date_ouverture, echeance, realisation AS date_realisation,
               coalesce(realisation, $fin) AS fin_barre,
               CASE WHEN realisation IS NOT NULL AND realisation <= echeance THEN 'réalisée dans les délais'
                    WHEN realisation IS NOT NULL THEN 'réalisée en retard'
                    WHEN echeance < $fin THEN 'en retard'
                    ELSE 'en cours' END AS situation
        FROM a ORDER BY date_ouverture, numero""", _params(period))
    for column in ("date_ouverture", "echeance", "date_realisation", "fin_barre"):
        frame[column] = pd.to_datetime(frame[column])
    frame.insert(0, "action", [f"{number} · {_shorten(title, TIMELINE_TITLE_CHARS)}"
                               for number, title in zip(frame["numero"], frame["intitule"])])
    return frame


def _shorten(text: str, limit: int) -> str:
    text = str(text)
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


# --- Sécurité ------------------------------------------------------------------------------

def incidents_by_type_and_site(conn, period: Period, site: str | None) -> pd.DataFrame:
    """Adverse events of the period per type and site: every type and site ever seen, zeros
    included (the dataset has rows, so no event is a real zero)."""
    clause = _site_clause(site)
    return _query(conn, f"""
        WITH types AS (SELECT DISTINCT type FROM incidents),
             sites AS (SELECT DISTINCT site FROM incidents WHERE TRUE{clause}),
             counts AS (SELECT type, site, count(*) AS nombre, coalesce(sum(jours_arret), 0)::BIGINT AS jours_arret
                        FROM incidents WHERE date >= $debut AND date < $fin{clause} GROUP BY ALL)
        SELECT t.type, s.site, coalesce(c.nombre, 0) AS nombre, coalesce(c.jours_arret, 0) AS jours_arret
        FROM types t CROSS JOIN sites s LEFT JOIN counts c USING (type, site)
        ORDER BY t.type, s.site""", _params(period, site))


def incident_rate_by_month(conn, period: Period, site: str | None) -> pd.DataFrame:
    """Events, field hours worked and events per 1,000 hours, month by month over the 12
    months ending with the period (SEC-03 monthly). No hours → no rate (never 0)."""
    clause = _site_clause(site)
    frame = _query(conn, f"""
        WITH e AS (SELECT date_trunc('month', date)::DATE AS mois, count(*) AS evenements
                   FROM incidents WHERE date >= $debut_fenetre AND date < $fin{clause} GROUP BY ALL),
             h AS (SELECT date_trunc('month', date)::DATE AS mois, sum(heures_realisees) AS heures
                   FROM presence WHERE date >= $debut_fenetre AND date < $fin{clause} GROUP BY ALL)
        SELECT mois, coalesce(e.evenements, 0) AS evenements, h.heures
        FROM h FULL JOIN e USING (mois)""", _params(period, site))
    frame["mois"] = pd.to_datetime(frame["mois"])
    frame = _months_frame(period).merge(frame, on="mois", how="left")
    frame["evenements"] = frame["evenements"].fillna(0).astype(int)
    hours = frame["heures"].to_numpy(float)
    frame["taux_1000h"] = np.divide(1000 * frame["evenements"].to_numpy(float), hours,
                                    out=np.full(len(frame), np.nan), where=np.isfinite(hours) & (hours > 0))
    return frame


def incident_rate_by_site(conn, period: Period) -> pd.DataFrame:
    """Per site: events of the period, field hours worked and events per 1,000 hours (SEC-03)."""
    frame = _query(conn, """
        WITH e AS (SELECT site, count(*) AS evenements FROM incidents
                   WHERE date >= $debut AND date < $fin GROUP BY site),
             h AS (SELECT site, sum(heures_realisees) AS heures FROM presence
                   WHERE date >= $debut AND date < $fin GROUP BY site)
        SELECT site, coalesce(e.evenements, 0) AS evenements, h.heures
        FROM h FULL JOIN e USING (site) ORDER BY site""", _params(period))
    hours = frame["heures"].to_numpy(float)
    frame["taux_1000h"] = np.divide(1000 * frame["evenements"].to_numpy(float), hours,
                                    out=np.full(len(frame), np.nan), where=np.isfinite(hours) & (hours > 0))
    return frame


# --- Documentation ---------------------------------------------------------------------------

_NEXT_REVIEW = (f"coalesce(date_prochaine_revision, "
                f"(date_revision + INTERVAL {DOCUMENT_DEFAULT_REVIEW_MONTHS} MONTH)::DATE)")


def documents_due(conn, period: Period, horizon_days: int = DOCUMENT_HORIZON_DAYS) -> pd.DataFrame:
    """Documents in force (not archived, revised before `fin`) whose next review is past at
    `fin` or falls within `horizon_days` after it; `jours` = next review − fin."""
    return _query(conn, f"""
        SELECT CASE WHEN {_NEXT_REVIEW} < $fin THEN 'révision dépassée'
                    ELSE 'à réviser dans les {horizon_days} jours' END AS situation,
               code, titre, version, statut, date_revision, {_NEXT_REVIEW} AS prochaine_revision,
               {_NEXT_REVIEW} - $fin AS jours
        FROM documents
        WHERE statut IS DISTINCT FROM 'archivé' AND date_revision < $fin
          AND {_NEXT_REVIEW} < $fin + INTERVAL {int(horizon_days)} DAY
        ORDER BY prochaine_revision, code""", _params(period))


def document_status(conn, period: Period, horizon_days: int = DOCUMENT_HORIZON_DAYS) -> pd.DataFrame:
    """Documents in force at `fin` per review situation (every situation, zeros included);
    « à jour » + « à réviser » over the total is DOC-01."""
    situations = ("révision dépassée", f"à réviser dans les {horizon_days} jours", "à jour")
    counts = _query(conn, f"""
        SELECT CASE WHEN {_NEXT_REVIEW} < $fin THEN '{situations[0]}'
                    WHEN {_NEXT_REVIEW} < $fin + INTERVAL {int(horizon_days)} DAY THEN '{situations[1]}'
                    ELSE '{situations[2]}' END AS situation, count(*) AS nombre
        FROM documents WHERE statut IS DISTINCT FROM 'archivé' AND date_revision < $fin
        GROUP BY ALL""", _params(period))
    frame = pd.DataFrame({"situation": situations, "ordre": range(3)}).merge(counts, on="situation", how="left")
    frame["nombre"] = frame["nombre"].fillna(0).astype(int)
    return frame


def reference_day(period: Period) -> date:
    """The day stocks are stated at: `fin`, the first day after the period."""
    return period.fin



# --- Fiche: the actions linked to an indicator ------------------------------------------------


def linked_actions(conn, period: Period, site: str | None, *, code: str, cited_by: dict[str, str],
                   origins: tuple[str, ...]) -> pd.DataFrame:
    """Actions of the improvement plan linked to an indicator, open at `fin` or completed in
    the 12 months ending with the period (abandoned ones aside).

    An action is linked when a row of one of the indicator's datasets cites its number in its
    `action` column (``cited_by``: those datasets and their labels), when its origin is one of
    ``origins`` (the catalogue file's ``origines_actions``), or when its title mentions the
    indicator's ``code``. With a site, the actions of that site and those of the whole
    structure (no site). `lien` says why each action is listed; late open actions come first.
    """
    return _query(conn, _linked_actions_sql(cited_by, origins, site), _params(period, site, code=code))


def linked_actions_head(conn, period: Period, site: str | None, rows: int, *, code: str, cited_by: dict[str, str],
                        origins: tuple[str, ...]) -> tuple[pd.DataFrame, int, int]:
    """The first ``rows`` of :func:`linked_actions`, how many there are and how many are late:
    a large plan links thousands of actions, which a page need not load."""
    frame = _query(conn, f"""
        SELECT *, count(*) OVER () AS _toutes, count(*) FILTER (WHERE situation = 'en retard') OVER () AS _en_retard
        FROM ({_linked_actions_sql(cited_by, origins, site)}) LIMIT {int(rows)}""",
                   _params(period, site, code=code))
    total, late = (int(frame["_toutes"].iloc[0]), int(frame["_en_retard"].iloc[0])) if len(frame) else (0, 0)
    return frame.drop(columns=["_toutes", "_en_retard"]), total, late


def _linked_actions_sql(cited_by: dict[str, str], origins: tuple[str, ...], site: str | None) -> str:
    reasons = [f"CASE WHEN numero IN (SELECT DISTINCT action FROM {name} WHERE action IS NOT NULL) "
               f"THEN {_literal('citée dans « ' + label + ' »')} END" for name, label in cited_by.items()]
    if origins:
        reasons.append(f"CASE WHEN origine IN ({', '.join(_literal(o) for o in origins)}) "
                       "THEN 'origine ' || origine END")
    reasons.append("CASE WHEN contains(lower(intitule), lower($code)) THEN 'mentionne ' || $code END")
    site_clause = " AND (site = $site OR site IS NULL)" if site else ""
    return f"""
        WITH liees AS (
            SELECT *, concat_ws(' · ', {', '.join(reasons)}) AS lien
            FROM actions
            WHERE statut IS DISTINCT FROM 'abandonnée' AND date_ouverture < $fin
              AND (date_realisation IS NULL OR date_realisation >= $debut_fenetre){site_clause})
        SELECT CASE WHEN date_realisation < $fin THEN 'réalisée'
                    WHEN echeance < $fin THEN 'en retard' ELSE 'ouverte' END AS situation,
               numero, intitule, lien, origine, site, pilote, date_ouverture, echeance, date_realisation,
               statut, efficacite
        FROM liees WHERE lien <> ''
        ORDER BY CASE situation WHEN 'en retard' THEN 0 WHEN 'ouverte' THEN 1 ELSE 2 END, echeance, numero"""


# --- Comité (the improvement plan since the last meeting) -------------------------------------

_DONE_ACTION = "statut IS DISTINCT FROM 'abandonnée' AND date_realisation < $fin"


def actions_closed_since(conn, period: Period, since: date | None = None) -> pd.DataFrame:
    """Actions completed in [`since`, `fin`) (default `since`: the period's start), not
    abandoned: what the committee closed since it last met."""
    return _query(conn, f"""
        SELECT numero, intitule, origine, site, pilote, echeance, date_realisation, efficacite,
               CASE WHEN date_realisation <= echeance THEN 'dans les délais' ELSE 'en retard' END AS delai
        FROM actions WHERE {_DONE_ACTION} AND date_realisation >= $depuis
        ORDER BY date_realisation, numero""", _params(period, depuis=since or period.debut))


def actions_effectiveness_to_check(conn, period: Period) -> pd.DataFrame:
    """Actions completed in the 12 months ending with the period whose effectiveness is not yet
    assessed (empty or « à évaluer »): the actions PA-03 still waits for (abandoned ones aside)."""
    return _query(conn, f"""
        SELECT numero, intitule, origine, site, pilote, date_realisation, efficacite
        FROM actions WHERE {_DONE_ACTION} AND date_realisation >= $debut_fenetre
          AND (efficacite IS NULL OR efficacite NOT IN ('efficace', 'non efficace'))
        ORDER BY date_realisation, numero""", _params(period))
