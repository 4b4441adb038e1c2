"""One test per catalogue indicator, on a handful of rows written out here.

Every expected value is worked out by hand in the comments, from the definitions of
indicators.md. Unless said otherwise the period is June 2025: debut = 2025-06-01,
fin = 2025-07-01, so fin − 30 days = 2025-06-01 and the 12-month window is
W = [2024-07-01, 2025-07-01).
"""

from __future__ import annotations

import math

import pytest
from indicator_fixtures import CATALOGUE, add_rows, compute, make_store, one, row

JUNE = "2025-06"


def approx(x):
    return pytest.approx(x, rel=1e-12, abs=1e-12)


def is_missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


# --- Activité ------------------------------------------------------------------------


ACTIVITE = [
    # date, site, registre, nb_personnes, orientation
    {"date": "2025-06-01", "site": "Lyon", "registre": "gestion de conflit", "nb_personnes": 3, "orientation": True},
    {"date": "2025-06-30", "site": "Lyon", "registre": "présence active de proximité"},  # nb 1 (default), no orientation
    {"date": "2025-06-15", "site": "Saint-Étienne", "registre": "gestion de conflit", "nb_personnes": 5,
     "orientation": True},
    {"date": "2025-07-01", "site": "Lyon", "registre": "concertation", "nb_personnes": 10, "orientation": True},
    {"date": "2025-05-31", "site": "Saint-Étienne", "registre": "concertation", "nb_personnes": 7},
]


def test_act_01_interventions():
    # June: rows of 06-01 and 06-30 (both bounds of the month) and 06-15 → 3.
    # 07-01 belongs to July, 05-31 to May. Lyon: 2, Saint-Étienne: 1.
    # Registre: gestion de conflit 2, présence active de proximité 1.
    # April has no row but the dataset has rows → 0, status « suivi » (no target).
    conn = make_store({"activite": ACTIVITE})
    res = compute(conn, "ACT-01", [JUNE, "2025-07", "2025-04"])
    r = row(res, "ACT-01", JUNE)
    assert r.valeur == 3 and r.effectif == 3 and r.statut == "suivi"
    assert row(res, "ACT-01", JUNE, "site", "Lyon").valeur == 2
    assert row(res, "ACT-01", JUNE, "site", "Saint-Étienne").valeur == 1
    assert row(res, "ACT-01", JUNE, "registre", "gestion de conflit").valeur == 2
    assert row(res, "ACT-01", JUNE, "registre", "présence active de proximité").valeur == 1
    assert row(res, "ACT-01", JUNE, "registre", "concertation").valeur == 0
    assert row(res, "ACT-01", "2025-07").valeur == 1
    assert row(res, "ACT-01", "2025-07", "site", "Saint-Étienne").valeur == 0
    april = row(res, "ACT-01", "2025-04")
    assert april.valeur == 0 and april.effectif == 0 and april.statut == "suivi"


def test_act_02_personnes_rencontrees():
    # June: 3 + 1 (default nb_personnes) + 5 = 9 people over n = 3 interventions.
    # Lyon: 3 + 1 = 4; Saint-Étienne: 5. July: 10. April: no row → 0 (not « pas de données »).
    conn = make_store({"activite": ACTIVITE})
    res = compute(conn, "ACT-02", [JUNE, "2025-07", "2025-04"])
    r = row(res, "ACT-02", JUNE)
    assert r.valeur == 9 and r.effectif == 3
    assert row(res, "ACT-02", JUNE, "site", "Lyon").valeur == 4
    assert row(res, "ACT-02", JUNE, "site", "Saint-Étienne").valeur == 5
    assert row(res, "ACT-02", JUNE, "registre", "gestion de conflit").valeur == 8
    assert row(res, "ACT-02", "2025-07").valeur == 10
    assert row(res, "ACT-02", "2025-04").valeur == 0


def test_act_03_mises_en_relation():
    # June rows with orientation = oui: 06-01 Lyon and 06-15 Saint-Étienne → 2 (06-30 has none).
    # July: 07-01 → 1. May: 05-31 without orientation → 0.
    conn = make_store({"activite": ACTIVITE})
    res = compute(conn, "ACT-03", [JUNE, "2025-07", "2025-05"])
    assert row(res, "ACT-03", JUNE).valeur == 2
    assert row(res, "ACT-03", JUNE, "site", "Lyon").valeur == 1
    assert row(res, "ACT-03", JUNE, "site", "Saint-Étienne").valeur == 1
    assert row(res, "ACT-03", "2025-07").valeur == 1
    assert row(res, "ACT-03", "2025-05").valeur == 0


def test_act_04_presence_terrain():
    # June: Lyon 90/100 h, Saint-Étienne 50/50 h, Villeurbanne 0/0 h (empty denominator).
    # Ensemble: 100 × (90 + 50 + 0) / (100 + 50 + 0) = 93.33… % → 85 ≤ v < 95 → « à surveiller »; n = 3 rows.
    # Lyon 90 % → à surveiller; Saint-Étienne 100 % → atteint; Villeurbanne 0/0 → no value (never 0).
    # May: no presence row → no value, n = 0 → « pas de données ».
    conn = make_store({"presence": [
        {"date": "2025-06-01", "site": "Lyon", "heures_planifiees": 100, "heures_realisees": 90},
        {"date": "2025-06-01", "site": "Saint-Étienne", "heures_planifiees": 50, "heures_realisees": 50},
        {"date": "2025-06-01", "site": "Villeurbanne", "heures_planifiees": 0, "heures_realisees": 0},
        {"date": "2025-07-01", "site": "Lyon", "heures_planifiees": 100, "heures_realisees": 10},
    ]})
    res = compute(conn, "ACT-04", [JUNE, "2025-05"])
    r = row(res, "ACT-04", JUNE)
    assert r.valeur == approx(100 * 140 / 150) and r.effectif == 3
    assert r.numerateur == 140 and r.denominateur == 150
    assert r.statut == "à surveiller" and r.cible == 95 and r.seuil == 85
    assert row(res, "ACT-04", JUNE, "site", "Lyon").statut == "à surveiller"
    se = row(res, "ACT-04", JUNE, "site", "Saint-Étienne")
    assert se.valeur == 100 and se.statut == "atteint"
    vi = row(res, "ACT-04", JUNE, "site", "Villeurbanne")
    assert is_missing(vi.valeur) and vi.statut == "pas de données" and vi.effectif == 1
    may = row(res, "ACT-04", "2025-05")
    assert is_missing(may.valeur) and may.effectif == 0 and may.statut == "pas de données"


