"""The import pipeline: file → recognised table → typed, validated rows → a batch for the store.

One engine for the command line and the app. Nothing here writes: :func:`prepare_file`
builds an :class:`ImportBatch` with its rejected rows and report; the caller previews it
(`Store.preview`) and, once the user confirms, applies it (`Store.apply`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from pilotage_qualite.common.text import normalize_header
from pilotage_qualite.intake.extraction_date import extraction_date
from pilotage_qualite.intake.gc_pause import gc_paused
from pilotage_qualite.intake.parsing import parse_column
from pilotage_qualite.intake.parsing.codes import indicator_codes
from pilotage_qualite.intake.parsing.common import Parsed
from pilotage_qualite.intake.parsing.likert_scale import is_likert_column, likert
from pilotage_qualite.intake.pseudonyms import pseudonymise
from pilotage_qualite.intake.raw_sheets import to_columns
from pilotage_qualite.intake.read import Limits, RecognisedFile, read_and_recognise
from pilotage_qualite.intake.recognition import Recognition
from pilotage_qualite.intake.template_examples import example_rows
from pilotage_qualite.model.batch import PROBLEM_COLUMNS, ImportBatch
from pilotage_qualite.model.coverage import CoveredSpan, default_span, month_end
from pilotage_qualite.model.datasets import Column, Dataset

# Said of an invalid optional cell: the row is loaded all the same (datasets.md « Invalid optional cells »).
LEFT_EMPTY = " ; cellule laissée vide, la ligne est chargée"


@dataclass
class PreparedImport:
    """A file ready to be previewed and confirmed: what was recognised, kept and rejected."""

    recognition: Recognition
    batch: ImportBatch
    skipped_total_rows: list[int] = field(default_factory=list)
    question_columns: list[str] = field(default_factory=list)
    skipped_example_rows: list[int] = field(default_factory=list)  # a template's example rows left in

    @property
    def rejected_row_count(self) -> int:
        return self.batch.rejected_row_count


def _cell_text(value: object) -> str:
    """A raw cell as the user typed it, for messages and the kept rejected rows."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _error_rows(rows: np.ndarray, header: str, raws: pd.Series, reasons: list[str], *, suffix: str = "") -> list[dict]:
    return [{"ligne": int(row), "colonne": header, "valeur": _cell_text(raw),
             "message": f"Ligne {int(row)}, colonne « {header} » : "
                        + (f"« {_cell_text(raw)} » {reason}" if _cell_text(raw) else reason) + suffix}
            for row, raw, reason in zip(rows, raws, reasons)]


def _invalid_cells(column: Column, rows: np.ndarray, header: str, raws: pd.Series, reasons: list[str],
                   errors: list[dict], warnings: list[dict]) -> None:
    """An invalid cell rejects its row in a required column; elsewhere it is a warning (cell left empty)."""
    if column.required:
        errors += _error_rows(rows, header, raws, reasons)
    else:
        warnings += _error_rows(rows, header, raws, reasons, suffix=LEFT_EMPTY)


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
    """Read, recognise, coerce and validate one file. Raises :class:`~.read.ImportRefused`.

    ``options``: those of :func:`intake.read_and_recognise` (file_name, dataset, sheet, manual,
    header_row).
    """
    # The collector is paused while the sheet's cells are alive (as readers does while reading):
    # otherwise it walks the 100,000 row lists again and again while columns are parsed.
    with gc_paused():
        return prepare_recognised(read_and_recognise(path, datasets, limits=limits, **options), datasets, secret)


def prepare_recognised(read: RecognisedFile, datasets: dict[str, Dataset], secret: bytes) -> PreparedImport:
    """The second half of :func:`prepare_file`: type, validate and pseudonymise the rows read."""
    with gc_paused():
        return _build_batch(read.content, read.file_name, datasets[read.recognition.dataset], read.recognition,
                            read.rows, secret)


