"""The import pipeline: file → recognised table → typed, validated rows → a batch for the store.

One engine for the command line and the app. Nothing here writes: :func:`prepare_file`
builds an :class:`ImportBatch` with its rejected rows and report; the caller previews it
(`Store.preview`) and, once the user confirms, applies it (`Store.apply`).
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from pilotage_qualite import parsing
from pilotage_qualite.declarations import Column, Dataset
# ImportRefused and Limits are part of this module's interface (the pipeline's refusal and costs).
from pilotage_qualite.intake import ImportRefused, Limits, RecognisedFile, read_and_recognise  # noqa: F401
from pilotage_qualite.pseudonyms import pseudonymise
from pilotage_qualite.readers import _gc_paused, to_columns
from pilotage_qualite.recognition import Recognition
from pilotage_qualite.store import ImportBatch
from pilotage_qualite.text import normalize_header

REJECTED_COLUMNS = ["ligne", "colonne", "valeur", "message"]


@dataclass
class PreparedImport:
    """A file ready to be previewed and confirmed: what was recognised, kept and rejected."""

    recognition: Recognition
    batch: ImportBatch
    skipped_total_rows: list[int] = field(default_factory=list)
    question_columns: list[str] = field(default_factory=list)

    @property
    def rejected_row_count(self) -> int:
        return self.batch.rejected_row_count


def _parse_column(column: Column, raw: pd.Series) -> parsing.Parsed:
    """Coerce one column's raw cells by its declared type."""
    if column.type == "date":
        return parsing.dates(raw, month_only_allowed=column.month_only_allowed)
    if column.type in ("entier", "decimal"):
        return parsing.numbers(raw, integer=column.type == "entier", hours_allowed=column.hours_allowed,
                               minimum=column.minimum, maximum=column.maximum)
    if column.type == "booleen":
        return parsing.booleans(raw)
    if column.type == "choix":
        return parsing.choices(raw, column.choices)
    if column.type == "likert":
        return parsing.likert(raw)
    return parsing.texts(raw)


def _cell_text(value: object) -> str:
    """A raw cell as the user typed it, for messages and the kept rejected rows."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _error_rows(rows: np.ndarray, header: str, raws: pd.Series, reasons: list[str]) -> list[dict]:
    return [{"ligne": int(row), "colonne": header, "valeur": _cell_text(raw),
             "message": f"Ligne {int(row)}, colonne « {header} » : "
                        + (f"« {_cell_text(raw)} » {reason}" if _cell_text(raw) else reason)}
            for row, raw, reason in zip(rows, raws, reasons)]


def _trailing_total_rows(first_cells: list[object]) -> int:
    """How many of the last data rows are totals (first non-empty cell starts with "total")."""
    count = 0
    for cell in reversed(first_cells):
        if not normalize_header(cell).startswith("total"):
            break
        count += 1
    return count


def _first_non_empty(row: list[object]) -> object:
    return next((cell for cell in row if cell is not None), None)


def prepare_file(path: Path, datasets: dict[str, Dataset], *, secret: bytes, limits: Limits,
                 **options) -> PreparedImport:
    """Read, recognise, coerce and validate one file. Raises :class:`ImportRefused`.

    ``options``: those of :func:`intake.read_and_recognise` (file_name, dataset, sheet, manual,
    header_row).
    """
    # The collector is paused while the sheet's cells are alive (as readers does while reading):
    # otherwise it walks the 100,000 row lists again and again while columns are parsed.
    with _gc_paused():
        return prepare_recognised(read_and_recognise(path, datasets, limits=limits, **options), datasets, secret)


def prepare_recognised(read: RecognisedFile, datasets: dict[str, Dataset], secret: bytes) -> PreparedImport:
    """The second half of :func:`prepare_file`: type, validate and pseudonymise the rows read."""
    with _gc_paused():
        return _build_batch(read.content, read.file_name, datasets[read.recognition.dataset], read.recognition,
                            read.rows, secret)


def _build_batch(content: bytes, file_name: str, dataset: Dataset, recognition: Recognition,
                 rows: list[list], secret: bytes) -> PreparedImport:
    """`rows` are the sheet's rows as the reader gives them (rectangular, empty cells None)."""
    first_row_number = recognition.header_index + 2  # 1-based row number of the first data row
    body = rows[recognition.header_index + 1:]
    width = len(rows[recognition.header_index])
    raw_columns = to_columns(rows, recognition.header_index)
    numbers = np.arange(first_row_number, first_row_number + len(body))

    # Rows that are not data: fully empty rows, and trailing "Total" rows. any() (in C, stopping
    # at the first truthy cell) clears almost every row; the few left (all cells None or falsy,
    # such as 0) are counted. Four times faster than counting None in every row.
    empty = np.zeros(len(body), dtype=bool)
    maybe_empty = np.flatnonzero(~np.fromiter(map(any, body), dtype=bool, count=len(body)))
    empty[[p for p in maybe_empty if body[p].count(None) == width]] = True
    data_positions = np.flatnonzero(~empty)
    totals = _trailing_total_rows([_first_non_empty(body[p]) for p in data_positions[-5:]])
    skipped_totals = [int(numbers[p]) for p in data_positions[len(data_positions) - totals:]] if totals else []
    keep = data_positions[:len(data_positions) - totals]
    kept_numbers = numbers[keep]
    by_column = {name: pd.Series(raw_columns[position], dtype=object).iloc[keep].reset_index(drop=True)
                 for position, name in recognition.mapping.items()}
    header_of = {name: recognition.headers[position] for position, name in recognition.mapping.items()}

    typed: dict[str, pd.Series] = {}
    bad = np.zeros(len(keep), dtype=bool)
    errors: list[dict] = []
    for column in dataset.columns:
        raw = by_column.get(column.name, pd.Series([None] * len(keep), dtype=object))
        parsed = _parse_column(column, raw)
        header = header_of.get(column.name, column.label)
        invalid = parsed.invalid.to_numpy()
        missing = parsed.empty.to_numpy() & column.required & (column.type != "likert")
        if invalid.any():
            errors += _error_rows(kept_numbers[invalid], header, raw[invalid], list(parsed.reasons[invalid]))
        if missing.any():
            errors += _error_rows(kept_numbers[missing], header, raw[missing],
                                  ["valeur obligatoire manquante"] * int(missing.sum()))
        bad |= invalid | missing
        values = parsed.values
        if column.default is not None:
            values = values.where(~parsed.empty.to_numpy(), column.default)
        typed[column.name] = values

    frame = pd.DataFrame(typed)
    frame["_ligne"] = kept_numbers
    valid = frame[~bad].reset_index(drop=True)
    # Pseudonymise before looking for repeated keys: spelling variants of one name are one
    # person (one key), and a duplicate-key message must never quote the name.
    for column in dataset.columns:
        if column.pseudonymised:
            valid[column.name] = pseudonymise(valid[column.name], secret)
    errors += _duplicate_keys(dataset, valid, header_of)
    if dataset.key:
        valid = valid.drop_duplicates(subset=list(dataset.key), keep="last").reset_index(drop=True)

    questions, question_columns = _likert_questions(dataset, recognition, raw_columns, keep, kept_numbers, ~bad)
    rejected = pd.DataFrame(errors, columns=REJECTED_COLUMNS).sort_values(["ligne", "colonne"], kind="stable")
    batch = ImportBatch(
        dataset=dataset.name, file_name=file_name, content=content, rows=valid,
        rejected=rejected.reset_index(drop=True), questions=questions, sheet=recognition.sheet,
        header_row=recognition.header_row_number, rows_read=len(keep),
        ignored_columns=[h for h in recognition.unknown_columns if h not in question_columns],
        personal_columns=recognition.personal_columns)
    return PreparedImport(recognition, batch, skipped_totals, question_columns)


