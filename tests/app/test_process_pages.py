"""Process pages driven server-side with AppTest: demo base, empty base, a base missing one
dataset, the shared filters from the URL and the widgets, and the projector mode.

Figures were worked out from the demo rows (October 2026 unless stated; see
tests/unit/reports/test_process_views.py for the same views on hand-made rows).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.testing.v1 import AppTest
from test_pages import open_app

from pilotage_qualite.common.settings import load_settings
from pilotage_qualite.model.datasets import load_datasets
from pilotage_qualite.startup import empty_demo, load_demo, open_store
from pilotage_qualite.store import Store

REPO = Path(__file__).resolve().parents[2]
TIMEOUT = 120
PAGES = {  # script → (title, indicator ids shown as tiles, datasets)
    "app_pages/processus/activite.py": ("Activité", ["ACT-01", "ACT-02", "ACT-03", "ACT-04"],
                                        ["activite", "presence"]),
    "app_pages/processus/demandes.py": ("Demandes et réclamations",
                                        ["DEM-01", "DEM-02", "DEM-03", "DEM-04", "REC-01", "REC-02", "REC-03",
                                         "REC-04", "REC-05"], ["reclamations", "demandes"]),
    "app_pages/processus/satisfaction.py": ("Satisfaction", ["SAT-01", "SAT-02", "SAT-03"], ["satisfaction"]),
    "app_pages/processus/formation.py": ("Formation et RH", ["FOR-01", "FOR-02", "FOR-03", "RH-01"],
                                         ["formations", "effectifs"]),
    "app_pages/processus/audits.py": ("Audits et amélioration", ["AUD-01", "AUD-02", "PA-01", "PA-02", "PA-03"],
                                      ["audits", "actions"]),
    "app_pages/processus/securite.py": ("Sécurité", ["SEC-01", "SEC-02", "SEC-03"], ["incidents", "presence"]),
    "app_pages/processus/documentation.py": ("Documentation", ["DOC-01"], ["documents"]),
}
DATASET_LABELS = {name: dataset.label for name, dataset in load_datasets().items()}


def open_page(page: str, query: dict[str, str] | None = None) -> AppTest:
    """Open the app (with the URL's query parameters), then go to `page` as a link would.

    AppTest identifies a page by its file name until the router has run once, and these
    pages have their own url paths: run the router first, then switch.
    """
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=TIMEOUT)
    for key, value in (query or {}).items():
        app.query_params[key] = value
    app.run()
    app.switch_page(page)
    app.run()
    assert_no_exception(app)
    return app


def assert_no_exception(app: AppTest) -> None:
    assert not app.exception, [e.message for e in app.exception]


def tile_ids(app: AppTest) -> list[str]:
    return [m.label.split(" · ")[0] for m in app.metric]


def tiles(app: AppTest) -> dict[str, str]:
    return {m.label.split(" · ")[0]: m.value for m in app.metric}


def charts(app: AppTest) -> dict[str, str]:
    """Chart title → its subtitle lines joined (every chart must have both)."""
    found = {}
    for element in app.get("vega_lite_chart"):
        spec = json.loads(element.proto.spec)
        title = spec["title"]
        subtitle = title.get("subtitle")
        assert subtitle, f"chart « {title['text']} » has no subtitle (period, n)"
        found[title["text"]] = " / ".join(subtitle) if isinstance(subtitle, list) else subtitle
    return found


def chart_element(app: AppTest, title: str):
    return next(e for e in app.get("vega_lite_chart") if json.loads(e.proto.spec)["title"]["text"] == title)


def chart_spec(app: AppTest, title: str) -> dict:
    return json.loads(chart_element(app, title).proto.spec)


def chart_rows(app: AppTest, title: str, column: str) -> pd.DataFrame:
    """The rows a chart sent to the browser (the dataset holding `column`)."""
    for dataset in chart_element(app, title).proto.datasets:
        frame = convert_arrow_bytes_to_pandas_df(dataset.data.data)
        if column in frame.columns:
            return frame
    raise AssertionError(f"no dataset with « {column} » in « {title} »")


def text_of(app: AppTest) -> str:
    parts = [m.value for m in app.markdown] + [c.value for c in app.caption] + [i.value for i in app.info]
    parts += [s.value for s in app.success]
    return "\n".join(parts)


def table(app: AppTest, header: str):
    return next(d.value for d in app.dataframe if header in d.value.columns)


@pytest.fixture
def demo(app_env, demo_data_dir):
    app_env(demo_data_dir)
    return demo_data_dir


def store_at(folder: Path) -> tuple[Store, object]:
    settings = load_settings(environ={"PILOTAGE_DONNEES": str(folder)})
    return open_store(settings), settings


@pytest.fixture
def empty_base(app_env, tmp_path):
    """A base whose demo imports were all undone: nothing live, never refilled by the demo."""
    store, settings = store_at(tmp_path)
    load_demo(store, settings)
    empty_demo(store, author="test")
    app_env(tmp_path)
    return tmp_path


# --- demo data ---------------------------------------------------------------------------------

@pytest.mark.parametrize("page", list(PAGES))
def test_every_process_page_shows_its_tiles_and_charts(demo, page):
    title, ids, _ = PAGES[page]
    app = open_page(page)
    assert app.title[0].value == title
    assert app.subheader[0].value == "octobre 2026 · Ensemble de la structure"
    assert tile_ids(app) == ids
    assert all(link.proto.label == "Ouvrir la fiche" for link in app.get("page_link")
               if link.proto.label.startswith("Ouvrir"))
    assert charts(app)  # each page draws at least one chart, each with a title and a subtitle
    assert "Aucune donnée" not in text_of(app)


def test_activite_by_registre_site_month_and_presence(demo):
    app = open_page("app_pages/processus/activite.py")
    assert tiles(app)["ACT-01"] == "492"
    found = charts(app)
    assert "n = 492 interventions" in found["Interventions par registre"]
    assert "octobre 2026" in found["Interventions par registre"]
    assert "12 mois jusqu'à octobre 2026" in found["Interventions par mois et par registre"]
    presence = found["Taux de réalisation de la présence terrain, par site et par mois"]
    assert "cible\u00a0≥\u00a095\u00a0%" in presence and "n = 36 cases" in presence  # 3 sites × 12 months
    registres = chart_spec(app, "Interventions par registre")
    assert registres["layer"][0]["encoding"]["y"]["sort"][0] == "présence active de proximité"  # 196 of 492


def test_demandes_open_items_delays_and_the_oldest(demo):
    app = open_page("app_pages/processus/demandes.py")
    found = charts(app)
    assert "n = 10 demandes en cours / dont 1 depuis plus de 30 jours" in found["Demandes en cours par ancienneté"]
    assert "n = 9 réclamations en cours / dont 3 depuis plus de 30 jours" in found[
        "Réclamations en cours par ancienneté"]
    assert "(DEM-04 : cible\u00a0≤\u00a00)" in found["Demandes en cours par ancienneté"]
    delays = found["Délai de traitement des demandes"]
    assert "n = 33 demandes clôturées" in delays and "médiane 6,0\u00a0j · 87,9\u00a0% en 15 j ou moins" in delays
    assert "DEM-03 : cible\u00a0≥\u00a090,0\u00a0%" in delays or "DEM-03 : cible\u00a0≥\u00a090\u00a0%" in delays
    assert "n = 8 réclamations répondues" in found["Délai de réponse aux réclamations"]
    oldest = table(app, "Numéro")
    assert list(oldest["Numéro"]) == ["REC-2026-036", "REC-2026-037", "REC-2026-038", "DEM-2026-0243"]
    assert list(oldest["Âge (jours)"]) == [73, 67, 66, 47]
    assert oldest["Reçue le"].iloc[0] == "20/08/2026" and oldest["Réponse"].iloc[0] == ""  # French date, no « None »


def test_satisfaction_habitants_partenaires_and_questions(demo):
    app = open_page("app_pages/processus/satisfaction.py")
    assert tiles(app)["SAT-01"] == "76,9\u00a0%"
    found = charts(app)
    assert "n = 30 réponses" in found["Satisfaction globale, habitants et partenaires"]
    assert "Wilson" in found["Satisfaction par question"]
    labels = chart_rows(app, "Satisfaction globale, habitants et partenaires", "etiquette")["etiquette"]
    assert list(labels) == ["76,9\u00a0% (n = 26)", "100,0\u00a0% (n = 4)"]
    answers = table(app, "Très satisfait")
    assert answers.set_index("Public").loc["Habitants", "n (réponses exprimées)"] == 26
    rows = chart_rows(app, "Satisfaction par question", "question")
    assert rows["question"].iloc[0] == "Satisfaction globale" and len(rows) == 12  # 6 questions × 2 publics
    assert (rows["n"] > 0).all() and (rows["ic_bas"] <= rows["pourcentage"]).all()
    assert "Effectif faible (Partenaires)" in text_of(app)


def test_formation_hours_per_etp_certification_and_onboarding(demo):
    app = open_page("app_pages/processus/formation.py")
    found = charts(app)
    hours = chart_rows(app, "Heures de formation réalisées par ETP, par type", "heures_par_etp").set_index("type")
    assert hours.loc["Total (FOR-01)", "heures_par_etp"] == pytest.approx(19.949, abs=1e-3)  # = FOR-01's 19,9 h
    assert tiles(app)["FOR-01"] == "19,9\u00a0h"
    assert "39,5\u00a0ETP présents au 31/10/2026" in found["Heures de formation réalisées par ETP, par type"]
    assert "n = 34 médiateurs présents" in found["Médiateurs titulaires du titre professionnel, par site"]
    assert "9 intégrations réalisées dans les 3 mois" in text_of(app)
    arrivals = table(app, "Salarié (code)")
    assert len(arrivals) == 13 and arrivals["Salarié (code)"].str.startswith("S-").all()  # pseudonyms only


def test_audits_findings_late_actions_and_timeline(demo):
    app = open_page("app_pages/processus/audits.py")
    assert tiles(app)["PA-02"] == "4" and tiles(app)["AUD-01"] == "2"
    found = charts(app)
    assert "n = 13 constats ouverts, dont 2 non-conformités" in found["Constats ouverts par type et ancienneté"]
    assert "n = 33 actions" in found["Chronologie des actions du plan d'amélioration"]
    assert "4 actions en retard" in text_of(app) and "1 action à échéance dans les 30 jours" in text_of(app)
    actions = table(app, "Intitulé")
    assert list(actions["Action"]) == ["PA-2026-015", "PA-2026-017", "PA-2026-020", "PA-2026-022", "PA-2026-025"]
    assert list(actions["Jours"]) == [-145, -141, -131, -35, 15]
    assert actions["Échéance"].iloc[0] == "09/06/2026"


def test_securite_by_type_site_and_per_1000_hours(demo):
    app = open_page("app_pages/processus/securite.py")
    assert tiles(app)["SEC-03"] == "0,67"
    found = charts(app)
    assert "n = 3 événements déclarés" in found["Événements indésirables par type et par site"]
    per_site = chart_rows(app, "Événements pour 1 000 heures, par site", "taux_1000h").set_index("site")
    assert per_site.loc["Saint-Étienne", "taux_1000h"] == pytest.approx(2000 / 1451.5)  # 2 events, 1 451,5 h
    assert "12 mois jusqu'à octobre 2026" in found["Événements pour 1 000 heures, par mois"]


def test_documentation_due_for_review(demo):
    app = open_page("app_pages/processus/documentation.py")
    assert tiles(app)["DOC-01"] == "91,7\u00a0%"
    assert "n = 48 documents en vigueur" in charts(app)["Documents en vigueur par échéance de révision"]
    due = table(app, "Prochaine révision")
    assert list(due["Code"]) == ["EN-14", "PR-05", "PR-16", "MO-07", "CH-01", "MQ-01"]
    assert list(due["Jours"]) == [-119, -102, -63, -39, 48, 55]


# --- filters and URL -----------------------------------------------------------------------------

def test_site_and_period_from_the_url(demo):
    app = open_page("app_pages/processus/demandes.py", {"site": "Saint-Étienne", "periode": "septembre 2026"})
    assert app.subheader[0].value == "septembre 2026 · Saint-Étienne"
    found = charts(app)
    assert "n = 3 demandes en cours / dont 1 depuis plus de 30 jours" in found["Demandes en cours par ancienneté"]
    assert "n = 5 réclamations en cours / dont 3 depuis plus de 30 jours" in found[
        "Réclamations en cours par ancienneté"]
    assert "au 30/09/2026 · Saint-Étienne" in found["Demandes en cours par ancienneté"]
    assert "n = 9 demandes clôturées / médiane 7,0\u00a0j" in found["Délai de traitement des demandes"]


def test_quarter_grain_from_the_url(demo):
    app = open_page("app_pages/processus/activite.py", {"grain": "Trimestre"})
    assert app.subheader[0].value == "3e trimestre 2026 · Ensemble de la structure"
    assert "n = 1\u202f026 interventions" in charts(app)["Interventions par registre"]


def test_changing_the_site_in_the_sidebar(demo):
    app = open_page("app_pages/processus/satisfaction.py")
    app.selectbox(key="site").set_value("Saint-Étienne").run()
    assert_no_exception(app)
    assert app.subheader[0].value == "octobre 2026 · Saint-Étienne"
    # The tiles' links to their fiche carry the period and the site, once (no filter is bound to the
    # URL: the browser adds none; the URL is checked in test_e2e and test_projector_links).
    fiche_links = [link.proto.query_string for link in app.get("page_link") if link.proto.label == "Ouvrir la fiche"]
    assert fiche_links and all(q.count("periode=octobre") == 1 and q.count("site=Saint") == 1 for q in fiche_links)
    periods = app.selectbox(key="periode")
    periods.select_index(periods.options.index("septembre 2026")).run()
    assert app.subheader[0].value == "septembre 2026 · Saint-Étienne"
    labels = chart_rows(app, "Satisfaction globale, habitants et partenaires", "etiquette")["etiquette"]
    assert list(labels) == ["75,0\u00a0% (n = 8)", "100,0\u00a0% (n = 1)"]


def test_a_fall_shows_a_down_arrow_red_when_higher_is_better(demo):
    """« −2,0 pt » is written with a true minus sign: the arrow and colour must still say down."""
    from streamlit.proto.Metric_pb2 import Metric

    app = open_page("app_pages/processus/documentation.py", {"periode": "septembre 2026"})
    doc = app.metric[0]
    assert doc.delta == "\u22122,0\u00a0pt"
    assert doc.proto.direction == Metric.MetricDirection.DOWN and doc.proto.color == Metric.MetricColor.RED


def test_a_site_view_keeps_structure_wide_audits(demo):
    app = open_page("app_pages/processus/audits.py", {"site": "Lyon 8e"})
    assert "ensemble de la structure" in text_of(app)
    assert tiles(app)["PA-02"] == "4"


# --- projector mode ----------------------------------------------------------------------------------

def agenda_links(app: AppTest) -> dict[str, object]:
    return {link.proto.label: link.proto for link in app.get("page_link")
            if link.proto.label in ("Précédent", "Suivant", "Retour")}


def test_projector_mode_shows_the_agenda_step_and_its_neighbours(demo):
    app = open_page("app_pages/processus/satisfaction.py", {"projecteur": "true", "site": "Lyon 9e"})
    assert "Ordre du jour 3 / 8" in text_of(app)
    links = agenda_links(app)
    assert links["Précédent"].page == "demandes-reclamations" and links["Suivant"].page == "audits-amelioration"
    assert links["Précédent"].help == "Revenir à : Demandes et réclamations"
    for link in links.values():  # the filters travel with the links, once each (they are in the bar's popover,
        query = link.query_string  # which Streamlit does not carry while it is closed)
        assert all(query.count(f"{name}=") == 1 for name in ("periode", "site", "projecteur")), query
    assert len([m for m in app.metric]) == 3  # the tiles, 3 per row


def test_projector_mode_first_and_last_steps(demo):
    app = open_page("app_pages/processus/documentation.py", {"projecteur": "true"})
    assert "Ordre du jour 8 / 8" in text_of(app)
    assert agenda_links(app)["Suivant"].disabled and not agenda_links(app)["Précédent"].disabled
    first = AppTest.from_file(str(REPO / "app.py"), default_timeout=TIMEOUT)
    first.query_params["projecteur"] = "true"
    first.run()
    assert "Ordre du jour 1 / 8" in text_of(first) and agenda_links(first)["Précédent"].disabled
    assert agenda_links(first)["Suivant"].page == "demandes-reclamations"


def test_leaving_projector_mode(demo):
    app = open_page("app_pages/processus/securite.py", {"projecteur": "true"})
    app.button(key="projecteur_quitter").click().run()
    assert_no_exception(app)
    assert "Ordre du jour" not in text_of(app)
    assert app.toggle(key="projecteur").value is False
    assert app.title[0].value == "Sécurité"


def test_a_page_outside_the_agenda_offers_to_go_back_to_it(demo):
    app = open_page("app_pages/pilotage/fiche.py", {"projecteur": "true"})
    assert "Hors ordre du jour" in text_of(app)
    assert agenda_links(app)["Retour"].page in ("", "tableau-de-bord")  # nothing visited before: the first step


def test_a_fiche_opened_on_the_projector_goes_back_to_the_step_it_came_from(demo):
    app = open_page("app_pages/processus/securite.py", {"projecteur": "true"})
    assert "Ordre du jour 5 / 8" in text_of(app)
    app.switch_page("app_pages/pilotage/fiche.py").run()  # as the tile's « Ouvrir la fiche » does
    assert_no_exception(app)
    back = agenda_links(app)["Retour"]
    assert back.page == "securite" and back.help == "Revenir à : Sécurité"


def test_without_projector_no_agenda_bar(demo):
    app = open_page("app_pages/processus/securite.py")
    assert "Ordre du jour" not in text_of(app)
    assert not agenda_links(app)


# --- empty and partial bases -----------------------------------------------------------------------

@pytest.mark.parametrize("page", list(PAGES))
def test_an_empty_base_explains_how_to_start(empty_base, page):
    title, _, datasets = PAGES[page]
    app = open_page(page)
    assert app.title[0].value == title
    assert not app.metric and not app.get("vega_lite_chart")  # no zero anywhere
    text = text_of(app)
    assert "aucune donnée datée" in text
    for dataset in datasets:
        assert f"Aucune donnée « {DATASET_LABELS[dataset]} » n'a encore été importée" in text
    links = [link.proto for link in app.get("page_link")]
    assert any(link.label == "Aller à la page Import" for link in links)
    buttons = [b.proto.label for b in app.get("download_button")]
    assert [f"Modèle d'import « {DATASET_LABELS[d]} » (Excel)" for d in datasets] == buttons


def test_a_dataset_never_imported_beside_others(app_env, tmp_path):
    """Satisfaction undone, every other dataset live: its page says so and links to Import;
    the other pages are unaffected."""
    store, settings = store_at(tmp_path)
    load_demo(store, settings)
    journal = store.journal()
    store.undo(int(journal.loc[journal["jeu"] == "satisfaction", "id"].iloc[0]), author="test")
    app_env(tmp_path)
    app = open_page("app_pages/processus/satisfaction.py")
    assert f"Aucune donnée « {DATASET_LABELS['satisfaction']} » n'a encore été importée" in text_of(app)
    assert not app.get("vega_lite_chart")
    assert tiles(app)["SAT-01"] == "pas de données"  # the tile never shows 0 %
    assert "n = <NA>" not in text_of(app) and "n = –" in text_of(app)
    assert [b.proto.label for b in app.get("download_button")] == [
        f"Modèle d'import « {DATASET_LABELS['satisfaction']} » (Excel)"]
    other = open_page("app_pages/processus/documentation.py")
    assert "Aucune donnée" not in text_of(other) and other.get("vega_lite_chart")


def test_a_long_table_shows_its_first_rows_and_downloads_them_all():
    """The fiche's linked actions on a large plan: the first rows on screen, all in the file."""
    def script():
        import pandas as pd

        from pilotage_qualite.ui import process

        frame = pd.DataFrame({"numero": [f"A{k}" for k in range(5)], "statut": ["en cours"] * 5})
        process.show_table(frame.head(2), {"numero": "Action", "statut": "Statut"}, "actions",
                           complete=lambda: frame, total_rows=len(frame))

    app = AppTest.from_function(script, default_timeout=60).run()
    assert not app.exception
    assert list(app.dataframe[0].value["Action"]) == ["A0", "A1"]
    assert [c.value for c in app.caption] == [
        "Les 2 premières lignes sur 5 : le fichier téléchargé les contient toutes."]


def test_pages_offer_excel_downloads_of_their_tables(app_env, demo_data_dir: Path):
    app_env(demo_data_dir)
    dashboard = open_app({"grain": "Trimestre"})
    labels = [b.proto.label for b in dashboard.get("download_button")]
    assert labels == ["Télécharger en Excel"]  # the indicator table of the period, and its history
    audits = open_page("app_pages/processus/audits.py", {"grain": "Trimestre"})
    labels = [b.proto.label for b in audits.get("download_button")]
    assert labels.count("Télécharger en Excel") == 2 and labels.count("CSV") == 2  # open findings, actions


def test_on_the_projector_the_period_and_site_are_chosen_in_the_bar(demo):
    app = open_page("app_pages/processus/satisfaction.py", {"projecteur": "true"})
    labels = [p.proto.popover.label for p in app.get("popover")]
    assert labels == ["Période · site"]  # the sidebar is hidden on the projector: the filters are in the bar
    app.selectbox(key="site").set_value("Lyon 8e").run()
    assert_no_exception(app)
    assert "octobre 2026 · Lyon 8e" in [s.value for s in app.subheader]
    assert "Ordre du jour 3 / 8" in text_of(app)
