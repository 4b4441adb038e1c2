"""Reading delimited text (CSV, TXT, TSV) into one raw sheet of ``str`` cells.

The encoding (UTF-8 with or without BOM, UTF-16 with BOM, else cp1252) and the separator
(« ; », tab or « , ») are detected; values are parsed later, by column type.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections import Counter
from pathlib import Path
from typing import Any

from pilotage_qualite.intake.file_formats import unsupported
from pilotage_qualite.intake.raw_sheets import RawSheet, ReadError, Workbook

# CSV: separators tried, in order of preference on a tie (French exports use ";").
_DELIMITERS = (";", "\t", ",")
_SNIFF_CHARS = 64 * 1024
_SNIFF_RECORDS = 60


def read_text(path: Path, max_rows: int | None, max_cells: int | None) -> Workbook:
    """The text file at ``path`` as a one-sheet workbook named after the file."""
    name = path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReadError(f"Le fichier « {name} » n'a pas pu être lu.", detail=str(exc)) from None
    text, encoding = _decode(data)
    del data
    _refuse_what_is_not_a_table(text, path)
    delimiter = _sniff_delimiter(text)
    if delimiter is None:
        raise ReadError(
            f"Le fichier « {name} » ne contient pas de tableau lisible : aucun séparateur "
            "(« ; », « , » ou tabulation) ne découpe ses lignes en colonnes de façon régulière."
        )
    rows, truncated = _records(text, delimiter, name, max_rows, max_cells)
    if not truncated and not any(any(cell is not None for cell in row) for row in rows):
        raise ReadError(f"Le fichier « {name} » est vide.")
    sheet = RawSheet(name=path.stem or name, rows=rows, truncated=truncated)
    return Workbook(filename=name, format="csv", sheets=[sheet], encoding=encoding,
                    delimiter=delimiter)


def _decode(data: bytes) -> tuple[str, str]:
    """The text and its encoding: UTF-8 (with or without BOM), UTF-16 with BOM, else cp1252."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", "replace"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's « Texte Unicode » export: UTF-16 with BOM, tab-separated.
        return data.decode("utf-16", "replace"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:  # the 5 bytes cp1252 leaves undefined
        return data.decode("latin-1"), "latin-1"


def _refuse_what_is_not_a_table(text: str, path: Path) -> None:
    """Blank text, binary content, a web page or an Excel 2003 XML workbook: a French refusal."""
    name = path.name
    if not text.strip():
        raise ReadError(f"Le fichier « {name} » est vide.")
    if "\x00" in text[:_SNIFF_CHARS]:
        raise unsupported(path, None)
    start = text.lstrip()[:512].lower()
    if start.startswith(("<!doctype html", "<html", "<table")):
        raise ReadError(
            f"Le fichier « {name} » est une page web (HTML) et non un classeur : ouvrez-le "
            "dans Excel puis enregistrez-le au format .xlsx avant de l'importer."
        )
    if start.startswith("<?xml") and "urn:schemas-microsoft-com:office:spreadsheet" in text[:4096]:
        raise ReadError(
            f"Le fichier « {name} » est un classeur XML Excel 2003 : ouvrez-le dans Excel puis "
            "enregistrez-le au format .xlsx avant de l'importer."
        )


def _sniff_delimiter(text: str) -> str | None:
    """The separator that splits the first records most consistently (quote-aware).

    For each candidate, the first records are parsed with the csv module; the most common field
    count among records of two fields or more is the table's width, and the score is how many
    records have exactly that width. The best score wins; on a tie ";" beats tab beats ",", so
    decimal commas in a ";" file never make "," win. A candidate must split at least 3 in 4
    records from the first one of the table's width (title lines above it are tolerated).
    Heuristic limits: a one-column file is not taken for a table, and prose whose lines hold the
    same number of commas is (the header search then finds no header in it).
    """
    sample = text[:_SNIFF_CHARS]
    if len(text) > _SNIFF_CHARS:
        cut = max(sample.rfind("\n"), sample.rfind("\r"))
        if cut > 0:
            sample = sample[:cut]
    best: tuple[int, int, str] | None = None
    for priority, delimiter in enumerate(reversed(_DELIMITERS)):
        counts: list[int] = []
        reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter, strict=False)
        try:
            for record in reader:
                if not record or (len(record) == 1 and not record[0].strip()):
                    continue  # blank line
                counts.append(len(record))
                if len(counts) >= _SNIFF_RECORDS:
                    break
        except csv.Error:
            continue
        multi = [count for count in counts if count > 1]
        if not multi:
            continue
        width, score = Counter(multi).most_common(1)[0]
        # Lines above the table (titles) are tolerated; from its first line on, at least 3 in 4
        # records must be split (ragged rows and a few footer lines are tolerated).
        table = counts[counts.index(width):]
        split = sum(1 for count in table if count > 1)
        if len(table) > 1 and (score < 2 or split * 4 < len(table) * 3):
            continue
        candidate = (score, priority, delimiter)
        if best is None or candidate > best:
            best = candidate
    return best[2] if best else None


def _records(text: str, delimiter: str, name: str, max_rows: int | None,
             max_cells: int | None) -> tuple[list[list[Any]], bool]:
    """The first ``max_rows`` records, padded to one width, empty fields None; and whether
    records were left out."""
    rows: list[list[Any]] = []
    cells = 0
    width = 0
    truncated = False
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    try:
        for record in reader:
            if max_rows is not None and len(rows) >= max_rows:
                truncated = True
                break
            cells += len(record)
            if max_cells is not None and cells > max_cells:
                raise ReadError(
                    f"Le fichier « {name} » est trop grand (plus de {max_cells:,} cellules)."
                    .replace(",", " ")
                )
            if len(record) > width:
                width = len(record)
            rows.append([value or None for value in record])
    except csv.Error as exc:
        raise ReadError(
            f"Le fichier « {name} » n'a pas pu être lu à la ligne {reader.line_num} "
            "(cellule trop longue ou guillemets mal fermés).",
            detail=str(exc),
        ) from None
    for row in rows:
        if len(row) < width:
            row.extend([None] * (width - len(row)))
    return rows, truncated
