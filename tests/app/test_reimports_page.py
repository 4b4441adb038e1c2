"""The Import page on re-imports (datasets.md « Re-imports », « Example rows »), on a copy of the demo base:
a template's example rows skipped, a risky window replacement held until a second confirmation, and a
register's counts in the quality lead's words in the preview and the journal."""

from __future__ import annotations

from reimport_files import activity_template_with_examples_left, activity_with_a_stray_row, register_plus_five
from test_data_pages import button, journal, metrics, no_exception, open_app, plain, texts, upload

STRAY = "interventions-novembre.xlsx"


def test_the_example_rows_of_a_template_are_skipped_and_said(app_env, demo_data_dir):
    app_env(demo_data_dir)
    app = upload(open_app(), "modele_activite.xlsx", activity_template_with_examples_left())
    assert "2 lignes d'exemple du modèle ignorées (lignes 2, 3)" in " ".join(texts(app.caption))
    assert metrics(app)["À ajouter"] == "6"  # the six November rows only
    assert not app.checkbox  # November 2026 holds nothing yet: no replacement to confirm
    button(app, "Importer « modele_activite.xlsx »").click()
    no_exception(app.run())
    assert "6 lignes ajoutées, 0 rejetée" in " ".join(texts(app.success))


def test_a_stray_date_waits_for_a_second_confirmation(app_env, demo_data_dir):
    app_env(demo_data_dir)
    app = open_app()
    imports_before = len(journal(app))
    upload(app, STRAY, activity_with_a_stray_row())
    warnings = " ".join(texts(app.warning))
    # 05/11/2024 to 11/11/2026 at Lyon 8e: 3 617 live rows for the 11 the file brings.
    assert "Ce fichier remplacerait 3\u202f617 lignes déjà en base alors qu'il n'en apporte que 11" in warnings
    assert "Mois concernés (sites Lyon 8e) : novembre 2024 à octobre 2026." in warnings
    assert "Confirmation attendue" in warnings
    months = next(d.value for d in app.dataframe if "Lignes en base remplacées" in d.value.columns)
    assert months.iloc[0].tolist() == ["novembre 2024", 139, 1] and len(months) == 25
    assert button(app, f"Importer « {STRAY} »").disabled
    assert len(journal(app)) == imports_before  # nothing written
    upload(app, STRAY, activity_with_a_stray_row())
    app.checkbox(key=next(c.key for c in app.checkbox if c.key.startswith("remplacer_"))).check()
    no_exception(app.run())
    assert not button(app, f"Importer « {STRAY} »").disabled
    button(app, f"Importer « {STRAY} »").click()
    no_exception(app.run())
    assert "11 lignes ajoutées, 3\u202f617 remplacées, 0 rejetée" in " ".join(texts(app.success))
    assert len(journal(app)) == imports_before + 1


def test_the_register_plus_five_complaints_says_5_new_in_the_preview_and_the_journal(app_env, demo_data_dir):
    app_env(demo_data_dir)
    app = upload(open_app(), "registre.xlsx", register_plus_five())
    assert metrics(app) == {"Lignes lues": "153", "Nouvelles": "5", "Mises à jour": "147", "À rejeter": "1"}
    assert ("Confirmer écrira : 5 nouvelles, 147 mises à jour dont 146 inchangées, 1 à rejeter."
            in [plain(c.value) for c in app.caption])
    button(app, "Importer « registre.xlsx »").click()
    no_exception(app.run())
    assert "5 nouvelles, 147 mises à jour dont 146 inchangées, 1 rejetée" in " ".join(texts(app.success))
    assert journal(app).iloc[0]["Résultat"] == "5 nouvelles, 147 mises à jour dont 146 inchangées, 1 rejetée"
    assert metrics(app) == {"Lignes lues": "153", "Nouvelles": "5", "Mises à jour": "147", "Rejetées": "1"}
