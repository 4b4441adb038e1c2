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

Limits against crafted files (see also :mod:`pilotage_qualite.intake.file_checks`, run on every
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

Modules: this one reads any file; :mod:`.file_formats` tells what kind of file it is,
:mod:`.protected_files` decrypts a workbook encrypted with Excel's default password,
:mod:`.spreadsheet_reader` and :mod:`.text_reader` read each kind, and :mod:`.raw_sheets`
holds the result's types and :func:`~.raw_sheets.to_columns`.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from pilotage_qualite.intake.file_checks import SuspiciousFile, check_container
from pilotage_qualite.intake.file_formats import sniff_kind
from pilotage_qualite.intake.gc_pause import gc_paused
from pilotage_qualite.intake.protected_files import decrypt_with_default_password
from pilotage_qualite.intake.raw_sheets import ReadError, Workbook
from pilotage_qualite.intake.spreadsheet_reader import read_spreadsheet
from pilotage_qualite.intake.text_reader import read_text

__all__ = [
    "DEFAULT_MAX_CELLS",
    "DEFAULT_MAX_UNCOMPRESSED_BYTES",
    "HEADER_SCAN_ROWS",
    "read_file",
    "read_head",
]

# The header row is looked for among the first rows of each sheet (datasets.md).
HEADER_SCAN_ROWS = 30
# Refuse a sheet larger than this many cells (rows x columns, counted from A1): a single cell
# at the sheet's far corner, or a sheet far bigger than any real export. 100,000 x 15 is 1.5M.
DEFAULT_MAX_CELLS = 20_000_000
# Refuse a zip archive (xlsx, xlsb, ods) that declares more uncompressed bytes than this.
# A 100,000 x 15 xlsx unpacks to about 70 MB.
DEFAULT_MAX_UNCOMPRESSED_BYTES = 1 << 30


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
    return _read_content(path, head, max_rows, max_cells, max_uncompressed, decrypted=False)


def _read_content(path: Path, head: bytes, max_rows: int | None, max_cells: int | None,
                  max_uncompressed: int | None, *, decrypted: bool) -> Workbook:
    """Read a file whose first bytes are ``head``; an encrypted workbook is read once decrypted
    with Excel's default password (``decrypted``: this is that decrypted copy, not to decrypt again)."""
    name = path.name
    kind = sniff_kind(head, path, max_uncompressed)
    if kind == "xls" and not decrypted:
        content = decrypt_with_default_password(path)
        if content is not None:
            with tempfile.TemporaryDirectory(prefix="pilotage-dechiffre-") as folder:
                copy = Path(folder) / name  # every check again, on the workbook itself
                copy.write_bytes(content)
                return _read_content(copy, content[:4096], max_rows, max_cells, max_uncompressed, decrypted=True)
    if kind != "text":  # zip bombs, XML entities, an absurd sheet size, macros: before calamine
        try:
            check_container(path, kind, max_cells=max_cells)
        except SuspiciousFile as exc:
            raise ReadError(str(exc)) from None
    try:
        with gc_paused():
            if kind == "text":
                return read_text(path, max_rows, max_cells)
            return read_spreadsheet(path, kind, max_rows, max_cells)
    except ReadError:
        raise
    except MemoryError:
        raise ReadError(
            f"Le fichier « {name} » est trop volumineux pour être lu en mémoire."
        ) from None


def read_head(path: str | Path, rows: int = HEADER_SCAN_ROWS, **limits: Any) -> Workbook:
    """The first ``rows`` rows of every sheet: enough to find the header row and the dataset."""
    return read_file(path, max_rows=rows, **limits)
