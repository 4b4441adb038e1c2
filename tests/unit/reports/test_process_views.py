"""The aggregated views of the process pages, on small hand-made stores.

Each view is checked against figures worked out by hand from the rows, and against the
indicator it details (the engine's value for the same period): the two must never disagree
in front of a committee.
"""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest
from indicator_fixtures import make_store, one

from pilotage_qualite.model.periods import parse_period
from pilotage_qualite.model.status import wilson_interval
from pilotage_qualite.reports.process_queries.actions import action_timeline, actions_late_or_due, linked_actions, linked_actions_head
from pilotage_qualite.reports.process_queries.activity import activity_by_month, activity_by_registre, activity_by_site, presence_heatmap
from pilotage_qualite.reports.process_queries.audits import FINDING_AGE_BANDS, FINDING_TYPES, open_findings, open_findings_by_age
from pilotage_qualite.reports.process_queries.documents import document_status, documents_due
from pilotage_qualite.reports.process_queries.requests import delay_distribution, delay_summary, oldest_open_items, open_items_by_age
from pilotage_qualite.reports.process_queries.safety import incident_rate_by_month, incident_rate_by_site, incidents_by_type_and_site
from pilotage_qualite.reports.process_queries.satisfaction import GLOBAL_QUESTION, satisfaction_by_public, satisfaction_by_question
from pilotage_qualite.reports.process_queries.training import certification_by_site, onboarding, training_hours

JUNE = parse_period("2025-06")  # debut 2025-06-01, fin 2025-07-01, 12-month window from 2024-07-01


def by(frame: pd.DataFrame, **where) -> pd.DataFrame:
    selected = frame
    for column, value in where.items():
        selected = selected[selected[column] == value]
    return selected


def value(frame: pd.DataFrame, column: str, **where):
    found = by(frame, **where)
    assert len(found) == 1, (where, found)
    return found.iloc[0][column]


# --- Demandes et réclamations ---------------------------------------------------------------

REQUESTS = {
    "demandes": [
        # open at fin (2025-07-01): ages 1, 20, 31, 45, 120 days
        {"numero": "D1", "date_reception": "2025-06-30", "site": "Lyon"},
        {"numero": "D2", "date_reception": "2025-06-11", "site": "Lyon"},
        {"numero": "D3", "date_reception": "2025-05-31", "site": "Lyon"},  # 31 days: more than 30
        # closed on fin itself: still open at fin
        {"numero": "D4", "date_reception": "2025-05-17", "site": "Vienne", "date_cloture": "2025-07-01"},
        {"numero": "D5", "date_reception": "2025-03-03", "site": "Vienne"},
        # closed in June: delays 0, 5, 15, 16, 70 days
        {"numero": "D6", "date_reception": "2025-06-10", "site": "Lyon", "date_cloture": "2025-06-10"},
        {"numero": "D7", "date_reception": "2025-06-01", "site": "Lyon", "date_cloture": "2025-06-06"},
        {"numero": "D8", "date_reception": "2025-05-20", "site": "Vienne", "date_cloture": "2025-06-04"},
        {"numero": "D9", "date_reception": "2025-05-20", "site": "Vienne", "date_cloture": "2025-06-05"},
        {"numero": "D10", "date_reception": "2025-04-01", "site": "Lyon", "date_cloture": "2025-06-10"},
        # closed before June: neither open nor in the delays
        {"numero": "D11", "date_reception": "2025-04-01", "site": "Lyon", "date_cloture": "2025-05-02"},
        # received after the period: unknown at fin
        {"numero": "D12", "date_reception": "2025-07-02", "site": "Lyon"},
    ],
    "reclamations": [
        {"numero": "R1", "date_reception": "2025-05-01", "site": "Lyon", "date_reponse": "2025-06-02"},  # 32 days
        {"numero": "R2", "date_reception": "2025-06-20", "site": "Lyon", "date_reponse": "2025-06-22",
         "date_cloture": "2025-06-22"},  # 2 days, closed
        {"numero": "R3", "date_reception": "2025-06-25", "site": "Vienne"},  # open, 6 days
    ],
}


