"""The demo files, end to end: import, deliberate rejects, personal data, statuses, CLI, emptying."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from pilotage_qualite import engine, startup
from pilotage_qualite.cli import EXIT_BAD_INPUT, EXIT_OK, main
from pilotage_qualite.common.settings import DEMO_DIR, load_settings
from pilotage_qualite.model.indicator_format import load_catalogue
from pilotage_qualite.model.status import (
    A_SURVEILLER,
    ATTEINT,
    EFFECTIF_INSUFFISANT,
    NON_ATTEINT,
    SUIVI,
)
from pilotage_qualite.startup import open_store
from pilotage_qualite.store import Store
from pilotage_qualite.store.database import APPLIED, UNDONE
from tools import demo_generator

pytestmark = pytest.mark.slow


def _settings(folder: Path):
    return load_settings(environ={"PILOTAGE_DONNEES": str(folder),
                                  "PILOTAGE_BASE": str(folder / "pilotage.duckdb")})


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """A base holding the whole demo, imported once for the module (read-only for the tests)."""
    folder = tmp_path_factory.mktemp("demo-base")
    settings = _settings(folder)
    store = open_store(settings)
    imported = startup.load_demo(store, settings)
    return store, imported


@pytest.fixture(scope="module")
def built() -> dict[str, pd.DataFrame]:
    return demo_generator.build()


@pytest.fixture(scope="module")
def results(loaded) -> pd.DataFrame:
    store, _ = loaded
    with store.connect() as conn:
        return engine.compute(conn, load_catalogue(), ["2026-10", "2026-T3"])


@pytest.fixture(autouse=True)
def _no_environment(monkeypatch):
    for name in ("PILOTAGE_DONNEES", "PILOTAGE_BASE"):
        monkeypatch.delenv(name, raising=False)


def test_every_demo_file_becomes_one_applied_import(loaded):
    store, imported = loaded
    journal = store.journal()
    assert len(imported) == len(demo_generator.FILES) == 11
    assert sorted(journal["fichier"]) == sorted(demo_generator.FILES.values())
    assert dict(zip(journal["fichier"], journal["jeu"])) == {f: d for d, f in demo_generator.FILES.items()}
    assert set(journal["etat"]) == {APPLIED}
    assert set(journal["utilisateur"]) == {startup.DEMO_USER}
    assert startup.demo_is_loaded(store)


def test_only_the_deliberate_rows_are_rejected(loaded):
    store, _ = loaded
    journal = store.journal()
    found = set()
    for entry in journal.itertuples():
        rejected = store.rejected_rows(int(entry.id))
        assert int(entry.lignes_rejetees) == len(rejected)
        found |= {(entry.fichier, int(r.ligne), r.colonne) for r in rejected.itertuples()}
        for r in rejected.itertuples():
            assert f"Ligne {int(r.ligne)}" in r.message and f"« {r.colonne} »" in r.message
    expected = {(bad.file, bad.row, bad.column) for bad in demo_generator.DELIBERATE_BAD_ROWS}
    assert found == expected
    # The rejected values are the ones written on purpose.
    for bad in demo_generator.DELIBERATE_BAD_ROWS:
        import_id = int(journal.loc[journal["fichier"] == bad.file, "id"].iloc[0])
        rejected = store.rejected_rows(import_id)
        value = rejected.loc[rejected["ligne"] == bad.row, "valeur"].iloc[0]
        assert (value or None) == bad.value


def test_live_rows_are_exactly_the_generated_rows(loaded, built):
    store, _ = loaded
    for name, frame in built.items():
        assert len(store.live_rows(name)) == len(frame), name
    journal = store.journal().set_index("jeu")
    for name, frame in built.items():
        assert int(journal.loc[name, "lignes_ajoutees"]) == len(frame)
        assert int(journal.loc[name, "lignes_remplacees"]) == 0


def _names_in_column(path: Path, header: str) -> set[str]:
    workbook = load_workbook(path, read_only=True)
    try:
        for sheet in workbook.worksheets:
            rows = list(sheet.iter_rows(values_only=True))
            for index, row in enumerate(rows[:30]):
                if header in row:
                    position = row.index(header)
                    return {r[position] for r in rows[index + 1:]
                            if position < len(r) and isinstance(r[position], str) and r[position].strip()}
    finally:
        workbook.close()
    raise AssertionError(f"{path.name} : colonne « {header} » introuvable")


def _stored_texts(store: Store) -> set[str]:
    """Every text value of every table of the base."""
    texts: set[str] = set()
    with store.connect() as conn:
        columns = conn.execute(
            "SELECT c.table_name, c.column_name FROM information_schema.columns c "
            "JOIN information_schema.tables t USING (table_schema, table_name) "
            "WHERE t.table_type = 'BASE TABLE' AND c.data_type = 'VARCHAR'").fetchall()
        assert columns
        for table, column in columns:
            texts |= {v for (v,) in conn.execute(
                f'SELECT DISTINCT "{column}" FROM "{table}" WHERE "{column}" IS NOT NULL').fetchall()}
    return texts


def test_personal_columns_are_never_stored(loaded):
    store, _ = loaded
    complainants = _names_in_column(DEMO_DIR / demo_generator.FILES["reclamations"], "Nom du réclamant")
    employees = _names_in_column(DEMO_DIR / demo_generator.FILES["formations"], "Nom")
    assert len(complainants) > 50 and len(employees) > 10
    texts = _stored_texts(store)
    blob = "\n".join(texts)
    leaked = sorted(name for name in complainants | employees if name in blob)
    assert not leaked, f"noms enregistrés dans la base : {leaked[:5]}"
    journal = store.journal()
    personal = journal.loc[journal["jeu"] == "reclamations", "colonnes_personnelles"].iloc[0]
    assert "Nom du réclamant" in personal


def test_the_demo_spreads_indicators_over_every_status(results):
    ensemble = results[results["dimension"].isna()]
    october = set(ensemble.loc[ensemble["periode"] == "2026-10", "statut"])
    assert {ATTEINT, A_SURVEILLER, NON_ATTEINT, EFFECTIF_INSUFFISANT, SUIVI} <= october
    third_quarter = set(ensemble.loc[ensemble["periode"] == "2026-T3", "statut"])
    assert NON_ATTEINT in third_quarter


def test_cli_demo_loads_once(tmp_path, capsys):
    base = str(tmp_path / "cli.duckdb")
    assert main(["--base", base, "demo"]) == EXIT_OK
    first = capsys.readouterr().out
    for file_name in demo_generator.FILES.values():
        assert f"« {file_name} »" in first
    assert "11 fichier(s) de démonstration importés" in first
    store = open_store(load_settings(database=base))
    journal = store.journal()
    assert len(journal) == 11 and set(journal["etat"]) == {APPLIED}

    assert main(["--base", base, "demo"]) == EXIT_OK
    second = capsys.readouterr().out
    assert "déjà chargées" in second and "rien n'est ajouté" in second
    assert len(store.journal()) == 11

    # Once emptied, the demo can be loaded again on request.
    assert startup.empty_demo(store, author="test") == 11
    assert main(["--base", base, "demo"]) == EXIT_OK
    assert "11 fichier(s) de démonstration importés" in capsys.readouterr().out
    journal = store.journal()
    assert len(journal) == 22 and (journal["etat"] == APPLIED).sum() == 11


def test_cli_demo_refuses_a_base_holding_the_users_own_imports(tmp_path, capsys):
    base = tmp_path / "propre.duckdb"
    own = tmp_path / "incidents.csv"
    own.write_text("Date,Site,Type d'événement\n14/03/2025,Vénissieux,menace\n", encoding="utf-8")
    assert main(["--base", str(base), "importer", str(own)]) == EXIT_OK
    capsys.readouterr()
    assert main(["--base", str(base), "demo"]) == EXIT_BAD_INPUT
    assert "vos propres imports" in capsys.readouterr().err
    assert len(open_store(load_settings(database=base)).journal()) == 1


def test_empty_demo_undoes_every_import_and_keeps_the_journal(tmp_path):
    settings = _settings(tmp_path)
    store = open_store(settings)
    assert startup.load_demo_if_new(store, settings) is True
    assert startup.empty_demo(store, author="qualité") == 11
    journal = store.journal()
    assert len(journal) == 11
    assert set(journal["etat"]) == {UNDONE}
    assert set(journal["annule_par"]) == {"qualité"}
    for name in store.datasets:
        assert store.live_rows(name).empty, name
    assert not startup.demo_is_loaded(store)
    # The base has a history: the demo is not loaded again behind the user's back.
    assert startup.load_demo_if_new(store, settings) is False
    assert len(store.journal()) == 11
    assert startup.empty_demo(store, author="qualité") == 0
