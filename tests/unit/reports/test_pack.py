"""The committee pack (PDF) from the command line, read back with poppler's pdftotext/pdftoppm."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pilotage_qualite.cli import EXIT_BAD_INPUT, EXIT_ERROR, main
from pilotage_qualite.common import formats
from pilotage_qualite.common.settings import load_settings
from pilotage_qualite.model.status import status_label
from pilotage_qualite.reports import pack
from pilotage_qualite.startup import open_store

REPO = Path(__file__).resolve().parents[3]
KEY_INDICATORS = ("REC-03", "SAT-01", "PA-01", "ACT-01")


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pilotage_qualite", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=300)


def pdf_text(path: Path) -> str:
    """The PDF's text with every run of spaces (no-break ones included) as one space."""
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"[\s\u00a0\u202f]+", " ", text)


def pdf_lines(path: Path) -> list[str]:
    """The PDF's lines as laid out on the page (a table row stays one line)."""
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    return [spaced(line).strip() for line in text.splitlines()]


def pdf_pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


def spaced(text: str) -> str:
    return re.sub(r"[\s\u00a0\u202f]+", " ", text)


def expected_rows(base: Path) -> dict[str, dict]:
    """The Ensemble rows of the key indicators, as the `indicateurs` command gives them."""
    done = run_cli("--base", str(base), "indicateurs", "--periode", "2026-T3", "--format", "json")
    assert done.returncode == 0, done.stderr
    return {r["indicateur"]: r for r in json.loads(done.stdout) if r["site"] is None and r["indicateur"] in KEY_INDICATORS}


def test_pack_for_a_quarter_from_the_command_line(demo_data_dir: Path, tmp_path: Path):
    base = demo_data_dir / "pilotage.duckdb"
    out = tmp_path / "dossier.pdf"
    started = time.perf_counter()
    done = run_cli("--base", str(base), "dossier", "--periode", "2026-T3", "--sortie", str(out))
    elapsed = time.perf_counter() - started
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "dossier.pdf" in done.stdout
    print(f"dossier 2026-T3 (démo) : {elapsed:.1f} s de bout en bout")
    text = pdf_text(out)
    pages = pdf_pages(out)
    assert "Association Médiation Rhône-Loire" in text and "3e trimestre 2026" in text
    assert "Page 1 / " + str(pages) in text and f"Page {pages} / {pages}" in text
    for number, title in enumerate(("Décisions de la réunion précédente", "Synthèse", "Indicateurs hors cible",
                                    "Satisfaction et réclamations", "Audits et constats", "Incidents et sécurité",
                                    "Plan d'amélioration", "Nouvelles décisions"), start=1):
        assert f"{number}. {title}" in text
    rows = expected_rows(base)
    assert set(rows) == set(KEY_INDICATORS)
    from pilotage_qualite.model.indicator_format import load_catalogue

    catalogue = load_catalogue()
    lines = pdf_lines(out)
    for indicator_id, row in rows.items():
        indicator = catalogue[indicator_id]
        value = spaced(formats.with_unit(row["valeur"], row["unite"], indicator.decimales))
        # The summary's table: title, value in French format, status word and symbol on one line.
        wanted = f"{indicator_id} · {indicator.titre} {value} "
        line = next((line for line in lines if wanted in line), None)
        assert line is not None, (indicator_id, wanted)
        assert line.endswith(status_label(row["statut"])), line
    rec03 = rows["REC-03"]
    assert rec03["statut"] == "non atteint" and "REC-03 · Réponse sous 15 jours" in text
    # Its tile (item 3) says the value, the status and the target.
    assert "40,0 %" in text and "✖ non atteint" in text
    # Tiles say the target and n; charts come with how to read them in black and white.
    assert "cible ≥ 90,0 %" in text and "Lecture des courbes" in text
    # Each page turns into an image (the layout was looked at on these).
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(out), str(tmp_path / "page")], check=True)
    assert len(list(tmp_path.glob("page-*.png"))) == pages


def test_pack_of_a_meeting_shows_it_and_is_archived(demo_data_dir: Path, tmp_path: Path):
    store = open_store(load_settings(environ={"PILOTAGE_DONNEES": str(demo_data_dir)}))
    base = store.path
    meeting_id = store.create_meeting(dt.date(2026, 10, 14), "trimestre", "2026-T3", None, author="qualite")
    store.set_participants(meeting_id, ["Claire Martin (direction)", "Hugo Petit (qualité)"], author="qualite")
    store.add_note(meeting_id, 3, "Le délai de réponse aux réclamations s'est dégradé à Saint-Étienne.", author="qualite")
    store.add_decision(meeting_id, "Renforcer la permanence réclamations", author="qualite", pilote="H. Petit",
                       echeance=dt.date(2026, 12, 15), create_action=True)
    out = tmp_path / "reunion.pdf"
    done = run_cli("--base", str(base), "dossier", "--reunion", str(meeting_id), "--sortie", str(out))
    assert done.returncode == 0, done.stderr
    assert f"réunion n° {meeting_id}" in done.stdout
    text = pdf_text(out)
    assert "14/10/2026" in text and "Claire Martin (direction)" in text and "Hugo Petit (qualité)" in text
    assert "s'est dégradé à Saint-Étienne" in text
    assert "Renforcer la permanence réclamations" in text and "H. Petit" in text
    archived = store.meeting_packs(meeting_id)
    assert len(archived) == 1
    assert store.meeting_pack(int(archived["id"].iloc[0])) == out.read_bytes()
    # The meeting fixes the period and site: a different one is refused, nothing written.
    refused = run_cli("--base", str(base), "dossier", "--reunion", str(meeting_id), "--periode", "2026-T2",
                      "--sortie", str(tmp_path / "autre.pdf"))
    assert refused.returncode == EXIT_BAD_INPUT and "revoit la période 2026-T3" in refused.stderr
    assert not (tmp_path / "autre.pdf").exists() and len(store.meeting_packs(meeting_id)) == 1