def test_open_requests_and_complaints_by_age_add_up_to_the_stock_indicators():
    conn = make_store(REQUESTS)
    ages = open_items_by_age(conn, JUNE, None)
    requests = by(ages, jeu="Demandes").set_index("tranche")["nombre"]
    # D1 (1 day), D2 (20), D3 (31), D4 (45, closed on fin so still open), D5 (120)
    assert requests.to_dict() == {"≤ 15 j": 1, "16–30 j": 1, "31–60 j": 2, "61–90 j": 0, "> 90 j": 1}
    assert by(ages, jeu="Demandes")["plus_de_30_jours"].sum() == 3 == one(conn, "DEM-04", "2025-06")["valeur"]
    complaints = by(ages, jeu="Réclamations").set_index("tranche")["nombre"]
    # R1 was answered but never closed: still open (61 days); R3 open (6 days); R2 closed
    assert complaints.to_dict() == {"≤ 15 j": 1, "16–30 j": 0, "31–60 j": 0, "61–90 j": 1, "> 90 j": 0}
    assert by(ages, jeu="Réclamations")["plus_de_30_jours"].sum() == 1 == one(conn, "REC-04", "2025-06")["valeur"]


def test_open_items_follow_the_site_filter():
    conn = make_store(REQUESTS)
    vienne = open_items_by_age(conn, JUNE, "Vienne")
    assert by(vienne, jeu="Demandes")["nombre"].sum() == 2  # D4 and D5
    assert by(vienne, jeu="Réclamations")["nombre"].sum() == 1  # R3
    oldest = oldest_open_items(conn, JUNE, None)
    assert list(oldest["numero"]) == ["D5", "R1", "D4", "D3"]  # older than 30 days, oldest first
    assert list(oldest["age_jours"]) == [120, 61, 45, 31]


def test_delay_distribution_matches_the_delay_indicators():
    conn = make_store(REQUESTS)
    delays = delay_distribution(conn, JUNE, None)
    requests = by(delays, jeu="Demandes").set_index("tranche")["nombre"]
    # D6 0 day, D7 5, D8 15, D9 16, D10 70
    assert requests.to_dict() == {"0–2 j": 1, "3–7 j": 1, "8–15 j": 1, "16–30 j": 1, "31–60 j": 0, "> 60 j": 1}
    within = by(delays, jeu="Demandes", dans_le_delai=True)["nombre"].sum()
    assert within == 3
    summary = delay_summary(conn, JUNE, None).set_index("jeu")
    assert summary.loc["Demandes", "n"] == 5 and summary.loc["Demandes", "mediane_jours"] == 15
    assert summary.loc["Demandes", "part_dans_le_delai"] == pytest.approx(one(conn, "DEM-03", "2025-06")["valeur"])
    assert summary.loc["Demandes", "mediane_jours"] == one(conn, "DEM-02", "2025-06")["valeur"]
    # complaints answered in June: R1 (32 days) and R2 (2 days)
    complaints = by(delays, jeu="Réclamations").set_index("tranche")["nombre"]
    assert complaints["0–2 j"] == 1 and complaints["31–60 j"] == 1 and complaints.sum() == 2
    assert summary.loc["Réclamations", "part_dans_le_delai"] == pytest.approx(one(conn, "REC-03", "2025-06")["valeur"])


def test_a_period_without_closures_has_no_median_rather_than_zero():
    conn = make_store(REQUESTS)
    summary = delay_summary(conn, parse_period("2025-01"), None).set_index("jeu")
    assert summary.loc["Demandes", "n"] == 0
    assert math.isnan(summary.loc["Demandes", "mediane_jours"])
    assert math.isnan(summary.loc["Demandes", "part_dans_le_delai"])


# --- Satisfaction ---------------------------------------------------------------------------

def survey_store():
    answers = [  # (public, site, overall) in June
        ("habitant", "Lyon", 4), ("habitant", "Lyon", 3), ("habitant", "Lyon", 2), ("habitant", "Vienne", 1),
        ("habitant", "Vienne", None), ("partenaire", "Lyon", 4), ("partenaire", "Vienne", 3),
    ]
    rows = [{"date": f"2025-06-{i + 1:02d}", "public": p, "site": s, "satisfaction_globale": g}
            for i, (p, s, g) in enumerate(answers)]
    rows.append({"date": "2025-05-30", "public": "habitant", "site": "Lyon", "satisfaction_globale": 1})  # May
    conn = make_store({"satisfaction": rows})
    conn.execute("CREATE TABLE satisfaction_questions AS SELECT *, NULL::VARCHAR AS question, NULL::TINYINT AS reponse "
                 "FROM satisfaction WHERE false")
    extra = [(2, "Écoute", 4), (3, "Écoute", 2), (4, "Écoute", 3), (5, "Écoute", None), (7, "Écoute", 1),
             (2, "Délai", 1)]  # (_ligne of the questionnaire, question, answer)
    for line, question, answer in extra:
        conn.execute("INSERT INTO satisfaction_questions SELECT *, ?, ? FROM satisfaction WHERE _ligne = ?",
                     [question, answer, line])
    return conn


