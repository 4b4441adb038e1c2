"""Cheap checks of a spreadsheet container before any parser opens it (crafted files).

Only the archive's directory and the first bytes of its XML parts are read, so the checks cost
about a millisecond on a 100,000-row xlsx (an xls's records, and a sheet whose declared size is
suspicious, are scanned). They refuse, with a French message:

* a zip whose entries announce an absurd expansion: too many entries, a part that unpacks to
  more than :data:`RATIO_FLOOR_BYTES` *and* more than :data:`MAX_RATIO` times its compressed
  size (a zip bomb inflates 1.5 MB to hundreds of MB; real parts stay under 20x, but long
  repeated text cells reach 140x, harmless while the part stays small), or a total over the
  configured cap (checked by :mod:`file_formats` itself);
* an XML part that declares a DTD (``<!DOCTYPE`` / ``<!ENTITY``): entity expansion (« billion
  laughs ») and external entities (``file:///etc/passwd``). A DTD may only appear in the
  prolog, before the root element, so reading up to the root element is enough; a prolog too
  long to reach it within :data:`PROLOG_BYTES` is refused as well;
* a sheet whose cells reach further than the reader accepts (a cell at XFD1048576 with one at
  A1 makes python-calamine allocate 512 GiB and abort). Its ``<dimension ref>`` is only a hint,
  often false: only when it announces too many cells is the sheet's XML scanned for the cell
  that really lies furthest;
* an xls sheet whose cells span a range far larger than what they fill (cells at the corners
  of a sheet make python-calamine build a 65,536 x 256 grid, 1.2 GB, for a 5 KB file): its
  records are scanned before python-calamine builds the grid;
* macros: a VBA project (xlsm/xlsb ``vbaProject.bin``, xls ``_VBA_PROJECT_CUR``), Excel 4.0
  macro sheets, OpenDocument Basic or scripts. The product only reads cell values and never
  needs macros, but it keeps each original file and offers it for download to every reader:
  a macro workbook must not enter that way.

What cannot be checked cheaply (a zip that lies about its sizes, ODS repeated rows) is left to
the child process bounded in memory and time (:mod:`pilotage_qualite.intake.sandbox`).
"""

from __future__ import annotations

import codecs
import html
import re
import struct
import zipfile
from pathlib import Path
from typing import Iterator

MAX_ENTRIES = 10_000
MAX_RATIO = 100
RATIO_FLOOR_BYTES = 50 * 2**20  # below this a part costs little however well it compressed
PROLOG_BYTES = 64 * 1024
# A declared range larger than this is refused whatever the reader's own limits (about 640 MB
# of python-calamine cells; a 100,000 x 15 sheet is 1.5 million).
MAX_DECLARED_CELLS = 20_000_000
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref\s*=\s*[\"']\$?([A-Za-z]{1,3})\$?(\d{1,8})"
                        rb"(?::\$?([A-Za-z]{1,3})\$?(\d{1,8}))?[\"']")
# A cell's reference attribute (``<c r="B7">``); row elements have digits only and never match.
_CELL_REFERENCE = re.compile(rb"\br\s*=\s*[\"']\$?([A-Za-z]{1,3})\$?(\d{1,8})[\"']")
_SCAN_CHUNK = 1 << 20
_VBA_OLE_STREAM = "_VBA_PROJECT_CUR".encode("utf-16-le")
_TWO_WORDS = struct.Struct("<HH")  # a BIFF record's type and size; a cell's row and column
_RECORD_AND_CELL = struct.Struct("<HHHH")  # a record's type and size, then a cell's row and column
# An xls sheet spanning more cells than this from A1 must fill at least one cell in SPARSE_SHARE
# (python-calamine holds about 70 bytes per cell of the range; 1 million cells is 70 MB).
SPARSE_FLOOR_CELLS = 1_000_000
SPARSE_SHARE = 100
_BIFF_BOF, _BIFF_EOF, _BIFF_BOUNDSHEET, _BIFF_WORKSHEET, _BIFF_MULRK = 0x0809, 0x000A, 0x0085, 0x0010, 0x00BD
_BIFF8_VERSION = 0x0600
# BIFF5-8 records holding one cell's value, each opening with its row and column (formula,
# rich string, shared string, number, label, boolean or error, RK number). Blank cells
# (formatting only) are left out, as python-calamine leaves them out of the range.
_BIFF_CELLS = frozenset({0x0006, 0x00D6, 0x00FD, 0x0203, 0x0204, 0x0205, 0x027E})