def test_bad_input_and_missing_font(demo_data_dir: Path, tmp_path: Path, capsys, monkeypatch):
    base = str(demo_data_dir / "pilotage.duckdb")
    assert main(["--base", base, "dossier", "--periode", "2026-T3", "--site", "Paris",
                 "--sortie", str(tmp_path / "d.pdf")]) == EXIT_BAD_INPUT
    assert "Site « Paris » inconnu" in capsys.readouterr().err
    assert main(["--base", base, "dossier", "--reunion", "42", "--sortie", str(tmp_path / "d.pdf")]) == EXIT_BAD_INPUT
    assert "La réunion n° 42 n'existe pas" in capsys.readouterr().err
    assert main(["--base", base, "dossier", "--sortie", str(tmp_path / "absent" / "d.pdf")]) == EXIT_BAD_INPUT
    assert "n'existe pas" in capsys.readouterr().err
    monkeypatch.setattr(pack, "FONT_DIR", tmp_path / "sans-polices")
    assert main(["--base", base, "dossier", "--periode", "2026-T3", "--sortie", str(tmp_path / "d.pdf")]) == EXIT_ERROR
    assert "fonts-dejavu-core" in capsys.readouterr().err
    assert not (tmp_path / "d.pdf").exists()


@pytest.mark.parametrize("shown, expected", [("14/03/2025", "14/03/2025"), (1234, "1\u202f234"), (7.25, "7,2"),
                                             (None, ""), (True, "oui")])
def test_table_cells_are_french(shown, expected):
    value = dt.date(2025, 3, 14) if shown == "14/03/2025" else shown
    assert pack._text(value) == expected


def test_events_appear_on_the_trends_and_in_the_list_of_the_period(demo_data_dir: Path, tmp_path: Path):
    """REC-03 is off target in 2026-T3 (see above): its trend shows the events recorded on it and on
    its dataset; the summary lists those dated within the quarter (July–September 2026) only."""
    from pilotage_qualite.model.indicator_format import load_catalogue
    from pilotage_qualite.model.periods import parse_period

    store = open_store(load_settings(environ={"PILOTAGE_DONNEES": str(demo_data_dir)}))
    store.record_event(dt.date(2026, 8, 17), "Logiciel de suivi des réclamations", dataset="reclamations",
                       process_change=True, author="qualite")
    store.record_event(dt.date(2026, 5, 4), "Nouvelle grille d'accueil", indicator="REC-03", author="qualite")
    # 1 October 2026 is the first day after the quarter: neither in its list nor on its trend.
    store.record_event(dt.date(2026, 10, 1), "Après la période", indicator="REC-03", author="qualite")
    withdrawn = store.record_event(dt.date(2026, 8, 3), "Saisie erronée", indicator="REC-03", author="qualite")
    store.withdraw_event(withdrawn, author="qualite")
    out = tmp_path / "evenements.pdf"
    out.write_bytes(pack.committee_pack(store, load_catalogue(), parse_period("2026-T3"), None))
    text = pdf_text(out)
    # On REC-03's trend (the twelve quarters up to 2026-T3): both events, in full, oldest first.
    assert ("Événements sur la courbe : 04/05/2026 : Nouvelle grille d'accueil (événement) ; 17/08/2026 : "
            "Logiciel de suivi des réclamations (changement de processus).") in text
    # The list of the period: the August change only (4 May is in 2026-T2), with what it is on.
    lines = pdf_lines(out)
    assert "Événements de la période (3e trimestre 2026)" in text
    assert any(line.startswith("17/08/2026 Logiciel de suivi des réclamations changement de processus") for line in lines)
    assert not any(line.startswith("04/05/2026 Nouvelle grille") for line in lines)
    assert "Saisie erronée" not in text and "Après la période" not in text
    assert "trait vertical plein = changement de processus" in text


def test_the_pack_of_a_closed_meeting_prints_its_records_fingerprint_on_the_cover(demo_data_dir: Path,
                                                                                   tmp_path: Path):
    from pilotage_qualite.model.meeting_record import PARTS, canonical

    store = open_store(load_settings(environ={"PILOTAGE_DONNEES": str(demo_data_dir)}))
    meeting_id = store.create_meeting(dt.date(2026, 10, 14), "trimestre", "2026-T3", None, author="qualite")
    whole = store.close_meeting(meeting_id, author="qualite", record={name: canonical(name) for name in PARTS})
    out = tmp_path / "reunion-close.pdf"
    done = run_cli("--base", str(store.path), "dossier", "--reunion", str(meeting_id), "--sortie", str(out))
    assert done.returncode == 0, done.stderr
    text = pdf_text(out)
    # Printed on two lines of 32 hexadecimal digits, so a reader can compare it with `reunions`.
    assert "Empreinte du relevé" in text and whole[:32] in text and whole[32:] in text
    assert f"« verifier {meeting_id} » la recalcule" in text