def test_overall_satisfaction_per_public_with_wilson_interval():
    conn = survey_store()
    publics = satisfaction_by_public(conn, JUNE, None).set_index("public")
    assert publics.loc["habitant", "n"] == 4  # the unanswered questionnaire is not counted
    assert publics.loc["habitant", "satisfaits"] == 2 and publics.loc["habitant", "sans_reponse"] == 1
    assert publics.loc["habitant", "pourcentage"] == pytest.approx(50.0)
    assert publics.loc["habitant", "pourcentage"] == pytest.approx(one(conn, "SAT-01", "2025-06")["valeur"])
    low, high = wilson_interval(0.5, 4)
    assert publics.loc["habitant", "ic_bas"] == pytest.approx(100 * low)
    assert publics.loc["habitant", "ic_haut"] == pytest.approx(100 * high)
    assert publics.loc["partenaire", "pourcentage"] == pytest.approx(100.0)
    assert publics.loc["partenaire", "ic_haut"] == pytest.approx(100.0)
    assert (publics.loc["habitant", ["tres_satisfaits", "plutot_satisfaits", "plutot_pas_satisfaits",
                                     "pas_du_tout_satisfaits"]].tolist() == [1, 1, 1, 1])


def test_satisfaction_of_a_site_and_of_a_period_without_questionnaires():
    conn = survey_store()
    vienne = satisfaction_by_public(conn, JUNE, "Vienne").set_index("public")
    assert vienne.loc["habitant", "n"] == 1 and vienne.loc["habitant", "satisfaits"] == 0
    january = satisfaction_by_public(conn, parse_period("2025-01"), None)
    assert list(january["n"]) == [0, 0] and january["pourcentage"].isna().all()  # no value, never 0 %


def test_per_question_results_with_n_and_interval():
    conn = survey_store()
    questions = satisfaction_by_question(conn, JUNE, None)
    assert questions["question"].iloc[0] == GLOBAL_QUESTION
    listen = by(questions, question="Écoute", public="habitant").iloc[0]
    # lines 2, 3, 4 are June habitants (answers 4, 2, 3); line 5 gave no answer
    assert listen["n"] == 3 and listen["satisfaits"] == 2
    assert listen["pourcentage"] == pytest.approx(200 / 3)
    low, high = wilson_interval(2 / 3, 3)
    assert (listen["ic_bas"], listen["ic_haut"]) == (pytest.approx(100 * low), pytest.approx(100 * high))
    assert value(questions, "n", question="Écoute", public="partenaire") == 1  # line 7
    assert value(questions, "pourcentage", question="Délai", public="habitant") == 0.0


# --- Formation et RH --------------------------------------------------------------------------

STAFF = {
    "effectifs": [
        {"salarie": "A", "fonction": "médiateur", "site": "Lyon", "date_entree": "2020-01-01", "etp": 1.0,
         "certifie": True},
        {"salarie": "B", "fonction": "médiateur", "site": "Lyon", "date_entree": "2025-02-01", "etp": 0.5,
         "date_fin_integration": "2025-04-15"},  # 73 days: within 3 months
        {"salarie": "C", "fonction": "médiateur", "site": "Vienne", "date_entree": "2025-05-20",
         "etp": 1.0},  # in progress
        {"salarie": "D", "fonction": "encadrant", "site": "Vienne", "date_entree": "2024-09-01", "etp": 1.0,
         "certifie": True, "date_fin_integration": "2025-01-15"},  # 136 days: late
        {"salarie": "E", "fonction": "médiateur", "site": "Vienne", "date_entree": "2024-12-01"},  # overdue
        {"salarie": "F", "fonction": "médiateur", "site": "Lyon", "date_entree": "2019-01-01",
         "date_sortie": "2025-03-31", "certifie": True},  # left
        {"salarie": "G", "fonction": "médiateur", "site": "Lyon", "date_entree": "2025-07-10"},  # after fin
    ],
    "formations": [
        {"salarie": "A", "date": "2025-06-10", "intitule": "Gestion de conflit", "type": "formation continue",
         "heures": 14},
        {"salarie": "B", "date": "2025-02-10", "intitule": "Parcours d'intégration", "type": "intégration",
         "heures": 21},
        {"salarie": "C", "date": "2025-06-20", "intitule": "Analyse de pratiques", "type": "analyse de pratiques",
         "heures": 3.5},
        {"salarie": "A", "date": "2024-06-30", "intitule": "Trop ancienne", "type": "formation continue", "heures": 7},
        {"salarie": "D", "date": "2025-06-25", "intitule": "Annulée", "type": "formation continue", "heures": 7,
         "statut": "annulée"},
        {"salarie": "D", "date": "2025-08-25", "intitule": "À venir", "type": "formation continue", "heures": 7,
         "statut": "planifiée"},
    ],
}


