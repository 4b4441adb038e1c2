"""The journal's list of problems: rejects and warnings in table `rejets`, told apart by `nature`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd

from pilotage_qualite.model.batch import ImportBatch
from pilotage_qualite.model.datasets import load_datasets
from pilotage_qualite.store import Store

COLUMNS = ["ligne", "colonne", "valeur", "message"]


def complaints_batch(store: Store) -> ImportBatch:
    """Two complaints loaded (one with a warning on row 3), one rejected on row 4."""
    given = {"numero": ["R1", "R2"], "date_reception": [dt.date(2025, 1, 2)] * 2, "site": ["Nord", "Sud"]}
    rows = pd.DataFrame({column: given.get(column, [None, None])
                         for column in store.datasets["reclamations"].column_names} | {"_ligne": [2, 3]})
    return ImportBatch("reclamations", "r.xlsx", b"r", rows,
                       rejected=pd.DataFrame([[4, "Site", "", "Ligne 4 : valeur obligatoire manquante"]],
                                             columns=COLUMNS),
                       warnings=pd.DataFrame([[3, "Date AR", "le 13", "Ligne 3 : cellule laissée vide"]],
                                             columns=COLUMNS))


def test_warnings_are_kept_beside_the_rejects_each_marked(tmp_path: Path):
    store = Store(tmp_path / "base.duckdb", load_datasets())
    store.initialise()
    import_id, counts = store.apply(complaints_batch(store), author="q")
    assert (counts.added, counts.rejected) == (2, 1)  # a warning is not a rejected row
    kept = store.rejected_rows(import_id)
    assert kept.to_dict("records") == [
        {"nature": "avertissement", "ligne": 3, "colonne": "Date AR", "valeur": "le 13",
         "message": "Ligne 3 : cellule laissée vide"},
        {"nature": "rejet", "ligne": 4, "colonne": "Site", "valeur": "", "message": "Ligne 4 : valeur obligatoire manquante"},
    ]


def test_a_base_from_before_warnings_reads_its_old_lines_as_rejects(tmp_path: Path):
    path = tmp_path / "base.duckdb"
    with duckdb.connect(str(path)) as conn:  # the table as it was, holding one reject
        conn.execute("CREATE TABLE rejets (import_id BIGINT NOT NULL, ligne BIGINT, colonne VARCHAR, "
                     "valeur VARCHAR, message VARCHAR NOT NULL)")
        conn.execute("INSERT INTO rejets VALUES (7, 5, 'Site', '', 'Ligne 5 : valeur obligatoire manquante')")
    store = Store(path, load_datasets())
    store.initialise()
    assert store.rejected_rows(7)[["nature", "ligne"]].values.tolist() == [["rejet", 5]]
