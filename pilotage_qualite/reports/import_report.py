"""What an import does, in French: the report of a file prepared for import (the command line), and
its counts in the quality lead's words (the Import page, the journal and the command line alike).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import pandas as pd

from pilotage_qualite.common.formats import number
from pilotage_qualite.common.months import month_fr, short_month_fr
from pilotage_qualite.intake.prepare import PreparedImport
from pilotage_qualite.model.batch import REJECT, WARNING, ImportCounts
from pilotage_qualite.model.datasets import Dataset
from pilotage_qualite.model.periods import add_months
from pilotage_qualite.model.replacement import WindowReplacement

if TYPE_CHECKING:
    from pilotage_qualite.store import Store


def describe_prepared(prepared: PreparedImport, datasets: dict[str, Dataset], max_rejected_shown: int = 10
                      ) -> list[str]:
    """The French report of one prepared file, before anything is written."""
    recognition, batch = prepared.recognition, prepared.batch
    dataset = datasets[recognition.dataset]
    lines = [
        f"Fichier « {batch.file_name} » : jeu « {dataset.label} » ({dataset.name}), "
        f"confiance {recognition.confidence:.0%}".replace("%", " %"),
        f"  feuille « {recognition.sheet} », ligne d'en-tête {recognition.header_row_number}",
    ]
    if recognition.alternatives:
        lines.append(f"  autres jeux possibles : {', '.join(recognition.alternatives)} (option --jeu pour choisir)")
    if batch.ignored_columns:
        lines.append(f"  colonnes ignorées : {', '.join(batch.ignored_columns)}")
    if batch.personal_columns:
        lines.append("  colonnes écartées (données personnelles, jamais enregistrées) : "
                     + ", ".join(batch.personal_columns))
    pseudonymised = [recognition.headers[p] for p, name in recognition.mapping.items()
                     if dataset.column(name).pseudonymised]
    if pseudonymised:
        lines.append("  colonnes pseudonymisées (un code remplace le nom, qui n'est jamais enregistré) : "
                     + ", ".join(pseudonymised))
    if prepared.question_columns:
        lines.append(f"  questions gardées : {len(prepared.question_columns)}")
    if prepared.skipped_total_rows:
        lines.append(f"  lignes de total ignorées : {', '.join(map(str, prepared.skipped_total_rows))}")
    if prepared.skipped_example_rows:
        lines.append(f"  {example_rows_text(prepared.skipped_example_rows)}")
    if batch.coverage is not None:
        source = "corrigée" if batch.coverage_corrected else (
            f"extraction du {batch.extraction_date:%d/%m/%Y}" if batch.extraction_date else "d'après ses dates")
        lines.append(f"  couvre {batch.coverage.label_fr()} ({source})")
    for nature, problems in ((REJECT, batch.rejected), (WARNING, batch.warnings)):
        lines += [f"  {nature} : {message}" for message in problems["message"].head(max_rejected_shown)]
        if len(problems) > max_rejected_shown:
            lines.append(f"  … et {len(problems) - max_rejected_shown} autre(s) {nature}(s) "
                         "(voir la commande « rejets »)")
    return lines


# --- counts in the quality lead's words (datasets.md « Re-imports ») ----------------------------


def _count(value: int, singular: str, plural: str) -> str:
    return f"{number(value)} {singular if value in (0, 1) else plural}"


def changes_text(counts: ImportCounts, *, future: bool = False) -> str:
    """« 5 nouvelles, 147 mises à jour dont 140 inchangées, 2 rejetées » for a keyed register;
    « 8 lignes ajoutées, 8 250 remplacées, 0 rejetée » otherwise (and for the journal entries
    of bases older than the keyed counts). ``future``: before anything is written."""
    if counts.new is not None:
        parts = [_count(counts.new, "nouvelle", "nouvelles")]
        updated = counts.modified + counts.unchanged
        if updated:
            parts.append(_count(updated, "mise à jour", "mises à jour")
                         + f" dont {_count(counts.unchanged, 'inchangée', 'inchangées')}")
    else:
        parts = [_count(counts.added, "ligne à ajouter", "lignes à ajouter") if future
                 else _count(counts.added, "ligne ajoutée", "lignes ajoutées")]
        if counts.replaced:
            parts.append(number(counts.replaced) + (" à remplacer" if future
                                                    else " remplacée" if counts.replaced == 1 else " remplacées"))
    parts.append(number(counts.rejected) + (" à rejeter" if future
                                            else " rejetée" if counts.rejected in (0, 1) else " rejetées"))
    return ", ".join(parts)


def journal_counts(entry: pd.Series) -> ImportCounts:
    """The counts of one journal entry (the keyed counts are empty in entries older than them)."""
    def optional(name: str) -> int | None:
        value = entry.get(name)
        return None if value is None or pd.isna(value) else int(value)

    return ImportCounts(int(entry["lignes_lues"]), int(entry["lignes_ajoutees"]), int(entry["lignes_remplacees"]),
                        int(entry["lignes_rejetees"]), new=optional("lignes_nouvelles"),
                        modified=optional("lignes_modifiees"), unchanged=optional("lignes_inchangees"),
                        warnings=optional("avertissements") or 0)


def example_rows_text(rows: list[int]) -> str:
    return (_count(len(rows), "ligne d'exemple du modèle ignorée", "lignes d'exemple du modèle ignorées")
            + f" ({'ligne' if len(rows) == 1 else 'lignes'} {', '.join(map(str, rows))})")


# --- window replacement -------------------------------------------------------------------------


def _months_text(months: list[date]) -> str:
    """« mars 2025 à septembre 2026, novembre 2026 »: runs of consecutive months."""
    runs: list[list[date]] = []
    for month in months:
        if runs and add_months(runs[-1][-1], 1) == month:
            runs[-1].append(month)
        else:
            runs.append([month])
    return ", ".join(month_fr(r[0]) if len(r) == 1 else f"{month_fr(r[0])} à {month_fr(r[-1])}" for r in runs)


def sites_text(window: WindowReplacement) -> str:
    return f"sites {', '.join(window.sites)}" if window.sites else "toute la structure"


def window_table(window: WindowReplacement) -> pd.DataFrame:
    """The months a keyless import replaces: live rows before, the file's rows after."""
    return pd.DataFrame({"Mois": [month_fr(m.month) for m in window.months],
                         "Lignes en base remplacées": [m.before for m in window.months],
                         "Lignes du fichier": [m.after for m in window.months]})


