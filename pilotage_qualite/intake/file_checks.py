"""Cheap checks of a spreadsheet container before any parser opens it (crafted files).

Only the archive's directory and the first bytes of its XML parts are read, so the checks cost
about a millisecond on a 100,000-row xlsx. They refuse, with a French message:

* a zip whose entries announce an absurd expansion: too many entries, a part more than
  :data:`MAX_RATIO` times larger than its compressed size (a zip bomb; real xlsx parts stay
  under 20x), or a total over the configured cap (checked by :mod:`file_formats` itself);
* an XML part that declares a DTD (``<!DOCTYPE`` / ``<!ENTITY``): entity expansion (« billion
  laughs ») and external entities (``file:///etc/passwd``). A DTD may only appear in the
  prolog, before the root element, so reading up to the root element is enough; a prolog too
  long to reach it within :data:`PROLOG_BYTES` is refused as well;
* a sheet whose ``<dimension ref>`` announces more cells than the reader accepts (a cell at
  XFD1048576 with one at A1 makes python-calamine allocate 512 GiB and abort);
* macros: a VBA project (xlsm/xlsb ``vbaProject.bin``, xls ``_VBA_PROJECT_CUR``), Excel 4.0
  macro sheets, OpenDocument Basic or scripts. The product only reads cell values and never
  needs macros, but it keeps each original file and offers it for download to every reader:
  a macro workbook must not enter that way.

What cannot be checked cheaply (a zip that lies about its sizes, ODS repeated rows, an xls
whose records announce a huge sheet) is left to the child process bounded in memory and time
(:mod:`pilotage_qualite.intake.sandbox`).
"""

from __future__ import annotations

import codecs
import html
import re
import zipfile
from pathlib import Path

MAX_ENTRIES = 10_000
MAX_RATIO = 100
RATIO_FLOOR_BYTES = 1 << 20  # small parts may compress very well and cost nothing
PROLOG_BYTES = 64 * 1024
# A declared range larger than this is refused whatever the reader's own limits (about 640 MB
# of python-calamine cells; a 100,000 x 15 sheet is 1.5 million).
MAX_DECLARED_CELLS = 20_000_000
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref\s*=\s*[\"']\$?([A-Za-z]{1,3})\$?(\d{1,8})"
                        rb"(?::\$?([A-Za-z]{1,3})\$?(\d{1,8}))?[\"']")
_VBA_OLE_STREAM = "_VBA_PROJECT_CUR".encode("utf-16-le")


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
    columns, rows = _column_number(letters), int(row)
    if rows * columns > max_cells:
        corner = f"{letters.decode().upper()}{rows}"
        sheet = _sheet_names(archive).get(part, part)
        raise SuspiciousFile(f"La feuille « {sheet} » du fichier « {name} » est trop grande : elle déclare "
                             f"s'étendre jusqu'à la cellule {corner} ({rows} lignes × {columns} colonnes ; "
                             f"au plus {max_cells:,} cellules).".replace(",", " "))


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
