"""The French report of a file prepared for import, before anything is written (the command line)."""

from __future__ import annotations

from pilotage_qualite.intake.prepare import PreparedImport
from pilotage_qualite.model.datasets import Dataset


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
    if batch.coverage is not None:
        source = "corrigée" if batch.coverage_corrected else (
            f"extraction du {batch.extraction_date:%d/%m/%Y}" if batch.extraction_date else "d'après ses dates")
        lines.append(f"  couvre {batch.coverage.label_fr()} ({source})")
    for message in batch.rejected["message"].head(max_rejected_shown):
        lines.append(f"  rejet : {message}")
    if len(batch.rejected) > max_rejected_shown:
        lines.append(f"  … et {len(batch.rejected) - max_rejected_shown} autre(s) erreur(s) "
                     "(voir la commande « rejets »)")
    return lines