# --- Demandes ------------------------------------------------------------------------


def test_dem_01_demandes_recues():
    # Received in June: D1 (06-01), D2 (06-30), D3 (06-10), D6 (06-20, no canal) → 4.
    # Lyon 2, Saint-Étienne 2; canal téléphone 2, courriel 1, (non renseigné) 1.
    conn = make_store({"demandes": [
        {"numero": "D1", "date_reception": "2025-06-01", "site": "Lyon", "canal": "téléphone"},
        {"numero": "D2", "date_reception": "2025-06-30", "site": "Lyon", "canal": "courriel"},
        {"numero": "D3", "date_reception": "2025-06-10", "site": "Saint-Étienne", "canal": "téléphone"},
        {"numero": "D4", "date_reception": "2025-07-01", "site": "Lyon", "canal": "courriel"},
        {"numero": "D5", "date_reception": "2025-05-31", "site": "Lyon", "canal": "courriel"},
        {"numero": "D6", "date_reception": "2025-06-20", "site": "Saint-Étienne"},
    ]})
    res = compute(conn, "DEM-01", [JUNE])
    assert row(res, "DEM-01", JUNE).valeur == 4
    assert row(res, "DEM-01", JUNE, "site", "Lyon").valeur == 2
    assert row(res, "DEM-01", JUNE, "site", "Saint-Étienne").valeur == 2
    assert row(res, "DEM-01", JUNE, "canal", "téléphone").valeur == 2
    assert row(res, "DEM-01", JUNE, "canal", "courriel").valeur == 1
    assert row(res, "DEM-01", JUNE, "canal", "(non renseigné)").valeur == 1


def test_dem_02_delai_median():
    # Closed in June: Lyon delays 2 and 30, Saint-Étienne 4 and 10 (D5 closed in July, D6 open: out).
    # Ensemble: sorted 2, 4, 10, 30 → even count → (4 + 10) / 2 = 7 days ≤ 10, but a median of
    # fewer than 5 rows → effectif insuffisant (the value is still shown, with n).
    # Computed from all rows: NOT the mean of the site medians (16 and 7 → 11.5).
    # Lyon: (2 + 30) / 2 = 16, Saint-Étienne: (4 + 10) / 2 = 7, each over 2 rows.
    conn = make_store({"demandes": [
        {"numero": "D1", "date_reception": "2025-05-30", "date_cloture": "2025-06-01", "site": "Lyon"},
        {"numero": "D2", "date_reception": "2025-05-31", "date_cloture": "2025-06-30", "site": "Lyon"},
        {"numero": "D3", "date_reception": "2025-06-06", "date_cloture": "2025-06-10", "site": "Saint-Étienne"},
        {"numero": "D4", "date_reception": "2025-06-05", "date_cloture": "2025-06-15", "site": "Saint-Étienne"},
        {"numero": "D5", "date_reception": "2025-03-01", "date_cloture": "2025-07-01", "site": "Lyon"},
        {"numero": "D6", "date_reception": "2025-06-01", "site": "Lyon"},
    ]})
    res = compute(conn, "DEM-02", [JUNE])
    r = row(res, "DEM-02", JUNE)
    assert r.valeur == 7 and r.effectif == 4 and r.statut == "effectif insuffisant"
    lyon = row(res, "DEM-02", JUNE, "site", "Lyon")
    assert lyon.valeur == 16 and lyon.statut == "effectif insuffisant"
    # A fifth request closed in June (D7, 5 days): 2, 4, 5, 10, 30 → median 5 over 5 rows → atteint.
    add_rows(conn, "demandes", [{"numero": "D7", "date_reception": "2025-06-20", "date_cloture": "2025-06-25",
                                 "site": "Saint-Étienne"}], import_id=2)
    r = row(compute(conn, "DEM-02", [JUNE]), "DEM-02", JUNE)
    assert r.valeur == 5 and r.effectif == 5 and r.statut == "atteint"
    assert row(res, "DEM-02", JUNE, "site", "Saint-Étienne").valeur == 7


def test_dem_03_traitees_sous_15_jours():
    # Closed in June, delays: Lyon 15 (✓, exactly 15), 16 (✗), 20 (✗); Saint-Étienne 0 (✓), 3 (✓).
    # Ensemble: 3 / 5 = 60 % < 80 → non atteint (n = 5 ≥ 5).
    # Lyon 1/3 = 33.3 % and Saint-Étienne 2/2 = 100 %: n below 5 → « effectif insuffisant ».
    conn = make_store({"demandes": [
        {"numero": "D1", "date_reception": "2025-05-27", "date_cloture": "2025-06-11", "site": "Lyon"},
        {"numero": "D2", "date_reception": "2025-05-27", "date_cloture": "2025-06-12", "site": "Lyon"},
        {"numero": "D3", "date_reception": "2025-06-01", "date_cloture": "2025-06-21", "site": "Lyon"},
        {"numero": "D4", "date_reception": "2025-06-30", "date_cloture": "2025-06-30", "site": "Saint-Étienne"},
        {"numero": "D5", "date_reception": "2025-06-01", "date_cloture": "2025-06-04", "site": "Saint-Étienne"},
        {"numero": "D6", "date_reception": "2025-06-20", "date_cloture": "2025-07-01", "site": "Lyon"},
    ]})
    res = compute(conn, "DEM-03", [JUNE])
    r = row(res, "DEM-03", JUNE)
    assert r.valeur == approx(60.0) and r.numerateur == 3 and r.denominateur == 5 and r.effectif == 5
    assert r.statut == "non atteint"
    lyon = row(res, "DEM-03", JUNE, "site", "Lyon")
    assert lyon.valeur == approx(100 / 3) and lyon.statut == "effectif insuffisant"
    assert row(res, "DEM-03", JUNE, "site", "Saint-Étienne").statut == "effectif insuffisant"


