"""The pre-read of a meeting held after another one, on the demo: what changed since the last committee.

Meeting n° 1 (05/11/2026) reviews September 2026 and is closed with its record, with one decision
that created an action; then REC-03's target is raised from 01/10/2026; meeting n° 2 (03/12/2026)
reviews October 2026. `prelecture --reunion 2` must compare October with the figures meeting n° 1
recorded, and list: the indicators whose status changed, the new special causes, REC-03's new
target, the datasets not up to date, the late and due actions, and meeting n° 1's decision with
its action's state. The PDF's text is read back with pdftotext (poppler-utils).
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

from pilotage_qualite.cli import EXIT_OK, main
from pilotage_qualite.common.settings import load_settings
from pilotage_qualite.model.indicator_format import load_catalogue
from pilotage_qualite.model.periods import parse_period
from pilotage_qualite.reports import agenda, pack
from pilotage_qualite.reports.meeting_record import record_parts
from pilotage_qualite.startup import open_store

USER = "qualité (test)"
DECISION = "Relancer les accusés de réception sous 48 h dans chaque antenne."

def cli(capsys, base: Path, *args: str) -> str:
    assert main(["--base", str(base), *args]) == EXIT_OK, capsys.readouterr().err
    return capsys.readouterr().out


def statuses(capsys, base: Path, period: str) -> dict[str, str]:
    rows = json.loads(cli(capsys, base, "indicateurs", "--periode", period, "--format", "json"))
    return {r["indicateur"]: r["statut"] for r in rows if r["site"] is None}


def test_the_pre_read_lists_what_changed_since_the_last_committee(demo_data_dir: Path, tmp_path: Path, capsys):
    base = demo_data_dir / "pilotage.duckdb"
    september = statuses(capsys, base, "2026-09")  # what meeting n° 1 will record (no change touches it)
    store = open_store(load_settings(environ={"PILOTAGE_DONNEES": str(demo_data_dir)}))
    catalogue = load_catalogue()
    first = store.create_meeting(dt.date(2026, 11, 5), "mois", "2026-09", None, author=USER)
    store.add_decision(first, DECISION, author=USER, pilote="responsable qualité",
                       echeance=dt.date(2026, 11, 30), create_action=True, indicateurs=["REC-02"])
    shown = agenda.build_agenda(store, catalogue, pack.pack_results(store, catalogue, parse_period("2026-09")),
                                parse_period("2026-09"), None, meeting=store.meeting(first))
    store.close_meeting(first, author=USER, record=record_parts(shown, catalogue))
    store.set_target("REC-03", dt.date(2026, 10, 1), 97.0, 92.0, author=USER)
    second = store.create_meeting(dt.date(2026, 12, 3), "mois", "2026-10", None, author=USER)
    october = statuses(capsys, base, "2026-10")
    # Worked from the two periods' statuses (the engine's, through the command line): those that differ.
    changed = sorted(code for code in october if code in september and october[code] != september[code])
    assert changed, "the demo's September and October should differ somewhere"

    output = tmp_path / "prelecture.pdf"
    out = cli(capsys, base, "prelecture", "--reunion", str(second), "--sortie", str(output))
    assert f"Prélecture de la réunion n° {second} du 03/12/2026 (octobre 2026)" in out
    text = subprocess.run(["pdftotext", "-layout", str(output), "-"], capture_output=True, text=True,
                          check=True).stdout
    flat = " ".join(text.split())
    assert f"réunion n° {first} du 05/11/2026 (septembre 2026), chiffres de son relevé de clôture" in flat
    section = flat.split("Indicateurs dont le statut a changé")[1].split("Nouvelles causes spéciales")[0]
    assert sorted(code for code in october if f"{code} ·" in section) == changed
    assert "Nouvelles causes spéciales (carte de contrôle)" in flat
    targets = flat.split("Cibles modifiées depuis le 05/11/2026")[1]
    assert "REC-03 · Réponse sous 15 jours" in targets and "01/10/2026" in targets and "97,0" in targets
    assert "Actions en retard au 31/10/2026" in flat and "Actions à échéance dans les 30 jours" in flat
    decisions = flat.split("Décisions de la réunion du 05/11/2026 (période revue : septembre 2026)")[1]
    assert "Relancer les accusés de réception" in decisions and "RD-2026-11-05-1" in decisions

    # Looked at as a person would: the first page as an image (kept for the session's note).
    shots = Path(__file__).resolve().parents[1] / "screenshots"
    shots.mkdir(exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "2", str(output), str(shots / "prelecture")],
                   check=True)


def test_a_pre_read_for_a_meeting_that_does_not_exist_is_refused_in_french(demo_data_dir: Path, tmp_path: Path,
                                                                          capsys):
    code = main(["--base", str(demo_data_dir / "pilotage.duckdb"), "prelecture", "--reunion", "99",
                 "--sortie", str(tmp_path / "p.pdf")])
    err = capsys.readouterr().err
    assert code != EXIT_OK and "99" in err and "Traceback" not in err
    assert not (tmp_path / "p.pdf").exists()
