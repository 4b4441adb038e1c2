"""Import, Données and Catalogue pages driven server-side with AppTest, on a copy of the demo base.

The main scenario follows the issue's « done when »: a good file, an untidy file with rejected
rows, a file of unknown shape mapped by hand (and the next file of that shape recognised from
the remembered mapping), the same file twice, then an undo; after each step the journal and
the dashboard's figures say what happened.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from complaint_files import GOOD, ODD, ODD_NEXT, UNTIDY
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from pilotage_qualite.common.text import md
from pilotage_qualite.intake import uploads
from pilotage_qualite.intake.read import Limits
from pilotage_qualite.model.datasets import load_datasets
from pilotage_qualite.model.indicator_format import load_catalogue
from pilotage_qualite.reports import catalogue_edits, exports

REPO = Path(__file__).resolve().parents[2]
TIMEOUT = 120
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REC_01 = "REC-01 · Réclamations reçues"  # complaints received in the period (October 2026 by default)


# --- helpers -----------------------------------------------------------------------------------


def no_exception(app: AppTest) -> AppTest:
    assert not app.exception, [e.message for e in app.exception]
    return app


def open_app(query: dict[str, str] | None = None) -> AppTest:
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=TIMEOUT)
    for key, value in (query or {}).items():
        app.query_params[key] = value
    return no_exception(app.run())


def go(app: AppTest, page: str) -> AppTest:
    app.switch_page(page)
    return no_exception(app.run())


def plain(text: str) -> str:
    """Markdown-escaped text (file names, messages) back to what the user reads."""
    return re.sub(r"\\(.)", r"\1", text)


def texts(elements) -> list[str]:
    return [plain(e.value) for e in elements]


def overview_value(app: AppTest, code: str) -> str:
    """An indicator's value in the dashboard's « Vue d'ensemble » (its row: code, title, value…)."""
    html = "\n".join(h.proto.body for h in app.get("html"))
    found = re.search(rf'<td>{re.escape(code)}</td><td>[^<]*</td><td class="nombre">([^<]*)</td>', html)
    assert found, f"{code} absent de la vue d'ensemble"
    return found.group(1)


def dashboard_value(app: AppTest, label: str = REC_01) -> str:
    """The tile's value; the « Vue d'ensemble » (the default view) must show the same."""
    go(app, "app_pages/pilotage/tableau_de_bord.py")
    view = app.segmented_control(key="vue")
    overview = overview_value(app, label.split(" · ")[0]) if view.value == "Vue d'ensemble" else None
    if view.value != "Tuiles":  # the tiles are one click away (the view is kept for the session)
        no_exception(view.set_value("Tuiles").run())
    value = {m.label: m.value for m in app.metric}[label]
    assert overview in (None, value), (overview, value)
    return value


def journal(app: AppTest):
    go(app, "app_pages/donnees/consulter.py")
    return app.dataframe[0].value


def upload(app: AppTest, name: str, content: bytes) -> AppTest:
    go(app, "app_pages/donnees/importer.py")
    app.file_uploader(key="import_fichiers").set_value((name, content, XLSX))
    return no_exception(app.run())


def button(app: AppTest, starts: str):
    found = [b for b in app.button if plain(b.label).startswith(starts)]
    assert found, (starts, [b.label for b in app.button])
    return found[0]


def metrics(app: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in app.metric}


def selectbox(app: AppTest, key_start: str, label: str):
    return next(s for s in app.selectbox if (s.key or "").startswith(key_start) and plain(s.label) == label)


# --- the import scenario ----------------------------------------------------------------------------


