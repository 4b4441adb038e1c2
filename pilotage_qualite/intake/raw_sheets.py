"""What the readers give: sheets of raw cells (plain, picklable data) and their French error.

The contract of the rows and cells is in :mod:`pilotage_qualite.intake.readers`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pilotage_qualite.intake.gc_pause import gc_paused


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
    """One sheet: its name and its cells, row by row (see :mod:`pilotage_qualite.intake.readers`)."""

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


def to_columns(rows: list[list[Any]], header_index: int) -> list[tuple[Any, ...]]:
    """The cells below the header row, column by column (one tuple per column of the sheet).

    ``rows`` must be rectangular, as the readers give them. ``zip(*rows)`` with the garbage
    collector paused was the fastest way measured to get per-column sequences (100,000 x 15:
    0.034 s, against 0.046 s for ``pandas.DataFrame(rows, dtype=object)`` and 0.07 s for
    ``numpy.array(rows, dtype=object).T``; with the collector running, zip takes 0.13 s).
    """
    width = len(rows[header_index]) if 0 <= header_index < len(rows) else 0
    body = rows[header_index + 1:]
    if not body:
        return [() for _ in range(width)]
    with gc_paused():
        return list(zip(*body))