STOCK_DEMANDES = [
    # fin(June) = 2025-07-01, fin − 30 = 2025-06-01
    {"numero": "A", "date_reception": "2025-05-31", "site": "Lyon"},  # open, received before fin − 30 ✓
    {"numero": "B", "date_reception": "2025-06-01", "site": "Lyon"},  # exactly fin − 30: not counted
    {"numero": "C", "date_reception": "2025-04-01", "date_cloture": "2025-07-01", "site": "Lyon"},  # closed at fin ✓
    {"numero": "D", "date_reception": "2025-04-01", "date_cloture": "2025-06-30", "site": "Lyon"},  # closed before fin
    {"numero": "E", "date_reception": "2025-03-01", "date_cloture": "2025-08-15", "site": "Saint-Étienne"},  # ✓
    {"numero": "F", "date_reception": "2025-07-15", "site": "Saint-Étienne"},  # not received yet
]


def test_dem_04_demandes_en_attente():
    # June (fin 2025-07-01, fin − 30 = 2025-06-01): A ✓, B ✗ (06-01 is not < 06-01), C ✓ (closed
    # exactly at fin: still open at fin), D ✗, E ✓, F ✗ → 3; Lyon 2 (A, C), Saint-Étienne 1 (E).
    # baisse, cible 0, seuil 5: 0 < 3 ≤ 5 → « à surveiller ».
    # May (fin 06-01, fin − 30 = 05-02): C ✓, D ✓ (closed 06-30 ≥ 06-01), E ✓, A ✗ (05-31) → 3.
    # July (fin 08-01, fin − 30 = 07-02): A ✓, B ✓, E ✓ (closed 08-15 ≥ 08-01), C ✗, D ✗, F ✗ (07-15) → 3.
    conn = make_store({"demandes": STOCK_DEMANDES})
    res = compute(conn, "DEM-04", [JUNE, "2025-05", "2025-07"])
    r = row(res, "DEM-04", JUNE)
    assert r.valeur == 3 and r.statut == "à surveiller"
    assert row(res, "DEM-04", JUNE, "site", "Lyon").valeur == 2
    assert row(res, "DEM-04", JUNE, "site", "Saint-Étienne").valeur == 1
    assert row(res, "DEM-04", "2025-05").valeur == 3
    assert row(res, "DEM-04", "2025-07").valeur == 3
    assert row(res, "DEM-04", "2025-07", "site", "Lyon").valeur == 2  # A and B


# --- Réclamations --------------------------------------------------------------------


def test_rec_01_reclamations_recues():
    # Received in June: R1 (06-01), R2 (06-30), R3 (06-15) → 3; R4 (07-01) and R5 (05-31) are out.
    # Lyon 2, Saint-Étienne 1; origine habitant 2, partenaire 1; motif bruit 1, retard 1, (non renseigné) 1.
    # baisse without target → « suivi ».
    conn = make_store({"reclamations": [
        {"numero": "R1", "date_reception": "2025-06-01", "site": "Lyon", "origine": "habitant", "motif": "bruit"},
        {"numero": "R2", "date_reception": "2025-06-30", "site": "Lyon", "origine": "partenaire", "motif": "retard"},
        {"numero": "R3", "date_reception": "2025-06-15", "site": "Saint-Étienne", "origine": "habitant"},
        {"numero": "R4", "date_reception": "2025-07-01", "site": "Lyon", "origine": "habitant"},
        {"numero": "R5", "date_reception": "2025-05-31", "site": "Lyon", "origine": "autre"},
    ]})
    res = compute(conn, "REC-01", [JUNE])
    r = row(res, "REC-01", JUNE)
    assert r.valeur == 3 and r.statut == "suivi" and r.sens == "baisse"
    assert row(res, "REC-01", JUNE, "site", "Lyon").valeur == 2
    assert row(res, "REC-01", JUNE, "origine", "habitant").valeur == 2
    assert row(res, "REC-01", JUNE, "origine", "partenaire").valeur == 1
    assert row(res, "REC-01", JUNE, "origine", "autre").valeur == 0
    assert row(res, "REC-01", JUNE, "motif", "bruit").valeur == 1
    assert row(res, "REC-01", JUNE, "motif", "(non renseigné)").valeur == 1


