"""The import corpus: untidy files for every rule of datasets.md, built on the fly.

Each test states what is stored (values after coercion, with the file's row number `_ligne`)
and what is rejected (row number as the spreadsheet shows it, header as written in the file,
raw value, fragment of the French message). Helpers are in tests/fixtures/import_corpus.py.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from import_corpus import (
    DATASETS,
    LIMITS,
    SECRET,
    D,
    assert_rejected,
    csv_file,
    database_text,
    libreoffice,
    live,
    load,
    needs_soffice,
    new_store,
    prepare,
    rows_of,
    xlsx,
)

from pilotage_qualite import cli
from pilotage_qualite.intake import uploads
from pilotage_qualite.intake.pseudonyms import pseudonymise
from pilotage_qualite.intake.read import ImportRefused
from pilotage_qualite.reports.exports import neutralise

ALLOWED_REGISTRES = ("présence active de proximité, gestion de conflit, veille sociale et technique, "
                     "mise en relation, information et sensibilisation, accompagnement, concertation")

# Personal values written in the files: none may reach the database.
PERSONAL_VALUES = ["Zébulon", "Quaglia", "06 11 22 33 44", "zebulon.quaglia@exemple.fr", "Bérénice", "Tartempion",
                   "07 98 76 54 32", "b.tartempion@exemple.fr", "12 rue des Lilas"]


def assert_no_personal_data(store, values=PERSONAL_VALUES):
    """None of the values is in any table (rows, rejected rows, journal), nor in the file's bytes."""
    text = database_text(store)
    for value in values:
        assert value not in text, value
    raw = store.path.read_bytes()
    wal = store.path.with_name(store.path.name + ".wal")
    if wal.exists():
        raw += wal.read_bytes()
    for value in values:
        assert value.encode("utf-8") not in raw and value.encode("cp1252") not in raw, value


# --- activite: xlsx with a summary sheet first, titles above the header, a Total row -------

ACTIVITE_HEADER = ["Date de l'intervention", "Équipe", "Type d'intervention", "Lieu", "Public",
                   "Nb personnes rencontrées", "Durée (min)", "Orienté", "Partenaire",
                   "Nom", "Prénom", "Téléphone", "Courriel", "Commentaire"]


def activite_workbook(path: Path) -> Path:
    who = ["Zébulon", "Quaglia", "06 11 22 33 44", "zebulon.quaglia@exemple.fr"]
    return xlsx(
        path,
        ("Synthèse", [
            ["Tableau de bord — activité de mars 2025"],
            [],
            ["Site", "Interventions", "Personnes"],
            ["Nord", 3, 12],
            ["Total", 9, 20],
        ]),
        ("Interventions", [
            ["Export de l'outil de suivi — interventions de médiation"],
            ["Période : du 01/03/2025 au 31/03/2025", None, None, "Édité le 02/04/2025"],
            [],
            ACTIVITE_HEADER,
            # row 5: a datetime cell (time dropped), a synonym, o = oui
            [dt.datetime(2025, 3, 3, 10, 22), "Nord", "PAP", "Gare", "Jeunes", 3, 45, "o", None, *who, "RAS"],
            # row 6: day-first text date, empty count (default 1), x = oui, count as text
            ["04/03/2025", "Nord", "Gestion des conflits", "Centre", None, None, "30", "X", "Bailleur Habitat",
             None, None, None, None, None],
            # row 7: French text date, another synonym, n = non
            ["14 mars 2025", " Sud ", "veille technique", "Gare", "Familles", "2", 20, "n", None,
             "Bérénice", "Tartempion", "07 98 76 54 32", "b.tartempion@exemple.fr", None],
            # row 8: « 1er », canonical value in capitals
            ["1er mars 2025", "Sud", "MISE EN RELATION", None, None, 1, 90, "oui", "CCAS", None, None, None, None, None],
            # row 9: an Excel serial number in a numeric cell, empty boolean (default non)
            [45730, "Est", "information", "Mairie", None, 5, 60, None, None, None, None, None, None, None],
            # rows 10-12: dotted date, two-digit year, dashed date with a time; VRAI as Excel FR writes it
            ["15.03.2025", "Est", "Sensibilisation", None, None, 4, "15", "non", None, None, None, None, None, None],
            ["16/03/25", "Est", "accompagnement", None, None, 1, None, None, None, None, None, None, None, None],
            ["17-03-2025 08:30", "Est", "Concertation", None, None, 12, 120, "VRAI", None, None, None, None, None, None],
            [],  # row 13: a fully empty row in the middle
            # rows 14-18: invalid cells (rows 14, 15, 17 in required columns: rejected; rows 16, 18 in
            # optional ones: loaded with the cell left empty and a warning)
            ["31/02/2025", "Nord", "PAP", None, None, 1, 10, None, None, None, None, None, None, None],
            [D(2025, 3, 20), "Nord", "Danse urbaine", None, None, 1, 10, None, None, *who, None],
            [D(2025, 3, 21), "Sud", "PAP", None, None, -2, 10, None, None, None, None, None, None, None],
            [D(2025, 3, 22), None, "PAP", None, None, 1, 10, None, None, None, None, None, None, None],
            [D(2025, 3, 23), "Est", "accompagnement", None, None, 1, "1,5", "peut-être", None, *who, None],
            ["Total", None, None, None, None, 20, 305],
        ]),
    )


ACTIVITE_COLUMNS = ["_ligne", "date", "site", "registre", "quartier", "public", "nb_personnes", "duree_min",
                    "orientation", "partenaire"]
ACTIVITE_STORED = [
    (5, D(2025, 3, 3), "Nord", "présence active de proximité", "Gare", "Jeunes", 3, 45, True, None),
    (6, D(2025, 3, 4), "Nord", "gestion de conflit", "Centre", None, 1, 30, True, "Bailleur Habitat"),
    (7, D(2025, 3, 14), "Sud", "veille sociale et technique", "Gare", "Familles", 2, 20, False, None),
    (8, D(2025, 3, 1), "Sud", "mise en relation", None, None, 1, 90, True, "CCAS"),
    (9, D(2025, 3, 14), "Est", "information et sensibilisation", "Mairie", None, 5, 60, False, None),
    (10, D(2025, 3, 15), "Est", "information et sensibilisation", None, None, 4, 15, False, None),
    (11, D(2025, 3, 16), "Est", "accompagnement", None, None, 1, None, False, None),
    (12, D(2025, 3, 17), "Est", "concertation", None, None, 12, 120, True, None),
    # An invalid optional cell is left empty, even where the column has a default (1, non).
    (16, D(2025, 3, 21), "Sud", "présence active de proximité", None, None, None, 10, False, None),
    (18, D(2025, 3, 23), "Est", "accompagnement", None, None, 1, None, None, None),
]
ACTIVITE_REJECTED = [
    (14, "Date de l'intervention", "31/02/2025", "n'est pas une date valide (jour ou mois impossible)"),
    (15, "Type d'intervention", "Danse urbaine", "n'est pas une des valeurs autorisées : " + ALLOWED_REGISTRES),
    (17, "Équipe", "", "valeur obligatoire manquante"),
]
ACTIVITE_WARNINGS = [
    (16, "Nb personnes rencontrées", "-2", "doit être positif ou nul ; cellule laissée vide"),
    (18, "Durée (min)", "1,5", "doit être un nombre entier ; cellule laissée vide"),
    (18, "Orienté", "peut-être", "n'est pas une valeur oui/non"),
]


def test_activite_untidy_workbook(tmp_path: Path):
    store = new_store(tmp_path)
    prepared, import_id = load(store, activite_workbook(tmp_path / "export activité mars.xlsx"))
    recognition, batch = prepared.recognition, prepared.batch
    # The summary sheet comes first; the data sheet is chosen, its header is row 4.
    assert (recognition.dataset, recognition.sheet, recognition.header_row_number) == ("activite", "Interventions", 4)
    assert batch.ignored_columns == ["Commentaire"]
    assert batch.personal_columns == ["Nom", "Prénom", "Téléphone", "Courriel"]
    assert prepared.skipped_total_rows == [19]
    assert live(store, "activite", ACTIVITE_COLUMNS) == ACTIVITE_STORED
    assert_rejected(batch.rejected, ACTIVITE_REJECTED)
    assert_rejected(batch.warnings, ACTIVITE_WARNINGS)
    # The journal counts rows, the rejected rows and the warnings (row 18 has two) are kept with the import.
    entry = store.journal().iloc[0]
    assert (entry["lignes_lues"], entry["lignes_ajoutees"], entry["lignes_rejetees"]) == (13, 10, 3)
    assert (entry["feuille"], entry["ligne_entete"]) == ("Interventions", 4)
    assert json.loads(entry["colonnes_personnelles"]) == ["Nom", "Prénom", "Téléphone", "Courriel"]
    assert_rejected(store.rejected_rows(import_id), sorted(ACTIVITE_REJECTED + ACTIVITE_WARNINGS))
    # Names, phones and e-mails are nowhere in the database, not even in the kept rejected rows.
    assert_no_personal_data(store)


