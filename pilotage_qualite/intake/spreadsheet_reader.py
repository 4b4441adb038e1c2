"""Reading workbooks (xlsx, xlsm, xlsb, xls, ods) with python-calamine into raw sheets.

Cells keep the types python-calamine gives; its empty strings (empty and error cells) become
``None``. A sheet larger than ``max_cells`` is refused before its cells become Python objects,
and every library failure becomes a French :class:`ReadError`.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

from python_calamine import (
    CalamineError,
    CalamineSheet,
    CalamineWorkbook,
    PasswordError,
    SheetTypeEnum,
    SheetVisibleEnum,
    XmlError,
    ZipError,
)

from pilotage_qualite.intake.file_formats import ACCEPTED_TEXT, ODS_MEDIA_TYPE, ODS_MIMETYPE_ENTRY, unsupported
from pilotage_qualite.intake.protected_files import password_protected
from pilotage_qualite.intake.raw_sheets import RawSheet, ReadError, Workbook

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
_WORKBOOK_STREAMS = ("Workbook", "Book")  # Excel 97-2003, Excel 5/95: python-calamine's order
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
_WORD_DOCUMENT = "WordDocument".encode("utf-16-le")

_EMPTY = ""  # CPython's empty str is a singleton: calamine's empty cells are this object


def read_spreadsheet(path: Path, kind: str, max_rows: int | None, max_cells: int | None) -> Workbook:
    """Every worksheet of the workbook at ``path`` (``kind`` as found from its content)."""
    name = path.name
    try:
        book = _open(path, kind)
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
                any_cell |= end is not None
                rows, truncated = _sheet_rows(sheet, end, f"La feuille « {meta.name} » du fichier « {name} »",
                                              max_rows, max_cells)
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


def _open(path: Path, kind: str) -> CalamineWorkbook:
    if kind == "ods" and _lacks_mimetype(path):
        return CalamineWorkbook.from_filelike(_with_ods_mimetype(path))
    if kind == "xls" and (main_only := _without_embedded_workbooks(path)) is not None:
        return CalamineWorkbook.from_filelike(io.BytesIO(main_only))
    if path.suffix.lower() in _CALAMINE_EXTENSIONS[kind]:
        return CalamineWorkbook.from_path(path)
    with path.open("rb") as handle:  # a renamed file: let calamine detect the format from the bytes
        return CalamineWorkbook.from_filelike(handle)


def _lacks_mimetype(path: Path) -> bool:
    with zipfile.ZipFile(path) as archive:
        return ODS_MIMETYPE_ENTRY not in archive.namelist()


def _with_ods_mimetype(path: Path) -> io.BytesIO:
    """The archive with the mimetype entry OpenDocument makes optional but python-calamine requires."""
    buffer = io.BytesIO(path.read_bytes())
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr(ODS_MIMETYPE_ENTRY, ODS_MEDIA_TYPE)
    buffer.seek(0)
    return buffer


def _without_embedded_workbooks(path: Path) -> bytes | None:
    """The xls file with every workbook stream but its own renamed; None when it embeds none.

    python-calamine reads the first stream named Workbook (else Book) found anywhere in the OLE2
    container: an Excel 5/95 workbook (its stream is Book) that embeds an Excel 97 one (a
    Workbook stream inside the object's storage) would be read as the embedded one.
    """
    import olefile  # only for .xls: the pages that import this module never pay for it

    try:
        with olefile.OleFileIO(str(path)) as ole:
            main = next((kid.sid for name in _WORKBOOK_STREAMS for kid in ole.root.kids if kid.name == name), None)
            size, chain, sector = ole.sectorsize, [], ole.first_dir_sector
            while sector < len(ole.fat) and len(chain) < len(ole.fat):  # the directory's sectors
                chain.append(sector)
                sector = ole.fat[sector]
    except Exception:  # noqa: BLE001 - a broken container: python-calamine tells what is wrong
        return None
    data = bytearray(path.read_bytes())
    entries_per_sector, renamed = size // 128, False
    for entry in range(len(chain) * entries_per_sector):
        offset = (chain[entry // entries_per_sector] + 1) * size + entry % entries_per_sector * 128
        name_bytes = int.from_bytes(data[offset + 64:offset + 66], "little")
        name = data[offset:offset + max(name_bytes - 2, 0)].decode("utf-16-le", "replace")
        if entry != main and name in _WORKBOOK_STREAMS:
            data[offset:offset + 2] = "_".encode("utf-16-le")
            renamed = True
    return bytes(data) if renamed else None


def _sheet_rows(sheet: CalamineSheet, end: tuple[int, int] | None, where: str, max_rows: int | None,
                max_cells: int | None) -> tuple[list[list[Any]], bool]:
    """The first ``max_rows`` rows (all if None) of a sheet whose last cell is ``end``, and
    whether rows were left out."""
    if end is None:
        return [], False
    height, width = end[0] + 1, end[1] + 1
    kept = height if max_rows is None else min(height, max_rows)
    if max_cells is not None and kept * width > max_cells:
        raise ReadError(
            f"{where} est trop grande "
            f"({height} lignes × {width} colonnes ; au plus "
            f"{max_cells:,} cellules).".replace(",", " ")
        )
    rows = sheet.to_python(skip_empty_area=False, nrows=kept) if kept else []
    _empty_to_none(rows)
    return rows, kept < height


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
        return password_protected(name, detail=detail)
    if kind == "xls" and sheet is None:
        return _not_an_xls_workbook(path, exc, detail)
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


def _not_an_xls_workbook(path: Path, exc: BaseException, detail: str) -> ReadError:
    """An OLE2 container that is not an xls workbook: tell what it is when we can."""
    name = path.name
    try:
        data = path.read_bytes()
    except OSError:
        data = b""
    if _ENCRYPTED_PACKAGE in data:
        return password_protected(name, detail=detail)
    if _WORD_DOCUMENT in data:
        return unsupported(path, "un document Word")
    if "Cfb" in str(exc):  # a valid OLE2 header, a broken container: cut or damaged
        return ReadError(
            f"Le fichier « {name} » est endommagé (fichier Excel 97-2003 tronqué ou abîmé) : "
            "renvoyez le fichier d'origine.",
            detail=detail,
        )
    return ReadError(
        f"Le fichier « {name} » n'est pas un classeur lisible (format non reconnu ou "
        f"fichier endommagé). Formats acceptés : {ACCEPTED_TEXT}.",
        detail=detail,
    )