def test_rec_02_accuse_reception_48h():
    # Received in June, delay to acknowledgement: R1 2 days (✓ exactly 2), R2 3 days (✗ exactly 3),
    # R3 no acknowledgement (✗), R4 0 days (✓), R5 1 day (✓). R6 received in May: out.
    # Ensemble 3 / 5 = 60 % < 85 → non atteint. Lyon (R1, R2, R3): 1/3; Saint-Étienne (R4, R5): 2/2.
    # August (dataset has rows, none received): empty denominator → no value, « pas de données ».
    conn = make_store({"reclamations": [
        {"numero": "R1", "date_reception": "2025-06-10", "date_accuse_reception": "2025-06-12", "site": "Lyon"},
        {"numero": "R2", "date_reception": "2025-06-10", "date_accuse_reception": "2025-06-13", "site": "Lyon"},
        {"numero": "R3", "date_reception": "2025-06-30", "site": "Lyon"},
        {"numero": "R4", "date_reception": "2025-06-01", "date_accuse_reception": "2025-06-01", "site": "Saint-Étienne"},
        {"numero": "R5", "date_reception": "2025-06-30", "date_accuse_reception": "2025-07-01", "site": "Saint-Étienne"},
        {"numero": "R6", "date_reception": "2025-05-31", "date_accuse_reception": "2025-06-01", "site": "Lyon"},
    ]})
    res = compute(conn, "REC-02", [JUNE, "2025-08"])
    r = row(res, "REC-02", JUNE)
    assert r.valeur == approx(60.0) and (r.numerateur, r.denominateur, r.effectif) == (3, 5, 5)
    assert r.statut == "non atteint"
    assert row(res, "REC-02", JUNE, "site", "Lyon").valeur == approx(100 / 3)
    assert row(res, "REC-02", JUNE, "site", "Saint-Étienne").valeur == 100
    aug = row(res, "REC-02", "2025-08")
    assert is_missing(aug.valeur) and aug.effectif == 0 and aug.statut == "pas de données"


def test_rec_03_reponse_sous_15_jours():
    # Answered in June (attribution by date_reponse), delays: 15 ✓, 16 ✗, 5 ✓, 10 ✓, 1 ✓, 2 ✓
    # → 5 / 6 = 83.33 %: 75 ≤ v < 90 → « à surveiller ». R7 received in June but answered in
    # July belongs to July (1 answer, 30 days ✗ → 0 %).
    conn = make_store({"reclamations": [
        {"numero": "R1", "date_reception": "2025-05-20", "date_reponse": "2025-06-04", "site": "Lyon"},
        {"numero": "R2", "date_reception": "2025-05-20", "date_reponse": "2025-06-05", "site": "Lyon"},
        {"numero": "R3", "date_reception": "2025-06-01", "date_reponse": "2025-06-06", "site": "Lyon"},
        {"numero": "R4", "date_reception": "2025-06-10", "date_reponse": "2025-06-20", "site": "Lyon"},
        {"numero": "R5", "date_reception": "2025-06-29", "date_reponse": "2025-06-30", "site": "Lyon"},
        {"numero": "R6", "date_reception": "2025-05-30", "date_reponse": "2025-06-01", "site": "Lyon"},
        {"numero": "R7", "date_reception": "2025-06-15", "date_reponse": "2025-07-15", "site": "Lyon"},
    ]})
    res = compute(conn, "REC-03", [JUNE, "2025-07"])
    r = row(res, "REC-03", JUNE)
    assert r.valeur == approx(500 / 6) and r.effectif == 6 and r.statut == "à surveiller"
    july = row(res, "REC-03", "2025-07")
    assert july.valeur == 0 and july.effectif == 1 and july.statut == "effectif insuffisant"


def test_rec_04_reclamations_ouvertes_30_jours():
    # Same stock rule as DEM-04 on date_cloture: A ✓ (05-31), B ✗ (exactly fin − 30 = 06-01),
    # C ✓ (closed exactly at fin), D ✗ (closed 06-30), E ✓, F ✗ → 3 > seuil 2 → « non atteint ».
    rows = [{k: v for k, v in r.items()} for r in STOCK_DEMANDES]
    conn = make_store({"reclamations": rows})
    res = compute(conn, "REC-04", [JUNE])
    r = row(res, "REC-04", JUNE)
    assert r.valeur == 3 and r.statut == "non atteint"
    assert row(res, "REC-04", JUNE, "site", "Lyon").valeur == 2


def test_rec_05_reclamations_pour_1000_interventions():
    # June: complaints Lyon 2, Saint-Étienne 1 → 3; interventions Lyon 4, Villeurbanne 2 → 6.
    # Ensemble: 1000 × 3 / 6 = 500 (from all rows). Lyon: 1000 × 2 / 4 = 500.
    # Saint-Étienne: 1 complaint / 0 intervention → empty denominator: no value (not ∞, not 0).
    # Villeurbanne: 0 / 2 → 0. n = interventions (the denominator).
    activite = ([{"date": "2025-06-05", "site": "Lyon", "registre": "concertation"}] * 4
                + [{"date": "2025-06-05", "site": "Villeurbanne", "registre": "concertation"}] * 2)
    conn = make_store({
        "reclamations": [
            {"numero": "R1", "date_reception": "2025-06-01", "site": "Lyon"},
            {"numero": "R2", "date_reception": "2025-06-02", "site": "Lyon"},
            {"numero": "R3", "date_reception": "2025-06-03", "site": "Saint-Étienne"},
        ],
        "activite": activite,
    })
    res = compute(conn, "REC-05", [JUNE])
    r = row(res, "REC-05", JUNE)
    assert r.valeur == 500 and r.numerateur == 3 and r.denominateur == 6 and r.effectif == 6
    assert r.statut == "suivi"
    assert row(res, "REC-05", JUNE, "site", "Lyon").valeur == 500
    se = row(res, "REC-05", JUNE, "site", "Saint-Étienne")
    assert is_missing(se.valeur) and se.statut == "pas de données"
    assert row(res, "REC-05", JUNE, "site", "Villeurbanne").valeur == 0


# --- Satisfaction --------------------------------------------------------------------


def _questionnaires(public, scores, site="Lyon", day="2025-06-10"):
    return [{"date": day, "public": public, "site": site, "satisfaction_globale": s} for s in scores]


