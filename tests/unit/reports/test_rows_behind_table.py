"""The fiche's « Lignes derrière la valeur » as people read it: declared headings, French cells,
one « Provenance » cell. Rows and expected cells written by hand."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from indicator_fixtures import DATASETS, make_store
from indicator_fixtures import ENGINE_CATALOGUE as CATALOGUE

from pilotage_qualite import engine
from pilotage_qualite.model.datasets import parse_dataset
from pilotage_qualite.reports.rows_behind_table import cell, provenance, rows_behind_table

NNBSP = "\u202f"

COMPLAINTS = parse_dataset({
    "nom": "reclamations", "libelle": "Réclamations", "couverture": "registre", "cle": ["numero"],
    "colonnes": [{"nom": "numero", "type": "texte", "libelle": "Numéro", "requis": True},
                 {"nom": "date", "type": "date", "libelle": "Date de réception"},
                 {"nom": "fondee", "type": "booleen", "libelle": "Fondée"},
                 {"nom": "cout", "type": "decimal", "libelle": "Coût (€)"}]}, "reclamations.yaml")
ACTIVITY = parse_dataset({
    "nom": "activite", "libelle": "Activité de médiation", "couverture": "export", "date_reference": "date",
    "colonnes": [{"nom": "date", "type": "date", "libelle": "Date de l'intervention", "requis": True},
                 {"nom": "nb_personnes", "type": "entier", "libelle": "Nombre de personnes"}]}, "activite.yaml")
DECLARED = {d.name: d for d in (COMPLAINTS, ACTIVITY)}


def drill(rows: list[dict]) -> pd.DataFrame:
    """Rows shaped as engine.drill_down returns them (its columns first, then the dataset's)."""
    frame = pd.DataFrame(rows)
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


def test_a_percentage_reads_with_labels_french_cells_and_provenance():
    rows = drill([
        {"indicateur": "REC-02", "composante": "REC-02", "au_numerateur": True, "au_denominateur": True,
         "jeu": "reclamations", "fichier": "reclamations.xlsx", "_import_id": 12, "_ligne": 45,
         "numero": "R1", "date": "2026-08-20", "fondee": True, "cout": 1234.5},
        {"indicateur": "REC-02", "composante": "REC-02", "au_numerateur": False, "au_denominateur": True,
         "jeu": "reclamations", "fichier": "reclamations.xlsx", "_import_id": 12, "_ligne": 46,
         "numero": "R2", "date": None, "fondee": None, "cout": None},
    ])
    expected = pd.DataFrame({
        "Compté au numérateur": ["oui", "non"], "Compté au dénominateur": ["oui", "oui"],
        "Numéro": ["R1", "R2"], "Date de réception": ["20/08/2026", ""], "Fondée": ["oui", ""],
        "Coût (€)": [f"1{NNBSP}234,5", ""],
        "Provenance": ["fichier reclamations.xlsx (import n° 12, ligne 45)",
                       "fichier reclamations.xlsx (import n° 12, ligne 46)"],
    }, dtype=object)
    pd.testing.assert_frame_equal(rows_behind_table(rows, DECLARED), expected)


def test_a_composite_names_its_components_and_datasets_and_a_shared_name_keeps_its_two_meanings():
    # `date` is the reception of a complaint and the day of an intervention: two headings.
    # `prochaine_visite` is a computed column (calculs): declared nowhere, headed by its name in words.
    rows = drill([
        {"indicateur": "REC-05", "composante": "REC-01", "au_numerateur": True, "au_denominateur": False,
         "jeu": "reclamations", "fichier": "reclamations.xlsx", "_import_id": 3, "_ligne": 2,
         "numero": "R1", "date": "2026-06-10", "nb_personnes": None, "prochaine_visite": None},
        {"indicateur": "REC-05", "composante": "ACT-01", "au_numerateur": False, "au_denominateur": True,
         "jeu": "activite", "fichier": None, "_import_id": 7, "_ligne": None,
         "numero": None, "date": "2026-06-05", "nb_personnes": 3.0, "prochaine_visite": 2},
    ])
    assert rows_behind_table(rows, DECLARED).to_dict("records") == [
        {"Composante": "REC-01", "Jeu de données": "Réclamations", "Compté au numérateur": "oui",
         "Compté au dénominateur": "non", "Numéro": "R1", "Date de réception": "10/06/2026",
         "Date de l'intervention": "", "Nombre de personnes": "", "Prochaine visite": "",
         "Provenance": "fichier reclamations.xlsx (import n° 3, ligne 2)"},
        {"Composante": "ACT-01", "Jeu de données": "Activité de médiation", "Compté au numérateur": "non",
         "Compté au dénominateur": "oui", "Numéro": "", "Date de réception": "",
         "Date de l'intervention": "05/06/2026", "Nombre de personnes": "3", "Prochaine visite": "2",
         "Provenance": "import n° 7"},
    ]


def test_a_stock_from_the_engine_has_no_membership_columns_nor_code_names():
    """Through the real drill-down (DuckDB's dtypes): a count without numerator shows no « Compté »
    columns, and nothing of the indicator's or the columns' code names."""
    conn = make_store({"demandes": [
        {"numero": "D1", "date_reception": "2025-03-01", "site": "Lyon"},
        {"numero": "D2", "date_reception": "2025-05-20", "date_prise_en_charge": "2025-05-21", "site": "Lyon"},
    ]})
    table = rows_behind_table(engine.drill_down(conn, CATALOGUE, "DEM-04", "2025-06"), DATASETS)
    labels = {c.name: c.label for c in DATASETS["demandes"].columns}
    assert list(table.columns) == [*labels.values(), "Provenance"]
    first = table.iloc[0]
    assert first[labels["numero"]] == "D1" and first[labels["date_reception"]] == "01/03/2025"
    assert first[labels["date_cloture"]] == "" and first["Provenance"] == "fichier demandes.xlsx (import n° 1, ligne 2)"
    assert not table.isin(["None", "nan", "NaT", "<NA>"]).any().any()


@pytest.mark.parametrize(("value", "shown"), [
    (None, ""), (float("nan"), ""), (pd.NA, ""), (pd.NaT, ""),
    (True, "oui"), (np.False_, "non"),
    (pd.Timestamp("2026-08-20 00:00:00"), "20/08/2026"), (dt.date(2026, 8, 20), "20/08/2026"),
    (pd.Timestamp("2026-08-20 14:30"), "20/08/2026 à 14:30"),
    (3, "3"), (7.0, "7"), (0.75, "0,75"), (0.1 + 0.2, "0,3"), (1234, f"1{NNBSP}234"),
    ("en vigueur", "en vigueur"),
])
def test_each_cell_as_read_in_the_room(value, shown):
    assert cell(value) == shown


def test_provenance_says_what_the_journal_knows():
    assert provenance("reclamations.xlsx", 12, 45) == "fichier reclamations.xlsx (import n° 12, ligne 45)"
    assert provenance("reclamations.xlsx", 12, None) == "fichier reclamations.xlsx (import n° 12)"
    assert provenance(None, 12, 45.0) == "import n° 12, ligne 45"
