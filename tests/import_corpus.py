"""Helpers of the import corpus (tests/test_import.py): untidy files built on the fly.

Files are written the way the quality lead's tools write them: openpyxl for xlsx (real date
cells, French number formats), CSV in cp1252 with ";" and decimal commas (Excel « CSV
(séparateur : point-virgule) » with French settings), UTF-8 with BOM (Excel « CSV UTF-8 »),
and LibreOffice conversions (ods, xls, csv) when LibreOffice is installed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import shutil
import subprocess
from pathlib import Path
from typing import Any, Iterable, Sequence

import openpyxl
import pandas as pd
import pytest

from pilotage_qualite.declarations import load_datasets
from pilotage_qualite.importer import Limits, PreparedImport, prepare_file
from pilotage_qualite.store import Store

D = dt.date
DATASETS = load_datasets()
SECRET = b"corpus-secret-0123456789abcdef!!"
LIMITS = Limits(max_bytes=50_000_000, max_rows=1_000_000)

SOFFICE = shutil.which("soffice")
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) n'est pas installé : "
                                                           "les conversions ods/xls/csv ne peuvent pas être testées")

# A LibreOffice user profile with French settings (decimal comma, day-first dates).
_FRENCH_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
           xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" oor:op="fuse"><value>fr-FR</value></prop></item>
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooLocale" oor:op="fuse"><value>fr-FR</value></prop></item>
</oor:items>
"""
# Excel's French date format, as a cell written by Excel with French settings carries it.
FRENCH_DATE = "DD/MM/YYYY"


# --- writing files -------------------------------------------------------------------------

def xlsx(path: Path, *sheets: tuple[str, Sequence[Sequence[Any]]]) -> Path:
    """A workbook with the given sheets, in order; dates become real date cells (dd/mm/yyyy)."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets:
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, dt.datetime):
                    cell.number_format = FRENCH_DATE + " hh:mm"
                elif isinstance(cell.value, dt.date):
                    cell.number_format = FRENCH_DATE
    workbook.save(path)
    return path


def csv_file(path: Path, rows: Iterable[Sequence[Any]], *, encoding: str = "cp1252", delimiter: str = ";",
             bom: bool = False) -> Path:
    """A CSV as Excel writes it: CRLF, minimal quoting; None is an empty field."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    data = buffer.getvalue().encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def libreoffice(source: Path, target: str, outdir: Path) -> Path:
    """Convert with LibreOffice (headless, French profile of its own): target "ods", "xls",
    "xlsx" or "csv" (cp1252, ";", as a French user saves it)."""
    profile = outdir / "profil-libreoffice"
    if not profile.exists():
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(_FRENCH_PROFILE, encoding="utf-8")
    filters = {"csv": "csv:Text - txt - csv (StarCalc):59,34,1,1", "xlsx": "xlsx:Calc MS Excel 2007 XML"}
    subprocess.run([SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to",
                    filters.get(target, target), "--outdir", str(outdir), str(source)],
                   check=True, capture_output=True, timeout=180)
    converted = outdir / f"{source.stem}.{target}"
    assert converted.exists(), f"LibreOffice n'a pas produit {converted.name}"
    return converted


# --- importing -----------------------------------------------------------------------------

def prepare(path: Path, **options) -> PreparedImport:
    return prepare_file(path, DATASETS, secret=SECRET, limits=LIMITS, **options)


def new_store(folder: Path) -> Store:
    store = Store(folder / "base.duckdb", DATASETS, kept_files_dir=folder / "fichiers", busy_timeout_s=10)
    store.initialise()
    return store


def load(store: Store, path: Path, **options) -> tuple[PreparedImport, int | None]:
    """Prepare then apply one file, as the app does once the user confirms."""
    prepared = prepare(path, **options)
    import_id, _ = store.apply(prepared.batch, user="qualite")
    return prepared, import_id


def plain(value: Any) -> Any:
    """A stored value as a plain Python value: dates as date, missing as None."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if hasattr(value, "item"):  # numpy scalars
        return plain(value.item())
    return value


def rows_of(frame: pd.DataFrame, columns: Sequence[str]) -> list[tuple]:
    """Selected columns of a frame, row by row, ordered by `_ligne` when present."""
    if "_ligne" in frame.columns:
        frame = frame.sort_values(["_import_id", "_ligne"] if "_import_id" in frame.columns else "_ligne")
    return [tuple(plain(v) for v in row) for row in frame[list(columns)].itertuples(index=False)]


def live(store: Store, dataset: str, columns: Sequence[str]) -> list[tuple]:
    return rows_of(store.live_rows(dataset), columns)


def assert_rejected(rejected: pd.DataFrame, expected: list[tuple[int, str, str, str]]) -> None:
    """Rejected rows: (row number as the spreadsheet shows it, header as written, raw value,
    fragment of the French message), in row then column order."""
    actual = [(int(r.ligne), r.colonne, r.valeur) for r in rejected.itertuples()]
    assert actual == [e[:3] for e in expected]
    for row, (line, header, _, fragment) in zip(rejected.itertuples(), expected):
        assert row.message.startswith(f"Ligne {line}, colonne « {header} » : "), row.message
        assert fragment in row.message, (fragment, row.message)


def database_text(store: Store) -> str:
    """Every value of every table of the database, as text (to look for personal data)."""
    parts = []
    with store.connect() as conn:
        tables = [t for (t,) in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'").fetchall()]
        for table in tables:
            for row in conn.execute(f'SELECT * FROM "{table}"').fetchall():
                parts.extend("" if v is None else str(v) for v in row)
    return "\n".join(parts)