class SuspiciousFile(Exception):
    """The file is refused before parsing; ``str()`` is French and names the file."""


def check_container(path: Path, kind: str, *, max_cells: int | None) -> None:
    """Refuse a crafted or macro-bearing container of ``kind`` ("xlsx", "xlsb", "ods", "xls").

    A sheet is too large when its declared range, counted from A1, holds more than
    ``max_cells`` cells (at least :data:`MAX_DECLARED_CELLS`; None: no limit). The reader's ``max_rows``
    does not reduce it: python-calamine builds the whole range even to read a few rows.
    """
    if kind == "xls":
        _check_ole(path)
        _check_xls_ranges(path)
    elif kind in ("xlsx", "xlsb", "ods"):
        try:
            with zipfile.ZipFile(path) as archive:
                cap = None if max_cells is None else max(max_cells, MAX_DECLARED_CELLS)
                _check_zip(path.name, archive, cap)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, KeyError):
            return  # readers reports a damaged archive itself


def _refused(name: str, why: str) -> SuspiciousFile:
    return SuspiciousFile(f"Le fichier « {name} » est refusé : {why}.")


def _check_ole(path: Path) -> None:
    with path.open("rb") as handle:
        data = handle.read()
    if _VBA_OLE_STREAM in data:
        raise _macros(path.name)


def _check_xls_ranges(path: Path) -> None:
    """Refuse an xls whose sheet spans a range it hardly fills (see :data:`SPARSE_FLOOR_CELLS`)."""
    import olefile  # only for .xls: the pages that import this module never pay for it

    try:
        with olefile.OleFileIO(str(path)) as ole:
            stream = next((name for name in ("Workbook", "Book") if ole.exists(name)), None)
            data = ole.openstream(stream).read() if stream else b""
    except Exception:  # noqa: BLE001 - a broken container: python-calamine tells what is wrong
        return
    for start, cells, rows, columns in _biff_sheet_ranges(data):
        if rows * columns > SPARSE_FLOOR_CELLS and cells * SPARSE_SHARE < rows * columns:
            sheet = _biff_sheet_names(data).get(start, "?")
            raise SuspiciousFile(
                f"La feuille « {sheet} » du fichier « {path.name} » est trop grande pour ce qu'elle contient : "
                f"elle s'étend sur {_spaced(rows)} lignes × {columns} colonnes pour {_spaced(cells)} cellules "
                "remplies. Effacez les cellules isolées loin du tableau puis importez-le à nouveau.")


def _spaced(number: int) -> str:
    return f"{number:,}".replace(",", " ")


def _biff_records(data: bytes) -> Iterator[tuple[int, int, int]]:
    """Each record of a BIFF stream: where it starts, its type, its size (a cut record ends it)."""
    position = 0
    while position + 4 <= len(data):
        kind, size = _TWO_WORDS.unpack_from(data, position)
        if position + 4 + size > len(data):
            return
        yield position, kind, size
        position += 4 + size