def test_sat_01_satisfaction_habitants():
    # Habitants in June who answered: Lyon 4, 4, 4, 3, 3, 3, 3, 1 and Saint-Étienne 2, 1 → n = 10.
    # ≥ 3: 7 → 70 % < 75 → non atteint (n = 10 = n min). The unanswered questionnaire and the
    # partner's are not counted. Lyon: 7/8 = 87.5 % but n = 8 < 10 → « effectif insuffisant ».
    rows = (_questionnaires("habitant", [4, 4, 4, 3, 3, 3, 3, 1])
            + _questionnaires("habitant", [2, 1], site="Saint-Étienne")
            + _questionnaires("habitant", [None]) + _questionnaires("partenaire", [4]))
    conn = make_store({"satisfaction": rows})
    res = compute(conn, "SAT-01", [JUNE])
    r = row(res, "SAT-01", JUNE)
    assert r.valeur == 70 and r.effectif == 10 and r.statut == "non atteint"
    lyon = row(res, "SAT-01", JUNE, "site", "Lyon")
    assert lyon.valeur == 87.5 and lyon.statut == "effectif insuffisant"
    assert row(res, "SAT-01", JUNE, "site", "Saint-Étienne").valeur == 0


def test_sat_02_satisfaction_partenaires():
    # Partners in June who answered: 4, 3, 3, 2, 3 (one more did not answer) → 4 / 5 = 80 %:
    # 75 ≤ 80 < 85 → « à surveiller » (n = 5 = n min). In May only 2 answers (4, 4) → 100 % but
    # n = 2 < 5 → « effectif insuffisant » (the value is still given).
    rows = (_questionnaires("partenaire", [4, 3, 3, 2, 3, None])
            + _questionnaires("partenaire", [4, 4], day="2025-05-10") + _questionnaires("habitant", [1]))
    conn = make_store({"satisfaction": rows})
    res = compute(conn, "SAT-02", [JUNE, "2025-05"])
    r = row(res, "SAT-02", JUNE)
    assert r.valeur == 80 and r.effectif == 5 and r.statut == "à surveiller"
    may = row(res, "SAT-02", "2025-05")
    assert may.valeur == 100 and may.effectif == 2 and may.statut == "effectif insuffisant"


def test_sat_03_questionnaires_recueillis():
    # All questionnaires dated in June, answered or not: 3 habitants (one without answer) + 2
    # partners = 5; public habitant 3, partenaire 2; Lyon 4, Saint-Étienne 1. July's is out.
    rows = (_questionnaires("habitant", [4, None]) + _questionnaires("habitant", [2], site="Saint-Étienne")
            + _questionnaires("partenaire", [3, 3]) + _questionnaires("partenaire", [1], day="2025-07-01"))
    conn = make_store({"satisfaction": rows})
    res = compute(conn, "SAT-03", [JUNE])
    assert row(res, "SAT-03", JUNE).valeur == 5
    assert row(res, "SAT-03", JUNE, "public", "habitant").valeur == 3
    assert row(res, "SAT-03", JUNE, "public", "partenaire").valeur == 2
    assert row(res, "SAT-03", JUNE, "site", "Lyon").valeur == 4


# --- Formation et RH -----------------------------------------------------------------


def test_for_01_heures_formation_par_etp():
    # Training hours in W = [2024-07-01, 2025-07-01) with statut réalisée: 10 h on 2024-07-01
    # (first day of the window, included) + 6 h on 2025-06-30 = 16 h. Out: 50 h on 2024-06-30,
    # 100 h on 2025-07-01 (= fin), 20 h planned, 5 h cancelled.
    # Staff present at fin (entry < 2025-07-01 and no exit or exit ≥ 2025-07-01): S1 (1 ETP),
    # S2 entered 06-30 (0.5), S4 leaving exactly at fin (0.5) → 2 ETP, n = 3 people.
    # 16 / 2 = 8 h per ETP < 14 → non atteint.
    conn = make_store({
        "formations": [
            {"salarie": "S1", "date": "2024-07-01", "intitule": "Gestion de conflit", "heures": 10},
            {"salarie": "S1", "date": "2025-06-30", "intitule": "Écoute active", "heures": 6},
            {"salarie": "S1", "date": "2024-06-30", "intitule": "Trop tôt", "heures": 50},
            {"salarie": "S1", "date": "2025-07-01", "intitule": "Trop tard", "heures": 100},
            {"salarie": "S2", "date": "2025-01-15", "intitule": "Prévue", "heures": 20, "statut": "planifiée"},
            {"salarie": "S2", "date": "2025-02-01", "intitule": "Annulée", "heures": 5, "statut": "annulée"},
        ],
        "effectifs": [
            {"salarie": "S1", "fonction": "médiateur", "date_entree": "2020-01-01", "etp": 1.0},
            {"salarie": "S2", "fonction": "médiateur", "date_entree": "2025-06-30", "etp": 0.5},
            {"salarie": "S3", "fonction": "médiateur", "date_entree": "2025-07-01", "etp": 1.0},
            {"salarie": "S4", "fonction": "encadrant", "date_entree": "2019-01-01", "date_sortie": "2025-07-01",
             "etp": 0.5},
            {"salarie": "S5", "fonction": "support", "date_entree": "2019-01-01", "date_sortie": "2025-06-30",
             "etp": 1.0},
        ],
    })
    r = one(conn, "FOR-01", JUNE)
    assert r.valeur == 8 and r.numerateur == 16 and r.denominateur == 2 and r.effectif == 3
    assert r.statut == "non atteint"