def test_import_scenario_journal_and_indicators_follow_each_step(app_env, demo_data_dir):
    app_env(demo_data_dir)
    app = open_app()
    assert dashboard_value(app) == "10"
    imports_before = len(journal(app))

    # 1. A good file: recognised, previewed, confirmed.
    upload(app, "reclamations-octobre.xlsx", GOOD)
    recognised = " ".join(texts(app.markdown))
    assert "**Jeu reconnu** : Réclamations" in recognised and "ligne d'en-tête 1" in recognised
    assert metrics(app) == {"Lignes lues": "3", "Nouvelles": "3", "Mises à jour": "0", "À rejeter": "0"}
    preview = app.dataframe[0].value
    assert list(preview["numero"]) == ["REC-2026-901", "REC-2026-902", "REC-2026-903"]
    assert str(preview["date_reception"].iloc[0])[:10] == "2026-10-05"  # stored typed, not as written
    assert len(journal(app)) == imports_before  # nothing written before confirming
    upload(app, "reclamations-octobre.xlsx", GOOD)
    button(app, "Importer « reclamations-octobre.xlsx »").click()
    no_exception(app.run())
    done = " ".join(texts(app.success))
    assert "importé (import n° 12) : 3 nouvelles, 0 rejetée" in done
    app.run()  # a rerun (the uploader keeps the file) does not import again
    assert "Déjà importé à l'identique" in " ".join(texts(app.info))
    rows = journal(app)
    assert len(rows) == imports_before + 1
    assert (rows.iloc[0]["N°"], rows.iloc[0]["Par"], rows.iloc[0]["Résultat"]) == (
        12, "qualité (local)", "3 nouvelles, 0 rejetée")
    assert dashboard_value(app) == "13"

    # 2. An untidy file: title rows, a personal column, an unknown one, bad rows and a total.
    upload(app, "export-registre.xlsx", UNTIDY)
    assert "ligne d'en-tête 3" in " ".join(texts(app.markdown))
    assert metrics(app) == {"Lignes lues": "6", "Nouvelles": "3", "Mises à jour": "0", "À rejeter": "3"}
    preview, mapping = (d.value for d in app.dataframe[:2])
    rejected = app.table[0].value  # wrapped, not cut: a static table
    assert "Téléphone du réclamant" not in preview.columns and len(preview) == 3
    treatment = dict(zip(mapping["Colonne du fichier"], mapping["Traitement"]))
    assert treatment["Téléphone du réclamant"].startswith("écartée : donnée personnelle")
    assert treatment["Commentaire interne"] == "inconnue : ignorée"
    assert treatment["Reçue le"] == "reconnue"
    messages = list(rejected["Message"])
    assert messages[0].startswith("Ligne 6, colonne « Reçue le » : « 32/10/2026 »")
    assert any(m.startswith("Ligne 7, colonne « Référence » : valeur obligatoire manquante") for m in messages)
    assert any(m.startswith("Ligne 8, colonne « Site » : valeur obligatoire manquante") for m in messages)
    app.radio(key="import_mode").set_value("Tout ou rien")
    no_exception(app.run())
    assert button(app, "Importer « export-registre.xlsx »").disabled
    assert "Tout ou rien : 3 lignes en erreur" in " ".join(texts(app.warning))
    app.radio(key="import_mode").set_value("Importer les lignes valides")
    no_exception(app.run())
    button(app, "Importer « export-registre.xlsx »").click()
    no_exception(app.run())
    assert "3 nouvelles, 3 rejetées — voir les rejets" in " ".join(texts(app.success))
    rows = journal(app)
    assert rows.iloc[0]["Résultat"] == "3 nouvelles, 3 rejetées"
    details = " ".join(texts(app.caption))
    assert "colonnes écartées (données personnelles) : Téléphone du réclamant" in details
    assert "Ligne 6" in app.table[0].value["Message"].iloc[0]  # the rejected rows of that import
    assert dashboard_value(app) == "16"

    # 3. A file of unknown shape, mapped by hand; the next file of that shape is recognised.
    upload(app, "dossiers.xlsx", ODD)
    assert "ne correspond à aucun jeu de données" in " ".join(texts(app.error))
    app.selectbox(key=next(s.key for s in app.selectbox if s.key.startswith("jeu_manuel_"))).select("reclamations")
    no_exception(app.run())
    for header, column in {"Dossier": "numero", "Arrivée": "date_reception", "Lieu": "site",
                           "Provenance": "origine"}.items():
        selectbox(app, "manuel_", header).select(column)
    button(app, "Relire le fichier avec cette correspondance").click()
    no_exception(app.run())
    assert not app.error
    assert metrics(app)["Nouvelles"] == "2"
    mapping = app.dataframe[1].value
    assert set(mapping[mapping["Traitement"] == "associée à la main"]["Colonne du fichier"]) == {
        "Dossier", "Arrivée", "Lieu", "Provenance"}
    button(app, "Importer « dossiers.xlsx »").click()
    no_exception(app.run())
    assert "2 nouvelles" in " ".join(texts(app.success))
    upload(app, "dossiers-suite.xlsx", ODD_NEXT)
    assert "Correspondance mémorisée appliquée (saisie par qualité (local)" in " ".join(texts(app.info))
    assert metrics(app)["Nouvelles"] == "1"
    button(app, "Importer « dossiers-suite.xlsx »").click()
    no_exception(app.run())
    assert dashboard_value(app) == "19"

    # 4. The same file twice: recognised as already imported, nothing written.
    before = len(journal(app))
    upload(app, "copie-du-meme-fichier.xlsx", GOOD)
    assert "Déjà importé à l'identique dans le jeu Réclamations (import n° 12)" in " ".join(texts(app.info))
    assert not [b for b in app.button if plain(b.label).startswith("Importer «")]
    assert len(journal(app)) == before

    # 5. Undo the first import, after a confirmation that says what will change.
    app.selectbox(key="import_choisi").set_value(12)
    no_exception(app.run())
    app.button(key="annuler_12").click()
    no_exception(app.run())
    question = " ".join(texts(app.markdown))
    assert "L'import n° 12 (« reclamations-octobre.xlsx », jeu reclamations) sera annulé : 3 lignes quitteront" in question
    app.button(key="confirmer_annulation").click()
    no_exception(app.run())
    assert "Import n° 12 annulé : 3 lignes retirées des données" in " ".join(texts(app.success))
    rows = journal(app)
    assert re.fullmatch(r"annulé \d\d/\d\d/\d{4}", rows[rows["N°"] == 12]["État"].iloc[0])  # short: read at 1280 px
    assert dashboard_value(app) == "16"