def _biff_sheet_names(data: bytes) -> dict[int, str]:
    """Sheet names by the offset of their BOF record, from the BOUNDSHEET records (for messages)."""
    names, biff8 = {}, False
    for position, kind, size in _biff_records(data):
        body = position + 4
        if kind == _BIFF_BOF and size >= 4:
            biff8 = _TWO_WORDS.unpack_from(data, body)[0] == _BIFF8_VERSION
        elif kind == _BIFF_EOF:
            break
        elif kind == _BIFF_BOUNDSHEET and size >= 7:
            start, length = struct.unpack_from("<I2xB", data, body)
            if biff8:  # a flag byte, then the name in latin-1 ("compressed") or UTF-16
                wide = size >= 8 and data[body + 7] & 1
                name = data[body + 8:body + size].decode("utf-16-le" if wide else "latin-1", "replace")
            else:
                name = data[body + 7:body + size].decode("cp1252", "replace")
            names[start] = name[:length]
    return names


def _biff_sheet_ranges(data: bytes) -> Iterator[tuple[int, int, int, int]]:
    """For each worksheet of a BIFF5-8 workbook stream: where its BOF starts, its filled cells, and
    the rows and columns its range spans from A1. A record cut by the stream's end ends the scan.

    One loop reading each record's type, size and first two words at once: 0.2 s for the 900,000
    cells of a 13 MB xls, which python-calamine reads in about 0.25 s.
    """
    padded = data + bytes(4)  # a record without body at the very end is read 8 bytes wide too
    read = _RECORD_AND_CELL.unpack_from
    position, length, in_sheet = 0, len(data), False
    start = cells = rows = columns = 0
    while position + 4 <= length:
        kind, size, row, column = read(padded, position)  # for a BOF: its version, then its type
        following = position + 4 + size
        if following > length:
            return
        if kind in _BIFF_CELLS:  # the hot path: one record per cell
            if in_sheet and size >= 4:
                cells += 1
                if row >= rows:
                    rows = row + 1
                if column >= columns:
                    columns = column + 1
        elif kind == _BIFF_MULRK and in_sheet and size >= 6:  # cells up to the last column, which ends it
            last = max(_TWO_WORDS.unpack_from(data, following - 4)[1], column)
            cells += last - column + 1
            if row >= rows:
                rows = row + 1
            if last >= columns:
                columns = last + 1
        elif kind == _BIFF_BOF and size >= 4:
            in_sheet, start, cells, rows, columns = column == _BIFF_WORKSHEET, position, 0, 0, 0
        elif kind == _BIFF_EOF and in_sheet:
            in_sheet = False
            yield start, cells, rows, columns
        position = following


def _macros(name: str) -> SuspiciousFile:
    return _refused(name, "il contient des macros, que l'application n'exécute ni ne conserve. "
                          "Enregistrez-le dans Excel au format « Classeur Excel (.xlsx) » (sans macros) "
                          "puis importez-le à nouveau")


def _check_zip(name: str, archive: zipfile.ZipFile, max_cells: int | None) -> None:
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        raise _refused(name, f"son archive compte {len(infos)} éléments (au plus {MAX_ENTRIES})")
    for info in infos:
        lowered = info.filename.lower()
        if (lowered.endswith("vbaproject.bin") or lowered.startswith(("xl/macrosheets/", "basic/", "scripts/"))):
            raise _macros(name)
        if info.file_size > RATIO_FLOOR_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise _refused(name, f"l'élément « {info.filename} » se décompresse {info.file_size // max(info.compress_size, 1)} "
                                 f"fois (au plus {MAX_RATIO} fois) : c'est une « bombe de décompression »")
    for info in infos:
        if info.is_dir() or not info.filename.lower().endswith(_XML_SUFFIXES):
            continue
        with archive.open(info) as part:
            head = part.read(PROLOG_BYTES)
        problem = _prolog_problem(head)
        if problem:
            raise _refused(name, f"l'élément « {info.filename} » {problem}")
        if max_cells is not None and info.filename.lower().startswith("xl/worksheets/"):
            _check_dimension(name, archive, info.filename, head, max_cells)