def test_training_hours_per_etp_add_up_to_for01():
    conn = make_store(STAFF)
    hours = training_hours(conn, JUNE).set_index("type")
    assert hours["heures"].to_dict() == {"intégration": 21.0, "formation continue": 14.0, "analyse de pratiques": 3.5}
    assert hours["etp"].iloc[0] == pytest.approx(4.5)  # A 1 + B 0.5 + C 1 + D 1 + E 1 (default)
    assert hours["heures_par_etp"].sum() == pytest.approx(38.5 / 4.5)
    assert hours["heures_par_etp"].sum() == pytest.approx(one(conn, "FOR-01", "2025-06")["valeur"])


def test_certification_by_site_matches_for02():
    conn = make_store(STAFF)
    sites = certification_by_site(conn, JUNE).set_index("site")
    assert sites["n"].to_dict() == {"Lyon": 2, "Vienne": 2}  # F left, G not arrived, D is not a mediator
    assert sites["certifies"].to_dict() == {"Lyon": 1, "Vienne": 0}
    assert sites.loc["Lyon", "pourcentage"] == pytest.approx(
        one(conn, "FOR-02", "2025-06", "site", "Lyon")["valeur"])
    low, high = wilson_interval(0.5, 2)
    assert sites.loc["Lyon", "ic_bas"] == pytest.approx(100 * low)


def test_onboarding_of_the_arrivals_of_the_last_12_months():
    conn = make_store(STAFF)
    arrivals = onboarding(conn, JUNE, None).set_index("salarie")
    assert arrivals["situation"].to_dict() == {
        "C": "en cours", "B": "réalisée dans les 3 mois", "E": "non réalisée, échéance dépassée",
        "D": "réalisée après 3 mois"}
    assert list(arrivals.index) == ["C", "B", "E", "D"]  # latest arrival first
    assert onboarding(conn, JUNE, "Lyon").index.size == 1


# --- Audits et amélioration ---------------------------------------------------------------------

AUDITS = {
    "audits": [
        {"audit": "A1", "type_audit": "interne", "date": "2025-05-15", "constat": "non-conformité mineure"},  # 47 d
        {"audit": "A1", "type_audit": "interne", "date": "2025-05-15", "constat": "point sensible",
         "date_levee": "2025-06-30"},  # lifted
        {"audit": "A0", "type_audit": "blanc", "date": "2024-06-01", "constat": "non-conformité majeure",
         "date_levee": "2025-07-01"},  # lifted on fin: still open, 395 days
        {"audit": "A0", "type_audit": "blanc", "date": "2024-06-01", "constat": "point fort"},  # not a finding to close
        {"audit": "A0", "type_audit": "blanc", "date": "2024-12-01", "constat": "piste de progrès"},  # 212 days
        {"audit": "A2", "type_audit": "certification", "date": "2025-07-15", "constat": "non-conformité mineure"},
    ],
    "actions": [
        {"numero": "PA-1", "intitule": "Late", "origine": "audit", "date_ouverture": "2025-01-10",
         "echeance": "2025-06-30", "statut": "en cours"},
        {"numero": "PA-2", "intitule": "Due soon", "origine": "audit", "date_ouverture": "2025-03-01",
         "echeance": "2025-07-20"},
        {"numero": "PA-3", "intitule": "Due later", "origine": "réclamation", "date_ouverture": "2025-03-01",
         "echeance": "2025-08-15"},
        {"numero": "PA-4", "intitule": "Done late", "origine": "incident", "date_ouverture": "2024-09-01",
         "echeance": "2025-01-31", "date_realisation": "2025-02-20", "statut": "réalisée"},
        {"numero": "PA-5", "intitule": "Abandoned", "origine": "autre", "date_ouverture": "2025-01-01",
         "echeance": "2025-02-01", "statut": "abandonnée"},
        {"numero": "PA-6", "intitule": "Done after fin", "origine": "audit", "date_ouverture": "2025-02-01",
         "echeance": "2025-05-01", "date_realisation": "2025-07-05", "statut": "réalisée"},
        {"numero": "PA-7", "intitule": "Done on time", "origine": "audit", "date_ouverture": "2024-05-01",
         "echeance": "2024-08-01", "date_realisation": "2024-06-20", "statut": "réalisée"},  # before the window
    ],
}