def _build_batch(content: bytes, file_name: str, dataset: Dataset, recognition: Recognition,
                 rows: list[list], secret: bytes) -> PreparedImport:
    """`rows` are the sheet's rows as the reader gives them (rectangular, empty cells None)."""
    first_row_number = recognition.header_index + 2  # 1-based row number of the first data row
    body = rows[recognition.header_index + 1:]
    raw_columns = to_columns(rows, recognition.header_index)
    numbers = np.arange(first_row_number, first_row_number + len(body))
    keep, skipped_totals = _data_rows(body, numbers, width=len(rows[recognition.header_index]))
    kept_numbers = numbers[keep]
    by_column = {name: pd.Series(raw_columns[position], dtype=object).iloc[keep].reset_index(drop=True)
                 for position, name in recognition.mapping.items()}
    header_of = {name: recognition.headers[position] for position, name in recognition.mapping.items()}

    typed, bad, errors, warnings = _typed_columns(dataset, by_column, header_of, kept_numbers)
    examples = _template_examples(dataset, typed, by_column.keys()) & ~bad
    bad |= examples  # not loaded either
    valid, duplicates = _valid_rows(dataset, typed, kept_numbers, bad, header_of, secret)
    errors += duplicates
    warned = pd.DataFrame(warnings, columns=PROBLEM_COLUMNS)
    warned = warned[warned["ligne"].isin(valid["_ligne"])]  # a row not loaded has its reject, not a warning

    questions, question_columns = _likert_questions(dataset, recognition, raw_columns, keep, kept_numbers, ~bad)
    rejected = pd.DataFrame(errors, columns=PROBLEM_COLUMNS).sort_values(["ligne", "colonne"], kind="stable")
    extraction = extraction_date(cell for row in rows[:recognition.header_index] for cell in row)
    batch = ImportBatch(
        dataset=dataset.name, file_name=file_name, content=content, rows=valid,
        rejected=rejected.reset_index(drop=True),
        warnings=warned.sort_values(["ligne", "colonne"], kind="stable").reset_index(drop=True),
        questions=questions, sheet=recognition.sheet,
        header_row=recognition.header_row_number, rows_read=len(keep) - int(examples.sum()),
        ignored_columns=[h for h in recognition.unknown_columns if h not in question_columns],
        personal_columns=recognition.personal_columns, extraction_date=extraction)
    correct_coverage(batch, dataset, extraction=extraction)
    return PreparedImport(recognition, batch, skipped_totals, question_columns, kept_numbers[examples].tolist())


def check_indicator_codes(prepared: PreparedImport, dataset: Dataset, known: Collection[str]) -> None:
    """The cells listing indicator codes (``codes_de: indicateurs``) checked against the catalogue
    ``known`` (its files and the indicators added in the app): a cell naming an unknown code is an
    invalid optional cell (emptied, a warning); the others written alike (« REC-03, SAT-01 »).

    Done by whoever holds the catalogue, after the reading child: the command line forks its
    child before it opens the base (where the added indicators are), the page's child has no base.
    """
    batch = prepared.batch
    for column in dataset.columns:
        if column.codes_of is None or column.name not in batch.rows or batch.rows.empty:
            continue
        cells = batch.rows[column.name]
        parsed = indicator_codes(parse_column(column, cells), known)
        header = next((prepared.recognition.headers[position] for position, name
                       in prepared.recognition.mapping.items() if name == column.name), column.label)
        invalid = parsed.invalid.to_numpy()
        warned = _error_rows(batch.rows["_ligne"].to_numpy()[invalid], header, cells[invalid],
                             list(parsed.reasons[invalid]), suffix=LEFT_EMPTY)  # never required (datasets)
        batch.rows = batch.rows.assign(**{column.name: parsed.values})
        if warned:
            batch.warnings = (pd.concat([batch.warnings, pd.DataFrame(warned, columns=PROBLEM_COLUMNS)])
                              .sort_values(["ligne", "colonne"], kind="stable").reset_index(drop=True))