def test_several_files_at_once_and_templates_offered(app_env, demo_data_dir):
    app_env(demo_data_dir)
    app = open_app()
    go(app, "app_pages/donnees/importer.py")
    labels = [b.label for b in app.download_button]
    assert len(labels) == 11 and "Réclamations" in labels
    app.file_uploader(key="import_fichiers").set_value([("a.xlsx", GOOD, XLSX), ("b.xlsx", ODD_NEXT, XLSX)])
    no_exception(app.run())
    assert [plain(s.value) for s in app.subheader] == ["« a.xlsx »", "« b.xlsx »"]
    assert button(app, "Importer le fichier prêt").disabled is False
    button(app, "Importer le fichier prêt").click()
    no_exception(app.run())
    assert "3 nouvelles" in " ".join(texts(app.success))


def test_a_second_confirmation_from_another_session_does_not_import_twice(app_env, demo_data_dir):
    app_env(demo_data_dir)
    first, second = open_app(), open_app()
    upload(first, "a.xlsx", GOOD)
    upload(second, "a.xlsx", GOOD)  # both sessions show the confirm button
    button(first, "Importer « a.xlsx »").click()
    no_exception(first.run())
    button(second, "Importer « a.xlsx »").click()  # a stale page: the file is seen as imported, not written
    no_exception(second.run())
    assert "Déjà importé à l'identique dans le jeu Réclamations (import n° 12)" in " ".join(texts(second.info))
    rows = journal(second)
    assert list(rows["N°"])[:2] == [12, 11]


def test_recognition_can_be_corrected_before_anything_is_written(app_env, demo_data_dir):
    app_env(demo_data_dir)
    app = upload(open_app(), "export-registre.xlsx", UNTIDY)
    assert "Autres jeux possibles : Demandes (demandes)" in " ".join(c.value for c in app.caption)
    app.selectbox(key=next(s.key for s in app.selectbox if s.key.startswith("jeu_"))).set_value("demandes")
    button(app, "Relire le fichier avec ces choix").click()
    no_exception(app.run())
    assert "**Jeu reconnu** : Demandes" in " ".join(texts(app.markdown))
    assert metrics(app)["Nouvelles"] == "3"  # the bad date, the missing number and the missing site are rejected
    app.number_input(key=next(n.key for n in app.number_input if n.key.startswith("ligne_"))).set_value(1)
    button(app, "Relire le fichier avec ces choix").click()
    no_exception(app.run())
    assert "feuille « Registre » : la ligne 1 ne contient aucun en-tête connu" in " ".join(texts(app.error))


