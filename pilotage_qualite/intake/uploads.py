"""Preparing an uploaded file for the Import page: the app's one entry point to the import pipeline.

Parsing uploads runs in a child process bounded in memory and time (product.md, « What bad
input gets »). The page calls :func:`prepare` only, with plain data in (bytes, names, options,
remembered mappings) and a picklable :class:`UploadOutcome` out, which crosses the process
boundary.
Nothing here writes to the store, and nothing here imports Streamlit.
"""

from __future__ import annotations

import hashlib
import logging
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Collection

import pandas as pd

from pilotage_qualite.common.text import normalize_header
from pilotage_qualite.intake import sandbox
from pilotage_qualite.intake.prepare import (
    CoverageRefused,
    PreparedImport,
    check_indicator_codes,
    correct_coverage,
    prepare_file,
)
from pilotage_qualite.intake.raw_sheets import ReadError
from pilotage_qualite.intake.read import ImportRefused, Limits
from pilotage_qualite.intake.readers import HEADER_SCAN_ROWS, read_head
from pilotage_qualite.model.coverage import PERIOD_EXPORT
from pilotage_qualite.model.datasets import Dataset

IGNORE = None  # a header mapped by hand to « ignorer »
logger = logging.getLogger(__name__)


@dataclass
class SheetHead:
    """The first rows of one sheet, as text: to pick a header row and map columns by hand."""

    name: str
    rows: list[list[str]]


@dataclass
class UploadOutcome:
    """What :func:`prepare` found: a prepared import, or the reason it cannot be imported."""

    file_name: str
    content_hash: str
    prepared: PreparedImport | None = None
    error: str | None = None
    heads: list[SheetHead] = field(default_factory=list)
    signature: str | None = None  # of the recognised header row: the key of remembered mappings
    remembered: dict | None = None  # the remembered mapping applied automatically, if any
    manual: dict[str, str] = field(default_factory=dict)  # hand-made mappings in force (header -> column)

    @property
    def ok(self) -> bool:
        return self.prepared is not None