def correct_coverage(batch: ImportBatch, dataset: Dataset, *, extraction: date | None = None,
                     first_day: date | None = None, last_day: date | None = None, sites: Sequence[str] = (),
                     today: date | None = None) -> None:
    """What the import covers: the file's rule (read again with ``extraction`` when given, as the
    demo does), then the bounds and sites the quality lead sets by hand; without them, the rule's
    span again. Raises :class:`CoverageRefused` (nothing changed) on bounds that cannot be."""
    today = today or date.today()
    if extraction is not None or batch.coverage_by_rule is None:
        batch.coverage_by_rule = default_span(dataset.coverage_mode, _event_days(dataset, batch.rows),
                                              extraction=extraction or batch.extraction_date, imported_on=today)
    span = batch.coverage_by_rule
    corrected = first_day is not None or last_day is not None or bool(sites)
    if corrected:
        first = first_day or (span.first_day if span else None)
        last = last_day or (span.last_day if span else None)
        if first is None or last is None:
            raise CoverageRefused("le fichier n'a aucune date : indiquez le premier et le dernier mois couverts.")
        if first > last:
            raise CoverageRefused(f"la couverture commence le {first:%d/%m/%Y}, après sa fin ({last:%d/%m/%Y}).")
        if last > today:
            raise CoverageRefused(f"un fichier ne peut pas couvrir l'avenir ({last:%d/%m/%Y} est après aujourd'hui).")
        span = CoveredSpan(first, last, tuple(sites))
    batch.coverage = span
    batch.extraction_date = extraction if extraction is not None else batch.extraction_date
    batch.coverage_corrected = corrected


class CoverageRefused(ValueError):
    """Coverage bounds that cannot be (French message)."""


def coverage_bound(text: str | None, *, end: bool) -> date | None:
    """« 2026-08 » (a month: its first day, or its last for an end) or « 2026-08-10 » (a day)."""
    if not text:
        return None
    try:
        if len(text.strip()) == 7:
            first = date.fromisoformat(text.strip() + "-01")
            return month_end(first) if end else first
        return date.fromisoformat(text.strip())
    except ValueError:
        raise CoverageRefused(f"« {text} » n'est ni un mois AAAA-MM ni un jour AAAA-MM-JJ.") from None


def _event_days(dataset: Dataset, rows: pd.DataFrame) -> list[date]:
    """Each event date column's first and last day among the rows kept (what coverage starts from)."""
    days = []
    for name in dataset.event_dates:
        column = rows[name].dropna()
        if len(column):
            days += [pd.Timestamp(column.min()).date(), pd.Timestamp(column.max()).date()]
    return days


def _data_rows(body: list[list], numbers: np.ndarray, width: int) -> tuple[np.ndarray, list[int]]:
    """The positions of the data rows in `body`, and the row numbers of the trailing « Total » rows skipped.

    Rows that are not data: fully empty rows, and trailing "Total" rows. any() (in C, stopping
    at the first truthy cell) clears almost every row; the few left (all cells None or falsy,
    such as 0) are counted. Four times faster than counting None in every row.
    """
    empty = np.zeros(len(body), dtype=bool)
    maybe_empty = np.flatnonzero(~np.fromiter(map(any, body), dtype=bool, count=len(body)))
    empty[[p for p in maybe_empty if body[p].count(None) == width]] = True
    data_positions = np.flatnonzero(~empty)
    totals = _trailing_total_rows([_first_non_empty(body[p]) for p in data_positions[-5:]])
    skipped_totals = [int(numbers[p]) for p in data_positions[len(data_positions) - totals:]] if totals else []
    return data_positions[:len(data_positions) - totals], skipped_totals


def _typed_columns(dataset: Dataset, by_column: dict[str, pd.Series], header_of: dict[str, str],
                   kept_numbers: np.ndarray) -> tuple[dict[str, pd.Series], np.ndarray, list[dict], list[dict]]:
    """Each declared column parsed to its type (defaults filled in), which rows are bad and why, and the
    warnings of the optional cells left empty."""
    typed: dict[str, pd.Series] = {}
    bad = np.zeros(len(kept_numbers), dtype=bool)
    errors: list[dict] = []
    warnings: list[dict] = []
    for column in dataset.columns:
        raw = by_column.get(column.name, pd.Series([None] * len(kept_numbers), dtype=object))
        parsed = parse_column(column, raw)
        header = header_of.get(column.name, column.label)
        invalid = parsed.invalid.to_numpy()
        missing = parsed.empty.to_numpy() & column.required & (column.type != "likert")
        if invalid.any():
            _invalid_cells(column, kept_numbers[invalid], header, raw[invalid], list(parsed.reasons[invalid]),
                           errors, warnings)
        if missing.any():
            errors += _error_rows(kept_numbers[missing], header, raw[missing],
                                  ["valeur obligatoire manquante"] * int(missing.sum()))
        bad |= (invalid & column.required) | missing
        typed[column.name] = _with_default(column, parsed)
    for column in dataset.columns:
        if column.not_before is not None:
            bad |= _impossible_date_order(dataset, column, typed, header_of, kept_numbers, errors, warnings)
    return typed, bad, errors, warnings


