"""Reading uploaded files into raw sheets of cells, with the cells' native types.

This module only turns a file into cells. Finding the header row, matching columns and
coercing values belong to the import pipeline.

Contract of the result (plain, picklable data, so that :func:`read_file` can later run in a
child process bounded in memory and time):

* :class:`Workbook` has ``sheets`` in file order (worksheets only: chart, dialog and macro
  sheets are left out; hidden sheets are kept and flagged ``hidden``).
* :class:`RawSheet` ``rows`` is a list of rows; ``rows[i]`` is the spreadsheet's row ``i + 1``
  and ``rows[i][j]`` is its column ``j`` (0 = column A). For CSV/TXT, ``rows[i]`` is the
  ``i + 1``-th record, which is the row number Excel shows when it opens the file (a quoted
  field may span several physical lines). Rows are **rectangular**: every row of a sheet has
  the same length, padded with ``None``. Trailing empty rows and columns are not included;
  leading ones are (so that indexes stay row and column numbers). Blank rows in the middle are
  kept (as rows of ``None``), never dropped.
* Cell types:

  - spreadsheets (xlsx, xlsm, xlsb, xls, ods) keep what python-calamine gives: ``str``,
    ``float`` (xlsx stores every number as a float, so ``42`` usually comes back as
    ``42.0``), ``int`` (xls/ods may give ints), ``bool``, ``datetime.date`` (a date cell, or a
    datetime at midnight), ``datetime.datetime``, ``datetime.time`` (time-only cells) and
    ``datetime.timedelta`` (durations such as ``[h]:mm``). Nothing is inferred per column.
  - CSV/TXT cells are all ``str`` (values are parsed later, by column type).
  - An empty cell is ``None`` in every format.
  - Excel error cells (``#N/A``, ``#DIV/0!``, ``#REF!``…) are ``None`` too: python-calamine
    maps error values to empty ones, and telling them apart would cost a second, per-cell
    parse. For the import an error cell is a missing value, which is what it means.

Performance: on xlsx the only work done in Python besides python-calamine's own conversion is
turning its empty strings into ``None`` (``list.index`` in C finds a row's first empty cell),
while the cyclic garbage collector is paused: the collector is what makes building a
million-cell list of lists slow. Measured on a 100,000 x 15 xlsx (2-core machine, same run,
best of 7): python-calamine alone (``from_path`` + ``to_python`` of every sheet) 1.32 s,
:func:`read_file` 1.28 s, ``read_file(max_rows=30)`` 1.10 s; the same table as a cp1252 ";"
CSV: 0.34 s.

Limits against crafted files (see also :mod:`pilotage_qualite.file_checks`, run on every
workbook before python-calamine opens it): a zip-based file (xlsx, xlsb, ods) is refused when its declared
uncompressed size exceeds ``max_uncompressed``, before python-calamine opens it; a sheet whose
used range exceeds ``max_cells`` (from A1, so a lone cell at the far corner counts as the whole
sheet) is refused before its cells are turned into Python objects. python-calamine still holds
each sheet's used range in memory while reading it (a sheet with both A1 and the far corner
filled is dense there): bounding that is the job of the child process the reader is meant to run
in (memory and time limits), which this module's plain-data API allows.

``max_rows`` reads only the first rows of every sheet (recognition of the header row, which is
among the first :data:`HEADER_SCAN_ROWS`). For spreadsheets it saves the Python conversion and
memory, not python-calamine's parsing of the sheet (calamine always parses whole sheets): when
a file is to be imported right after recognition, read it once in full and look at
``rows[:30]`` rather than reading it twice.

Errors: every problem with the file itself raises :class:`ReadError`, whose message is in
French and names the file (and the sheet or line when there is one). Library exceptions never
escape. ``ReadError.detail`` keeps the library's own message for the logs.
"""

from __future__ import annotations

import codecs
import csv
import gc
import io
import threading
import zipfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from python_calamine import (
    CalamineError,
    CalamineWorkbook,
    PasswordError,
    SheetTypeEnum,
    SheetVisibleEnum,
    XmlError,
    ZipError,
)

from pilotage_qualite.file_checks import SuspiciousFile, check_container

__all__ = [
    "ACCEPTED_EXTENSIONS",
    "DEFAULT_MAX_CELLS",
    "DEFAULT_MAX_UNCOMPRESSED_BYTES",
    "HEADER_SCAN_ROWS",
    "RawSheet",
    "ReadError",
    "Workbook",
    "read_file",
    "read_head",
    "to_columns",
]