def test_the_covered_period_is_shown_and_can_be_corrected_before_import(app_env, demo_data_dir):
    """GOOD: three complaints of 05, 12 and 20/10/2026, no extraction day in its title: a register
    covers by rule from 01/10/2026 to its last date, 20/10/2026."""
    app_env(demo_data_dir)
    app = upload(open_app(), "a.xlsx", GOOD)
    assert ("**Période couverte** : du 01/10/2026 au 20/10/2026 (registre sans date d'extraction : jusqu'à sa "
            "dernière date)") in texts(app.markdown)
    date_input = {d.key.split("_")[1]: d for d in app.text_input if d.key.startswith("couvre_")}
    date_input["au"].input("31/10/2026")
    button(app, "Appliquer cette période").click()
    no_exception(app.run())
    assert "**Période couverte** : du 01/10/2026 au 31/10/2026 (corrigée à la main)" in texts(app.markdown)
    # An end before the start is refused, and nothing may be imported until it is put right.
    date_input = {d.key.split("_")[1]: d for d in app.text_input if d.key.startswith("couvre_")}
    date_input["du"].input("1/11/2026")
    button(app, "Appliquer cette période").click()
    no_exception(app.run())
    assert any("la couverture commence le 01/11/2026, après sa fin (31/10/2026)" in e for e in texts(app.error))
    assert not [b for b in app.button if plain(b.label).startswith("Importer « a.xlsx »")]
    button(app, "Revenir à la période lue dans le fichier").click()
    no_exception(app.run())
    date_input = {d.key.split("_")[1]: d for d in app.text_input if d.key.startswith("couvre_")}
    date_input["au"].input("31/10/2026")
    button(app, "Appliquer cette période").click()
    no_exception(app.run())
    button(app, "Importer « a.xlsx »").click()
    no_exception(app.run())
    covered = context_store(demo_data_dir).coverage_journal().iloc[-1]
    assert (covered["du"].date(), covered["au"].date(), covered["origine"]) == \
        (dt.date(2026, 10, 1), dt.date(2026, 10, 31), "corrigée")


def context_store(data_dir: Path):
    from pilotage_qualite.common.settings import load_settings
    from pilotage_qualite.startup import open_store

    return open_store(load_settings(environ={"PILOTAGE_DONNEES": str(data_dir)}))


def test_browser_and_freshness_on_the_donnees_page(app_env, demo_data_dir):
    app_env(demo_data_dir)
    app = go(open_app(), "app_pages/donnees/consulter.py")
    app.selectbox(key="jeu_parcouru").set_value("reclamations")
    app.selectbox(key="site_parcouru").set_value("Lyon 8e")
    no_exception(app.run())
    browsed = next(d.value for d in app.dataframe if "numero" in d.value.columns)
    assert set(browsed["site"]) == {"Lyon 8e"} and {"fichier", "ligne"} <= set(browsed.columns)
    # Dates typed the French way (« jj/mm/aaaa », no English « DD/MM/YYYY »); text that is no date is said.
    assert [app.text_input(key=k).placeholder for k in ("du_parcouru", "au_parcouru")] == ["jj/mm/aaaa"] * 2
    app.text_input(key="du_parcouru").input("1/10/2026")
    app.text_input(key="au_parcouru").input("31-10-2026")
    no_exception(app.run())
    browsed = next(d.value for d in app.dataframe if "numero" in d.value.columns)
    assert len(browsed) and browsed["date_reception"].between("2026-10-01", "2026-10-31").all()
    app.text_input(key="au_parcouru").input("31/13/2026")
    no_exception(app.run())
    assert "Date non reconnue : « 31/13/2026 » (attendu jj/mm/aaaa)." in texts(app.error)
    freshness = next(d.value for d in app.dataframe if "Mois sans données" in d.value.columns)
    assert {"Jeu", "Site", "Mois sans données"} <= set(freshness.columns)
    assert freshness[(freshness["Jeu"] == "Réclamations") & (freshness["Site"] == "Lyon 8e")]["Dernière donnée"].iloc[0] \
        == "octobre 2026"
    assert "Un mois vide est un trou, pas un zéro" in " ".join(c.value for c in app.caption)


# --- catalogue and comments ------------------------------------------------------------------------


def status_counts(app: AppTest) -> str:
    return next(m.value for m in app.markdown if "atteint**]" in m.value and "cible" not in m.value)