def content_hash(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def header_signature(headers: list[object]) -> str:
    """The header set of a table, order and spelling variants aside (normalised, sorted)."""
    names = sorted({normalize_header(h) for h in headers if h is not None} - {""})
    return hashlib.sha256("\n".join(names).encode()).hexdigest()[:16]


def _text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def guess_header_row(rows: list[list[str]]) -> int:
    """1-based number of the row that looks most like a header (most filled text cells, first wins)."""
    best, best_count = 1, -1
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        count = sum(1 for cell in row if cell and not cell.replace(",", "").replace(".", "").isdigit())
        if count > best_count:
            best, best_count = index + 1, count
    return best


def _safe_name(file_name: str) -> str:
    return re.sub(r"[^\w.\- ]", "_", Path(file_name).name)[:120] or "fichier"


def _find_remembered(heads: list[SheetHead], remembered: dict[str, dict]) -> tuple[str, dict] | None:
    for sheet in heads:
        for row in sheet.rows[:HEADER_SCAN_ROWS]:
            if sum(1 for cell in row if cell) < 2:
                continue
            found = remembered.get(header_signature(row))
            if found:
                return sheet.name, found
    return None


def prepare(content: bytes, file_name: str, datasets: dict[str, Dataset], *, secret: bytes, limits: Limits,
            dataset: str | None = None, sheet: str | None = None, header_row: int | None = None,
            manual: dict[str, str] | None = None, remembered: dict[str, dict] | None = None,
            progress: Callable[[str], None] | None = None, indicators: Collection[str]) -> UploadOutcome:
    """Read, recognise, coerce and validate one uploaded file; never raises for a bad file
    (whatever goes wrong becomes a French message: no traceback reaches the page).

    The work runs in a child process bounded by ``limits`` (memory, time), started from a fork
    server (:mod:`pilotage_qualite.intake.sandbox`: the Streamlit server is multi-threaded, so it is
    never forked itself): a crafted file costs that child, never the server. The cells listing
    indicator codes are then checked here against ``indicators`` (the whole catalogue).
    """
    if len(content) > limits.max_bytes:  # refused before anything is copied to a child
        return UploadOutcome(file_name, content_hash(content),
                             error=f"« {file_name} » : fichier trop volumineux ({len(content) / 1e6:.1f} Mo ; "
                                   f"maximum {limits.max_bytes / 1e6:.0f} Mo).")
    if progress is not None:
        progress("Lecture et vérification du fichier")
    try:
        outcome = sandbox.run(_prepare, (content, file_name, datasets),
                              dict(secret=secret, limits=limits, dataset=dataset, sheet=sheet, header_row=header_row,
                                   manual=manual, remembered=remembered, progress=None),
                              limits=limits.sandbox, start="forkserver")
    except sandbox.SandboxError as exc:
        logger.warning("Lecture de « %s » arrêtée : %s", file_name, exc)
        return UploadOutcome(file_name, content_hash(content), error=f"« {file_name} » : {exc}")
    except MemoryError:
        return UploadOutcome(file_name, content_hash(content),
                             error=f"« {file_name} » : fichier trop volumineux pour être lu en mémoire.")
    except Exception as exc:  # noqa: BLE001 - a crafted or broken file must not reach the user as a traceback
        logger.exception("Préparation de « %s » impossible", file_name)
        return UploadOutcome(file_name, content_hash(content),
                             error=f"« {file_name} » : fichier illisible ({type(exc).__name__}). Vérifiez qu'il "
                                   "s'ouvre dans un tableur, enregistrez-le de nouveau en .xlsx ou partez d'un modèle.")
    if outcome.prepared is not None:
        check_indicator_codes(outcome.prepared, datasets[outcome.prepared.batch.dataset], indicators)
    return outcome


def _prepare(content: bytes, file_name: str, datasets: dict[str, Dataset], *, secret: bytes, limits: Limits,
             dataset: str | None, sheet: str | None, header_row: int | None, manual: dict[str, str] | None,
             remembered: dict[str, dict] | None, progress: Callable[[str], None] | None) -> UploadOutcome:
    """See :func:`prepare`.

    ``dataset``, ``sheet`` and ``header_row`` (1-based) correct the recognition; ``manual``
    maps normalised headers to columns of ``dataset``; ``remembered`` holds the mappings
    saved from earlier files ({signature: {jeu, correspondance}}), applied when the file's
    header row has the same signature and no choice was made by hand.
    """
    step = progress or (lambda _label: None)
    outcome = UploadOutcome(file_name, content_hash(content), manual=dict(manual or {}))
    step("Lecture du fichier")
    with tempfile.TemporaryDirectory(prefix="pilotage-import-") as folder:
        path = Path(folder) / _safe_name(file_name)
        path.write_bytes(content)
        try:
            head = read_head(path, max_uncompressed=limits.max_uncompressed_bytes)
        except ReadError as exc:
            outcome.error = str(exc).replace(path.name, file_name)
            return outcome
        outcome.heads = [SheetHead(s.name, [[_text(c) for c in row] for row in s.rows]) for s in head.sheets]
        if not outcome.manual and dataset is None and remembered:
            found = _find_remembered(outcome.heads, remembered)
            if found is not None:
                sheet = sheet or found[0]
                dataset = found[1]["jeu"]
                outcome.manual = dict(found[1]["correspondance"])
                outcome.remembered = found[1]
        manual_by_dataset = {dataset: outcome.manual} if dataset and outcome.manual else None
        step("Vérification des lignes")
        try:
            outcome.prepared = prepare_file(path, datasets, secret=secret, limits=limits,
                                                     file_name=file_name, dataset=dataset, sheet=sheet,
                                                     manual=manual_by_dataset, header_row=header_row)
        except ImportRefused as exc:
            outcome.error = str(exc)
            return outcome
    outcome.signature = header_signature(outcome.prepared.recognition.headers)
    return outcome


# --- what the page shows about a prepared file (plain tables) ---------------------------------


def mapping_table(outcome: UploadOutcome, dataset: Dataset) -> pd.DataFrame:
    """Every header of the file and what happens to it."""
    prepared = outcome.prepared
    recognition = prepared.recognition
    manual = set(outcome.manual)
    rows = []
    for position, header in enumerate(recognition.headers):
        if not header:
            continue
        column = recognition.mapping.get(position)
        if column is not None:
            how = "associée à la main" if normalize_header(header) in manual else "reconnue"
            label = f"{column} ({dataset.column(column).label})"
        elif header in prepared.question_columns:
            how, label = "question de satisfaction gardée", "question"
        elif header in recognition.personal_columns:
            how, label = "écartée : donnée personnelle, jamais enregistrée", "—"
        else:
            how, label = "inconnue : ignorée", "—"
        rows.append({"Colonne du fichier": header, "Colonne enregistrée": label, "Traitement": how})
    missing = [c for c in dataset.columns if c.name not in recognition.mapping.values()]
    for column in missing:
        fill = f"valeur par défaut « {column.default} »" if column.default is not None else "vide"
        rows.append({"Colonne du fichier": "—", "Colonne enregistrée": f"{column.name} ({column.label})",
                     "Traitement": f"absente du fichier : {fill}"})
    return pd.DataFrame(rows, columns=["Colonne du fichier", "Colonne enregistrée", "Traitement"])


def preview_rows(prepared: PreparedImport, limit: int = 20) -> pd.DataFrame:
    """The first rows as they will be stored (typed, pseudonymised), with their row number in the file."""
    rows = prepared.batch.rows.head(limit)
    ordered = ["_ligne", *[c for c in rows.columns if c != "_ligne"]]
    return rows[ordered].rename(columns={"_ligne": "ligne du fichier"})


def unmapped_headers(outcome: UploadOutcome) -> list[str]:
    """Headers a user may map by hand: unknown ones (personal columns stay dropped)."""
    recognition = outcome.prepared.recognition
    return [h for h in recognition.unknown_columns if h not in outcome.prepared.question_columns]


def headers_at(outcome: UploadOutcome, sheet: str, header_row: int) -> list[str]:
    """The non-empty cells of a row of the file's head (for mapping an unrecognised file)."""
    for head in outcome.heads:
        if head.name == sheet and 0 < header_row <= len(head.rows):
            return [cell for cell in head.rows[header_row - 1] if cell]
    return []


def set_coverage(outcome: UploadOutcome, dataset: Dataset, chosen: dict) -> str | None:
    """Give the uploaded file the coverage the quality lead chose (``du``, ``au``, ``sites``; empty:
    the file's own rule). Returns the French refusal, None when the choice holds."""
    try:
        correct_coverage(outcome.prepared.batch, dataset, first_day=chosen.get("du"), last_day=chosen.get("au"),
                         sites=chosen.get("sites", ()))
    except CoverageRefused as exc:
        return str(exc)
    return None


def coverage_reason(outcome: UploadOutcome, dataset: Dataset) -> str:
    """Why the file covers what it covers, in the quality lead's words."""
    batch = outcome.prepared.batch
    if batch.coverage_corrected:
        return "corrigée à la main"
    if batch.extraction_date is not None:
        return f"jusqu'à la date d'extraction lue dans le fichier, le {batch.extraction_date:%d/%m/%Y}"
    if dataset.coverage_mode == PERIOD_EXPORT:
        return "mois entiers, de la première à la dernière date du fichier"
    return "registre sans date d'extraction : jusqu'à sa dernière date"
