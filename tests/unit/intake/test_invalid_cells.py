"""Invalid optional cells and impossible date orders (datasets.md, revised 2026-12).

An unreadable or out-of-list value in an optional column, or a date before the one it cannot
precede (`pas_avant` in the declarations), keeps the row, leaves the cell empty and gives a
warning; the same in a required column rejects the row.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from import_corpus import DATASETS, SECRET, D, assert_rejected, live, load, new_store, xlsx

from pilotage_qualite import cli
from pilotage_qualite.intake.prepare import prepare_recognised
from pilotage_qualite.intake.read import RecognisedFile
from pilotage_qualite.intake.recognition import SheetRows, recognise
from pilotage_qualite.model.datasets import DeclarationError, parse_dataset

COMPLAINTS = [
    ["N° réclamation", "Date réclamation", "Antenne", "Origine", "Date AR", "Clôturée le"],
    ["R-1", "06/01/2025", "Nord", "Locataire", "le 13", None],                     # row 2: unreadable AR
    ["R-2", "07/01/2025", "Sud", "habitant", D(2025, 1, 5), D(2025, 1, 10)],       # row 3: AR before reception
    ["R-3", "le 13", "Sud", "habitant", None, None],                               # row 4: required date unreadable
    ["R-4", "08/01/2025", "Est", "Élu", D(2025, 1, 8), D(2025, 1, 7)],             # row 5: bad origin, closed before
]
COLUMNS = ["_ligne", "numero", "date_reception", "origine", "date_accuse_reception", "date_cloture"]


def test_optional_cells_are_left_empty_with_a_warning_and_required_ones_reject(tmp_path: Path):
    store = new_store(tmp_path)
    prepared, import_id = load(store, xlsx(tmp_path / "registre.xlsx", ("Registre", COMPLAINTS)))
    batch = prepared.batch
    # Rows 2, 3 and 5 are loaded, their bad cells empty; a same-day acknowledgement (row 5) is fine.
    assert live(store, "reclamations", COLUMNS) == [
        (2, "R-1", D(2025, 1, 6), "habitant", None, None),
        (3, "R-2", D(2025, 1, 7), "habitant", None, D(2025, 1, 10)),
        (5, "R-4", D(2025, 1, 8), None, D(2025, 1, 8), None),
    ]
    assert_rejected(batch.rejected, [(4, "Date réclamation", "le 13", "n'est pas une date valide")])
    assert_rejected(batch.warnings, [
        (2, "Date AR", "le 13", "n'est pas une date valide (format attendu : JJ/MM/AAAA) ; cellule laissée vide"),
        (3, "Date AR", "05/01/2025", "est antérieure à « Date réclamation » (07/01/2025) ; cellule laissée vide"),
        (5, "Clôturée le", "07/01/2025", "est antérieure à « Date réclamation » (08/01/2025)"),
        (5, "Origine", "Élu", "n'est pas une des valeurs autorisées : habitant, partenaire, salarié, autre"),
    ])
    # The journal keeps both, each marked: 1 reject + 4 warnings, in row order.
    kept = store.rejected_rows(import_id)
    assert list(zip(kept["nature"], kept["ligne"], kept["colonne"])) == [
        ("avertissement", 2, "Date AR"), ("avertissement", 3, "Date AR"), ("rejet", 4, "Date réclamation"),
        ("avertissement", 5, "Clôturée le"), ("avertissement", 5, "Origine")]
    assert store.journal().iloc[0]["lignes_rejetees"] == 1


def run(capsys, *args) -> tuple[int, str]:
    code = cli.main([str(a) for a in args])
    return code, capsys.readouterr().out


def test_the_command_line_lists_rejects_and_warnings_marked_and_rec01_counts_the_kept_rows(tmp_path: Path, capsys):
    base = tmp_path / "donnees" / "base.duckdb"
    base.parent.mkdir()
    path = xlsx(tmp_path / "registre.xlsx", ("Registre", COMPLAINTS))
    code, out = run(capsys, "--base", base, "importer", path)
    assert code == 0
    assert "  avertissement : Ligne 2, colonne « Date AR » : « le 13 » n'est pas une date valide " \
           "(format attendu : JJ/MM/AAAA) ; cellule laissée vide, la ligne est chargée" in out.splitlines()
    assert "  rejet : Ligne 4, colonne « Date réclamation » : « le 13 » n'est pas une date valide " \
           "(format attendu : JJ/MM/AAAA)" in out.splitlines()
    code, out = run(capsys, "--base", base, "rejets", "1")
    assert code == 0
    # Each line starts with its mark, then the row number.
    marked = [line.split()[:2] for line in out.splitlines()[1:]]
    assert marked == [["avertissement", "2"], ["avertissement", "3"], ["rejet", "4"], ["avertissement", "5"],
                      ["avertissement", "5"]]
    code, out = run(capsys, "--base", base, "indicateurs", "--periode", "2025-01", "--format", "json")
    rec01 = next(r for r in json.loads(out) if r["indicateur"] == "REC-01" and r["site"] is None)
    assert rec01["valeur"] == 3  # the rows with a bad optional cell count


def declared(later: dict) -> dict:
    """A small dataset declaration whose `fin` cannot precede `debut`."""
    return {"nom": "essai", "libelle": "Essai", "cle": ["numero"], "couverture": "registre", "colonnes": [
        {"nom": "numero", "type": "texte", "requis": True},
        {"nom": "debut", "type": "date", "requis": True},
        {"nom": "fin", "type": "date", "pas_avant": "debut", **later}]}


def prepared_rows(dataset, rows: list[list]):
    recognition = recognise([SheetRows("Feuil1", rows)], {dataset.name: dataset}, file_name="essai.xlsx",
                            dataset=dataset.name)
    return prepare_recognised(RecognisedFile(b"", "essai.xlsx", recognition, rows), {dataset.name: dataset},
                              SECRET).batch


def test_an_impossible_date_order_in_a_required_column_rejects_the_row():
    dataset = parse_dataset(declared({"requis": True}), "essai.yaml")
    batch = prepared_rows(dataset, [["numero", "debut", "fin"], ["A", "10/03/2025", "09/03/2025"],
                                    ["B", "10/03/2025", "10/03/2025"]])
    assert batch.rows["numero"].tolist() == ["B"]  # the same day is a possible order
    assert_rejected(batch.rejected, [(2, "fin", "09/03/2025", "est antérieure à « debut » (10/03/2025)")])
    assert batch.warnings.empty


@pytest.mark.parametrize(("later", "message"), [
    ({"pas_avant": "inconnue"}, "« inconnue » n'est pas une autre colonne de type date du jeu"),
    ({"pas_avant": "numero"}, "« numero » n'est pas une autre colonne de type date du jeu"),
    ({"pas_avant": "fin"}, "« fin » n'est pas une autre colonne de type date du jeu"),
    ({"type": "texte"}, "ne s'applique qu'aux dates"),
])
def test_a_wrong_date_order_declaration_is_refused_in_french(later, message):
    with pytest.raises(DeclarationError) as refused:
        parse_dataset(declared(later), "essai.yaml")
    assert str(refused.value).startswith("essai.yaml : champ « colonnes.fin.pas_avant » : ")
    assert message in str(refused.value)


# Any cell a reader may give in an optional column: text (dates, choices, garbage), numbers, dates, booleans.
OPTIONAL_CELL = st.one_of(st.none(), st.text(max_size=12), st.sampled_from(["le 13", "Élu", "31/02/2025", "oui"]),
                          st.integers(-5, 50_000), st.floats(allow_nan=False, allow_infinity=False), st.booleans(),
                          st.dates(min_value=D(1990, 1, 1), max_value=D(2030, 12, 31)))
REQUIRED_DATE = st.sampled_from(["06/01/2025", D(2025, 2, 1), "le 13", None])
REQUIRED_SITE = st.sampled_from(["Nord", None])
HEADER = [c.name for c in DATASETS["reclamations"].columns]
OPTIONAL = len(HEADER) - 3  # numero, date_reception and site come first


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(REQUIRED_DATE, REQUIRED_SITE, st.lists(OPTIONAL_CELL, min_size=OPTIONAL,
                                                                 max_size=OPTIONAL)), min_size=1, max_size=8))
def test_optional_garbage_never_costs_a_row(rows):
    """Loaded rows = rows whose required cells are valid, whatever the optional cells hold."""
    sheet = [HEADER] + [[f"R-{i}", date, site, *optional] for i, (date, site, optional) in enumerate(rows)]
    batch = prepared_rows(DATASETS["reclamations"], sheet)
    valid_required = sum(date not in ("le 13", None) and site is not None for date, site, _ in rows)
    assert len(batch.rows) == valid_required
    assert set(batch.warnings["ligne"]) <= set(batch.rows["_ligne"])  # a warning is about a loaded row
    assert set(batch.rejected["colonne"]) <= {"date_reception", "site"}