def _duplicate_keys(dataset: Dataset, valid: pd.DataFrame, header_of: dict[str, str]) -> list[dict]:
    """A key repeated within one file: the last row is kept, earlier ones are reported."""
    if not dataset.key or valid.empty:
        return []
    keys = list(dataset.key)
    earlier = valid[valid.duplicated(subset=keys, keep="last")]
    last_row = valid.drop_duplicates(subset=keys, keep="last").set_index(keys)["_ligne"]
    label = header_of.get(keys[0], dataset.column(keys[0]).label)  # the header as written in the file
    messages = []
    for _, row in earlier.iterrows():
        key_value = tuple(row[k] for k in keys)
        kept = last_row.loc[key_value if len(keys) > 1 else key_value[0]]
        shown = " / ".join(map(str, key_value))
        messages.append({"ligne": int(row["_ligne"]), "colonne": label, "valeur": shown,
                         "message": f"Ligne {int(row['_ligne'])}, colonne « {label} » : « {shown} » figure "
                                    f"aussi ligne {int(kept)} du même fichier ; seule la dernière est gardée"})
    return messages


def _likert_questions(dataset: Dataset, recognition: Recognition, raw_columns: list[tuple], keep: np.ndarray,
                      kept_numbers: np.ndarray, valid_mask: np.ndarray) -> tuple[pd.DataFrame | None, list[str]]:
    """Extra survey questions: unknown columns whose values are all Likert answers."""
    if not dataset.extra_likert_questions:
        return None, []
    frames, kept_headers = [], []
    for position, header in enumerate(recognition.headers):
        if not header or position in recognition.mapping or header not in recognition.unknown_columns:
            continue
        raw = pd.Series(raw_columns[position], dtype=object).iloc[keep].reset_index(drop=True)
        if not parsing.is_likert_column(raw):
            continue
        answers = parsing.likert(raw)
        answered = valid_mask & ~answers.empty.to_numpy() & ~answers.invalid.to_numpy()
        frames.append(pd.DataFrame({"_ligne": kept_numbers[answered], "question": header,
                                    "reponse": answers.values[answered].astype("int64").to_numpy()}))
        kept_headers.append(header)
    if not frames:
        return None, []
    return pd.concat(frames, ignore_index=True), kept_headers


def prepare_upload(content: bytes, file_name: str, datasets: dict[str, Dataset], **options) -> PreparedImport:
    """Same as :func:`prepare_file` for bytes received by the app.

    The upload is written under a sanitised copy of its base name in a private temporary
    folder: the name the user gave never becomes a path of ours.
    """
    safe_name = re.sub(r"[^\w.\- ]", "_", Path(file_name).name)[:120] or "fichier"
    with tempfile.TemporaryDirectory(prefix="pilotage-import-") as folder:
        path = Path(folder) / safe_name
        path.write_bytes(content)
        return prepare_file(path, datasets, file_name=file_name, **options)