def test_for_02_mediateurs_certifies():
    # Mediators present at fin 2025-07-01: M1 (certified), M2, M3 (certified, leaves exactly at
    # fin: still present), M7 (certified), M8 → 3 / 5 = 60 % = seuil → « à surveiller ».
    # Out: M4 left 06-30, M5 is not a mediator, M6 starts on 07-01.
    staff = [
        {"salarie": "M1", "fonction": "médiateur", "date_entree": "2020-01-01", "certifie": True, "site": "Lyon"},
        {"salarie": "M2", "fonction": "médiateur", "date_entree": "2020-01-01", "site": "Lyon"},
        {"salarie": "M3", "fonction": "médiateur", "date_entree": "2020-01-01", "date_sortie": "2025-07-01",
         "certifie": True, "site": "Lyon"},
        {"salarie": "M4", "fonction": "médiateur", "date_entree": "2020-01-01", "date_sortie": "2025-06-30",
         "certifie": True, "site": "Lyon"},
        {"salarie": "M5", "fonction": "encadrant", "date_entree": "2020-01-01", "certifie": True, "site": "Lyon"},
        {"salarie": "M6", "fonction": "médiateur", "date_entree": "2025-07-01", "certifie": True, "site": "Lyon"},
        {"salarie": "M7", "fonction": "médiateur", "date_entree": "2021-01-01", "certifie": True,
         "site": "Saint-Étienne"},
        {"salarie": "M8", "fonction": "médiateur", "date_entree": "2021-01-01", "site": "Saint-Étienne"},
    ]
    conn = make_store({"effectifs": staff})
    res = compute(conn, "FOR-02", [JUNE])
    r = row(res, "FOR-02", JUNE)
    assert r.valeur == 60 and r.effectif == 5 and r.statut == "à surveiller"
    lyon = row(res, "FOR-02", JUNE, "site", "Lyon")  # M1, M2, M3 → 2/3, n = 3 < 5
    assert lyon.valeur == approx(200 / 3) and lyon.statut == "effectif insuffisant"


def test_for_03_integrations_3_mois():
    # Day 90 (date_entree + 90 days) in June ⟺ entry in [2025-03-03, 2025-04-01]:
    # E1 entered 03-03 → day 90 = 06-01, onboarding done 06-01 (exactly day 90) ✓;
    # E2 entered 04-01 → day 90 = 06-30, done 07-05 ✗; E3 entered 03-15, not done ✗.
    # E4 (03-02 → day 90 = 05-31) is May's, E5 (04-02 → 07-01) is July's.
    # 1 / 3 = 33.3 % < 80 → non atteint (n = 3 ≥ n min 1).
    conn = make_store({"effectifs": [
        {"salarie": "E1", "fonction": "médiateur", "date_entree": "2025-03-03", "date_fin_integration": "2025-06-01"},
        {"salarie": "E2", "fonction": "médiateur", "date_entree": "2025-04-01", "date_fin_integration": "2025-07-05"},
        {"salarie": "E3", "fonction": "médiateur", "date_entree": "2025-03-15"},
        {"salarie": "E4", "fonction": "médiateur", "date_entree": "2025-03-02", "date_fin_integration": "2025-03-20"},
        {"salarie": "E5", "fonction": "médiateur", "date_entree": "2025-04-02", "date_fin_integration": "2025-04-20"},
    ]})
    res = compute(conn, "FOR-03", [JUNE, "2025-05", "2025-07"])
    r = row(res, "FOR-03", JUNE)
    assert r.valeur == approx(100 / 3) and r.effectif == 3 and r.statut == "non atteint"
    may = row(res, "FOR-03", "2025-05")
    assert may.valeur == 100 and may.effectif == 1 and may.statut == "atteint"
    assert row(res, "FOR-03", "2025-07").effectif == 1


def test_rh_01_rotation():
    # W = [2024-07-01, 2025-07-01). Entries in W: P3 (2024-07-01, first day) → E = 1 (P6 enters
    # on 2025-07-01 = fin: out). Exits in W: P4 (2025-06-30) → S = 1 (P5 left 2024-06-30, before W;
    # P7 leaves on 2025-07-01 = fin: out).
    # Present at fin − 12 months = 2024-07-01: P1, P2, P4, P7 = 4 (P3 enters that day: not before it).
    # Present at fin = 2025-07-01: P1, P2, P3, P7 = 4. H = (4 + 4) / 2 = 4.
    # 100 × ((1 + 1) / 2) / 4 = 25 % = seuil → « à surveiller »; n = 4 present at fin.
    old = "2018-01-01"
    conn = make_store({"effectifs": [
        {"salarie": "P1", "fonction": "médiateur", "date_entree": old},
        {"salarie": "P2", "fonction": "médiateur", "date_entree": old},
        {"salarie": "P3", "fonction": "médiateur", "date_entree": "2024-07-01"},
        {"salarie": "P4", "fonction": "médiateur", "date_entree": old, "date_sortie": "2025-06-30"},
        {"salarie": "P5", "fonction": "médiateur", "date_entree": old, "date_sortie": "2024-06-30"},
        {"salarie": "P6", "fonction": "médiateur", "date_entree": "2025-07-01"},
        {"salarie": "P7", "fonction": "médiateur", "date_entree": old, "date_sortie": "2025-07-01"},
    ]})
    r = one(conn, "RH-01", JUNE)
    assert r.valeur == 25 and r.numerateur == 1 and r.denominateur == 4 and r.effectif == 4
    assert r.statut == "à surveiller"


# --- Audits et amélioration continue ---------------------------------------------------

FINDINGS = [
    {"audit": "AI-1", "type_audit": "interne", "date": "2025-06-30", "processus": "accueil",
     "constat": "non-conformité majeure"},  # open ✓
    {"audit": "AI-1", "type_audit": "interne", "date": "2025-01-10", "processus": "réclamations",
     "constat": "non-conformité mineure", "date_levee": "2025-07-01"},  # lifted exactly at fin: open at fin ✓
    {"audit": "AI-1", "type_audit": "interne", "date": "2025-01-10", "processus": "réclamations",
     "constat": "non-conformité mineure", "date_levee": "2025-06-30"},  # lifted before fin ✗
    {"audit": "AI-2", "type_audit": "blanc", "date": "2025-07-01", "processus": "accueil",
     "constat": "non-conformité mineure"},  # found on fin: not yet ✗
    {"audit": "AI-2", "type_audit": "blanc", "date": "2025-03-01", "processus": "accueil",
     "constat": "point sensible"},  # not a non-conformity ✗
    {"audit": "AC-1", "type_audit": "certification", "date": "2024-03-01",
     "constat": "non-conformité majeure"},  # open, no processus ✓
]


