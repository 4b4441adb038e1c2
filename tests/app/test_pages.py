"""Pages driven server-side with AppTest, on the demo data and on an empty base."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parents[2]
TIMEOUT = 120


def open_app(query: dict[str, str] | None = None, page: str | None = None) -> AppTest:
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=TIMEOUT)
    for key, value in (query or {}).items():
        app.query_params[key] = value
    if page:
        app.switch_page(page)
    app.run()
    assert not app.exception, [e.message for e in app.exception]
    return app


def markdown_text(app: AppTest) -> str:
    return "\n".join(m.value for m in app.markdown)


def overview_html(app: AppTest) -> str:
    """The « Vue d'ensemble »'s HTML (its rows: ``<tr class=…><td>ACT-01</td>…``)."""
    return "\n".join(h.proto.body for h in app.get("html"))


def test_dashboard_opens_on_the_latest_month_with_every_indicator(app_env, demo_data_dir):
    app_env(demo_data_dir)
    overview = open_app()  # the « Vue d'ensemble » first: every value on the first screen
    assert overview.subheader[0].value == "octobre 2026 · Ensemble de la structure"
    html = overview_html(overview)
    assert html.count("<tr class=") == 29 and not overview.metric
    assert '<td>ACT-01</td><td>Interventions réalisées</td><td class="nombre">492</td>' in html
    assert "Données de démonstration" in overview.info[0].value
    app = open_app({"vue": "Tuiles"})  # the tiles are one click away
    assert app.subheader[0].value == "octobre 2026 · Ensemble de la structure"
    labels = [m.label for m in app.metric]
    assert len(labels) == 29 and labels[0] == "ACT-01 · Interventions réalisées"
    by_label = {m.label: m.value for m in app.metric}
    # Values worked out from the demo rows (see tests/system/test_demo_import.py for the status spread).
    assert by_label["ACT-01 · Interventions réalisées"] == "492"
    assert by_label["RH-01 · Taux de rotation du personnel (12 m)"] == "30,0\u00a0%"
    summary = app.markdown[0].value if "non atteint" in app.markdown[0].value else markdown_text(app)
    assert "non atteint**] 3" in summary and "atteint**] 5" in summary
    assert "Données de démonstration" in app.info[0].value


def contrast_on_white(colour: str) -> float:
    """The WCAG contrast ratio of « #333333 » on white."""
    channels = [int(colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 1.05 / (0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2] + 0.05)


def test_the_tiles_are_sized_for_the_back_of_the_room_in_normal_mode_too(app_env, demo_data_dir):
    """Issue 19: titles of 20 px (Streamlit's metric label is 15.75 px), the change and its « vs période
    précédente » 18 px in dark ink (a caption's 60 % ink gave 4.9:1), « n = … · sur un an » as body
    text, not a caption. Measured as drawn in tests/browser/test_tiles_readability.py."""
    app_env(demo_data_dir)
    app = open_app({"vue": "Tuiles"})
    rules = re.findall(r"([^{}]+)\{([^{}]*)\}", overview_html(app))  # the CSS sent through st.html

    def declared(element: str, name: str) -> list[str]:
        return [value.strip() for selector, body in rules if element in selector
                for prop, value in re.findall(r"([\w-]+)\s*:\s*([^;]+)", body) if prop == name]

    def sizes(element: str) -> list[float]:
        return [float(size.removesuffix("px")) for size in declared(element, "font-size")]

    assert sizes('[data-testid="stMetricLabel"] p') and min(sizes('[data-testid="stMetricLabel"] p')) >= 20
    for second in ('[data-testid="stMetricDelta"] p', '[data-testid="stMetricDeltaDescription"] p'):
        assert sizes(second) and min(sizes(second)) >= 18, second
    description = '[data-testid="stMetricDeltaDescription"] [data-testid="stCaptionContainer"]'
    assert declared(description, "opacity") == ["1"]
    assert [contrast_on_white(c) >= 7 for c in declared(description, "color")] == [True]
    assert "n = 492 · sur un an : +9" in [m.value for m in app.markdown]  # ACT-01's, in body text
    assert not [c.value for c in app.caption if c.value.startswith("n = ")]


def test_site_and_period_come_from_the_url(app_env, demo_data_dir):
    app_env(demo_data_dir)
    overview = open_app({"site": "Saint-Étienne", "periode": "septembre 2026"})
    assert overview.subheader[0].value == "septembre 2026 · Saint-Étienne"
    assert '<td>ACT-01</td><td>Interventions réalisées</td><td class="nombre">171</td>' in overview_html(overview)
    app = open_app({"site": "Saint-Étienne", "periode": "septembre 2026", "vue": "Tuiles"})
    assert app.subheader[0].value == "septembre 2026 · Saint-Étienne"
    by_label = {m.label: m for m in app.metric}
    assert by_label["ACT-01 · Interventions réalisées"].value == "171"
    # AUD-01 has no site breakdown: the tile says it shows the whole structure.
    assert "ensemble de la structure" in markdown_text(app)


def test_quarter_grain_and_off_target_first(app_env, demo_data_dir):
    app_env(demo_data_dir)
    app = open_app({"grain": "Trimestre", "vue": "Tuiles"})
    assert app.subheader[0].value.startswith("3e trimestre 2026")
    app.toggle(key="hors_cible_dabord").set_value(True).run()
    first = app.metric[0].label
    assert first.split(" · ")[0] in {"PA-01", "PA-02", "REC-03", "REC-04", "RH-01", "SAT-01", "SEC-02"}


def test_fiche_shows_trend_definition_and_rows_behind(app_env, demo_data_dir):
    app_env(demo_data_dir)
    app = open_app({"indicateur": "REC-03", "site": "Saint-Étienne"}, page="app_pages/pilotage/fiche.py")
    assert app.title[0].value == "REC-03 · Réponse sous 15 jours"
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["octobre 2026"] == "50,0\u00a0%" and metrics["Effectif (n)"] == "2"
    assert "effectif insuffisant" in markdown_text(app)
    assert "date_reponse" in app.code[0].value
    behind = app.dataframe[0].value
    assert len(behind) >= 2 and "Provenance" in behind.columns  # the rows in French: test_fiche_rows_table.py


def test_fiche_charts_keep_their_plot_height(app_env, demo_data_dir):
    """Each chart fits the width and keeps the height it asks for: under Streamlit's default
    « fit » the breakdown's bars were squeezed to hairlines under the axes and the legend."""
    import json

    app_env(demo_data_dir)
    app = open_app({"indicateur": "DEM-01"}, page="app_pages/pilotage/fiche.py")
    specs = [json.loads(e.proto.spec) for e in app.get("vega_lite_chart")]
    titles = [s["title"]["text"] if isinstance(s["title"], dict) else s["title"] for s in specs]
    assert titles == ["Demandes reçues — Ensemble de la structure", "Par site — octobre 2026",
                      "Par canal — octobre 2026"]
    for spec in specs:
        assert spec["autosize"] == {"type": "fit-x", "contains": "padding"}, spec["title"]
    site_bars = specs[1]
    assert site_bars["height"] >= 48 * 3  # three sites in the demo, 48 px a bar


def test_empty_base_says_so_instead_of_zeros(app_env, tmp_path):
    app_env(tmp_path)
    from pilotage_qualite.common.settings import load_settings
    from pilotage_qualite.startup import empty_demo, load_demo, open_store

    settings = load_settings(environ={"PILOTAGE_DONNEES": str(tmp_path)})
    store = open_store(settings)

    load_demo(store, settings)
    empty_demo(store, author="test")
    app = open_app()
    assert not app.metric
    assert "aucune donnée datée" in app.info[0].value


@pytest.mark.parametrize("page", ["app_pages/pilotage/tableau_de_bord.py", "app_pages/pilotage/fiche.py", "app_pages/donnees/consulter.py"])
def test_every_page_renders_without_error(app_env, demo_data_dir, page):
    app_env(demo_data_dir)
    open_app(page=page)


def test_fiche_lists_the_linked_actions_late_first(app_env, demo_data_dir):
    """REC-03's actions: cited by a complaint or of origin « réclamation », late ones first;
    DEM-01 has none and says how to link one."""
    app_env(demo_data_dir)
    app = open_app({"indicateur": "REC-03"}, page="app_pages/pilotage/fiche.py")
    assert [h.value for h in app.header][-1] == "Actions liées"
    actions = app.dataframe[-1].value
    assert len(actions) >= 1 and list(actions.columns[:4]) == ["Situation", "Action", "Intitulé", "Échéance"]
    assert all("Réclamations" in why or "réclamation" in why for why in actions["Liée par"])
    order = {"en retard": 0, "ouverte": 1, "réalisée": 2}
    assert list(actions["Situation"]) == sorted(actions["Situation"], key=order.__getitem__)
    late = (actions["Situation"] == "en retard").sum()
    assert f"{late} actions en retard" in markdown_text(app) or late < 2
    none = open_app({"indicateur": "DEM-01"}, page="app_pages/pilotage/fiche.py")
    assert any("Aucune action liée à DEM-01" in i.value for i in none.info)


def test_fiche_says_the_special_causes_of_the_period(app_env, demo_data_dir):
    """REC-01 in October 2026 on the demo: 10 complaints, above its frozen limits and the 7th
    month in a row above its centre (see `indicateurs --periode 2026-10 --format json`). The
    engine's flag is a numpy bool: the fiche used to miss it (`is True`)."""
    app_env(demo_data_dir)
    app = open_app({"indicateur": "REC-01"}, page="app_pages/pilotage/fiche.py")
    text = markdown_text(app)
    assert "⚠ Causes spéciales sur cette période : point hors des limites, 7 points du même côté de la moyenne." in text
    assert "**Variation et assurance** : ⬇ préoccupation." in text


def test_a_registers_stock_from_a_later_export_is_said_reconstructed(app_env, demo_data_dir):
    """The demo's documents list was extracted on 03/11/2026: the state at the end of October
    (fin 01/11) is known from it (extracted within the month after), that at the end of
    September (fin 01/10) is reconstructed from an export made more than a month later."""
    app_env(demo_data_dir)
    note = "Valeur reconstituée : l'état du registre à la fin de la période n'a pas été importé"
    september = open_app({"indicateur": "DOC-01", "periode": "septembre 2026"}, page="app_pages/pilotage/fiche.py")
    assert note in markdown_text(september)
    october = open_app({"indicateur": "DOC-01", "periode": "octobre 2026"}, page="app_pages/pilotage/fiche.py")
    assert note not in markdown_text(october)
    dashboard = open_app({"periode": "septembre 2026", "vue": "Tuiles"})
    assert "valeur reconstituée" in markdown_text(dashboard)


def test_an_action_linked_to_rec_03_on_purpose_comes_first_on_its_fiche_with_its_measured_effect(
        app_env, demo_data_dir, tmp_path):
    import datetime as dt

    from import_corpus import LIMITS, SECRET, xlsx

    from pilotage_qualite.common.settings import load_settings
    from pilotage_qualite.intake.prepare import check_indicator_codes, prepare_file
    from pilotage_qualite.model.indicator_format import load_catalogue
    from pilotage_qualite.startup import open_store

    store = open_store(load_settings(environ={"PILOTAGE_DONNEES": str(demo_data_dir)}))
    plan = xlsx(tmp_path / "plan.xlsx", ("PAQ", [
        ["N° action", "Intitulé", "Origine", "Ouverte le", "Échéance", "Soldée le", "Statut", "Indicateurs concernés"],
        ["Z-1", "Relancer les services sous 10 jours", "Réclamation", dt.date(2026, 3, 2), dt.date(2026, 6, 30),
         dt.date(2026, 6, 1), "Réalisée", "REC-03"]]))
    prepared = prepare_file(plan, store.datasets, secret=SECRET, limits=LIMITS, dataset="actions")
    check_indicator_codes(prepared, store.datasets["actions"], load_catalogue().ids)
    store.apply(prepared.batch, author="test")
    app_env(demo_data_dir)
    app = open_app({"indicateur": "REC-03", "periode": "octobre 2026"}, page="app_pages/pilotage/fiche.py")
    actions = app.dataframe[-1].value
    first = actions.iloc[0]
    assert (first["Action"], first["Liée par"]) == ("Z-1", "liée à REC-03")
    # Done on 01/06/2026: June to October after it (5 months), January to May before.
    effect = first["Effet mesuré sur l'indicateur"]
    # REC-03 has no control limits on the demo (too few cases for a p-chart): no verdict, the means only.
    assert effect.startswith("pas d'effet mesurable à ce jour (pas de limites de contrôle) : moyenne ")
    assert effect.endswith("sur les 5 d'après") and "sur les 5 période(s) d'avant" in effect


def test_the_projector_opens_the_dashboard_on_the_overview_of_every_indicator(app_env, demo_data_dir):
    app_env(demo_data_dir)
    app = open_app({"projecteur": "true"})
    html = "\n".join(h.proto.body for h in app.get("html"))
    rows = html.count("<tr class=")
    assert rows == 29 and not app.metric  # the tiles are one click away: ?vue_projecteur=Tuiles
    # Off target first: the first row is a « non atteint », its word and shape written out.
    first = html.split("<tr class=")[1]
    assert first.startswith('"hors-cible"') and "✖</span> non atteint" in first
    assert not [b for b in app.get("download_button")]  # on the projector only the navigation is a button
    tiles = open_app({"projecteur": "true", "vue_projecteur": "Tuiles"})
    assert len(tiles.metric) == 29
