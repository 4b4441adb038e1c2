"""The actions' « Indicateurs concernés » column (datasets.md, actions): codes of the catalogue's
indicators, separated by commas or spaces; an unknown code is an invalid optional cell (the
action is loaded, the cell left empty, a warning). Checked by whoever holds the catalogue: the
page (its reading child has no base), the command line (with the indicators added in the app)
and the demo."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from import_corpus import DATASETS, D, live, new_store, prepare, xlsx

from pilotage_qualite import cli
from pilotage_qualite.intake.parsing.codes import indicator_codes
from pilotage_qualite.intake.parsing.text import texts
from pilotage_qualite.intake.prepare import check_indicator_codes

KNOWN = ["REC-03", "SAT-01", "ACT-01"]
HEADER = ["N° action", "Intitulé", "Origine", "Ouverte le", "Échéance", "Indicateurs concernés"]


def plan(path: Path) -> Path:
    return xlsx(path, ("PAQ", [
        HEADER,
        ["A-1", "Relancer les réponses", "Réclamation", D(2026, 9, 1), D(2026, 12, 31), "rec-03  sat-01"],
        ["A-2", "Afficher les horaires", "Audit", D(2026, 9, 2), D(2026, 12, 31), "REC-03; REC-99"],
        ["A-3", "Point en comité", "Comité", D(2026, 9, 3), D(2026, 12, 31), None],
        ["A-4", "Former l'équipe", "Audit", D(2026, 9, 4), D(2026, 12, 31), "ACT-01,REC-03,ACT-01"],
    ]))


def test_codes_are_written_alike_and_an_unknown_one_makes_the_cell_invalid():
    cells = pd.Series(["rec-03  sat-01", "REC-03; REC-99", None, "ACT-01,REC-03,ACT-01", "X-1 Y-2"], dtype=object)
    parsed = indicator_codes(texts(cells), KNOWN)
    # Case and separators do not matter; a code repeated counts once; the order given is kept.
    assert list(parsed.values.iloc[[0, 3]]) == ["REC-03, SAT-01", "ACT-01, REC-03"]
    assert list(parsed.invalid) == [False, True, False, False, True]
    assert parsed.reasons[1] == "nomme « REC-99 », absent du catalogue des indicateurs"
    assert parsed.reasons[4] == "nomme « X-1 », « Y-2 », absents du catalogue des indicateurs"
    assert bool(parsed.empty[2]) and pd.isna(parsed.values[1])


def test_an_action_naming_an_unknown_indicator_is_loaded_with_the_cell_empty_and_a_warning(tmp_path: Path):
    prepared = prepare(plan(tmp_path / "plan.xlsx"))
    check_indicator_codes(prepared, DATASETS["actions"], KNOWN)
    store = new_store(tmp_path)
    store.apply(prepared.batch, author="qualite")
    assert live(store, "actions", ["numero", "indicateurs"]) == [
        ("A-1", "REC-03, SAT-01"), ("A-2", None), ("A-3", None), ("A-4", "ACT-01, REC-03")]
    warning = prepared.batch.warnings.iloc[0]
    assert (warning["ligne"], warning["colonne"], warning["valeur"]) == (3, "Indicateurs concernés", "REC-03; REC-99")
    assert warning["message"] == ("Ligne 3, colonne « Indicateurs concernés » : « REC-03; REC-99 » nomme « REC-99 », "
                                  "absent du catalogue des indicateurs ; cellule laissée vide, la ligne est chargée")
    assert len(prepared.batch.warnings) == 1


def test_the_command_line_checks_the_codes_against_the_whole_catalogue(tmp_path: Path, capsys, monkeypatch):
    for name in ("PILOTAGE_BASE", "PILOTAGE_DONNEES"):
        monkeypatch.delenv(name, raising=False)
    base = tmp_path / "donnees" / "base.duckdb"
    base.parent.mkdir()
    assert cli.main(["--base", str(base), "importer", str(plan(tmp_path / "plan.xlsx"))]) == 0
    capsys.readouterr()
    assert cli.main(["--base", str(base), "imports", "--format", "json"]) == 0
    entry = json.loads(capsys.readouterr().out)[-1]
    # REC-03, SAT-01 and ACT-01 are in the catalogue files; REC-99 is not: one warning.
    assert (entry["jeu"], entry["avertissements"]) == ("actions", 1)
