"""An import's counts in the quality lead's words, and the warning of a risky window replacement."""

from __future__ import annotations

from datetime import date

import pandas as pd

from pilotage_qualite.model.batch import ImportCounts
from pilotage_qualite.model.periods import add_months
from pilotage_qualite.model.replacement import MonthReplaced, WindowReplacement
from pilotage_qualite.reports.import_report import (
    changes_text,
    example_rows_text,
    journal_counts,
    window_table,
    window_warning,
)

NNBSP = "\u202f"  # the thousands separator of French numbers


def test_a_keyed_register_says_new_and_updated_rows():
    # 147 complaints already live (7 of them changed) and 5 new ones: 152 rows written, 147 replaced.
    counts = ImportCounts(152, 152, 147, 0, new=5, modified=7, unchanged=140)
    assert changes_text(counts) == "5 nouvelles, 147 mises à jour dont 140 inchangées, 0 rejetée"
    assert changes_text(counts, future=True) == "5 nouvelles, 147 mises à jour dont 140 inchangées, 0 à rejeter"
    assert changes_text(ImportCounts(1, 1, 1, 2, new=0, modified=0, unchanged=1)) == \
        "0 nouvelle, 1 mise à jour dont 1 inchangée, 2 rejetées"
    assert changes_text(ImportCounts(3, 3, 0, 0, new=3, modified=0, unchanged=0)) == "3 nouvelles, 0 rejetée"


def test_a_keyless_dataset_and_an_old_journal_entry_say_added_and_replaced():
    assert changes_text(ImportCounts(8, 8, 8250, 0)) == f"8 lignes ajoutées, 8{NNBSP}250 remplacées, 0 rejetée"
    assert changes_text(ImportCounts(8, 8, 8250, 0), future=True) == \
        f"8 lignes à ajouter, 8{NNBSP}250 à remplacer, 0 à rejeter"
    assert changes_text(ImportCounts(1, 1, 0, 1)) == "1 ligne ajoutée, 1 rejetée"
    # A journal entry of a base older than the keyed counts (NULL): read as before.
    old = pd.Series({"lignes_lues": 152, "lignes_ajoutees": 152, "lignes_remplacees": 147, "lignes_rejetees": 0,
                     "lignes_nouvelles": pd.NA, "lignes_modifiees": pd.NA, "lignes_inchangees": pd.NA,
                     "avertissements": 0})
    assert changes_text(journal_counts(old)) == "152 lignes ajoutées, 147 remplacées, 0 rejetée"
    new = old.copy()
    new[["lignes_nouvelles", "lignes_modifiees", "lignes_inchangees", "avertissements"]] = [5, 7, 140, 2]
    assert journal_counts(new) == ImportCounts(152, 152, 147, 0, new=5, modified=7, unchanged=140, warnings=2)


def test_example_rows_skipped():
    assert example_rows_text([2, 3]) == "2 lignes d'exemple du modèle ignorées (lignes 2, 3)"
    assert example_rows_text([2]) == "1 ligne d'exemple du modèle ignorée (ligne 2)"


def M(year: int, month: int) -> date:
    return date(year, month, 1)


def test_the_warning_names_the_months_a_stray_date_reaches():
    # 6 November rows and one dated November 2024 at Lyon 8e: the window replaces every month of
    # the site between them (150 rows each, 24 months = 3 600), far more than the 7 rows brought.
    months = [MonthReplaced(M(2024, 11), 150, 1)] + [
        MonthReplaced(add_months(M(2024, 11), k), 150, 0) for k in range(1, 24)]
    stray = WindowReplacement((*months, MonthReplaced(M(2026, 11), 0, 10)), ("Lyon 8e",))
    assert window_warning(stray) == (
        f"Ce fichier remplacerait 3{NNBSP}600 lignes déjà en base alors qu'il n'en apporte que 11 et remonte "
        "jusqu'à novembre 2024, plus de deux mois avant l'essentiel de ses lignes (novembre 2026). Mois concernés "
        "(sites Lyon 8e) : novembre 2024 à octobre 2026. Vérifiez qu'il ne contient ni date erronée ni ligne "
        "oubliée d'un autre fichier.")
    table = window_table(stray)
    assert list(table.columns) == ["Mois", "Lignes en base remplacées", "Lignes du fichier"]
    assert table.iloc[0].tolist() == ["novembre 2024", 150, 1] and table.iloc[-1].tolist() == ["novembre 2026", 0, 10]


def test_no_warning_for_a_month_replaced_by_itself():
    assert window_warning(WindowReplacement((MonthReplaced(M(2026, 10), 412, 415),))) is None
    assert window_warning(None) is None
    # Losing rows in two separate months: each named, runs apart.
    losing = WindowReplacement((MonthReplaced(M(2026, 7), 20, 0), MonthReplaced(M(2026, 8), 10, 12),
                                MonthReplaced(M(2026, 9), 20, 0)))
    assert window_warning(losing).startswith("Ce fichier remplacerait 50 lignes déjà en base alors qu'il n'en "
                                             "apporte que 12. Mois concernés (toute la structure) : juillet 2026, "
                                             "septembre 2026.")
