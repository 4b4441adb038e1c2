"""The Import page shows the warnings of a file next to its rejects; the Données page keeps both, marked."""

from __future__ import annotations

from complaint_files import workbook
from test_data_pages import button, go, metrics, no_exception, open_app, upload

# Row 2: an acknowledgement before the reception; row 3: an origin outside the list; row 4: no site.
WITH_WARNINGS = workbook([
    ["N° réclamation", "Date de réception", "Site", "Origine", "Date AR"],
    ["REC-2026-951", "05/10/2026", "Lyon 8e", "Habitant", "01/10/2026"],
    ["REC-2026-952", "06/10/2026", "Lyon 9e", "voisin", "07/10/2026"],
    ["REC-2026-953", "07/10/2026", None, "Habitant", None],
])


def test_warnings_are_shown_downloadable_and_kept_in_the_journal(app_env, demo_data_dir):
    app_env(demo_data_dir)
    app = upload(open_app(), "avertissements.xlsx", WITH_WARNINGS)
    # Rows 2 and 3 are loaded (their bad cells left empty), row 4 is rejected.
    assert (metrics(app)["Lignes lues"], metrics(app)["À rejeter"]) == ("3", "1")
    assert [t.label for t in app.tabs][-2:] == ["Rejets (1)", "Avertissements (2)"]
    warnings = app.tabs[-1].table[0].value
    assert list(zip(warnings["Ligne"], warnings["Colonne"], warnings["Valeur"])) == [
        ("2", "Date AR", "01/10/2026"), ("3", "Origine", "voisin")]
    assert warnings["Message"][0] == ("Ligne 2, colonne « Date AR » : « 01/10/2026 » est antérieure à « Date de "
                                      "réception » (05/10/2026) ; cellule laissée vide, la ligne est chargée")
    downloads = [d.proto.label for d in app.get("download_button")]
    assert downloads.count("Télécharger les rejets et avertissements (Excel)") == 2  # in both tabs
    button(app, "Importer « avertissements.xlsx »").click()
    no_exception(app.run())
    # The Données page lists the import's reject and warnings, each marked.
    go(app, "app_pages/donnees/consulter.py")
    kept = app.table[0].value
    assert list(zip(kept["Nature"], kept["Ligne"])) == [("avertissement", "2"), ("avertissement", "3"), ("rejet", "4")]