def test_target_edit_changes_a_status_on_the_dashboard(app_env, demo_data_dir):
    app_env(demo_data_dir)
    app = open_app({"indicateur": "DEM-03", "vue": "Tuiles"})
    before = status_counts(app)
    assert ":orange[**▲ à surveiller**] · cible\u00a0≥\u00a090,0\u00a0%" in [m.value for m in app.markdown]
    go(app, "app_pages/donnees/catalogue.py")
    app.text_input(key="cible_debut").input("01/10/2026")
    app.text_input(key="cible_valeur").input("85")
    app.text_input(key="cible_seuil").input("75")
    button(app, "Enregistrer la cible").click()
    no_exception(app.run())
    assert "DEM-03 : cible 85,0\u00a0%, seuil d'alerte 75,0\u00a0% à partir du 01/10/2026" in app.success[0].value
    history = app.dataframe[1].value
    assert list(history["À partir du"]) == ["origine", "01/10/2026"]
    go(app, "app_pages/pilotage/tableau_de_bord.py")
    after = status_counts(app)
    assert after != before
    assert ":green[**✔ atteint**] · cible\u00a0≥\u00a085,0\u00a0%" in [m.value for m in app.markdown]


def test_a_target_change_on_a_period_a_closed_meeting_reviewed_waits_for_a_confirmation(app_env, demo_data_dir):
    from pilotage_qualite.model.meeting_record import PARTS, canonical

    store = context_store(demo_data_dir)
    meeting_id = store.create_meeting(dt.date(2026, 10, 20), "trimestre", "2026-T3", None, author="test")
    store.close_meeting(meeting_id, author="test", record={name: canonical({}) for name in PARTS})
    app_env(demo_data_dir)
    app = go(open_app({"indicateur": "DEM-03"}), "app_pages/donnees/catalogue.py")
    app.text_input(key="cible_debut").input("01/09/2026")
    app.text_input(key="cible_valeur").input("85")
    button(app, "Enregistrer la cible").click()
    no_exception(app.run())
    warning = " ".join(w.value for w in app.warning)
    assert "Ce changement de cible (à partir du 01/09/2026) touche une période déjà revue en comité" in plain(warning)
    assert len(app.dataframe[1].value) == 1  # nothing written yet
    button(app, "Confirmer le changement de cible").click()
    no_exception(app.run())
    assert "DEM-03 : cible 85,0\u00a0%" in app.success[0].value
    assert list(app.dataframe[1].value["À partir du"]) == ["origine", "01/09/2026"]


def test_a_wrong_target_is_refused_with_a_french_message(app_env, demo_data_dir):
    app_env(demo_data_dir)
    app = go(open_app({"indicateur": "DEM-03"}), "app_pages/donnees/catalogue.py")
    app.text_input(key="cible_valeur").input("80,0")
    app.text_input(key="cible_seuil").input("90")
    button(app, "Enregistrer la cible").click()
    no_exception(app.run())
    assert "le seuil (90,00) doit être inférieur ou égal à la cible (80,00)" in app.error[0].value
    assert len(app.dataframe[1].value) == 1  # nothing written


def test_a_new_indicator_is_checked_test_computed_then_saved(app_env, demo_data_dir):
    app_env(demo_data_dir)
    app = go(open_app(), "app_pages/donnees/catalogue.py")
    app.text_area(key="nouvel_indicateur").input(catalogue_edits.EXAMPLE.replace("fondee", "fondee_x"))
    app.button(key="verifier_indicateur").click()
    no_exception(app.run())
    assert "colonne « fondee_x » inconnue" in " ".join(texts(app.error))
    assert not [b for b in app.button if b.key == "enregistrer_indicateur"]
    app.text_area(key="nouvel_indicateur").input(catalogue_edits.EXAMPLE)
    app.button(key="verifier_indicateur").click()
    no_exception(app.run())
    assert "Définition valide : REC-06" in app.success[0].value
    trial = app.dataframe[-1].value
    assert len(trial) == 12 and trial["Période"].iloc[-1] == "octobre 2026"
    app.button(key="enregistrer_indicateur").click()
    no_exception(app.run())
    assert "REC-06 ajouté au catalogue (enregistré dans la base)" in app.success[0].value
    assert "REC-06" in set(app.dataframe[0].value["Id"])
    assert dashboard_value(app, "REC-06 · Réclamations fondées") == trial["Valeur"].iloc[-1]


