"""The improvement plan: late and due actions, their timeline, the actions linked to an
indicator (fiche) and those a committee reviews (closed since, effectiveness to check)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from pilotage_qualite.model.periods import Period
from pilotage_qualite.reports.process_queries.sql import literal, period_params, query

ACTION_HORIZON_DAYS = 30
TIMELINE_TITLE_CHARS = 34  # an action's title, cut to fit the timeline's axis

_OPEN_ACTION = ("date_ouverture < $fin AND statut IS DISTINCT FROM 'abandonnée' "
                "AND (date_realisation IS NULL OR date_realisation >= $fin)")


def actions_late_or_due(conn, period: Period, horizon_days: int = ACTION_HORIZON_DAYS) -> pd.DataFrame:
    """Improvement actions open at `fin` that are late (échéance < fin: PA-02) or due within
    `horizon_days` after `fin`; `jours` is échéance − fin (negative: days late)."""
    return query(conn, f"""
        SELECT CASE WHEN echeance < $fin THEN 'en retard' ELSE 'échéance dans les {horizon_days} jours' END
                   AS situation,
               numero, intitule, origine, site, pilote, date_ouverture, echeance, statut,
               echeance - $fin AS jours
        FROM actions
        WHERE {_OPEN_ACTION} AND echeance < $fin + INTERVAL {int(horizon_days)} DAY
        ORDER BY echeance, numero""", period_params(period))


def action_timeline(conn, period: Period) -> pd.DataFrame:
    """Actions open at some time in the 12 months ending with the period (not abandoned):
    opening → completion (or `fin` while open), with the due date and the situation at `fin`."""
    frame = query(conn, """
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
        FROM a ORDER BY date_ouverture, numero""", period_params(period))
    for column in ("date_ouverture", "echeance", "date_realisation", "fin_barre"):
        frame[column] = pd.to_datetime(frame[column])
    frame.insert(0, "action", [f"{number} · {_shorten(title, TIMELINE_TITLE_CHARS)}"
                               for number, title in zip(frame["numero"], frame["intitule"])])
    return frame


def _shorten(text: str, limit: int) -> str:
    text = str(text)
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


# --- Fiche: the actions linked to an indicator ------------------------------------------------

def linked_actions(conn, period: Period, site: str | None, *, code: str, cited_by: dict[str, str],
                   origins: tuple[str, ...]) -> pd.DataFrame:
    """Actions of the improvement plan linked to an indicator, open at `fin` or completed in
    the 12 months ending with the period (abandoned ones aside).

    An action is linked on purpose when its `indicateurs` column names the indicator's ``code``
    (« liée à REC-03 »): those come first. Otherwise the link is deduced, and said so (« lien
    déduit : … »): a row of one of the indicator's datasets cites its number in its `action`
    column (``cited_by``: those datasets and their labels), its origin is one of ``origins`` (the
    catalogue file's ``origines_actions``), or its title mentions the ``code``. With a site, the
    actions of that site and those of the whole structure (no site). Within each group, late
    open actions come first.
    """
    return query(conn, _linked_actions_sql(cited_by, origins, site), period_params(period, site, code=code))


def linked_actions_head(conn, period: Period, site: str | None, rows: int, *, code: str, cited_by: dict[str, str],
                        origins: tuple[str, ...]) -> tuple[pd.DataFrame, int, int]:
    """The first ``rows`` of :func:`linked_actions`, how many there are and how many are late:
    a large plan links thousands of actions, which a page need not load."""
    frame = query(conn, f"""
        SELECT *, count(*) OVER () AS _toutes, count(*) FILTER (WHERE situation = 'en retard') OVER () AS _en_retard
        FROM ({_linked_actions_sql(cited_by, origins, site)}) LIMIT {int(rows)}""",
                   period_params(period, site, code=code))
    total, late = (int(frame["_toutes"].iloc[0]), int(frame["_en_retard"].iloc[0])) if len(frame) else (0, 0)
    return frame.drop(columns=["_toutes", "_en_retard"]), total, late


def _linked_actions_sql(cited_by: dict[str, str], origins: tuple[str, ...], site: str | None) -> str:
    reasons = [f"CASE WHEN numero IN (SELECT DISTINCT action FROM {name} WHERE action IS NOT NULL) "
               f"THEN {literal('citée dans « ' + label + ' »')} END" for name, label in cited_by.items()]
    if origins:
        reasons.append(f"CASE WHEN origine IN ({', '.join(literal(o) for o in origins)}) "
                       "THEN 'origine ' || origine END")
    reasons.append("CASE WHEN contains(lower(intitule), lower($code)) THEN 'mentionne ' || $code END")
    site_clause = " AND (site = $site OR site IS NULL)" if site else ""
    # The column `indicateurs` holds the codes as the import writes them (« REC-03, SAT-01 »).
    return f"""
        WITH liees AS (
            SELECT *, list_contains(string_split(coalesce(indicateurs, ''), ', '), $code) AS _explicite,
                   concat_ws(' · ', {', '.join(reasons)}) AS _deduit
            FROM actions
            WHERE statut IS DISTINCT FROM 'abandonnée' AND date_ouverture < $fin
              AND (date_realisation IS NULL OR date_realisation >= $debut_fenetre){site_clause})
        SELECT CASE WHEN date_realisation < $fin THEN 'réalisée'
                    WHEN echeance < $fin THEN 'en retard' ELSE 'ouverte' END AS situation,
               numero, intitule,
               CASE WHEN _explicite THEN 'liée à ' || $code ELSE 'lien déduit : ' || _deduit END AS lien,
               origine, site, pilote, date_ouverture, echeance, date_realisation, statut, efficacite
        FROM liees WHERE _explicite OR _deduit <> ''
        ORDER BY _explicite DESC, CASE situation WHEN 'en retard' THEN 0 WHEN 'ouverte' THEN 1 ELSE 2 END,
                 echeance, numero"""


# --- Comité (the improvement plan since the last meeting) -------------------------------------

_DONE_ACTION = "statut IS DISTINCT FROM 'abandonnée' AND date_realisation < $fin"


def actions_closed_since(conn, period: Period, since: date | None = None) -> pd.DataFrame:
    """Actions completed in [`since`, `fin`) (default `since`: the period's start), not
    abandoned: what the committee closed since it last met."""
    return query(conn, f"""
        SELECT numero, intitule, origine, site, pilote, echeance, date_realisation, efficacite,
               CASE WHEN date_realisation <= echeance THEN 'dans les délais' ELSE 'en retard' END AS delai
        FROM actions WHERE {_DONE_ACTION} AND date_realisation >= $depuis
        ORDER BY date_realisation, numero""", period_params(period, depuis=since or period.debut))


def actions_effectiveness_to_check(conn, period: Period) -> pd.DataFrame:
    """Actions completed in the 12 months ending with the period whose effectiveness is not yet
    assessed (empty or « à évaluer »): the actions PA-03 still waits for (abandoned ones aside)."""
    return query(conn, f"""
        SELECT numero, intitule, origine, site, pilote, date_realisation, efficacite
        FROM actions WHERE {_DONE_ACTION} AND date_realisation >= $debut_fenetre
          AND (efficacite IS NULL OR efficacite NOT IN ('efficace', 'non efficace'))
        ORDER BY date_realisation, numero""", period_params(period))


def actions_linked_and_done(conn, period: Period) -> pd.DataFrame:
    """Actions completed in the 12 months ending with the period that name indicators in their
    `indicateurs` column: point 7 shows each one's measured effect on each of them."""
    return query(conn, f"""
        SELECT numero, intitule, indicateurs, date_realisation, efficacite
        FROM actions WHERE {_DONE_ACTION} AND date_realisation >= $debut_fenetre
          AND coalesce(indicateurs, '') <> ''
        ORDER BY date_realisation, numero""", period_params(period))
