"""Command-line skeleton: French help, exit codes, the busy database."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from pilotage_qualite.cli import EXIT_BAD_INPUT, EXIT_OK, main

REPO = Path(__file__).resolve().parents[2]


def run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pilotage_qualite", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=120, env=env)


def test_help_is_french():
    done = run_cli("--aide")
    assert done.returncode == 0
    assert "utilisation :" in done.stdout and "Codes de sortie" in done.stdout


def test_unknown_verb_is_bad_input():
    done = run_cli("inconnu")
    assert done.returncode == EXIT_BAD_INPUT and "erreur" in done.stderr
    assert "Traceback" not in done.stderr


def test_empty_journal_and_unknown_import(tmp_path: Path, capsys):
    base = str(tmp_path / "b.duckdb")
    assert main(["--base", base, "imports", "--format", "json"]) == EXIT_OK
    assert capsys.readouterr().out.strip() == "[]"
    assert main(["--base", base, "annuler", "4"]) == EXIT_BAD_INPUT
    assert "L'import n° 4 n'existe pas" in capsys.readouterr().err


def indicators_json(capsys, base: Path, *options: str) -> list[dict]:
    assert main(["--base", str(base), "indicateurs", "--format", "json", *options]) == EXIT_OK
    return json.loads(capsys.readouterr().out)


def test_indicators_default_to_the_latest_month_with_ensemble_and_sites(capsys, demo_data_dir: Path):
    rows = indicators_json(capsys, demo_data_dir / "pilotage.duckdb")
    act01 = {r["site"]: r for r in rows if r["indicateur"] == "ACT-01"}
    # Demo interventions of October 2026: 195 + 137 + 160 = 492.
    assert {site: r["valeur"] for site, r in act01.items()} == {
        None: 492, "Lyon 8e": 195, "Lyon 9e": 137, "Saint-Étienne": 160}
    assert {r["periode"] for r in rows} == {"2026-10"}
    # RH-01 has no site dimension: only its Ensemble row.
    assert [r["site"] for r in rows if r["indicateur"] == "RH-01"] == [None]
    assert {"indicateur", "titre", "periode", "site", "valeur", "effectif", "cible", "seuil", "statut"} <= set(rows[0])


def test_indicators_for_a_quarter_and_one_site(capsys, demo_data_dir: Path):
    rows = indicators_json(capsys, demo_data_dir / "pilotage.duckdb", "--periode", "2026-T3", "--site", "Saint-Étienne")
    rec03 = next(r for r in rows if r["indicateur"] == "REC-03")
    assert rec03["site"] == "Saint-Étienne" and rec03["statut"] == "non atteint"
    rh01 = next(r for r in rows if r["indicateur"] == "RH-01")
    assert rh01["site"] is None  # shown for the whole structure, said so by site = null
    default_quarter = indicators_json(capsys, demo_data_dir / "pilotage.duckdb", "--grain", "trimestre")
    assert {r["periode"] for r in default_quarter} == {"2026-T3"}  # the latest complete quarter


def test_indicators_refuse_a_bad_period_or_site(capsys, demo_data_dir: Path):
    base = str(demo_data_dir / "pilotage.duckdb")
    assert main(["--base", base, "indicateurs", "--periode", "2026-13"]) == EXIT_BAD_INPUT
    assert "non reconnue" in capsys.readouterr().err
    assert main(["--base", base, "indicateurs", "--site", "Paris"]) == EXIT_BAD_INPUT
    assert "Site « Paris » inconnu" in capsys.readouterr().err


def test_the_covered_period_can_be_set_on_the_command_line(capsys, demo_data_dir: Path, tmp_path: Path):
    """GOOD: three complaints of October 2026; the quality lead says the register covers all of
    October for two sites."""
    from complaint_files import GOOD

    base = str(demo_data_dir / "pilotage.duckdb")
    path = tmp_path / "reclamations.xlsx"
    path.write_bytes(GOOD)
    assert main(["--base", base, "importer", str(path), "--couvre-au", "2026-12-32"]) == EXIT_BAD_INPUT
    assert "couverture : « 2026-12-32 » n'est ni un mois AAAA-MM ni un jour AAAA-MM-JJ." in capsys.readouterr().err
    assert main(["--base", base, "importer", str(path), "--couvre-du", "2026-11", "--couvre-au", "2026-10"]) \
        == EXIT_BAD_INPUT
    assert "après sa fin" in capsys.readouterr().err
    assert main(["--base", base, "importer", str(path), "--couvre-au", "2026-10", "--sites", "Lyon 8e, Lyon 9e"]) \
        == EXIT_OK
    assert "couvre du 01/10/2026 au 31/10/2026 (Lyon 8e, Lyon 9e) (corrigée)" in capsys.readouterr().out
    assert main(["--base", base, "imports", "--format", "json"]) == EXIT_OK
    last = json.loads(capsys.readouterr().out)[-1]
    assert (last["couvre_du"], last["couvre_au"], last["couvre_sites"]) == ("2026-10-01", "2026-10-31",
                                                                           "Lyon 8e, Lyon 9e")


def test_make_run_loads_the_demo_into_a_new_base_only(tmp_path: Path, capsys, demo_data_dir: Path):
    # What `make run` does before starting the server: a new base gets the demo, with its progress…
    base = tmp_path / "neuve" / "pilotage.duckdb"
    base.parent.mkdir()
    assert main(["--base", str(base), "demo", "--premier-demarrage"]) == EXIT_OK
    out = capsys.readouterr().out
    assert out.startswith("Premier démarrage : chargement des données de démonstration")
    assert out.count("import n°") == 11
    # … a base that already received imports is left as it is, silently (the demo's own base here).
    assert main(["--base", str(base), "demo", "--premier-demarrage"]) == EXIT_OK
    assert main(["--base", str(demo_data_dir / "pilotage.duckdb"), "demo", "--premier-demarrage"]) == EXIT_OK
    assert capsys.readouterr().out == ""