def test_a_comment_is_written_and_shown_on_the_fiche(app_env, demo_data_dir):
    app_env(demo_data_dir)
    app = go(open_app({"indicateur": "REC-03"}), "app_pages/pilotage/fiche.py")
    assert "Aucune analyse écrite pour octobre 2026" in " ".join(c.value for c in app.caption)
    app.text_area(key="commentaire_texte").input("Deux réponses tardives à Lyon 9e : [relance](http://x) faite.")
    button(app, "Enregistrer l'analyse").click()
    no_exception(app.run())
    assert "Analyse de REC-03 pour octobre 2026 (Ensemble de la structure) enregistrée" in app.success[0].value
    shown = [m.value for m in app.markdown]
    assert any(plain(m) == "Deux réponses tardives à Lyon 9e : [relance](http://x) faite." for m in shown)
    assert not any("](http://x)" in m and "\\]" not in m for m in shown)  # never a live link
    assert any(c.value.startswith("qualité (local), le ") for c in app.caption)


# --- the pieces behind the pages ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def datasets():
    return load_datasets()


def prepare(content: bytes, name: str, datasets, **options) -> uploads.UploadOutcome:
    return uploads.prepare(content, name, datasets, secret=b"s" * 32, limits=Limits(10_000_000, 1000),
                           indicators=load_catalogue().ids, **options)


def test_prepare_applies_a_remembered_mapping_by_header_signature(datasets):
    refused = prepare(ODD, "dossiers.xlsx", datasets)
    assert not refused.ok and "Associez ses colonnes à la main" in refused.error
    assert refused.heads[0].rows[0][0] == "Dossier"
    manual = {"dossier": "numero", "arrivee": "date_reception", "lieu": "site", "provenance": "origine"}
    mapped = prepare(ODD, "dossiers.xlsx", datasets, dataset="reclamations", manual=manual)
    assert mapped.ok and mapped.prepared.batch.rows["numero"].tolist() == ["REC-2026-921", "REC-2026-922"]
    remembered = {mapped.signature: {"jeu": "reclamations", "correspondance": manual, "auteur": "x", "date": None}}
    again = prepare(ODD_NEXT, "suite.xlsx", datasets, remembered=remembered)
    assert again.ok and again.remembered is not None and again.prepared.recognition.dataset == "reclamations"
    assert uploads.header_signature(["Arrivée", "dossier ", "LIEU", "Provenance"]) == mapped.signature


def test_prepare_at_a_header_row_named_by_the_user(datasets):
    found = prepare(UNTIDY, "export.xlsx", datasets)
    assert found.prepared.recognition.header_row_number == 3
    assert uploads.guess_header_row(found.heads[0].rows) == 3
    forced = prepare(UNTIDY, "export.xlsx", datasets, header_row=1)
    assert not forced.ok and "export.xlsx" in forced.error
    chosen = prepare(UNTIDY, "export.xlsx", datasets, header_row=3, dataset="reclamations")
    assert chosen.ok and len(chosen.prepared.batch.rows) == 3


def test_prepare_refuses_unreadable_and_oversized_files(datasets):
    assert "vide" in prepare(b"", "vide.xlsx", datasets).error
    big = uploads.prepare(GOOD, "gros.xlsx", datasets, secret=b"s" * 32, limits=Limits(100, 10), indicators=())
    assert "trop volumineux" in big.error


def test_excel_downloads_neutralise_formulas():
    import pandas as pd

    frame = pd.DataFrame({"valeur": ["=HYPERLINK(\"http://x\")", "+33 6", "@SUM(A1)", "normal", None],
                          "ligne": [1, 2, 3, 4, 5]})
    sheet = load_workbook(io.BytesIO(exports.excel_bytes(frame, "Rejets"))).active
    values = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert values == ["'=HYPERLINK(\"http://x\")", "'+33 6", "'@SUM(A1)", "normal", None]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_markdown_from_files_is_inert():
    assert md("![x](http://e) :red[a] <b>") == r"\!\[x\]\(http\://e\) \:red\[a\] \<b\>"


def test_target_rules_follow_the_catalogue():
    catalogue = load_catalogue()
    assert catalogue_edits.target_form_problems(catalogue["DEM-03"], 85, 75) == []
    assert catalogue_edits.target_form_problems(catalogue["DEM-02"], 10, 8)  # baisse: seuil below cible
    assert catalogue_edits.target_form_problems(catalogue["ACT-01"], 100, None)  # no direction, no target
    assert catalogue_edits.target_form_problems(catalogue["DEM-03"], 120, None) == [
        "Cible : un pourcentage est entre 0 et 100."]