# The header row is looked for among the first rows of each sheet (datasets.md).
HEADER_SCAN_ROWS = 30
# Refuse a sheet larger than this many cells (rows x columns, counted from A1): a single cell
# at the sheet's far corner, or a sheet far bigger than any real export. 100,000 x 15 is 1.5M.
DEFAULT_MAX_CELLS = 20_000_000
# Refuse a zip archive (xlsx, xlsb, ods) that declares more uncompressed bytes than this.
# A 100,000 x 15 xlsx unpacks to about 70 MB.
DEFAULT_MAX_UNCOMPRESSED_BYTES = 1 << 30

ACCEPTED_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".csv", ".txt")
_ACCEPTED_TEXT = ", ".join(ACCEPTED_EXTENSIONS)
_SPREADSHEET_EXTENSIONS = {".xlsx", ".xlsm", ".xltx", ".xltm", ".xls", ".xlsb", ".ods", ".ots"}
_TEXT_EXTENSIONS = {".csv", ".txt", ".tsv", ".tab"}
# Which extensions python-calamine's from_path associates with each format: when the file's
# extension disagrees with its content (a renamed file), it is opened from its bytes instead.
_CALAMINE_EXTENSIONS = {
    "xlsx": {".xlsx", ".xlsm", ".xltx", ".xltm"},
    "xlsb": {".xlsb"},
    "xls": {".xls"},
    "ods": {".ods"},
}
_FORMAT_LABELS = {"xlsx": "Excel (.xlsx)", "xlsb": "Excel binaire (.xlsb)",
                  "xls": "Excel 97-2003 (.xls)", "ods": "OpenDocument (.ods)"}

# CSV: separators tried, in order of preference on a tie (French exports use ";").
_DELIMITERS = (";", "\t", ",")
_SNIFF_CHARS = 64 * 1024
_SNIFF_RECORDS = 60

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_BINARY_MAGICS = {
    b"%PDF": "un document PDF",
    b"\x89PNG": "une image PNG",
    b"\xff\xd8\xff": "une image JPEG",
    b"GIF8": "une image GIF",
    b"Rar!": "une archive RAR",
    b"7z\xbc\xaf": "une archive 7-Zip",
    b"\x1f\x8b": "une archive gzip",
    b"{\\rtf": "un document RTF",
}
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
_WORD_DOCUMENT = "WordDocument".encode("utf-16-le")

_EMPTY = ""  # CPython's empty str is a singleton: calamine's empty cells are this object


