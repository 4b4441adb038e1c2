"""Command-line skeleton: French help, exit codes, the busy database."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from pilotage_qualite.cli import EXIT_BAD_INPUT, EXIT_OK, main

REPO = Path(__file__).resolve().parents[1]


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