def test_open_findings_by_type_and_age_add_up_to_aud01():
    conn = make_store(AUDITS)
    grid = open_findings_by_age(conn, JUNE)
    assert len(grid) == len(FINDING_TYPES) * len(FINDING_AGE_BANDS)  # every cell, zeros included
    counts = {(r.constat, r.tranche): r.nombre for r in grid.itertuples() if r.nombre}
    assert counts == {("non-conformité mineure", "≤ 3 mois"): 1, ("non-conformité majeure", "> 1 an"): 1,
                      ("piste de progrès", "6 à 12 mois"): 1}
    nc = grid[grid["constat"].str.startswith("non-conformité")]["nombre"].sum()
    assert nc == 2 == one(conn, "AUD-01", "2025-06")["valeur"]
    listed = open_findings(conn, JUNE)
    assert list(listed["constat"]) == ["non-conformité majeure", "non-conformité mineure", "piste de progrès"]


def test_late_actions_and_those_due_within_30_days():
    conn = make_store(AUDITS)
    actions = actions_late_or_due(conn, JUNE)
    assert list(actions["numero"]) == ["PA-6", "PA-1", "PA-2"]
    assert list(actions["situation"]) == ["en retard", "en retard", "échéance dans les 30 jours"]
    assert list(actions["jours"]) == [-61, -1, 19]
    late = (actions["situation"] == "en retard").sum()
    assert late == one(conn, "PA-02", "2025-06")["valeur"]


def test_action_timeline_over_the_12_months():
    conn = make_store(AUDITS)
    timeline = action_timeline(conn, JUNE).set_index("numero")
    assert list(timeline.index) == ["PA-4", "PA-1", "PA-6", "PA-2", "PA-3"]  # by opening; PA-5 and PA-7 left out
    assert timeline["situation"].to_dict() == {"PA-4": "réalisée en retard", "PA-1": "en retard",
                                               "PA-6": "en retard", "PA-2": "en cours", "PA-3": "en cours"}
    assert timeline.loc["PA-6", "fin_barre"] == pd.Timestamp("2025-07-01")  # done after fin: open at fin
    assert timeline.loc["PA-4", "fin_barre"] == pd.Timestamp("2025-02-20")
    assert timeline.loc["PA-1", "action"] == "PA-1 · Late"


# --- Sécurité ---------------------------------------------------------------------------------

SAFETY = {
    "incidents": [
        {"date": "2025-06-03", "site": "Lyon", "type": "agression verbale"},
        {"date": "2025-06-13", "site": "Lyon", "type": "agression verbale", "jours_arret": 2},
        {"date": "2025-06-20", "site": "Vienne", "type": "menace"},
        {"date": "2025-04-20", "site": "Vienne", "type": "accident du travail"},
    ],
    "presence": [
        {"date": "2025-06-01", "site": "Lyon", "heures_planifiees": 1100, "heures_realisees": 1000},
        {"date": "2025-06-01", "site": "Vienne", "heures_planifiees": 600, "heures_realisees": 500},
        {"date": "2025-05-01", "site": "Lyon", "heures_planifiees": 1000, "heures_realisees": 800},
    ],
}


def test_incidents_by_type_and_site_with_zeros():
    conn = make_store(SAFETY)
    grid = incidents_by_type_and_site(conn, JUNE, None)
    assert len(grid) == 3 * 2  # every type seen × every site seen
    assert value(grid, "nombre", type="agression verbale", site="Lyon") == 2
    assert value(grid, "jours_arret", type="agression verbale", site="Lyon") == 2
    assert value(grid, "nombre", type="accident du travail", site="Vienne") == 0  # April
    assert incidents_by_type_and_site(conn, JUNE, "Vienne")["nombre"].sum() == 1


