"""Re-imports on the command line (datasets.md « Re-imports », « Example rows »): counts in the
quality lead's words, a risky window replacement refused without --remplacer, example rows of a
template never loaded, and the journal of a base made before the new counts."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
from complaint_files import GOOD
from reimport_files import activity_template_with_examples_left, activity_with_a_stray_row, register_plus_five

from pilotage_qualite.cli import EXIT_BAD_INPUT, EXIT_OK, main
from pilotage_qualite.common.settings import load_settings
from pilotage_qualite.reports.data_admin import journal_table
from pilotage_qualite.startup import open_store

DEMO_REGISTER_IMPORT = 10  # the demo's complaint register (147 valid complaints, 1 rejected)


def run(capsys, *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def journal(capsys, base: Path) -> list[dict]:
    code, out, _ = run(capsys, "--base", base, "imports", "--format", "json")
    assert code == EXIT_OK
    return json.loads(out)


def live_rows(base: Path, table: str) -> int:
    with duckdb.connect(str(base), read_only=True) as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_the_register_plus_five_complaints_says_5_new(capsys, demo_data_dir: Path, tmp_path: Path):
    base = demo_data_dir / "pilotage.duckdb"
    path = tmp_path / "registre.xlsx"
    path.write_bytes(register_plus_five())
    code, out, err = run(capsys, "--base", base, "importer", path)
    assert code == EXIT_OK, err
    # 5 new keys; the 147 of the register again, one of them now closed; its bad row still rejected.
    assert "  lignes lues 153 : 5 nouvelles, 147 mises à jour dont 146 inchangées, 1 rejetée" in out.splitlines()
    entries = {e["id"]: e for e in journal(capsys, base)}
    last = entries[max(entries)]
    assert {k: last[k] for k in ("lignes_ajoutees", "lignes_remplacees", "lignes_nouvelles", "lignes_modifiees",
                                 "lignes_inchangees")} == {
        "lignes_ajoutees": 152, "lignes_remplacees": 147, "lignes_nouvelles": 5, "lignes_modifiees": 1,
        "lignes_inchangees": 146}
    assert last["avertissements"] == entries[DEMO_REGISTER_IMPORT]["avertissements"]  # the same cells again
    assert isinstance(last["avertissements"], int)
    # A keyless import has no keyed counts.
    assert entries[4]["jeu"] == "activite" and entries[4]["lignes_nouvelles"] is None
    shown = journal_table(open_store(load_settings(database=str(base))).journal(), {})
    assert shown.iloc[0]["Résultat"] == "5 nouvelles, 147 mises à jour dont 146 inchangées, 1 rejetée"


def test_a_stray_date_stops_the_import_unless_remplacer(capsys, demo_data_dir: Path, tmp_path: Path):
    base = demo_data_dir / "pilotage.duckdb"
    stray = tmp_path / "interventions-novembre.xlsx"
    stray.write_bytes(activity_with_a_stray_row())
    good = tmp_path / "reclamations.xlsx"
    good.write_bytes(GOOD)
    before = (len(journal(capsys, base)), live_rows(base, "activite"), live_rows(base, "reclamations"))
    # The window runs from 05/11/2024 to 11/11/2026 at Lyon 8e: 3 617 rows of 24 months for 11 rows.
    code, out, err = run(capsys, "--base", base, "importer", good, stray)
    assert code == EXIT_BAD_INPUT
    assert "« interventions-novembre.xlsx » : Ce fichier remplacerait 3\u202f617 lignes déjà en base" in err
    assert "remonte jusqu'à novembre 2024, plus de deux mois avant l'essentiel de ses lignes (novembre 2026)" in err
    assert "Mois concernés (sites Lyon 8e) : novembre 2024 à octobre 2026." in err
    assert "relancez la commande avec --remplacer" in err and "Aucun fichier n'a été importé." in err
    assert "Traceback" not in err
    # Nothing written, not even the good file named first.
    assert (len(journal(capsys, base)), live_rows(base, "activite"), live_rows(base, "reclamations")) == before
    # A simulation shows the months and the warning, and writes nothing.
    code, out, _ = run(capsys, "--base", base, "importer", "--simulation", stray)
    assert code == EXIT_OK
    assert "nov. 2024 : 139 → 1 ; déc. 2024 : 146 → 0" in out and "  attention : Ce fichier remplacerait" in out
    # Confirmed: written; 14 375 live rows - 3 617 replaced + 11 brought = 10 769.
    code, out, err = run(capsys, "--base", base, "importer", "--remplacer", stray)
    assert code == EXIT_OK, err
    assert live_rows(base, "activite") == 10_769


def test_a_template_with_its_example_rows_left_imports_only_the_real_rows(capsys, demo_data_dir: Path,
                                                                         tmp_path: Path):
    base = demo_data_dir / "pilotage.duckdb"
    path = tmp_path / "modele_activite.xlsx"
    path.write_bytes(activity_template_with_examples_left())
    before = live_rows(base, "activite")
    code, out, err = run(capsys, "--base", base, "importer", path)
    assert code == EXIT_OK, err  # November 2026 only: nothing replaced, no confirmation needed
    assert "  2 lignes d'exemple du modèle ignorées (lignes 2, 3)" in out.splitlines()
    assert "  lignes lues 6 : 6 lignes ajoutées, 0 rejetée" in out.splitlines()
    assert live_rows(base, "activite") == before + 6


OLD_JOURNAL = """CREATE TABLE imports (
    id BIGINT PRIMARY KEY, jeu VARCHAR NOT NULL, fichier VARCHAR NOT NULL,
    empreinte VARCHAR NOT NULL, taille BIGINT NOT NULL, feuille VARCHAR,
    ligne_entete INTEGER, utilisateur VARCHAR NOT NULL, date TIMESTAMP NOT NULL,
    lignes_lues BIGINT NOT NULL, lignes_ajoutees BIGINT NOT NULL,
    lignes_remplacees BIGINT NOT NULL, lignes_rejetees BIGINT NOT NULL,
    colonnes_ignorees VARCHAR, colonnes_personnelles VARCHAR,
    etat VARCHAR NOT NULL, annule_le TIMESTAMP, annule_par VARCHAR)"""


def test_a_journal_made_before_the_new_counts_reads_as_before(capsys, tmp_path: Path):
    base = tmp_path / "ancienne.duckdb"
    with duckdb.connect(str(base)) as conn:  # the journal as bases made before 2026-12 hold it
        conn.execute(OLD_JOURNAL)
        conn.execute("INSERT INTO imports VALUES (1, 'reclamations', 'registre.xlsx', 'abc', 10, NULL, NULL, 'q', "
                     "TIMESTAMP '2026-11-02 10:00:00', 152, 152, 147, 0, '[]', '[]', 'appliqué', NULL, NULL)")
    [entry] = journal(capsys, base)
    assert {k: entry[k] for k in ("lignes_ajoutees", "lignes_nouvelles", "lignes_modifiees", "lignes_inchangees",
                                  "avertissements")} == {
        "lignes_ajoutees": 152, "lignes_nouvelles": None, "lignes_modifiees": None, "lignes_inchangees": None,
        "avertissements": 0}
    shown = journal_table(open_store(load_settings(database=str(base))).journal(), {})
    assert shown.iloc[0]["Résultat"] == "152 lignes ajoutées, 147 remplacées, 0 rejetée"