def test_aud_01_non_conformites_ouvertes():
    # Open at fin 2025-07-01: the majeure of 06-30, the mineure lifted exactly on 07-01 and the
    # 2024 majeure → 3: 0 < 3 ≤ 3 → « à surveiller ». By processus: accueil 1, réclamations 1,
    # (non renseigné) 1.
    conn = make_store({"audits": FINDINGS})
    res = compute(conn, "AUD-01", [JUNE])
    r = row(res, "AUD-01", JUNE)
    assert r.valeur == 3 and r.statut == "à surveiller"
    assert row(res, "AUD-01", JUNE, "processus", "accueil").valeur == 1
    assert row(res, "AUD-01", JUNE, "processus", "réclamations").valeur == 1
    assert row(res, "AUD-01", JUNE, "processus", "(non renseigné)").valeur == 1


def test_aud_02_non_conformites_majeures():
    # Open majeures at fin: 06-30 (accueil) and 2024-03-01 → 2 > seuil 0 → « non atteint ».
    # In May (fin 06-01) only the 2024 one → 1.
    conn = make_store({"audits": FINDINGS})
    res = compute(conn, "AUD-02", [JUNE, "2025-05"])
    r = row(res, "AUD-02", JUNE)
    assert r.valeur == 2 and r.statut == "non atteint"
    assert row(res, "AUD-02", "2025-05").valeur == 1
    assert row(res, "AUD-02", JUNE, "processus", "réclamations").valeur == 0


def test_pa_01_actions_dans_les_delais():
    # Realised in June: A1 on its deadline (06-10 = 06-10 ✓), A2 one day late ✗, A3 early ✓;
    # A4 realised 07-01 is July's. 2 / 3 = 66.7 %: 60 ≤ v < 80 → « à surveiller » (n = 3 = n min).
    # By origine: audit 1/2 (n = 2 < 3 → effectif insuffisant), réclamation 1/1.
    conn = make_store({"actions": [
        {"numero": "A1", "intitule": "a", "origine": "audit", "date_ouverture": "2025-01-01",
         "echeance": "2025-06-10", "date_realisation": "2025-06-10", "statut": "réalisée"},
        {"numero": "A2", "intitule": "b", "origine": "audit", "date_ouverture": "2025-01-01",
         "echeance": "2025-06-19", "date_realisation": "2025-06-20", "statut": "réalisée"},
        {"numero": "A3", "intitule": "c", "origine": "réclamation", "date_ouverture": "2025-01-01",
         "echeance": "2025-12-31", "date_realisation": "2025-06-01", "statut": "réalisée"},
        {"numero": "A4", "intitule": "d", "origine": "audit", "date_ouverture": "2025-01-01",
         "echeance": "2025-12-31", "date_realisation": "2025-07-01", "statut": "réalisée"},
    ]})
    res = compute(conn, "PA-01", [JUNE])
    r = row(res, "PA-01", JUNE)
    assert r.valeur == approx(200 / 3) and r.effectif == 3 and r.statut == "à surveiller"
    audit = row(res, "PA-01", JUNE, "origine", "audit")
    assert audit.valeur == 50 and audit.statut == "effectif insuffisant"


def test_pa_02_actions_en_retard():
    # At fin 2025-07-01: B1 (deadline 06-30 passed, not done) ✓; B2 deadline exactly fin ✗;
    # B3 done exactly at fin: still late at fin ✓; B4 done 06-30 ✗; B5 abandoned ✗;
    # B6 opened on fin ✗ → 2: 0 < 2 ≤ 3 → « à surveiller ».
    def action(n, **kw):
        base = {"numero": n, "intitule": n, "origine": "audit", "date_ouverture": "2025-01-01", "statut": "en cours"}
        return {**base, **kw}

    conn = make_store({"actions": [
        action("B1", echeance="2025-06-30"),
        action("B2", echeance="2025-07-01"),
        action("B3", echeance="2025-05-01", date_realisation="2025-07-01", statut="réalisée"),
        action("B4", echeance="2025-05-01", date_realisation="2025-06-30", statut="réalisée"),
        action("B5", echeance="2025-05-01", statut="abandonnée"),
        action("B6", echeance="2025-06-01", date_ouverture="2025-07-01"),
    ]})
    r = one(conn, "PA-02", JUNE)
    assert r.valeur == 2 and r.statut == "à surveiller"


def test_pa_03_efficacite_evaluee():
    # Realised in W = [2024-07-01, 2025-07-01): C1 (2024-07-01, window start) efficace ✓,
    # C2 (2025-06-30) non efficace ✓, C3 à évaluer ✗, C4 not filled ✗ → 2 / 4 = 50 % = seuil →
    # « à surveiller » (n = 4 ≥ 3). C5 (2024-06-30) and C6 (2025-07-01) are outside W.
    # For the quarter 2025-T2 the window is the same (fin 2025-07-01) → same value.
    def action(n, day, eff=None):
        return {"numero": n, "intitule": n, "origine": "audit", "date_ouverture": "2024-01-01",
                "echeance": "2025-12-31", "date_realisation": day, "statut": "réalisée", "efficacite": eff}

    conn = make_store({"actions": [
        action("C1", "2024-07-01", "efficace"), action("C2", "2025-06-30", "non efficace"),
        action("C3", "2025-01-01", "à évaluer"), action("C4", "2025-02-01"),
        action("C5", "2024-06-30", "efficace"), action("C6", "2025-07-01", "efficace"),
    ]})
    res = compute(conn, "PA-03", [JUNE, "2025-T2"])
    r = row(res, "PA-03", JUNE)
    assert r.valeur == 50 and r.effectif == 4 and r.statut == "à surveiller"
    q = row(res, "PA-03", "2025-T2")
    assert q.valeur == 50 and q.effectif == 4