# --- presence: CSV from Excel with French settings (cp1252, ";", decimal commas) -------------

def test_presence_french_csv_month_only_dates_and_hour_durations(tmp_path: Path):
    path = csv_file(tmp_path / "présence T1.csv", [
        ["Présence terrain — 1er trimestre 2025", None, None, None],
        ["Mois", "Antenne", "Heures prévues", "Heures effectuées"],
        ["janv. 2025", "Nord", "151,67", "7h"],           # row 3: month-only text, « 7h »
        ["févr. 2025", "Nord", "1\u00a0234,5", "2h30"],   # row 4: non-breaking thousands space, « 2h30 »
        ["03/2025", "Nord", "140", "1:30"],                # row 5: « 03/2025 », « 1:30 » = 1.5
        ["2025-03", "Sud", "12,5", "7 h"],                 # row 6: ISO month, « 7 h »
        ["15/03/2025", "Sud", "8", "0,75"],                # row 7: a full date is fine too
        ["mars 2025", "Est", "-3", "abc"],                 # row 8: negative, unreadable hours
        ["31/13/2025", "Est", "", "5"],                    # row 9: impossible month, missing required
        ["TOTAL T1", None, "1550,37", None],               # row 10: skipped (any case)
    ])
    store = new_store(tmp_path)
    prepared, _ = load(store, path)
    assert prepared.recognition.dataset == "presence" and prepared.recognition.header_row_number == 2
    assert prepared.skipped_total_rows == [10]
    assert live(store, "presence", ["_ligne", "date", "site", "heures_planifiees", "heures_realisees"]) == [
        (3, D(2025, 1, 1), "Nord", 151.67, 7.0),
        (4, D(2025, 2, 1), "Nord", 1234.5, 2.5),
        (5, D(2025, 3, 1), "Nord", 140.0, 1.5),
        (6, D(2025, 3, 1), "Sud", 12.5, 7.0),
        (7, D(2025, 3, 15), "Sud", 8.0, 0.75),
    ]
    assert_rejected(prepared.batch.rejected, [
        (8, "Heures effectuées", "abc", "n'est pas un nombre ni une durée"),
        (8, "Heures prévues", "-3", "doit être positif ou nul"),
        (9, "Heures prévues", "", "valeur obligatoire manquante"),
        (9, "Mois", "31/13/2025", "n'est pas une date valide"),
    ])


def test_month_only_dates_are_refused_where_the_column_does_not_say_so(tmp_path: Path):
    path = csv_file(tmp_path / "incidents.csv", [
        ["Date incident", "Site", "Nature"],
        ["mars 2025", "Nord", "Menace"],
        ["03/2025", "Nord", "Menace"],
        ["12/03/2025", "Nord", "Menace"],
    ])
    prepared = prepare(path)
    assert rows_of(prepared.batch.rows, ["_ligne", "date"]) == [(4, D(2025, 3, 12))]
    assert_rejected(prepared.batch.rejected, [
        (2, "Date incident", "mars 2025", "une date complète est attendue"),
        (3, "Date incident", "03/2025", "une date complète est attendue"),
    ])


# --- demandes: UTF-8 BOM CSV (Excel « CSV UTF-8 »), keyed upsert across two files -----------

DEMANDES_HEADER = ["N° demande", "Reçue le", "Secteur", "Canal", "Demandeur", "Nom du demandeur",
                   "Adresse", "Objet", "Date de prise en charge", "Traitée le", "Statut"]


def test_demandes_bom_csv_and_keyed_upsert_across_two_files(tmp_path: Path):
    january = csv_file(tmp_path / "demandes janvier.csv", [
        DEMANDES_HEADER,
        ["D-001", "06/01/2025 09:12:44", "Nord", "Téléphone", "Habitant", "Zébulon Quaglia", "12 rue des Lilas",
         "Bruit", "07/01/2025", None, "En cours"],
        ["D-002", "2025-01-08", "Sud", "Courriel", "Bailleur", None, None, "Tags", "08/01/2025", "20/01/2025",
         "Clôturée"],
        ["D-003", "32/01/2025", "Sud", "Accueil", "Habitant", None, None, "Encombrants", None, None, None],
        [None, "10/01/2025", "Sud", "Accueil", "Habitant", "Bérénice Tartempion", None, "Voisinage", None, None,
         None],
        ["D-004", "11/01/2025", None, "Accueil", "Partenaire", None, None, "Squat", None, None, None],
    ], encoding="utf-8", bom=True)
    february = csv_file(tmp_path / "demandes février.csv", [
        DEMANDES_HEADER,
        # D-001 is closed now: it replaces January's row; D-005 is new.
        ["D-001", "06/01/2025", "Nord", "Téléphone", "Habitant", "Zébulon Quaglia", "12 rue des Lilas", "Bruit",
         "07/01/2025", "03/02/2025", "Clôturée"],
        ["D-005", "04/02/2025", "Est", "Partenaire", "Collectivité", None, None, "Éclairage", "5 févr. 2025", None,
         "Reçue"],
    ], encoding="utf-8", bom=True)
    store = new_store(tmp_path)
    first, _ = load(store, january)
    assert first.recognition.dataset == "demandes"
    assert first.batch.personal_columns == ["Nom du demandeur", "Adresse"]
    assert_rejected(first.batch.rejected, [
        (4, "Reçue le", "32/01/2025", "n'est pas une date valide"),
        (5, "N° demande", "", "valeur obligatoire manquante"),
        (6, "Secteur", "", "valeur obligatoire manquante"),
    ])
    second = prepare(february)
    counts = store.preview(second.batch)
    assert (counts.added, counts.replaced, counts.rejected) == (2, 1, 0)
    store.apply(second.batch, author="qualite")
    columns = ["numero", "date_reception", "site", "canal", "demandeur", "objet", "date_prise_en_charge",
               "date_cloture", "statut", "_import_id", "_ligne"]
    assert live(store, "demandes", columns) == [
        ("D-002", D(2025, 1, 8), "Sud", "Courriel", "Bailleur", "Tags", D(2025, 1, 8), D(2025, 1, 20), "Clôturée", 1, 3),
        ("D-001", D(2025, 1, 6), "Nord", "Téléphone", "Habitant", "Bruit", D(2025, 1, 7), D(2025, 2, 3), "Clôturée",
         2, 2),
        ("D-005", D(2025, 2, 4), "Est", "Partenaire", "Collectivité", "Éclairage", D(2025, 2, 5), None, "Reçue", 2,
         3),
    ]
    # Append-only: January's D-001 is still in the history, marked as replaced by import 2.
    with store.connect() as conn:
        assert conn.execute("SELECT _import_id, _remplace_par, date_cloture FROM historique_demandes "
                            "WHERE numero = 'D-001' ORDER BY _import_id").fetchall() == [
            (1, 2, None), (2, None, D(2025, 2, 3))]
    assert_no_personal_data(store)
    # Undoing February brings January's D-001 back.
    assert store.undo(2, author="qualite") == 1
    assert live(store, "demandes", ["numero", "date_cloture"]) == [("D-001", None), ("D-002", D(2025, 1, 20))]


# --- reclamations: xlsx register, listed values via synonyms, duplicate key in one file -----