def test_incidents_per_1000_hours_by_site_and_by_month():
    conn = make_store(SAFETY)
    sites = incident_rate_by_site(conn, JUNE).set_index("site")
    assert sites.loc["Lyon", "taux_1000h"] == pytest.approx(2.0)
    assert sites.loc["Vienne", "taux_1000h"] == pytest.approx(2.0)
    for site in ("Lyon", "Vienne"):
        assert sites.loc[site, "taux_1000h"] == pytest.approx(one(conn, "SEC-03", "2025-06", "site", site)["valeur"])
    months = incident_rate_by_month(conn, JUNE, None).set_index("mois_fr")
    assert len(months) == 12 and months.index[-1] == "juin 2025"
    assert months.loc["juin 2025", "taux_1000h"] == pytest.approx(2.0)
    assert months.loc["mai 2025", "taux_1000h"] == 0.0  # hours, no event: a real zero
    assert math.isnan(months.loc["avr. 2025", "taux_1000h"])  # an event but no hours: no rate
    assert months.loc["avr. 2025", "evenements"] == 1


# --- Activité --------------------------------------------------------------------------------

def test_activity_views():
    conn = make_store({
        "activite": [
            {"date": "2025-06-02", "site": "Lyon", "registre": "gestion de conflit", "nb_personnes": 3},
            {"date": "2025-06-03", "site": "Lyon", "registre": "mise en relation", "orientation": True},
            {"date": "2025-06-04", "site": "Vienne", "registre": "gestion de conflit", "nb_personnes": 2},
            {"date": "2025-01-04", "site": "Vienne", "registre": "gestion de conflit"},
            {"date": "2024-06-30", "site": "Vienne", "registre": "gestion de conflit"},  # outside the 12 months
        ],
        "presence": SAFETY["presence"],
    })
    registres = activity_by_registre(conn, JUNE, None).set_index("registre")
    assert registres.loc["gestion de conflit", ["interventions", "personnes"]].tolist() == [2, 5]
    assert registres.loc["mise en relation", "orientations"] == 1
    assert activity_by_registre(conn, JUNE, "Vienne")["interventions"].sum() == 1
    assert activity_by_site(conn, JUNE).set_index("site")["interventions"].to_dict() == {"Lyon": 2, "Vienne": 1}
    months = activity_by_month(conn, JUNE, None)
    assert months["interventions"].sum() == 4 and set(months["mois_fr"]) == {"janv. 2025", "juin 2025"}
    heat = presence_heatmap(conn, JUNE)
    assert value(heat, "taux", site="Lyon", mois_fr="juin 2025") == pytest.approx(100 * 1000 / 1100)
    assert value(heat, "taux", site="Lyon", mois_fr="mai 2025") == pytest.approx(80.0)
    assert len(heat) == 3  # only months with rows: a month without presence is a gap, not 0 %


# --- Documentation ---------------------------------------------------------------------------

def test_documents_due_for_review_and_doc01():
    conn = make_store({"documents": [
        {"code": "P1", "titre": "Overdue", "date_revision": "2023-01-10", "date_prochaine_revision": "2025-05-01"},
        {"code": "P2", "titre": "Default 24 months", "date_revision": "2023-07-15"},  # next 2025-07-15: due soon
        {"code": "P3", "titre": "Due in 59 days", "date_revision": "2024-01-01",
         "date_prochaine_revision": "2025-08-29"},
        {"code": "P4", "titre": "Due in 60 days", "date_revision": "2024-01-01",
         "date_prochaine_revision": "2025-08-30"},
        {"code": "P5", "titre": "Archived", "date_revision": "2020-01-01", "statut": "archivé"},
        {"code": "P6", "titre": "Revised after fin", "date_revision": "2025-07-10"},
    ]})
    due = documents_due(conn, JUNE)
    assert list(due["code"]) == ["P1", "P2", "P3"]
    assert list(due["situation"]) == ["révision dépassée", "à réviser dans les 60 jours", "à réviser dans les 60 jours"]
    assert list(due["jours"]) == [-61, 14, 59]
    assert due.iloc[1]["prochaine_revision"] == pd.Timestamp(date(2025, 7, 15))
    status = document_status(conn, JUNE).set_index("situation")["nombre"]
    assert status.tolist() == [1, 2, 1]
    up_to_date = 100 * (status.sum() - status.iloc[0]) / status.sum()
    assert up_to_date == pytest.approx(one(conn, "DOC-01", "2025-06")["valeur"])