class ReadError(Exception):
    """A file cannot be read. ``str(error)`` is a French message that names the file."""

    def __init__(self, message: str, *, detail: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail

    def __reduce__(self):  # keep ``detail`` when pickled across a process boundary
        return (_rebuild_read_error, (self.message, self.detail))


def _rebuild_read_error(message: str, detail: str | None) -> ReadError:
    return ReadError(message, detail=detail)


@dataclass
class RawSheet:
    """One sheet: its name and its cells, row by row (see the module docstring)."""

    name: str
    rows: list[list[Any]]
    hidden: bool = False
    # True when ``max_rows`` cut rows off the end of this sheet.
    truncated: bool = False

    @property
    def width(self) -> int:
        return len(self.rows[0]) if self.rows else 0


@dataclass
class Workbook:
    """All the sheets of one file, in file order."""

    filename: str
    # "xlsx" (also xlsm), "xlsb", "xls", "ods" or "csv" (also txt/tsv): from the content.
    format: str
    sheets: list[RawSheet] = field(default_factory=list)
    # CSV/TXT only: the detected encoding ("utf-8-sig", "utf-8", "utf-16", "cp1252",
    # "latin-1") and separator (";", "," or "\t").
    encoding: str | None = None
    delimiter: str | None = None

    def sheet(self, name: str) -> RawSheet:
        for sheet in self.sheets:
            if sheet.name == name:
                return sheet
        names = ", ".join(f"« {s.name} »" for s in self.sheets)
        raise ReadError(
            f"Le fichier « {self.filename} » n'a pas de feuille « {name} » "
            f"(feuilles : {names})."
        )


def read_file(
    path: str | Path,
    *,
    max_rows: int | None = None,
    max_cells: int | None = DEFAULT_MAX_CELLS,
    max_uncompressed: int | None = DEFAULT_MAX_UNCOMPRESSED_BYTES,
) -> Workbook:
    """Read every sheet of an uploaded file into native-typed cells.

    ``max_rows`` keeps only the first rows of each sheet (``None``: all). ``max_cells`` refuses
    a sheet of more cells than that (counted from A1, after ``max_rows``); ``max_uncompressed``
    refuses a zip-based file that declares more uncompressed bytes. Raises :class:`ReadError`.
    """
    path = Path(path)
    name = path.name
    if max_rows is not None and max_rows < 0:
        raise ValueError("max_rows must be >= 0")
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise ReadError(f"« {name} » n'est pas un fichier.")
        with path.open("rb") as handle:
            head = handle.read(4096)
    except ReadError:
        raise
    except FileNotFoundError as exc:
        raise ReadError(f"Le fichier « {name} » est introuvable.", detail=str(exc)) from None
    except OSError as exc:
        raise ReadError(f"Le fichier « {name} » n'a pas pu être ouvert.", detail=str(exc)) from None
    if size == 0:
        raise ReadError(f"Le fichier « {name} » est vide.")

    kind = _sniff_kind(head, path, max_uncompressed)
    if kind != "text":  # zip bombs, XML entities, an absurd sheet size, macros: before calamine
        try:
            check_container(path, kind, max_cells=max_cells)
        except SuspiciousFile as exc:
            raise ReadError(str(exc)) from None
    try:
        with _gc_paused():
            if kind == "text":
                return _read_text(path, max_rows, max_cells)
            return _read_spreadsheet(path, kind, max_rows, max_cells)
    except ReadError:
        raise
    except MemoryError:
        raise ReadError(
            f"Le fichier « {name} » est trop volumineux pour être lu en mémoire."
        ) from None


def read_head(path: str | Path, rows: int = HEADER_SCAN_ROWS, **limits: Any) -> Workbook:
    """The first ``rows`` rows of every sheet: enough to find the header row and the dataset."""
    return read_file(path, max_rows=rows, **limits)


def to_columns(rows: list[list[Any]], header_index: int) -> list[tuple[Any, ...]]:
    """The cells below the header row, column by column (one tuple per column of the sheet).

    ``rows`` must be rectangular, as :func:`read_file` gives them. ``zip(*rows)`` with the
    garbage collector paused was the fastest way measured to get per-column sequences (100,000
    x 15: 0.034 s, against 0.046 s for ``pandas.DataFrame(rows, dtype=object)`` and 0.07 s for
    ``numpy.array(rows, dtype=object).T``; with the collector running, zip takes 0.13 s).
    """
    width = len(rows[header_index]) if 0 <= header_index < len(rows) else 0
    body = rows[header_index + 1:]
    if not body:
        return [() for _ in range(width)]
    with _gc_paused():
        return list(zip(*body))


# --- format detection ---------------------------------------------------------------------


def _unsupported(path: Path, what: str | None) -> ReadError:
    """The error for content that is not a spreadsheet nor a delimited text."""
    name, ext = path.name, path.suffix.lower()
    if ext and ext not in _SPREADSHEET_EXTENSIONS and ext not in _TEXT_EXTENSIONS:
        return ReadError(
            f"Le fichier « {name} » : format {ext} non pris en charge "
            f"(formats acceptés : {_ACCEPTED_TEXT})."
        )
    reason = f"c'est {what}" if what else "format non reconnu"
    return ReadError(
        f"Le fichier « {name} » n'est pas un classeur lisible ({reason}). "
        f"Formats acceptés : {_ACCEPTED_TEXT}."
    )


def _sniff_kind(head: bytes, path: Path, max_uncompressed: int | None) -> str:
    """"xlsx", "xlsb", "ods", "xls" or "text", from the content; ReadError otherwise."""
    if head.startswith(_ZIP_MAGICS):
        return _sniff_zip(path, max_uncompressed)
    if head.startswith(_OLE2_MAGIC):
        return "xls"  # or an encrypted xlsx / a Word file: told apart if calamine fails
    for magic, what in _BINARY_MAGICS.items():
        if head.startswith(magic):
            raise _unsupported(path, what)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _check_text_extension(path)
    if b"\x00" in head:
        raise _unsupported(path, None)
    return _check_text_extension(path)


def _check_text_extension(path: Path) -> str:
    ext = path.suffix.lower()
    # Text is read as CSV under a text extension, no extension, or a spreadsheet one (tools
    # often export tab-separated text named .xls); anything else (.pdf, .json…) is refused.
    if ext and ext not in _TEXT_EXTENSIONS and ext not in _SPREADSHEET_EXTENSIONS:
        raise _unsupported(path, None)
    return "text"


def _sniff_zip(path: Path, max_uncompressed: int | None) -> str:
    name = path.name
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            declared = sum(info.file_size for info in infos)
            if max_uncompressed is not None and declared > max_uncompressed:
                raise ReadError(
                    f"Le fichier « {name} » est refusé : une fois décompressé il ferait "
                    f"{declared / 2**20:,.0f} Mo (maximum {max_uncompressed / 2**20:,.0f} Mo)."
                    .replace(",", " ")
                )
            names = {info.filename for info in infos}
            if "xl/workbook.xml" in names:
                return "xlsx"
            if "xl/workbook.bin" in names:
                return "xlsb"
            if "mimetype" in names and archive.getinfo("mimetype").file_size < 256:
                mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
                if mimetype.startswith("application/vnd.oasis.opendocument.spreadsheet"):
                    return "ods"
                if "opendocument.text" in mimetype:
                    raise _unsupported(path, "un document texte OpenDocument")
                if "opendocument.presentation" in mimetype:
                    raise _unsupported(path, "une présentation OpenDocument")
            if "word/document.xml" in names:
                raise _unsupported(path, "un document Word")
            if "ppt/presentation.xml" in names:
                raise _unsupported(path, "une présentation PowerPoint")
            content_types = "[Content_Types].xml"
            if content_types in names and archive.getinfo(content_types).file_size < 1 << 20:
                # An xlsx whose workbook part has a non-standard name.
                if b"spreadsheetml.sheet.main" in archive.read(content_types):
                    return "xlsx"
                if b"ms-excel.sheet.binary" in archive.read(content_types):
                    return "xlsb"
    except ReadError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, KeyError) as exc:
        raise ReadError(
            f"Le fichier « {name} » est endommagé (archive tronquée ou incomplète) : "
            "renvoyez le fichier d'origine.",
            detail=str(exc),
        ) from None
    except OSError as exc:
        raise ReadError(f"Le fichier « {name} » n'a pas pu être lu.", detail=str(exc)) from None
    raise _unsupported(path, "une archive zip")