def test_reclamations_register(tmp_path: Path):
    path = xlsx(tmp_path / "registre réclamations 2025.xlsx", ("Registre", [
        ["Registre des réclamations", None, None, None, "Mise à jour : 31/03/2025"],
        ["N° réclamation", "Date réclamation", "Antenne", "Origine", "Canal", "Catégorie", "Gravité",
         "Date AR", "Date de réponse", "Clôturée le", "Justifiée", "Action", "Téléphone du plaignant"],
        ["R-2025-001", D(2025, 1, 6), "Nord", "Locataire", "Courrier", "Comportement", "Moyenne",
         D(2025, 1, 8), D(2025, 1, 20), D(2025, 1, 21), "Oui", "A-12", "07 98 76 54 32"],
        ["R-2025-002", "07/01/2025", "Sud", "Bailleur", "Courriel", "Délai", "Faible",
         "08/01/2025", None, None, "n", None, None],
        ["R-2025-003", D(2025, 1, 9), "Sud", "Salarié", "Accueil", "Autre", None, None, None, None, None, None, None],
        # An origin outside the list is an optional cell: the complaint is loaded, the origin left empty.
        ["R-2025-004", D(2025, 1, 10), "Est", "Élu local", "Courrier", None, None, None, None, None, "x", None,
         None],
        ["R-2025-002", D(2025, 1, 7), "Sud", "Collectivité", "Courriel", "Délai", "Faible",
         D(2025, 1, 8), D(2025, 1, 15), None, "non", None, None],
        ["R-2025-005", D(2025, 1, 12), "Est", "autre", "Téléphone", None, None, "13/01/2025", None, None, "1", None,
         None],
    ]))
    store = new_store(tmp_path)
    prepared, _ = load(store, path)
    assert prepared.recognition.dataset == "reclamations"
    assert prepared.batch.personal_columns == ["Téléphone du plaignant"]
    columns = ["_ligne", "numero", "date_reception", "site", "origine", "canal", "motif", "gravite",
               "date_accuse_reception", "date_reponse", "date_cloture", "fondee", "action"]
    assert live(store, "reclamations", columns) == [
        (3, "R-2025-001", D(2025, 1, 6), "Nord", "habitant", "Courrier", "Comportement", "Moyenne",
         D(2025, 1, 8), D(2025, 1, 20), D(2025, 1, 21), True, "A-12"),
        (5, "R-2025-003", D(2025, 1, 9), "Sud", "salarié", "Accueil", "Autre", None, None, None, None, None, None),
        (6, "R-2025-004", D(2025, 1, 10), "Est", None, "Courrier", None, None, None, None, None, True, None),
        # The last of the two R-2025-002 rows is kept.
        (7, "R-2025-002", D(2025, 1, 7), "Sud", "partenaire", "Courriel", "Délai", "Faible",
         D(2025, 1, 8), D(2025, 1, 15), None, False, None),
        (8, "R-2025-005", D(2025, 1, 12), "Est", "autre", "Téléphone", None, None, D(2025, 1, 13), None, None,
         True, None),
    ]
    assert_rejected(prepared.batch.rejected, [
        (4, "N° réclamation", "R-2025-002", "figure aussi ligne 7 du même fichier ; seule la dernière est gardée"),
    ])
    assert_rejected(prepared.batch.warnings, [
        (6, "Origine", "Élu local", "n'est pas une des valeurs autorisées : habitant, partenaire, salarié, autre "
                                    "; cellule laissée vide"),
    ])
    assert_no_personal_data(store, ["07 98 76 54 32"])


# --- satisfaction: survey-tool export, one column per question, worded Likert answers ------

def test_satisfaction_survey_export(tmp_path: Path):
    path = csv_file(tmp_path / "Questionnaire satisfaction (réponses).csv", [
        ["Horodateur", "Vous êtes :", "Antenne", "Globalement, êtes-vous satisfait ?",
         "L'accueil du médiateur vous a-t-il convenu ?", "Le délai de réponse ?", "Votre nom",
         "Votre adresse e-mail", "Un commentaire ?", "Nombre de visites"],
        ["14/03/2025 10:22:01", "Usager", "Nord", "Très satisfait", "Plutôt satisfait", "Sans avis",
         "Zébulon Quaglia", "zebulon.quaglia@exemple.fr", "Merci !", "2"],
        ["2025/03/15 09:00:00", "Bailleur", "Nord", "Sans avis", None, "Pas du tout satisfait", None, None, None, "1"],
        ["15/03/2025 11:00:12", "Habitant", "Sud", None, "Peu satisfait", "Tout à fait satisfait", None, None,
         "Trop long", "3"],
        ["16/03/2025 18:40:00", "Élu", "Sud", "Satisfait", "Satisfait", "Satisfait", "Bérénice Tartempion", None,
         None, "1"],
        ["17/03/2025 08:05:31", "Résident", "Sud", "Bof", "Satisfait", "NSP", None, None, None, "4"],
        ["18/03/2025 12:00:00", "Partenaire", "Est", "2", "Pas satisfait", "Insatisfait", None, None, None, "2"],
    ], encoding="utf-8", delimiter=",")
    store = new_store(tmp_path)
    prepared, _ = load(store, path)
    assert prepared.recognition.dataset == "satisfaction"
    # Two questions are kept; the free text and a column of bare digits are ignored as usual.
    assert prepared.question_columns == ["L'accueil du médiateur vous a-t-il convenu ?", "Le délai de réponse ?"]
    assert prepared.batch.ignored_columns == ["Un commentaire ?", "Nombre de visites"]
    assert prepared.batch.personal_columns == ["Votre nom", "Votre adresse e-mail"]
    # « Sans avis » and an empty cell are no answer, not a rejected row.
    assert live(store, "satisfaction", ["_ligne", "date", "public", "site", "satisfaction_globale"]) == [
        (2, D(2025, 3, 14), "habitant", "Nord", 4),
        (3, D(2025, 3, 15), "partenaire", "Nord", None),
        (4, D(2025, 3, 15), "habitant", "Sud", None),
        (7, D(2025, 3, 18), "partenaire", "Est", 2),
    ]
    assert_rejected(prepared.batch.rejected, [
        (5, "Vous êtes :", "Élu", "n'est pas une des valeurs autorisées : habitant, partenaire"),
        (6, "Globalement, êtes-vous satisfait ?", "Bof", "n'est pas une réponse de l'échelle de satisfaction"),
    ])
    # Answers of the extra questions, for the live questionnaires only.
    with store.connect() as conn:
        questions = conn.execute("SELECT _ligne, question, reponse FROM satisfaction_questions").fetchall()
    assert sorted(questions) == [
        (2, "L'accueil du médiateur vous a-t-il convenu ?", 3),
        (3, "Le délai de réponse ?", 1),
        (4, "L'accueil du médiateur vous a-t-il convenu ?", 2),
        (4, "Le délai de réponse ?", 4),
        (7, "L'accueil du médiateur vous a-t-il convenu ?", 1),
        (7, "Le délai de réponse ?", 1),
    ]
    assert_no_personal_data(store)


# --- formations and effectifs: names pseudonymised, the same person gets the same code ------

def formations_workbook(path: Path) -> Path:
    return xlsx(path, ("Plan de formation", [
        ["Suivi des formations 2025"],
        ["Nom", "Prénom", "Formation", "Type", "Date de la session", "Durée (h)", "Statut", "Courriel"],
        ["QUAGLIA Zébulon", "Zébulon", "Gestion des conflits", "Continue", D(2025, 2, 3), "7h", None,
         "zebulon.quaglia@exemple.fr"],
        ["Tartempion Bérénice", "Bérénice", "Accueil du public", "Intégration", "10/02/2025", "3h30", "Fait", None],
        ["Quaglia  Zebulon", None, "Posture professionnelle", "Coaching", D(2025, 3, 4), dt.time(1, 30), "Prévue",
         None],
        ["Tartempion Bérénice", None, "Premiers secours", "Analyse de pratiques", D(2025, 3, 5), "1:30", "annulée",
         None],
        ["Tartempion Bérénice", None, "Écoute active", "Webinaire", D(2025, 3, 6), "2", None, None],
        [None, None, "Écoute active", "Continue", D(2025, 3, 6), "2", None, None],
        ["QUAGLIA Zébulon", None, "Écoute active", "Continue", D(2025, 3, 6), None, None, None],
    ]))


def test_formations_names_pseudonymised(tmp_path: Path):
    store = new_store(tmp_path)
    prepared, _ = load(store, formations_workbook(tmp_path / "formations.xlsx"))
    assert prepared.recognition.dataset == "formations"
    # « Nom » is the salarié column (pseudonymised); « Prénom » and « Courriel » are dropped.
    assert prepared.recognition.mapping[0] == "salarie"
    assert prepared.batch.personal_columns == ["Prénom", "Courriel"]
    zebulon = pseudonymise(pd.Series(["Quaglia Zébulon"]), SECRET)[0]
    berenice = pseudonymise(pd.Series(["Tartempion Bérénice"]), SECRET)[0]
    assert zebulon.startswith("S-") and zebulon != berenice
    assert live(store, "formations", ["_ligne", "salarie", "intitule", "type", "date", "heures", "statut"]) == [
        (3, zebulon, "Gestion des conflits", "formation continue", D(2025, 2, 3), 7.0, "réalisée"),
        (4, berenice, "Accueil du public", "intégration", D(2025, 2, 10), 3.5, "réalisée"),
        # Case, accents and spaces of the name do not matter: still Zébulon's code.
        (5, zebulon, "Posture professionnelle", "accompagnement terrain", D(2025, 3, 4), 1.5, "planifiée"),
        (6, berenice, "Premiers secours", "analyse de pratiques", D(2025, 3, 5), 1.5, "annulée"),
        # A type outside the list is an optional cell: the session is loaded without its type.
        (7, berenice, "Écoute active", None, D(2025, 3, 6), 2.0, "réalisée"),
    ]
    assert_rejected(prepared.batch.warnings, [
        (7, "Type", "Webinaire", "n'est pas une des valeurs autorisées : intégration, formation continue, "
                                 "accompagnement terrain, analyse de pratiques ; cellule laissée vide"),
    ])
    assert_rejected(prepared.batch.rejected, [
        (8, "Nom", "", "valeur obligatoire manquante"),
        (9, "Durée (h)", "", "valeur obligatoire manquante"),
    ])
    assert_no_personal_data(store, PERSONAL_VALUES + ["QUAGLIA", "Zebulon"])