# --- Sécurité ------------------------------------------------------------------------

INCIDENTS = [
    {"date": "2025-06-01", "site": "Lyon", "type": "agression physique"},
    {"date": "2025-06-30", "site": "Lyon", "type": "agression verbale"},
    {"date": "2025-06-15", "site": "Saint-Étienne", "type": "agression verbale"},
    {"date": "2025-07-01", "site": "Lyon", "type": "agression physique"},
    {"date": "2025-05-31", "site": "Saint-Étienne", "type": "menace"},
]


def test_sec_01_evenements_indesirables():
    # June: 06-01, 06-30, 06-15 → 3 (07-01 and 05-31 out); Lyon 2, Saint-Étienne 1;
    # agression verbale 2, agression physique 1, menace 0. baisse without target → « suivi ».
    conn = make_store({"incidents": INCIDENTS})
    res = compute(conn, "SEC-01", [JUNE])
    assert row(res, "SEC-01", JUNE).valeur == 3
    assert row(res, "SEC-01", JUNE, "site", "Lyon").valeur == 2
    assert row(res, "SEC-01", JUNE, "type", "agression verbale").valeur == 2
    assert row(res, "SEC-01", JUNE, "type", "menace").valeur == 0


def test_sec_01_empty_dataset_has_no_data():
    # A count over an empty dataset is « pas de données », not 0.
    r = one(make_store(), "SEC-01", JUNE)
    assert is_missing(r.valeur) and r.statut == "pas de données"


def test_sec_02_agressions_physiques():
    # June: one physical aggression (Lyon, 06-01) → 1 > seuil 0 → « non atteint »;
    # Saint-Étienne 0 → atteint (cible 0). July: 1.
    conn = make_store({"incidents": INCIDENTS})
    res = compute(conn, "SEC-02", [JUNE, "2025-07"])
    r = row(res, "SEC-02", JUNE)
    assert r.valeur == 1 and r.statut == "non atteint"
    se = row(res, "SEC-02", JUNE, "site", "Saint-Étienne")
    assert se.valeur == 0 and se.statut == "atteint"
    assert row(res, "SEC-02", "2025-07").valeur == 1


def test_sec_03_evenements_pour_1000_heures():
    # June: incidents Lyon 2, Saint-Étienne 1 → 3; realised presence Lyon 400 h, Saint-Étienne 0 h,
    # Villeurbanne 500 h → 900 h. Ensemble: 1000 × 3 / 900 = 3.33…; Lyon 1000 × 2 / 400 = 5;
    # Saint-Étienne: 0 h → no value; Villeurbanne: 0 / 500 → 0.
    conn = make_store({
        "incidents": INCIDENTS,
        "presence": [
            {"date": "2025-06-01", "site": "Lyon", "heures_planifiees": 420, "heures_realisees": 400},
            {"date": "2025-06-01", "site": "Saint-Étienne", "heures_planifiees": 100, "heures_realisees": 0},
            {"date": "2025-06-01", "site": "Villeurbanne", "heures_planifiees": 500, "heures_realisees": 500},
        ],
    })
    res = compute(conn, "SEC-03", [JUNE])
    r = row(res, "SEC-03", JUNE)
    assert r.valeur == approx(1000 * 3 / 900) and r.numerateur == 3 and r.denominateur == 900
    assert row(res, "SEC-03", JUNE, "site", "Lyon").valeur == 5
    assert is_missing(row(res, "SEC-03", JUNE, "site", "Saint-Étienne").valeur)
    assert row(res, "SEC-03", JUNE, "site", "Villeurbanne").valeur == 0


# --- Documentation -------------------------------------------------------------------


def test_doc_01_documents_a_jour():
    # Not archived and revised before fin 2025-07-01: K1, K2, K3, K4 (K5 archived, K6 revised on fin).
    # Next review ≥ fin: K1 (planned exactly on fin ✓), K2 (06-30 ✗), K3 (no planned date:
    # 2023-07-01 + 24 months = 2025-07-01 ✓), K4 (2023-06-30 + 24 months = 2025-06-30 ✗)
    # → 2 / 4 = 50 % < 85 → non atteint (n = 4 ≥ n min 1).
    conn = make_store({"documents": [
        {"code": "K1", "titre": "Procédure accueil", "date_revision": "2024-01-01",
         "date_prochaine_revision": "2025-07-01"},
        {"code": "K2", "titre": "Procédure réclamations", "date_revision": "2024-01-01",
         "date_prochaine_revision": "2025-06-30"},
        {"code": "K3", "titre": "Charte", "date_revision": "2023-07-01"},
        {"code": "K4", "titre": "Plan de formation", "date_revision": "2023-06-30"},
        {"code": "K5", "titre": "Ancienne charte", "date_revision": "2024-06-01", "statut": "archivé"},
        {"code": "K6", "titre": "Nouveau", "date_revision": "2025-07-01"},
    ]})
    r = one(conn, "DOC-01", JUNE)
    assert r.valeur == 50 and r.effectif == 4 and r.numerateur == 2 and r.statut == "non atteint"


def test_every_catalogue_indicator_has_a_test_here():
    import sys

    names = " ".join(n for n in dir(sys.modules[__name__]) if n.startswith("test_"))
    for ind in CATALOGUE:
        assert f"test_{ind.id.lower().replace('-', '_')}_" in names, ind.id