def _prolog_problem(head: bytes) -> str | None:
    """Why an XML part's prolog is refused (a DTD, or too long to check), or None."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = head.decode("utf-16", "replace")
    else:
        text = head.decode("utf-8", "replace")
    text = text.lstrip("\ufeff")
    position, size = 0, len(text)
    while True:
        while position < size and text[position] in " \t\r\n":
            position += 1
        if position >= size:
            return None if len(head) < PROLOG_BYTES else "a un prologue XML anormalement long"
        if text.startswith("<?", position):
            marker = "?>"
        elif text.startswith("<!--", position):
            marker = "-->"
        elif text.startswith("<!", position):
            return ("déclare une DTD ou des entités XML (<!DOCTYPE, <!ENTITY) : procédé d'attaque "
                    "(expansion d'entités, lecture de fichiers du serveur)")
        else:
            return None  # the root element: no DTD can follow
        end = text.find(marker, position)
        if end < 0:
            return "a un prologue XML anormalement long" if len(head) >= PROLOG_BYTES else None
        position = end + len(marker)


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


def _check_dimension(name: str, archive: zipfile.ZipFile, part: str, head: bytes, max_cells: int) -> None:
    found = _DIMENSION.search(head)
    if not found:
        return
    letters, row = (found.group(3), found.group(4)) if found.group(3) else (found.group(1), found.group(2))
    if int(row) * _column_number(letters) <= max_cells:
        return
    furthest = _furthest_cell(archive, part, max_cells)
    if furthest is None:
        return  # a false declaration (some writers leave a huge one): the cells themselves fit
    letters, rows = furthest
    columns = _column_number(letters)
    sheet = _sheet_names(archive).get(part, part)
    raise SuspiciousFile(f"La feuille « {sheet} » du fichier « {name} » est trop grande : elle s'étend "
                         f"jusqu'à la cellule {letters.decode().upper()}{rows} ({rows} lignes × {columns} "
                         f"colonnes ; au plus {max_cells:,} cellules).".replace(",", " "))


def _furthest_cell(archive: zipfile.ZipFile, part: str, max_cells: int) -> tuple[bytes, int] | None:
    """The last column's letters and the last row of a sheet's cells once they span more than
    ``max_cells`` from A1 (the scan stops there); None when they never do."""
    last_row, last_column, letters = 0, 0, b"A"
    tail = b""
    with archive.open(part) as stream:
        while chunk := stream.read(_SCAN_CHUNK):
            text = tail + chunk
            for found in _CELL_REFERENCE.finditer(text):
                column = _column_number(found.group(1))
                if column > last_column:
                    last_column, letters = column, found.group(1)
                last_row = max(last_row, int(found.group(2)))
            if last_row * last_column > max_cells:
                return letters, last_row
            tail = text[-64:]  # a reference cut between two chunks is seen whole in the next text
    return None


def _attribute(tag: str, attribute: str) -> str | None:
    found = re.search(rf"\b(?:\w+:)?{attribute}\s*=\s*[\"']([^\"']*)[\"']", tag)
    return html.unescape(found.group(1)) if found else None


def _sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part -> the sheet's name, from xl/workbook.xml and its relationships (for messages)."""
    try:
        workbook = archive.read("xl/workbook.xml")[:PROLOG_BYTES * 16].decode("utf-8", "replace")
        relations = archive.read("xl/_rels/workbook.xml.rels")[:PROLOG_BYTES * 16].decode("utf-8", "replace")
    except (KeyError, OSError, zipfile.BadZipFile):
        return {}
    targets = {}
    for tag in re.findall(r"<(?:\w+:)?Relationship\b[^>]*>", relations):
        ident, target = _attribute(tag, "Id"), _attribute(tag, "Target")
        if ident and target:
            targets[ident] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    names = {}
    for tag in re.findall(r"<(?:\w+:)?sheet\b[^>]*>", workbook):
        sheet, ident = _attribute(tag, "name"), _attribute(tag, "id")
        if sheet and ident in targets:
            names[targets[ident]] = sheet
    return names