def test_effectifs_same_person_same_code_across_files_and_keyed_upsert(tmp_path: Path):
    store = new_store(tmp_path)
    load(store, formations_workbook(tmp_path / "formations.xlsx"))
    staff = xlsx(tmp_path / "effectifs 2025.xlsx", ("Personnel", [
        ["Agent", "Prénom", "Emploi", "Équipe", "Date d'embauche", "Date de sortie", "Contrat", "Quotité",
         "TP médiateur", "Fin d'intégration", "Date de naissance", "Portable"],
        ["Quaglia Zébulon", "Zébulon", "Médiateur social", "Nord", D(2020, 1, 6), None, "CDI", "0,8", "x",
         D(2020, 3, 1), D(1990, 5, 17), "06 11 22 33 44"],
        ["Tartempion Bérénice", "Bérénice", "Adulte relais", "Sud", "01/09/2024", None, "CDD", None, None, None,
         None, "07 98 76 54 32"],
        ["Nouveau Gédéon", None, "Coordinatrice", "Sud", "15/01/2025", None, "CDI", "1", "non", None, None,
         None],
        ["Stagiaire Léa", None, "Stagiaire", "Est", "03/03/2025", None, "Stage", None, None, None, None, None],
        ["Sans Date", None, "Support", "Est", None, None, None, None, None, None, None, None],
    ]))
    prepared, _ = load(store, staff)
    assert prepared.recognition.dataset == "effectifs"
    assert prepared.batch.personal_columns == ["Prénom", "Date de naissance", "Portable"]
    assert_rejected(prepared.batch.rejected, [
        (5, "Emploi", "Stagiaire", "n'est pas une des valeurs autorisées : médiateur, encadrant, support"),
        (6, "Date d'embauche", "", "valeur obligatoire manquante"),
    ])
    # The same person has the same code in formations and in effectifs.
    trained = {row[0] for row in live(store, "formations", ["salarie"])}
    codes = live(store, "effectifs", ["salarie", "fonction", "site", "date_entree", "date_sortie", "contrat", "etp",
                                       "certifie", "date_fin_integration"])
    zebulon, berenice, gedeon = (row[0] for row in codes)
    assert trained == {zebulon, berenice}
    assert codes == [
        (zebulon, "médiateur", "Nord", D(2020, 1, 6), None, "CDI", 0.8, True, D(2020, 3, 1)),
        (berenice, "médiateur", "Sud", D(2024, 9, 1), None, "CDD", 1.0, False, None),
        (gedeon, "encadrant", "Sud", D(2025, 1, 15), None, "CDI", 1.0, False, None),
    ]
    # A later file, the name spelled differently: Zébulon's row is replaced (key = salarié).
    # The name is a key: word order matters (« Zébulon Quaglia » is not « Quaglia Zébulon »)…
    assert pseudonymise(pd.Series(["ZÉBULON  QUAGLIA"]), SECRET)[0] != zebulon
    leaving = xlsx(tmp_path / "sorties.xlsx", ("Sorties", [
        ["Nom", "Poste", "Date d'entrée", "Sortie le"],
        ["QUAGLIA  ZEBULON", "médiateur", D(2020, 1, 6), D(2025, 6, 30)],
    ]))
    # … case, accents and spaces do not.
    second, _ = load(store, leaving)
    assert live(store, "effectifs", ["salarie", "date_sortie", "etp", "_import_id"]) == [
        (berenice, None, 1.0, 2), (gedeon, None, 1.0, 2), (zebulon, D(2025, 6, 30), 1.0, 3)]
    assert_no_personal_data(store, PERSONAL_VALUES + ["Gédéon", "Nouveau", "Stagiaire Léa", "1990-05-17", "QUAGLIA"])


# --- audits, actions, incidents, documents --------------------------------------------------

def test_audits_report(tmp_path: Path):
    path = xlsx(tmp_path / "rapport audit.xlsx",
                ("Sommaire", [["Rapport d'audit de surveillance"], ["Organisme", "Certif'Médiation"]]),
                ("Constats", [
                    [None, "Tableau des constats"],
                    [],
                    [None, "N° audit", "Type d'audit", "Date de l'audit", "Chapitre", "Type de constat", "Description",
                     "Levée le", "Action", "Auditeur"],
                    [None, "AUD-2025-01", "Surveillance", D(2025, 5, 12), "4.2 Accueil", "NC mineure",
                     "Affichage absent", D(2025, 6, 30), "A-31", "M. Auditeur"],
                    [None, "AUD-2025-01", "suivi", "12/05/2025", "5.1 Réclamations", "Point de vigilance",
                     "Délais longs", None, None, None],
                    [None, "AUD-2025-01", "Surveillance", D(2025, 5, 12), "6.3", "Opportunité d'amélioration",
                     None, None, None, None],
                    [None, "AUD-2024-07", "Audit blanc", D(2024, 11, 4), "2.1", "Écart majeur", "Pas de revue",
                     "15/01/2025", "A-20", None],
                    [None, "AUD-2024-07", "Audit blanc", D(2024, 11, 4), "3", "Point fort", None, None, None, None],
                    [None, "AUD-2024-07", "Audit blanc", D(2024, 11, 4), "3", "Observation", None, None, None, None],
                    [None, None, "Interne", D(2024, 11, 4), "3", "Point fort", None, None, None, None],
                    [None, "Total constats : 7"],  # the label is in the table's first column, not in A
                ]))
    store = new_store(tmp_path)
    prepared, _ = load(store, path)
    assert (prepared.recognition.dataset, prepared.recognition.sheet) == ("audits", "Constats")
    assert prepared.batch.ignored_columns == ["Auditeur"]
    assert prepared.skipped_total_rows == [11]
    assert live(store, "audits", ["_ligne", "audit", "type_audit", "date", "processus", "constat", "description",
                                  "date_levee", "action"]) == [
        (4, "AUD-2025-01", "surveillance", D(2025, 5, 12), "4.2 Accueil", "non-conformité mineure",
         "Affichage absent", D(2025, 6, 30), "A-31"),
        (5, "AUD-2025-01", "surveillance", D(2025, 5, 12), "5.1 Réclamations", "point sensible", "Délais longs",
         None, None),
        (6, "AUD-2025-01", "surveillance", D(2025, 5, 12), "6.3", "piste de progrès", None, None, None),
        (7, "AUD-2024-07", "blanc", D(2024, 11, 4), "2.1", "non-conformité majeure", "Pas de revue",
         D(2025, 1, 15), "A-20"),
        (8, "AUD-2024-07", "blanc", D(2024, 11, 4), "3", "point fort", None, None, None),
    ]
    assert_rejected(prepared.batch.rejected, [
        (9, "Type de constat", "Observation", "n'est pas une des valeurs autorisées : non-conformité majeure, "
                                              "non-conformité mineure, point sensible, piste de progrès, point fort"),
        (10, "N° audit", "", "valeur obligatoire manquante"),
    ])