# --- Fiche: actions linked to an indicator ---------------------------------------------------

LINKED = {
    "actions": [
        # cited by a complaint, open and late at fin (échéance before 2025-07-01)
        {"numero": "A1", "intitule": "Rappeler les délais de réponse", "origine": "autre", "site": "Lyon",
         "date_ouverture": "2025-03-01", "echeance": "2025-05-31", "statut": "en cours"},
        # origin « réclamation », structure-wide (no site), open and not yet due
        {"numero": "A2", "intitule": "Former l'accueil", "origine": "réclamation",
         "date_ouverture": "2025-05-01", "echeance": "2025-09-30", "statut": "en cours"},
        # mentions the code, site Vienne, completed in the 12 months ending with June
        {"numero": "A3", "intitule": "Suivi mensuel de rec-03 en équipe", "origine": "revue de direction",
         "site": "Vienne", "date_ouverture": "2024-09-01", "echeance": "2024-12-31",
         "date_realisation": "2024-11-15", "statut": "réalisée", "efficacite": "efficace"},
        # linked but out of scope: completed before the window, abandoned, opened after the period
        {"numero": "A4", "intitule": "Ancienne action", "origine": "réclamation", "date_ouverture": "2024-01-01",
         "echeance": "2024-03-01", "date_realisation": "2024-06-30", "statut": "réalisée"},
        {"numero": "A5", "intitule": "Abandonnée", "origine": "réclamation", "date_ouverture": "2025-04-01",
         "echeance": "2025-08-01", "statut": "abandonnée"},
        {"numero": "A6", "intitule": "Plus tard", "origine": "réclamation", "date_ouverture": "2025-07-01",
         "echeance": "2025-08-01", "statut": "à faire"},
        # open, in scope, but not linked to REC-03 in any way
        {"numero": "A7", "intitule": "Réviser le plan de formation", "origine": "autre",
         "date_ouverture": "2025-02-01", "echeance": "2025-12-31", "statut": "en cours"},
        # linked on purpose (its « Indicateurs concernés » name REC-03), and by nothing else
        {"numero": "A8", "intitule": "Relancer les services", "origine": "autre", "date_ouverture": "2025-03-01",
         "echeance": "2025-12-31", "statut": "en cours", "indicateurs": "SAT-01, REC-03"},
    ],
    "reclamations": [
        {"numero": "R1", "date_reception": "2025-02-10", "site": "Lyon", "action": "A1"},
        {"numero": "R2", "date_reception": "2025-06-20", "site": "Lyon"},
    ],
}


def linked(site: str | None = None) -> pd.DataFrame:
    return linked_actions(make_store(LINKED), JUNE, site, code="REC-03",
                             cited_by={"reclamations": "Réclamations"}, origins=("réclamation",))


def test_actions_linked_on_purpose_come_first_then_those_linked_by_citation_origin_or_mention():
    actions = linked()
    assert list(actions["numero"]) == ["A8", "A1", "A2", "A3"]  # A8 on purpose; then late, open, done
    assert list(actions["situation"]) == ["ouverte", "en retard", "ouverte", "réalisée"]
    assert list(actions["lien"]) == ["liée à REC-03", "lien déduit : citée dans « Réclamations »",
                                     "lien déduit : origine réclamation", "lien déduit : mentionne REC-03"]


def test_linked_actions_of_a_site_keep_those_of_the_whole_structure():
    assert list(linked("Vienne")["numero"]) == ["A8", "A2", "A3"]  # A1 is Lyon's; A2 and A8 have no site
    assert list(linked("Lyon")["numero"]) == ["A8", "A1", "A2"]


def test_the_first_linked_actions_come_with_their_counts():
    head, total, late = linked_actions_head(make_store(LINKED), JUNE, None, 2, code="REC-03",
                                               cited_by={"reclamations": "Réclamations"}, origins=("réclamation",))
    assert list(head["numero"]) == ["A8", "A1"] and (total, late) == (4, 1)
    assert list(head.columns) == list(linked().columns)
    empty = linked_actions_head(make_store(LINKED), JUNE, None, 2, code="DEM-01", cited_by={}, origins=())
    assert empty[0].empty and empty[1:] == (0, 0)
