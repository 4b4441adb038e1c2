"""A forgotten file is not a perfect month: the demo with its incidents cut at 10/08/2026.

The quality lead undoes the demo's incidents import and imports an incidents register that stops
on 10/08/2026 (its last row). October 2026 must then show no value for SEC-01/02/03 (not 0),
say « Incidents : données jusqu'au 10/08/2026 » before any figure on the dashboard and in the
pack, and no indicator may show a value, a status or a drift for a period before its data.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from pilotage_qualite.cli import EXIT_OK, main

REPO = Path(__file__).resolve().parents[2]
DEMO_INCIDENTS = REPO / "data" / "demo" / "evenements_indesirables.csv"
SAFETY = ("SEC-01", "SEC-02", "SEC-03")
GAP = "Incidents : données jusqu'au 10/08/2026"


def cli(capsys, base: Path, *args: str) -> str:
    assert main(["--base", str(base), *args]) == EXIT_OK, capsys.readouterr().err
    return capsys.readouterr().out


def indicators(capsys, base: Path, period: str) -> list[dict]:
    return json.loads(cli(capsys, base, "indicateurs", "--periode", period, "--format", "json"))


@pytest.fixture
def stale_base(demo_data_dir: Path, tmp_path: Path, capsys) -> Path:
    base = demo_data_dir / "pilotage.duckdb"
    journal = json.loads(cli(capsys, base, "imports", "--format", "json"))
    incidents_import = next(entry["id"] for entry in journal if entry["jeu"] == "incidents")
    cli(capsys, base, "annuler", str(incidents_import))
    with DEMO_INCIDENTS.open(encoding="utf-8") as source:
        rows = list(csv.reader(source))
    cut = tmp_path / "incidents_jusqu_au_10_aout.csv"
    with cut.open("w", encoding="utf-8", newline="") as target:
        csv.writer(target).writerows([rows[0], *(r for r in rows[1:] if r[0] <= "2026-08-10")])
    out = cli(capsys, base, "importer", str(cut))
    assert "couvre du 01/12/2023 au 10/08/2026" in out
    return base


def test_october_has_no_safety_value_and_august_is_incomplete(stale_base: Path, capsys):
    october = [r for r in indicators(capsys, stale_base, "2026-10") if r["indicateur"] in SAFETY]
    assert october and all(r["valeur"] is None and r["couverture"] == "absente" for r in october)
    assert all(r["statut"] == "pas de données" for r in october)
    # the other datasets still give their October values (ACT-01: 492 interventions)
    act01 = next(r for r in indicators(capsys, stale_base, "2026-10")
                 if r["indicateur"] == "ACT-01" and r["site"] is None)
    assert act01["valeur"] == 492 and act01["couverture"] == "complète"
    august = [r for r in indicators(capsys, stale_base, "2026-08") if r["indicateur"] == "SEC-02"]
    assert all(r["statut"] == "période incomplète" and r["donnees_jusqu_au"] == "2026-08-10" for r in august)


def test_no_value_status_or_drift_before_the_data(demo_data_dir: Path, capsys):
    """October 2023, before the demo's first month: only the staff register (since 2011) and the
    documents list (since 2022) reach back that far."""
    rows = indicators(capsys, demo_data_dir / "pilotage.duckdb", "2023-10")
    covered = {r["indicateur"] for r in rows if r["couverture"] != "absente"}
    assert covered == {"FOR-02", "FOR-03", "RH-01", "DOC-01"}
    # The demo's registers were extracted on 03/11/2026: their stocks of 2023 are « reconstitué »
    # (FOR-02, DOC-01 and RH-01's headcounts); FOR-03 is a flow, never.
    assert all(isinstance(r["reconstitue"], bool) for r in rows)  # JSON true / false
    assert {r["indicateur"] for r in rows if r["reconstitue"]} == {"FOR-02", "RH-01", "DOC-01"}
    for r in rows:
        if r["indicateur"] not in covered:
            assert r["valeur"] is None and r["statut"] == "pas de données", r


def test_the_dashboard_says_which_dataset_stops_before_any_figure(stale_base: Path, app_env):
    app_env(stale_base.parent)
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    app.query_params["periode"] = "octobre 2026"
    app.query_params["vue"] = "Tuiles"  # the tiles say « pas de données » (the overview: « – »)
    app.run()
    assert not app.exception
    warnings = [w.value for w in app.warning]
    assert any("Données incomplètes pour octobre 2026" in w and GAP in w for w in warnings), warnings
    safety = [m for m in app.metric if m.label.startswith(SAFETY)]
    assert safety and all(m.value == "pas de données" for m in safety)


def test_the_pack_says_it_too(stale_base: Path, tmp_path: Path, capsys):
    out = tmp_path / "dossier.pdf"
    cli(capsys, stale_base, "dossier", "--periode", "2026-10", "--sortie", str(out))
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert GAP in re.sub(r"[\s\u00a0\u202f]+", " ", text)


def test_act01_limits_are_frozen_on_its_first_20_months(demo_data_dir: Path, capsys):
    """ACT-01 on the demo: interventions per month from 11/2023 (its first month). The first 20
    counts (SELECT count(*) FROM activite GROUP BY month, 11/2023–06/2025) are
    447 307 447 427 448 539 386 384 363 212 426 458 407 331 412 356 420 473 368 408:
    mean 8 019 / 20 = 400,95; mean moving range 1 511 / 19 = 79,526…, σ̂ = 79,526 / 1,128 = 70,502;
    limits 400,95 ± 211,506 = 189,44 and 612,46 — the same for every later month (frozen), and
    never inflated by the months before the data."""
    base = demo_data_dir / "pilotage.duckdb"
    for period in ("2025-07", "2026-01", "2026-10"):
        act01 = next(r for r in indicators(capsys, base, period) if r["indicateur"] == "ACT-01" and r["site"] is None)
        assert act01["centre"] == pytest.approx(400.95)
        assert act01["limite_basse"] == pytest.approx(189.444, abs=0.001)
        assert act01["limite_haute"] == pytest.approx(612.456, abs=0.001)