def test_actions_plan(tmp_path: Path):
    path = xlsx(tmp_path / "plan d'actions.xlsx", ("PAQ", [
        ["Plan d'amélioration de la qualité", None, None, None, None, "Version du 01/04/2025"],
        ["N° action", "Intitulé", "Origine", "Antenne", "Pilote", "Ouverte le", "Échéance", "Soldée le", "Statut",
         "Efficacité vérifiée"],
        ["A-12", "Afficher les horaires", "Réclamation", "Nord", "responsable qualité", D(2025, 1, 10),
         D(2025, 2, 28), D(2025, 2, 20), "Soldée", "Efficace"],
        ["A-20", "Revue de direction annuelle", "Audit", None, "direction", "15/11/2024", "31/01/2025", None,
         "En cours", "En attente"],
        ["A-31", "Former à l'accueil", "Enquête", "Sud", "coordinateur", D(2025, 3, 1), D(2025, 6, 30), None, None,
         None],
        ["A-32", "Analyser les agressions", "Événement indésirable", "Est", None, D(2025, 3, 2), D(2025, 9, 30), None,
         "Non commencée", None],
        ["A-33", "Point en comité", "Comité", None, None, D(2025, 3, 3), None, None, None, None],
        ["A-34", "Sans origine connue", "Presse", None, None, D(2025, 3, 3), D(2025, 4, 3), None, "Terminée", None],
        ["A-35", "Mauvais statut", "Autre", None, None, D(2025, 3, 3), D(2025, 4, 3), None, "Suspendue", None],
    ]))
    store = new_store(tmp_path)
    prepared, _ = load(store, path)
    assert prepared.recognition.dataset == "actions"
    assert live(store, "actions", ["_ligne", "numero", "intitule", "origine", "site", "pilote", "date_ouverture",
                                   "echeance", "date_realisation", "statut", "efficacite"]) == [
        (3, "A-12", "Afficher les horaires", "réclamation", "Nord", "responsable qualité", D(2025, 1, 10),
         D(2025, 2, 28), D(2025, 2, 20), "réalisée", "efficace"),
        (4, "A-20", "Revue de direction annuelle", "audit", None, "direction", D(2024, 11, 15), D(2025, 1, 31), None,
         "en cours", "à évaluer"),
        (5, "A-31", "Former à l'accueil", "enquête de satisfaction", "Sud", "coordinateur", D(2025, 3, 1),
         D(2025, 6, 30), None, "à faire", None),
        (6, "A-32", "Analyser les agressions", "incident", "Est", None, D(2025, 3, 2), D(2025, 9, 30), None,
         "à faire", None),
        # A status outside the list is an optional cell: the action is loaded, its status left empty.
        (9, "A-35", "Mauvais statut", "autre", None, None, D(2025, 3, 3), D(2025, 4, 3), None, None, None),
    ]
    assert_rejected(prepared.batch.rejected, [
        (7, "Échéance", "", "valeur obligatoire manquante"),
        (8, "Origine", "Presse", "n'est pas une des valeurs autorisées : audit, réclamation, enquête de satisfaction, "
                                 "incident, revue de direction, autre"),
    ])
    assert_rejected(prepared.batch.warnings, [
        (9, "Statut", "Suspendue", "n'est pas une des valeurs autorisées : à faire, en cours, réalisée, abandonnée "
                                   "; cellule laissée vide"),
    ])


def test_incidents_with_bounds_and_defaults(tmp_path: Path):
    path = csv_file(tmp_path / "incidents.csv", [
        ["Date de l'événement", "Site", "Type d'événement", "Gravité", "Jours d'arrêt", "Action",
         "Nom de la victime"],
        ["03/02/2025", "Nord", "Insultes", "2", None, None, "Zébulon Quaglia"],
        ["04/02/2025", "Nord", "AT", "3", "5", "A-40", None],
        ["05/02/2025", "Sud", "Presque accident", None, "0", None, None],
        ["06/02/2025", "Sud", "Menace", "5", None, None, None],
        ["07/02/2025", "Sud", "Agression physique", "2", "2,5", None, "Bérénice Tartempion"],
        ["08/02/2025", "Sud", "Vol", "1", None, None, None],
    ])
    store = new_store(tmp_path)
    prepared, _ = load(store, path)
    assert prepared.recognition.dataset == "incidents"
    assert prepared.batch.personal_columns == ["Nom de la victime"]
    assert live(store, "incidents", ["_ligne", "date", "site", "type", "gravite", "jours_arret", "action"]) == [
        (2, D(2025, 2, 3), "Nord", "agression verbale", 2, 0, None),
        (3, D(2025, 2, 4), "Nord", "accident du travail", 3, 5, "A-40"),
        (4, D(2025, 2, 5), "Sud", "presqu'accident", None, 0, None),
        # Out-of-bounds or unreadable optional numbers: the event is loaded, the cell left empty.
        (5, D(2025, 2, 6), "Sud", "menace", None, 0, None),
        (6, D(2025, 2, 7), "Sud", "agression physique", 2, None, None),
    ]
    assert_rejected(prepared.batch.rejected, [
        (7, "Type d'événement", "Vol", "n'est pas une des valeurs autorisées : agression verbale"),
    ])
    assert_rejected(prepared.batch.warnings, [
        (5, "Gravité", "5", "doit être compris entre 1 et 4 ; cellule laissée vide"),
        (6, "Jours d'arrêt", "2,5", "doit être un nombre entier ; cellule laissée vide"),
    ])
    assert_no_personal_data(store)


def test_documents_register(tmp_path: Path):
    path = xlsx(tmp_path / "liste des documents.xlsx", ("Documents", [
        ["Codification", "Nom du document", "Indice", "Mis à jour le", "À réviser le", "Statut", "Rédacteur"],
        ["PR-01", "Procédure de gestion des réclamations", "C", D(2024, 9, 1), D(2026, 9, 1), "Applicable", "RQ"],
        ["PR-02", "Procédure d'accueil", 2, "15/01/2023", "15/01/2025", None, None],
        ["FO-07", "Fiche d'intervention", "A", D(2022, 3, 1), None, "Obsolète", None],
        ["PR-03", "Charte de la médiation", "1.1", D(2025, 2, 1), None, "Brouillon", None],
        ["PR-04", None, "A", D(2025, 2, 1), None, None, None],
        ["PR-05", "Sans date", "A", "bientôt", None, None, None],
    ]))
    store = new_store(tmp_path)
    prepared, _ = load(store, path)
    assert prepared.recognition.dataset == "documents"
    assert live(store, "documents", ["_ligne", "code", "titre", "version", "date_revision",
                                     "date_prochaine_revision", "statut"]) == [
        (2, "PR-01", "Procédure de gestion des réclamations", "C", D(2024, 9, 1), D(2026, 9, 1), "en vigueur"),
        (3, "PR-02", "Procédure d'accueil", "2", D(2023, 1, 15), D(2025, 1, 15), "en vigueur"),
        (4, "FO-07", "Fiche d'intervention", "A", D(2022, 3, 1), None, "archivé"),
        (5, "PR-03", "Charte de la médiation", "1.1", D(2025, 2, 1), None, "en révision"),
    ]
    assert_rejected(prepared.batch.rejected, [
        (6, "Nom du document", "", "valeur obligatoire manquante"),
        (7, "Mis à jour le", "bientôt", "n'est pas une date valide"),
    ])


# --- replacement rules -----------------------------------------------------------------------

def test_window_replacement_for_a_keyless_dataset(tmp_path: Path):
    store = new_store(tmp_path)
    load(store, activite_workbook(tmp_path / "activité mars.xlsx"))
    # A corrected file for site Est only, covering 14 to 16 March.
    correction = xlsx(tmp_path / "correctif Est.xlsx", ("Feuil1", [
        ["Date", "Antenne", "Type", "Nb personnes"],
        [D(2025, 3, 16), "Est", "Veille", 2],
        [D(2025, 3, 14), "Est", "Information", 6],
    ]))
    prepared = prepare(correction)
    counts = store.preview(prepared.batch)
    # Est rows of 14, 15 and 16 March are replaced; Est's 17 March and Sud's 14 March stay.
    assert (counts.read, counts.added, counts.replaced, counts.rejected) == (2, 2, 3, 0)
    import_id, _ = store.apply(prepared.batch, author="qualite")
    assert live(store, "activite", ["date", "site", "registre", "nb_personnes", "_import_id"]) == [
        (D(2025, 3, 3), "Nord", "présence active de proximité", 3, 1),
        (D(2025, 3, 4), "Nord", "gestion de conflit", 1, 1),
        (D(2025, 3, 14), "Sud", "veille sociale et technique", 2, 1),
        (D(2025, 3, 1), "Sud", "mise en relation", 1, 1),
        (D(2025, 3, 17), "Est", "concertation", 12, 1),
        (D(2025, 3, 21), "Sud", "présence active de proximité", None, 1),
        (D(2025, 3, 23), "Est", "accompagnement", 1, 1),
        (D(2025, 3, 16), "Est", "veille sociale et technique", 2, 2),
        (D(2025, 3, 14), "Est", "information et sensibilisation", 6, 2),
    ]
    assert store.journal().iloc[1]["lignes_remplacees"] == 3
    # Undo: the three rows come back.
    assert store.undo(import_id, author="qualite") == 3
    assert live(store, "activite", ACTIVITE_COLUMNS) == ACTIVITE_STORED


def test_window_replacement_for_a_dataset_without_site(tmp_path: Path):
    """formations has no site: a file replaces every live row of its date window."""
    store = new_store(tmp_path)
    load(store, formations_workbook(tmp_path / "formations.xlsx"))
    march = xlsx(tmp_path / "formations mars.xlsx", ("Mars", [
        ["Collaborateur", "Thème", "Date de formation", "Nombre d'heures"],
        ["Tartempion Bérénice", "Premiers secours (rattrapage)", "05/03/2025", "2h"],
    ]))
    prepared = prepare(march)
    assert store.preview(prepared.batch).replaced == 1  # only the 5 March session
    store.apply(prepared.batch, author="qualite")
    assert [row[:2] for row in live(store, "formations", ["intitule", "heures"])] == [
        ("Gestion des conflits", 7.0), ("Accueil du public", 3.5), ("Posture professionnelle", 1.5),
        ("Écoute active", 2.0), ("Premiers secours (rattrapage)", 2.0)]