def window_lines(window: WindowReplacement) -> list[str]:
    """The same months for the terminal (« oct. 2026 : 412 → 6 »), and the warning if any."""
    months = " ; ".join(f"{short_month_fr(m.month)} : {number(m.before)} → {number(m.after)}" for m in window.months)
    warning = window_warning(window)
    return [f"  mois remplacés ({sites_text(window)}), lignes en base → lignes du fichier : {months}",
            *([f"  attention : {warning}"] if warning else [])]


def window_warning(window: WindowReplacement | None) -> str | None:
    """Why a replacement needs a second confirmation, naming the months; None when it does not."""
    if window is None or not window.needs_confirmation:
        return None
    reasons = []
    if window.removes_more_than_brought:
        reasons.append(f"remplacerait {_count(window.removed, 'ligne', 'lignes')} déjà en base alors qu'il "
                       f"n'en apporte que {number(window.brought)}")
    if window.stray_months:
        first, last = window.main_span
        span = month_fr(first) if first == last else f"{month_fr(first)} à {month_fr(last)}"
        reasons.append(f"remonte jusqu'à {month_fr(window.stray_months[0])}, plus de deux mois avant "
                       f"l'essentiel de ses lignes ({span})")
    return (f"Ce fichier {' et '.join(reasons)}. Mois concernés ({sites_text(window)}) : "
            f"{_months_text(window.months_to_confirm)}. Vérifiez qu'il ne contient ni date erronée ni ligne "
            "oubliée d'un autre fichier.")


def replacement_refusals(prepared: list[PreparedImport], store: Store) -> list[str]:
    """The files whose window replacement needs ``--remplacer`` (nothing is written then)."""
    refusals = []
    for item in prepared:
        warning = None if store.datasets[item.batch.dataset].key else window_warning(store.preview(item.batch).window)
        if warning:
            refusals.append(f"« {item.batch.file_name} » : {warning} Rien n'a été écrit : relancez la commande "
                            "avec --remplacer pour confirmer ce remplacement.")
    return refusals
