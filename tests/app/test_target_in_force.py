"""The target in force after a change, on every screen (indicators.md « Status against target »:
a period is judged against the target in force on its first day).

The demo's files set SAT-01 and SAT-02 at cible 85 %, seuil 75 %, and ACT-04 at 95 % / 85 %.
Each test lowers one of them from a date, as the quality lead does on the Catalogue page.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from test_pages import markdown_text, open_app
from test_process_pages import chart_element, chart_rows, chart_spec, open_page, store_at


@pytest.fixture
def lowered(app_env, demo_data_dir):
    """SAT-02 lowered to 80 / 70 from 01/09/2026; ACT-04 lowered to 90 / 80 from 01/07/2026."""
    store, _ = store_at(demo_data_dir)
    store.set_target("SAT-02", dt.date(2026, 9, 1), 80, 70, author="test")
    store.set_target("ACT-04", dt.date(2026, 7, 1), 90, 80, author="test")
    app_env(demo_data_dir)
    return demo_data_dir


def test_the_tile_says_the_target_was_lowered(lowered):
    overview = "\n".join(h.proto.body for h in open_app().get("html"))  # the default « Vue d'ensemble »
    row = next(r for r in overview.split("<tr") if "<td>SAT-02</td>" in r)
    assert "<td>≥\u00a080,0\u00a0%</td>" in row  # the target in force, not the file's 85
    app = open_app({"vue": "Tuiles"})  # octobre 2026: the change (September) is within the last 12 months
    facts = "\n".join(m.value for m in app.markdown)  # the tiles' « n = … » lines
    assert "cible abaissée de 85,0 % à 80,0 % à partir de septembre 2026".replace(" %", "\u00a0%") in facts
    # Untouched indicators say nothing of a change.
    assert facts.count("cible abaissée") == 2  # SAT-02 and ACT-04 (July is also within 12 months)


def test_the_fiche_header_and_definition_show_the_target_in_force(lowered):
    app = open_app({"indicateur": "SAT-02"}, page="app_pages/pilotage/fiche.py")
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Objectif"] == "≥\u00a080,0\u00a0%"  # unbreakable: the sign never ends a line
    text = markdown_text(app)
    # The definition no longer shows the file's 85: the target in force on 01/10/2026.
    assert "Cible : 80,0\u00a0% (en vigueur au 01/10/2026)" in text
    assert "Seuil d'alerte : 70,0\u00a0%" in text
    assert "Cible abaissée de 85,0\u00a0% à 80,0\u00a0% à partir de septembre 2026." in text
    assert any(e.label.startswith("Historique des cibles (1 changement") for e in app.expander)


def test_the_fiche_before_the_change_shows_the_files_target(lowered):
    app = open_app({"indicateur": "SAT-02", "periode": "août 2026"}, page="app_pages/pilotage/fiche.py")
    assert "Cible : 85,0\u00a0% (en vigueur au 01/08/2026)" in markdown_text(app)


def test_the_trend_draws_the_target_as_a_step(lowered):
    app = open_app({"indicateur": "SAT-02"}, page="app_pages/pilotage/fiche.py")
    spec = next(s for s in (e.proto.spec for e in app.get("vega_lite_chart")) if "cible" in s)
    layers = json.loads(spec)["layer"]
    target_lines = [layer for layer in layers if layer.get("encoding", {}).get("y", {}).get("field") == "cible"
                    and layer["mark"]["type"] == "line"]
    assert target_lines and target_lines[0]["mark"]["interpolate"] == "step"


def test_the_satisfaction_chart_draws_each_publics_target(lowered):
    app = open_page("app_pages/processus/satisfaction.py")
    chart = chart_element(app, "Satisfaction globale, habitants et partenaires")
    frames = [convert_arrow_bytes_to_pandas_df(dataset.data.data) for dataset in chart.proto.datasets]
    labels = sorted(label for frame in frames if "texte" in frame.columns for label in frame["texte"])
    # SAT-01 (habitants) keeps 85 %, SAT-02 (partenaires) is at 80 % in October.
    assert labels == ["cible\u00a0≥\u00a080\u00a0% (partenaires)", "cible\u00a0≥\u00a085\u00a0% (habitants)"]


def test_the_presence_heatmap_judges_each_month_on_its_own_target(lowered):
    app = open_page("app_pages/processus/activite.py")
    title = "Taux de réalisation de la présence terrain, par site et par mois"
    rows = chart_rows(app, title, "niveau")
    between = rows[(rows["taux"] >= 90) & (rows["taux"] < 95)]
    before, after = between[between["mois"] < "2026-07-01"], between[between["mois"] >= "2026-07-01"]
    # Before July the target is 95 % (seuil 85): a month at 90–95 % is « à surveiller »; from July
    # the target is 90 %: the same rate is « atteint ».
    assert len(before) and len(after), "the demo has months at 90–95 % on both sides of the change"
    assert set(before["niveau"]) == {"▲ à surveiller"}
    assert set(after["niveau"]) == {"✔ atteint"}
    assert "chaque mois jugé sur la cible alors en vigueur" in chart_spec(app, title)["title"]["subtitle"][-1]
