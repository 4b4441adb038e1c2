"""Satisfaction: satisfied shares with their Wilson interval, per public and per question."""

from __future__ import annotations

import pandas as pd

from pilotage_qualite.model.periods import Period
from pilotage_qualite.reports.process_queries.sql import period_params, query, site_clause, with_wilson

PUBLICS = ("habitant", "partenaire")
GLOBAL_QUESTION = "Satisfaction globale"


def satisfaction_by_public(conn, period: Period, site: str | None) -> pd.DataFrame:
    """Overall satisfaction of the period per public (habitants, partenaires): answers n,
    satisfied (≥ 3 on the 1–4 scale, as SAT-01/02), the share with its Wilson 95 % interval,
    and the count of each answer."""
    counts = query(conn, f"""
        SELECT public, count(satisfaction_globale) AS n,
               count(*) FILTER (WHERE satisfaction_globale >= 3) AS satisfaits,
               count(*) FILTER (WHERE satisfaction_globale = 4) AS tres_satisfaits,
               count(*) FILTER (WHERE satisfaction_globale = 3) AS plutot_satisfaits,
               count(*) FILTER (WHERE satisfaction_globale = 2) AS plutot_pas_satisfaits,
               count(*) FILTER (WHERE satisfaction_globale = 1) AS pas_du_tout_satisfaits,
               count(*) FILTER (WHERE satisfaction_globale IS NULL) AS sans_reponse
        FROM satisfaction WHERE date >= $debut AND date < $fin{site_clause(site)}
        GROUP BY public""", period_params(period, site))
    frame = pd.DataFrame({"public": list(PUBLICS)}).merge(counts, on="public", how="outer")
    numbers = [c for c in frame.columns if c != "public"]
    frame[numbers] = frame[numbers].fillna(0).astype(int)
    return with_wilson(frame).reset_index(drop=True)


def satisfaction_by_question(conn, period: Period, site: str | None) -> pd.DataFrame:
    """Per question (overall satisfaction first, then each extra Likert question) and public:
    answers n, satisfied (≥ 3), share and Wilson 95 % interval. Unanswered questions are not
    counted in n."""
    clause = site_clause(site)
    counts = query(conn, f"""
        SELECT '{GLOBAL_QUESTION}' AS question, 0 AS rang, public, count(satisfaction_globale) AS n,
               count(*) FILTER (WHERE satisfaction_globale >= 3) AS satisfaits
        FROM satisfaction WHERE date >= $debut AND date < $fin{clause}
        GROUP BY public
        UNION ALL
        SELECT question, 1, public, count(reponse), count(*) FILTER (WHERE reponse >= 3)
        FROM satisfaction_questions WHERE date >= $debut AND date < $fin{clause}
        GROUP BY question, public""", period_params(period, site))
    counts = counts[counts["n"] > 0]
    return with_wilson(counts.sort_values(["rang", "question", "public"]).drop(columns="rang")
                       .reset_index(drop=True))