def test_the_same_file_twice_is_not_loaded_again(tmp_path: Path):
    store = new_store(tmp_path)
    path = activite_workbook(tmp_path / "activité.xlsx")
    load(store, path)
    copy = tmp_path / "activité (copie).xlsx"
    copy.write_bytes(path.read_bytes())
    prepared = prepare(copy)
    assert store.preview(prepared.batch).already_imported_as == 1
    import_id, counts = store.apply(prepared.batch, author="qualite")
    assert (import_id, counts.added, counts.already_imported_as) == (None, 0, 1)
    assert len(store.journal()) == 1 and len(store.live_rows("activite")) == len(ACTIVITE_STORED)
    # Once undone, the same file may be imported again.
    store.undo(1, author="qualite")
    assert store.apply(prepared.batch, author="qualite")[0] == 2
    assert len(store.live_rows("activite")) == len(ACTIVITE_STORED)


# --- recognition: header forms, error cells, unknown and ambiguous files ---------------------

def test_header_forms_are_normalised_and_error_cells_are_empty(tmp_path: Path):
    path = xlsx(tmp_path / "demandes.xlsx", ("Export", [
        ["N°", "DATE_DE_RECEPTION", "  site ", "STATUT", "Date prise\nen charge"],  # a header typed with Alt+Entrée
        ["D-1", D(2025, 1, 2), "Nord", "ouverte", "#N/A"],
        ["D-2", "#N/A", "Nord", "ouverte", None],
        ["D-3", D(2025, 1, 3), "#REF!", "ouverte", None],
    ]))
    prepared = prepare(path)
    # « N° », the date and the site also fit reclamations; demandes matches one more column.
    assert (prepared.recognition.dataset, prepared.recognition.alternatives) == ("demandes", ["reclamations"])
    assert prepared.recognition.mapping == {0: "numero", 1: "date_reception", 2: "site", 3: "statut",
                                            4: "date_prise_en_charge"}
    assert rows_of(prepared.batch.rows, ["_ligne", "numero", "date_prise_en_charge"]) == [(2, "D-1", None)]
    assert_rejected(prepared.batch.rejected, [
        (3, "DATE_DE_RECEPTION", "", "valeur obligatoire manquante"),
        (4, "site", "", "valeur obligatoire manquante"),
    ])


def test_header_must_be_within_the_first_30_rows(tmp_path: Path):
    rows = [[f"Ligne de titre {i}"] for i in range(1, 31)] + [
        ["Date", "Site", "Registre"], [D(2025, 3, 3), "Nord", "PAP"]]
    with pytest.raises(ImportRefused, match="aucune ligne d'en-tête reconnue dans les 30 premières lignes"):
        prepare(xlsx(tmp_path / "trop bas.xlsx", ("Feuil1", rows)))
    prepared = prepare(xlsx(tmp_path / "juste.xlsx", ("Feuil1", rows[1:])))
    assert prepared.recognition.header_row_number == 30


def test_unknown_and_incomplete_files_name_the_missing_columns(tmp_path: Path):
    unknown = csv_file(tmp_path / "inventaire.csv", [["Article", "Quantité"], ["Gilets", "12"]])
    with pytest.raises(ImportRefused, match="aucune ligne d'en-tête reconnue"):
        prepare(unknown)
    incomplete = csv_file(tmp_path / "activité incomplète.csv", [
        ["Date", "Site", "Commentaire"], ["03/03/2025", "Nord", "RAS"]])
    with pytest.raises(ImportRefused) as refused:
        prepare(incomplete)
    assert str(refused.value) == (
        "« activité incomplète.csv », feuille « activité incomplète » : colonnes obligatoires introuvables "
        "(le plus proche : « Activité de médiation ») : « Registre d'intervention ». Renommez ces en-têtes ou "
        "associez-les à la main.")
    with pytest.raises(ImportRefused, match="pour le jeu « Présence terrain » : « Heures planifiées », "
                                            "« Heures réalisées »"):
        prepare(incomplete, dataset="presence")


def test_a_tie_between_datasets_asks_for_the_dataset(tmp_path: Path):
    tie = csv_file(tmp_path / "registre.csv", [
        ["Référence", "Date de réception", "Site"], ["X-1", "02/01/2025", "Nord"]])
    with pytest.raises(ImportRefused, match=r"plusieurs jeux de données \(demandes, reclamations\)"):
        prepare(tie)
    assert prepare(tie, dataset="reclamations").recognition.dataset == "reclamations"
    assert rows_of(prepare(tie, dataset="demandes").batch.rows, ["numero", "date_reception", "site"]) == [
        ("X-1", D(2025, 1, 2), "Nord")]


def test_sheet_override_and_best_sheet(tmp_path: Path):
    path = xlsx(tmp_path / "activité par année.xlsx",
                ("2024", [["Date", "Site", "Registre"], [D(2024, 12, 2), "Nord", "PAP"]]),
                ("2025", [["Date", "Site", "Registre", "Durée"], [D(2025, 1, 6), "Nord", "Veille", 30]]))
    # Without a sheet named, the sheet whose header matches best (more columns) is used.
    assert prepare(path).recognition.sheet == "2025"
    chosen = prepare(path, sheet="2024")
    assert chosen.recognition.sheet == "2024"
    assert rows_of(chosen.batch.rows, ["date", "registre"]) == [(D(2024, 12, 2), "présence active de proximité")]
    with pytest.raises(ImportRefused, match="pas de feuille « 2023 » \\(feuilles : 2024, 2025\\)"):
        prepare(path, sheet="2023")


def test_upload_keeps_the_users_file_name_but_never_uses_it_as_a_path(tmp_path: Path):
    content = activite_workbook(tmp_path / "a.xlsx").read_bytes()
    prepared = uploads.prepare(content, "../../etc/activité mars.xlsx", DATASETS, secret=SECRET,
                               limits=LIMITS, indicators=()).prepared
    assert prepared.batch.file_name == "../../etc/activité mars.xlsx"
    assert rows_of(prepared.batch.rows, ACTIVITE_COLUMNS) == ACTIVITE_STORED


def test_excel_unicode_text_export(tmp_path: Path):
    """Excel « Texte Unicode » : UTF-16 with BOM, tab-separated."""
    path = tmp_path / "incidents.txt"
    path.write_bytes("Date incident\tSite\tNature\tGravité\r\n12/02/2025\tNord\tMenace\t2\r\n".encode("utf-16"))
    prepared = prepare(path)
    assert prepared.recognition.dataset == "incidents"
    assert rows_of(prepared.batch.rows, ["_ligne", "date", "site", "type", "gravite", "jours_arret"]) == [
        (2, D(2025, 2, 12), "Nord", "menace", 2, 0)]


# --- the command line ------------------------------------------------------------------------

@pytest.fixture
def base(tmp_path: Path, monkeypatch) -> Path:
    """A database of its own (secret and kept files beside it), whatever the environment says."""
    for name in ("PILOTAGE_BASE", "PILOTAGE_DONNEES", "PILOTAGE_TAILLE_MAX_MO", "PILOTAGE_LIGNES_MAX"):
        monkeypatch.delenv(name, raising=False)
    folder = tmp_path / "donnees"
    folder.mkdir()
    return folder / "base.duckdb"


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def journal(capsys, base: Path) -> list[dict]:
    code, out, _ = run(capsys, "--base", base, "imports", "--format", "json")
    assert code == 0
    return json.loads(out)