# --- spreadsheets (python-calamine) -------------------------------------------------------


def _read_spreadsheet(path: Path, kind: str, max_rows: int | None, max_cells: int | None) -> Workbook:
    name = path.name
    try:
        if path.suffix.lower() in _CALAMINE_EXTENSIONS[kind]:
            book = CalamineWorkbook.from_path(path)
        else:  # a renamed file: let calamine detect the format from the bytes
            with path.open("rb") as handle:
                book = CalamineWorkbook.from_filelike(handle)
    except BaseException as exc:  # noqa: BLE001 - pyo3's PanicException is a BaseException
        _reraise_fatal(exc)
        raise _calamine_error(path, kind, exc, sheet=None) from None

    sheets: list[RawSheet] = []
    any_cell = False
    with book:
        for meta in book.sheets_metadata:
            if meta.typ != SheetTypeEnum.WorkSheet:
                continue
            try:
                sheet = book.get_sheet_by_name(meta.name)
                end = sheet.end
                if end is None:
                    rows: list[list[Any]] = []
                    truncated = False
                else:
                    any_cell = True
                    height, width = end[0] + 1, end[1] + 1
                    kept = height if max_rows is None else min(height, max_rows)
                    if max_cells is not None and kept * width > max_cells:
                        raise ReadError(
                            f"La feuille « {meta.name} » du fichier « {name} » est trop grande "
                            f"({height} lignes × {width} colonnes ; au plus "
                            f"{max_cells:,} cellules).".replace(",", " ")
                        )
                    rows = sheet.to_python(skip_empty_area=False, nrows=kept) if kept else []
                    truncated = kept < height
                    _empty_to_none(rows)
            except ReadError:
                raise
            except BaseException as exc:  # noqa: BLE001
                _reraise_fatal(exc)
                raise _calamine_error(path, kind, exc, sheet=meta.name) from None
            sheets.append(RawSheet(
                name=meta.name,
                rows=rows,
                hidden=meta.visible != SheetVisibleEnum.Visible,
                truncated=truncated,
            ))
    if not sheets:
        raise ReadError(f"Le fichier « {name} » ne contient aucune feuille de calcul.")
    if not any_cell:
        raise ReadError(f"Le fichier « {name} » ne contient aucune donnée (toutes ses feuilles sont vides).")
    return Workbook(filename=name, format=kind, sheets=sheets)