def _impossible_date_order(dataset: Dataset, column: Column, typed: dict[str, pd.Series], header_of: dict[str, str],
                           kept_numbers: np.ndarray, errors: list[dict], warnings: list[dict]) -> np.ndarray:
    """A date before the one it cannot precede (a reply before its reception) is an invalid cell of
    the later date: emptied in `typed`. Returns the rows it rejects (when that date is required)."""
    later, earlier = typed[column.name], typed[column.not_before]
    before = (later < earlier).to_numpy(dtype=bool)  # false where either date is missing
    if not before.any():
        return before
    earlier_header = header_of.get(column.not_before, dataset.column(column.not_before).label)
    reasons = ("est antérieure à « " + earlier_header + " » (" + earlier[before].dt.strftime("%d/%m/%Y") + ")")
    _invalid_cells(column, kept_numbers[before], header_of.get(column.name, column.label),
                   later[before].dt.strftime("%d/%m/%Y"), list(reasons), errors, warnings)
    typed[column.name] = later.mask(before)
    return before & column.required


def _with_default(column: Column, parsed: Parsed) -> pd.Series:
    """The parsed values, the column's default in its empty cells."""
    if column.default is None:
        return parsed.values
    return parsed.values.where(~parsed.empty.to_numpy(), column.default)


def _template_examples(dataset: Dataset, typed: dict[str, pd.Series], present: Iterable[str]) -> np.ndarray:
    """The rows equal, in every column the file has, to an example row of the product's own template:
    left in by mistake, they are never loaded (datasets.md « Example rows »). Compared as typed
    values, so a template re-saved by another spreadsheet (dates as text…) still matches."""
    rows = len(next(iter(typed.values())))
    found = np.zeros(rows, dtype=bool)
    for example in example_rows(dataset):
        matches = np.ones(rows, dtype=bool)
        for column, cell in zip(dataset.columns, example):
            if column.name not in present or not matches.any():
                continue
            value = _with_default(column, parse_column(column, pd.Series([cell], dtype=object))).iloc[0]
            values = typed[column.name]
            matches &= values.isna().to_numpy() if pd.isna(value) else values.eq(value).fillna(False).to_numpy(bool)
        found |= matches
    return found


def _valid_rows(dataset: Dataset, typed: dict[str, pd.Series], kept_numbers: np.ndarray, bad: np.ndarray,
                header_of: dict[str, str], secret: bytes) -> tuple[pd.DataFrame, list[dict]]:
    """The good rows, pseudonymised, one per key (the last), and the repeated keys reported."""
    frame = pd.DataFrame(typed)
    frame["_ligne"] = kept_numbers
    valid = frame[~bad].reset_index(drop=True)
    # Pseudonymise before looking for repeated keys: spelling variants of one name are one
    # person (one key), and a duplicate-key message must never quote the name.
    for column in dataset.columns:
        if column.pseudonymised:
            valid[column.name] = pseudonymise(valid[column.name], secret)
    duplicates = _duplicate_keys(dataset, valid, header_of)
    if dataset.key:
        valid = valid.drop_duplicates(subset=list(dataset.key), keep="last").reset_index(drop=True)
    return valid, duplicates


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
        if not is_likert_column(raw):
            continue
        answers = likert(raw)
        answered = valid_mask & ~answers.empty.to_numpy() & ~answers.invalid.to_numpy()
        frames.append(pd.DataFrame({"_ligne": kept_numbers[answered], "question": header,
                                    "reponse": answers.values[answered].astype("int64").to_numpy()}))
        kept_headers.append(header)
    if not frames:
        return None, []
    return pd.concat(frames, ignore_index=True), kept_headers