def test_cli_import_report_and_journal(tmp_path: Path, base: Path, capsys):
    path = activite_workbook(tmp_path / "export activité.xlsx")
    code, out, err = run(capsys, "--base", base, "importer", path, "--utilisateur", "qualite")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].startswith("Fichier « export activité.xlsx » : jeu « Activité de médiation » (activite), "
                               "confiance ")
    assert lines[1:5] == [
        "  feuille « Interventions », ligne d'en-tête 4",
        "  colonnes ignorées : Commentaire",
        "  colonnes écartées (données personnelles, jamais enregistrées) : Nom, Prénom, Téléphone, Courriel",
        "  lignes de total ignorées : 19",
    ]
    assert "  rejet : Ligne 14, colonne « Date de l'intervention » : « 31/02/2025 » n'est pas une date valide " \
           "(jour ou mois impossible)" in lines
    assert "  rejet : Ligne 17, colonne « Équipe » : valeur obligatoire manquante" in lines
    assert lines[-2:] == ["  import n° 1", "  lignes lues 13 : 10 lignes ajoutées, 3 rejetées"]
    [entry] = journal(capsys, base)
    assert {k: entry[k] for k in ("id", "jeu", "fichier", "utilisateur", "lignes_lues", "lignes_ajoutees",
                                  "lignes_remplacees", "lignes_rejetees", "etat")} == {
        "id": 1, "jeu": "activite", "fichier": "export activité.xlsx", "utilisateur": "qualite",
        "lignes_lues": 13, "lignes_ajoutees": 10, "lignes_remplacees": 0, "lignes_rejetees": 3, "etat": "appliqué"}
    # The rejected rows, on screen and as a workbook.
    code, out, _ = run(capsys, "--base", base, "rejets", "1")
    assert code == 0 and "31/02/2025" in out and "Danse urbaine" in out
    export = tmp_path / "rejets.xlsx"
    code, out, _ = run(capsys, "--base", base, "rejets", "1", "--sortie", export)
    assert code == 0 and out.strip() == f"6 rejet(s) et avertissement(s) écrits dans « {export} »."
    sheet = pd.read_excel(export, dtype=str, keep_default_na=False, engine="openpyxl")
    # Readable headers, each line marked, cells neutralised.
    assert list(sheet.columns) == ["Nature", "Ligne", "Colonne", "Valeur", "Message"]
    # « -2 » as typed is text starting with « - »: neutralised, so Excel never reads it as a formula.
    assert [(r.Nature, int(r.Ligne), r.Colonne, r.Valeur) for r in sheet.itertuples()] == sorted(
        [("rejet", *line[:2], neutralise(line[2])) for line in ACTIVITE_REJECTED]
        + [("avertissement", *line[:2], neutralise(line[2])) for line in ACTIVITE_WARNINGS], key=lambda r: r[1:3])
    code, _, err = run(capsys, "--base", base, "rejets", "7")
    assert code == 2 and err.strip() == "Erreur : L'import n° 7 n'existe pas."
    # The uploaded file is kept as it was, under its content hash.
    assert (base.parent / "fichiers" / hashlib.sha256(path.read_bytes()).hexdigest()).read_bytes() == \
        path.read_bytes()
    # The same file again: recognised, nothing added, exit 0.
    code, out, _ = run(capsys, "--base", base, "importer", path)
    assert code == 0 and "  déjà importé (import n° 1) : rien n'est ajouté" in out.splitlines()
    assert len(journal(capsys, base)) == 1


def test_cli_simulation_writes_nothing(tmp_path: Path, base: Path, capsys):
    first = activite_workbook(tmp_path / "activité.xlsx")
    code, out, _ = run(capsys, "--base", base, "importer", "--simulation", first)
    assert code == 0
    # The 10 valid rows are all of March 2025, at three sites; the base holds nothing yet.
    assert out.splitlines()[-3:] == ["  lignes lues 13 : 10 lignes à ajouter, 3 à rejeter",
                                     "  mois remplacés (sites Est, Nord, Sud), lignes en base → lignes du fichier : "
                                     "mars 2025 : 0 → 10",
                                     "Simulation : rien n'a été écrit."]
    assert journal(capsys, base) == []
    assert not (base.parent / "fichiers").exists() or not any((base.parent / "fichiers").iterdir())
    # After a real import, a simulation of a correction counts the rows it would replace.
    assert run(capsys, "--base", base, "importer", first)[0] == 0
    correction = xlsx(tmp_path / "correctif.xlsx", ("Feuil1", [
        ["Date", "Antenne", "Type d'intervention"], [D(2025, 3, 15), "Est", "Veille"],
        [D(2025, 3, 16), "Est", "Veille"]]))
    code, out, _ = run(capsys, "--base", base, "importer", "--simulation", correction)
    assert code == 0 and "  lignes lues 2 : 2 lignes à ajouter, 2 à remplacer, 0 à rejeter" in out
    assert [e["id"] for e in journal(capsys, base)] == [1]


def test_cli_all_or_nothing(tmp_path: Path, base: Path, capsys):
    clean = csv_file(tmp_path / "présence.csv", [
        ["Mois", "Site", "Prévu", "Réalisé"], ["mars 2025", "Nord", "140", "132,5"]])
    dirty = activite_workbook(tmp_path / "activité.xlsx")
    code, out, err = run(capsys, "--base", base, "importer", "--tout-ou-rien", clean, dirty)
    assert code == 2
    assert "  lignes lues 1 : 1 ligne à ajouter, 0 à rejeter" in out
    assert err.strip() == "Tout ou rien : des lignes sont rejetées, rien n'a été écrit."
    assert journal(capsys, base) == []
    # Without rejected rows, all or nothing writes.
    code, out, _ = run(capsys, "--base", base, "importer", "--tout-ou-rien", clean)
    assert code == 0 and "  import n° 1" in out


def test_cli_dataset_and_sheet_options(tmp_path: Path, base: Path, capsys):
    tie = csv_file(tmp_path / "registre.csv", [
        ["Référence", "Date de réception", "Site"], ["X-1", "02/01/2025", "Nord"]])
    code, out, err = run(capsys, "--base", base, "importer", tie)
    assert code == 2 and out == ""
    assert err.splitlines() == [
        "Refusé : « registre.csv » : les colonnes conviennent aussi bien à plusieurs jeux de données "
        "(demandes, reclamations). Précisez le jeu (option --jeu ou choix dans la page Import).",
        "Aucun fichier n'a été importé."]
    assert journal(capsys, base) == []
    code, out, _ = run(capsys, "--base", base, "importer", "--jeu", "reclamations", tie)
    assert code == 0 and "jeu « Réclamations » (reclamations)" in out.splitlines()[0]
    code, _, err = run(capsys, "--base", base, "importer", "--jeu", "plaintes", tie)
    assert code == 2 and "jeu de données « plaintes » inconnu" in err

    book = xlsx(tmp_path / "activité par année.xlsx",
                ("2024", [["Date", "Site", "Registre"], [D(2024, 12, 2), "Nord", "PAP"]]),
                ("2025", [["Date", "Site", "Registre", "Durée"], [D(2025, 1, 6), "Nord", "Veille", 30]]))
    code, out, _ = run(capsys, "--base", base, "importer", "--feuille", "2024", book)
    assert code == 0 and "  feuille « 2024 », ligne d'en-tête 1" in out.splitlines()
    code, _, err = run(capsys, "--base", base, "importer", "--feuille", "Synthèse", book)
    assert code == 2 and "pas de feuille « Synthèse » (feuilles : 2024, 2025)" in err
    assert [(e["jeu"], e["lignes_ajoutees"]) for e in journal(capsys, base)] == [("reclamations", 1), ("activite", 1)]


def test_cli_refuses_unknown_and_missing_files_and_writes_nothing(tmp_path: Path, base: Path, capsys):
    good = activite_workbook(tmp_path / "activité.xlsx")
    incomplete = csv_file(tmp_path / "suivi.csv", [["Date", "Site", "Commentaire"], ["03/03/2025", "Nord", "RAS"]])
    code, out, err = run(capsys, "--base", base, "importer", good, incomplete, tmp_path / "absent.xlsx")
    assert code == 2 and out == ""
    assert err.splitlines() == [
        "Refusé : « suivi.csv », feuille « suivi » : colonnes obligatoires introuvables (le plus proche : "
        "« Activité de médiation ») : « Registre d'intervention ». Renommez ces en-têtes ou associez-les à la main.",
        f"Refusé : « {tmp_path / 'absent.xlsx'} » : fichier introuvable.",
        "Aucun fichier n'a été importé.",
    ]
    assert journal(capsys, base) == []
    not_a_table = tmp_path / "notes.pdf"
    not_a_table.write_bytes(b"%PDF-1.4 ...")
    code, _, err = run(capsys, "--base", base, "importer", not_a_table)
    assert code == 2 and "format .pdf non pris en charge" in err and "Traceback" not in err


