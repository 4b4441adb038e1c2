"""The month just imported is offered, and said to be incomplete (issue « honest figures »).

On the demo (exports up to October 2026, registers extracted on 03/11/2026) the quality lead
imports the November field-presence export alone. « novembre 2026 » must then be offered in the
period filter, marked incomplete, with the datasets that do not cover it listed before any
figure; the dashboard still opens on October, the latest month every dataset covers.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from pilotage_qualite.cli import EXIT_OK, main
from pilotage_qualite.common.settings import load_settings
from pilotage_qualite.model.coverage import period_offer
from pilotage_qualite.model.periods import parse_period
from pilotage_qualite.startup import open_store

REPO = Path(__file__).resolve().parents[2]
NOVEMBER_PRESENCE = """Mois;Site;Nb médiateurs;Heures prévues;Heures réalisées
novembre 2026;Lyon 9e;10;1420;1353
novembre 2026;Saint-Étienne;11;1572,5;1451,5
novembre 2026;Villeurbanne;8;1100;1045
"""


@pytest.fixture
def with_november(demo_data_dir: Path, tmp_path: Path, capsys) -> Path:
    export = tmp_path / "presence_novembre_2026.csv"
    export.write_text(NOVEMBER_PRESENCE, encoding="utf-8")
    assert main(["--base", str(demo_data_dir / "pilotage.duckdb"), "importer", str(export)]) == EXIT_OK, \
        capsys.readouterr().err
    assert "couvre du 01/11/2026 au 30/11/2026" in capsys.readouterr().out
    return demo_data_dir


def test_november_is_offered_and_marked_incomplete(with_november: Path):
    store = open_store(load_settings(environ={"PILOTAGE_DONNEES": str(with_november)}))
    offer = period_offer(store.coverage(), "mois", dt.date(2026, 12, 5))
    november, october = parse_period("2026-11"), parse_period("2026-10")
    assert offer.periods[:2] == [november, october]
    # 11 datasets in use; only presence covers all of November: the 8 registers stop on 03/11,
    # the interventions and the questionnaires (exports) on 31/10.
    assert offer.label_fr(november) == "novembre 2026 (incomplet : 10 jeux sur 11)"
    assert offer.label_fr(october) == "octobre 2026"
    assert offer.default == october


def test_the_dashboard_opens_november_from_the_url_and_lists_what_is_missing(with_november: Path, app_env):
    app_env(with_november)
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    app.query_params["periode"] = "novembre 2026"
    app.run()
    assert not app.exception, [e.message for e in app.exception]
    assert app.subheader[0].value == "novembre 2026 · Ensemble de la structure"
    periods = app.selectbox(key="periode")
    assert periods.options[0] == "novembre 2026 (incomplet : 10 jeux sur 11)"
    assert "◐ novembre 2026 : incomplet : 10 jeux sur 11" in [c.value for c in app.caption]
    warning = app.warning[0].value
    assert warning.startswith("**Données incomplètes pour novembre 2026**")
    assert "Activité de médiation : données jusqu'au 31/10/2026" in warning
    assert "Incidents : données jusqu'au 03/11/2026" in warning
    assert "Présence terrain" not in warning
    # The URL keeps the bare period name, never the note.
    assert app.query_params["periode"] == "novembre 2026"


def test_a_period_without_data_in_the_url_is_said_not_silently_replaced(demo_data_dir: Path, app_env):
    app_env(demo_data_dir)
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    app.query_params["periode"] = "mars 2031"
    app.run()
    assert not app.exception, [e.message for e in app.exception]
    assert app.subheader[0].value == "octobre 2026 · Ensemble de la structure"
    assert any("« mars 2031 » n'a pas de données importées" in c.value for c in app.caption)