def _empty_to_none(rows: list[list[Any]]) -> None:
    """Replace calamine's "" (empty and error cells) by None, in place.

    ``list.index`` finds the first empty cell of a row in C; only the rest of that row is
    walked in Python. This was the fastest of the variants measured (dict-lookup ``map``,
    list comprehensions, numpy masks): about 0.045 s on 100,000 x 15.
    """
    empty = _EMPTY
    for row in rows:
        try:
            first = row.index(empty)
        except ValueError:
            continue
        row[first] = None
        for j in range(first + 1, len(row)):
            if row[j] is empty:
                row[j] = None


def _reraise_fatal(exc: BaseException) -> None:
    if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit)):
        raise exc
    if isinstance(exc, MemoryError):
        raise exc


def _calamine_error(path: Path, kind: str, exc: BaseException, sheet: str | None) -> ReadError:
    name = path.name
    detail = f"{type(exc).__name__}: {exc}"
    where = f"La feuille « {sheet} » du fichier « {name} »" if sheet else f"Le fichier « {name} »"
    if isinstance(exc, PasswordError):
        return ReadError(
            f"Le fichier « {name} » est protégé par un mot de passe : enregistrez-le sans mot "
            "de passe puis importez-le à nouveau.",
            detail=detail,
        )
    if kind == "xls" and sheet is None:
        # An OLE2 container that is not an xls workbook: tell what it is when we can.
        try:
            data = path.read_bytes()
        except OSError:
            data = b""
        if _ENCRYPTED_PACKAGE in data:
            return ReadError(
                f"Le fichier « {name} » est protégé par un mot de passe : enregistrez-le sans "
                "mot de passe puis importez-le à nouveau.",
                detail=detail,
            )
        if _WORD_DOCUMENT in data:
            return _unsupported(path, "un document Word")
        if "Cfb" in str(exc):  # a valid OLE2 header, a broken container: cut or damaged
            return ReadError(
                f"Le fichier « {name} » est endommagé (fichier Excel 97-2003 tronqué ou abîmé) : "
                "renvoyez le fichier d'origine.",
                detail=detail,
            )
        return ReadError(
            f"Le fichier « {name} » n'est pas un classeur lisible (format non reconnu ou "
            f"fichier endommagé). Formats acceptés : {_ACCEPTED_TEXT}.",
            detail=detail,
        )
    label = _FORMAT_LABELS.get(kind, kind)
    if isinstance(exc, (ZipError, XmlError)):
        return ReadError(
            f"{where} est endommagé{'e' if sheet else ''} : son contenu {label} est illisible.",
            detail=detail,
        )
    if isinstance(exc, CalamineError) and "Cannot detect file format" in str(exc):
        return ReadError(
            f"Le fichier « {name} » n'est pas un classeur lisible (format non reconnu).",
            detail=detail,
        )
    return ReadError(
        f"{where} n'a pas pu être lu{'e' if sheet else ''} : fichier {label} endommagé ou "
        "non pris en charge.",
        detail=detail,
    )


# --- CSV / TXT ----------------------------------------------------------------------------


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


def _read_text(path: Path, max_rows: int | None, max_cells: int | None) -> Workbook:
    name = path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReadError(f"Le fichier « {name} » n'a pas pu être lu.", detail=str(exc)) from None
    text, encoding = _decode(data)
    del data
    if not text.strip():
        raise ReadError(f"Le fichier « {name} » est vide.")
    if "\x00" in text[:_SNIFF_CHARS]:
        raise _unsupported(path, None)
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
    delimiter = _sniff_delimiter(text)
    if delimiter is None:
        raise ReadError(
            f"Le fichier « {name} » ne contient pas de tableau lisible : aucun séparateur "
            "(« ; », « , » ou tabulation) ne découpe ses lignes en colonnes de façon régulière."
        )

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
    if not truncated and not any(any(cell is not None for cell in row) for row in rows):
        raise ReadError(f"Le fichier « {name} » est vide.")
    sheet = RawSheet(name=path.stem or name, rows=rows, truncated=truncated)
    return Workbook(filename=name, format="csv", sheets=[sheet], encoding=encoding,
                    delimiter=delimiter)


# --- garbage collector pause --------------------------------------------------------------

_gc_lock = threading.Lock()
_gc_depth = 0
_gc_was_enabled = False


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic GC while building large lists of lists (nothing here makes cycles).

    Every few hundred new lists the collector would otherwise walk all the rows built so far;
    on 100,000 rows that is about 10 % of the read. Nested and thread-safe: the collector is
    enabled again when the last reader leaves, if it was enabled when the first one came.
    """
    global _gc_depth, _gc_was_enabled
    with _gc_lock:
        if _gc_depth == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_depth += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_depth -= 1
            if _gc_depth == 0 and _gc_was_enabled:
                gc.enable()