def test_cli_as_a_subprocess_exit_codes(tmp_path: Path, base: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PILOTAGE_")}
    path = activite_workbook(tmp_path / "activité.xlsx")
    done = subprocess.run([sys.executable, "-m", "pilotage_qualite", "--base", str(base), "importer", str(path)],
                          cwd=Path(__file__).resolve().parents[3], capture_output=True, text=True, env=env,
                          timeout=120)
    assert done.returncode == 0 and "import n° 1" in done.stdout
    done = subprocess.run([sys.executable, "-m", "pilotage_qualite", "--base", str(base), "annuler", "1"],
                          cwd=Path(__file__).resolve().parents[3], capture_output=True, text=True, env=env,
                          timeout=120)
    assert done.returncode == 0
    assert done.stdout.strip() == ("Import n° 1 annulé : ses lignes ne sont plus prises en compte, 0 ligne(s) "
                                   "qu'il avait remplacées sont rétablies.")


# --- files saved by LibreOffice (ods, xls, xlsx, French CSV) ---------------------------------

@pytest.fixture(scope="module")
def libreoffice_files(tmp_path_factory) -> dict[str, Path]:
    """The corpus files saved by LibreOffice (used by tests marked `needs_soffice` only)."""
    folder = tmp_path_factory.mktemp("libreoffice")
    activite = activite_workbook(folder / "activite.xlsx")
    ods = libreoffice(activite, "ods", folder / "ods")
    return {
        "ods": ods,
        "xls": libreoffice(activite, "xls", folder / "xls"),
        "xlsx": libreoffice(ods, "xlsx", folder / "xlsx"),  # an xlsx written by LibreOffice
        "csv": libreoffice(formations_workbook(folder / "formations.xlsx"), "csv", folder / "csv"),
        "presence.csv": libreoffice(presence_workbook(folder / "presence.xlsx"), "csv", folder / "csv"),
    }


def presence_workbook(path: Path) -> Path:
    """Month cells shown as « janvier 2025 », hours with a thousands separator (French formats)."""
    path = xlsx(path, ("Présence", [
        ["Mois", "Site", "Heures planifiées", "Heures réalisées"],
        [D(2025, 1, 1), "Nord", 151.67, 132.5],
        [D(2025, 2, 1), "Nord", 140, 1234.25],
    ]))
    workbook = openpyxl.load_workbook(path)
    for row in (2, 3):
        workbook.active.cell(row, 1).number_format = "MMMM YYYY"
        workbook.active.cell(row, 4).number_format = "#,##0.00"
    workbook.save(path)
    return path


@needs_soffice
@pytest.mark.slow
@pytest.mark.parametrize("kind", ["ods", "xls", "xlsx"])
def test_activite_saved_by_libreoffice(tmp_path: Path, libreoffice_files, kind: str):
    store = new_store(tmp_path)
    prepared, _ = load(store, libreoffice_files[kind])
    assert (prepared.recognition.sheet, prepared.recognition.header_row_number) == ("Interventions", 4)
    assert prepared.batch.personal_columns == ["Nom", "Prénom", "Téléphone", "Courriel"]
    assert prepared.skipped_total_rows == [19]
    assert live(store, "activite", ACTIVITE_COLUMNS) == ACTIVITE_STORED
    assert_rejected(prepared.batch.rejected, ACTIVITE_REJECTED)
    assert_no_personal_data(store)


@needs_soffice
@pytest.mark.slow
def test_formations_saved_as_csv_by_libreoffice_with_french_settings(tmp_path: Path, libreoffice_files):
    path = libreoffice_files["csv"]
    text = path.read_bytes().decode("cp1252")
    assert ";03/02/2025;" in text  # day-first dates, ";" separator, cp1252
    store = new_store(tmp_path)
    prepared, _ = load(store, path)
    assert prepared.recognition.dataset == "formations" and prepared.recognition.header_row_number == 2
    zebulon = pseudonymise(pd.Series(["Quaglia Zébulon"]), SECRET)[0]
    berenice = pseudonymise(pd.Series(["Tartempion Bérénice"]), SECRET)[0]
    assert live(store, "formations", ["_ligne", "salarie", "type", "date", "heures", "statut"]) == [
        (3, zebulon, "formation continue", D(2025, 2, 3), 7.0, "réalisée"),
        (4, berenice, "intégration", D(2025, 2, 10), 3.5, "réalisée"),
        (5, zebulon, "accompagnement terrain", D(2025, 3, 4), 1.5, "planifiée"),
        (6, berenice, "analyse de pratiques", D(2025, 3, 5), 1.5, "annulée"),
        (7, berenice, None, D(2025, 3, 6), 2.0, "réalisée"),
    ]
    assert [(r.ligne, r.colonne) for r in prepared.batch.rejected.itertuples()] == [(8, "Nom"), (9, "Durée (h)")]
    assert [(r.ligne, r.colonne) for r in prepared.batch.warnings.itertuples()] == [(7, "Type")]
    assert_no_personal_data(store)


@needs_soffice
@pytest.mark.slow
def test_presence_saved_as_csv_by_libreoffice_with_french_settings(tmp_path: Path, libreoffice_files):
    path = libreoffice_files["presence.csv"]
    # What a French LibreOffice writes: month names, decimal commas, a non-breaking thousands space.
    assert path.read_bytes().decode("cp1252").splitlines()[1:] == [
        'janvier 2025;"Nord";151,67;132,50', 'février 2025;"Nord";140;1\u00a0234,25']
    prepared = prepare(path)
    assert rows_of(prepared.batch.rows, ["_ligne", "date", "site", "heures_planifiees", "heures_realisees"]) == [
        (2, D(2025, 1, 1), "Nord", 151.67, 132.5), (3, D(2025, 2, 1), "Nord", 140.0, 1234.25)]
    assert prepared.batch.rejected.empty


def test_cli_limits_refuse_the_file(tmp_path: Path, base: Path, capsys, monkeypatch):
    path = activite_workbook(tmp_path / "activité.xlsx")
    monkeypatch.setenv("PILOTAGE_LIGNES_MAX", "10")
    code, out, err = run(capsys, "--base", base, "importer", path)
    assert code == 2 and out == ""
    assert err.splitlines()[0] == ("Refusé : « activité.xlsx » : 15 lignes, au-delà du maximum autorisé (10).")
    assert journal(capsys, base) == []


def test_cli_busy_database_is_exit_code_1(tmp_path: Path, base: Path, capsys, monkeypatch):
    run(capsys, "--base", base, "imports")  # creates the database
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                               "print('ok', flush=True); time.sleep(60)", str(base)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ok"
        monkeypatch.setenv("PILOTAGE_ATTENTE_BASE", "0.5")
        code, out, err = run(capsys, "--base", base, "importer", activite_workbook(tmp_path / "activité.xlsx"))
    finally:
        holder.kill()
        holder.wait()
    assert code == 1 and out == ""
    assert err.startswith("Erreur : La base de données « base.duckdb » est utilisée par un autre programme")


def test_cli_says_which_column_is_pseudonymised(tmp_path: Path, base: Path, capsys):
    code, out, _ = run(capsys, "--base", base, "importer", formations_workbook(tmp_path / "formations.xlsx"))
    assert code == 0
    assert out.splitlines()[2:4] == [
        "  colonnes écartées (données personnelles, jamais enregistrées) : Prénom, Courriel",
        "  colonnes pseudonymisées (un code remplace le nom, qui n'est jamais enregistré) : Nom",
    ]


def test_upload_of_a_csv_named_with_a_typographic_apostrophe(tmp_path: Path):
    """The upload is written under a sanitised name; reports still show the user's name."""
    content = "Date;Site;Commentaire\r\n03/03/2025;Nord;RAS\r\n".encode("cp1252")
    refused = uploads.prepare(content, "suivi d’activité.csv", DATASETS, secret=SECRET, limits=LIMITS, indicators=())
    assert refused.error.startswith("« suivi d’activité.csv », feuille « suivi d’activité » : colonnes ")
    content = "N° action;Intitulé;Origine;Ouverte le;Échéance\r\nA-1;Afficher;audit;06/01/2025;28/02/2025\r\n"
    prepared = uploads.prepare(content.encode("cp1252"), "plan d’actions.csv", DATASETS, secret=SECRET,
                               limits=LIMITS, indicators=()).prepared
    assert (prepared.batch.file_name, prepared.batch.sheet) == ("plan d’actions.csv", "plan d’actions")


def test_installation_secret_created_once_even_when_two_processes_start_together(tmp_path: Path, monkeypatch):
    from pilotage_qualite.intake import pseudonyms
    path = tmp_path / "donnees" / "secret.key"
    real_link = os.link

    def other_process_wins(source, target):
        Path(target).write_bytes(b"k" * 32)  # created meanwhile by the app
        real_link(source, target)

    monkeypatch.setattr(pseudonyms.os, "link", other_process_wins)
    assert pseudonyms.installation_secret(path) == b"k" * 32
    assert [p.name for p in path.parent.iterdir()] == ["secret.key"]
    monkeypatch.undo()
    fresh = tmp_path / "autre" / "secret.key"
    key = pseudonyms.installation_secret(fresh)
    assert len(key) == 32 and pseudonyms.installation_secret(fresh) == key
    assert fresh.stat().st_mode & 0o777 == 0o600


def test_installation_secret_on_a_file_system_without_hard_links(tmp_path: Path, monkeypatch):
    from pilotage_qualite.intake import pseudonyms

    def no_links(source, target):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(pseudonyms.os, "link", no_links)
    path = tmp_path / "secret.key"
    key = pseudonyms.installation_secret(path)
    assert len(key) == 32 and pseudonyms.installation_secret(path) == key
    assert [p.name for p in tmp_path.iterdir()] == ["secret.key"]
