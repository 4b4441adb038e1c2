"""Mixed columns read cell for cell as python-calamine gives them (pilotage_qualite.intake.readers).

A column-typed reader (fastexcel, Arrow) infers one type per column and coerces or nulls the
cells that disagree: dates written as text, « 3,5 » among numbers, « NA » or « ne sait pas »
among empty cells, text after a thousand numbers. Whatever reads the workbook, these columns
must come back exactly as python-calamine reads them: same value, same Python type, empty and
error cells as None.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook as OpenpyxlWorkbook
from python_calamine import CalamineWorkbook

from pilotage_qualite.intake.readers import read_file

TITLE_ROWS = [["Export de l'activité"], ["Extrait le 05/11/2026"], []]
HEADER = ["Date", "Durée (min)", "Avis", "Code", "Horodatage", "Durée saisie"]


def _body(rows: int) -> list[list]:
    """Each column mixes what a column-typed reader would coerce, null or render as text."""
    body = []
    for i in range(rows):
        date: object = dt.date(2025, 1, 1) + dt.timedelta(days=i % 400)
        if i % 25 == 3:
            date = f"{1 + i % 28:02d}/07/2023"  # a date typed as text
        elif i % 97 == 5:
            date = "2023-07-01"  # ISO text: a typed reader may turn it into a date
        elif i % 101 == 7:
            date = 45123.0  # a bare number in a date column
        minutes: object = float(i % 90)
        if i % 10 == 1:
            minutes = "3,5"
        elif i % 53 == 2:
            minutes = "12"  # numeric text: a typed reader may turn it into 12.0
        elif i % 59 == 4:
            minutes = "NA"  # a « null » word for some readers
        elif i % 61 == 6:
            minutes = 1 / 3  # more digits than a text rendering keeps
        elif i % 67 == 8:
            minutes = True
        opinion = "ne sait pas" if i % 7 == 0 else ("" if i % 11 == 0 else None)
        code: object = float(i) if i < 1000 else f"C-{i:05d}"  # text after a thousand numbers
        stamp: object = dt.datetime(2025, 3, 14, 10, 22, 1, 500_000) if i % 2 else dt.time(8, 15)
        typed_duration: object = dt.timedelta(hours=1, minutes=i % 60) if i % 3 else "1 h 30"
        body.append([date, minutes, opinion, code, stamp, typed_duration])
    return body


def _workbook(path: Path, rows: int = 1200) -> Path:
    wb = OpenpyxlWorkbook()
    ws = wb.active
    ws.title = "Activité"
    for row in TITLE_ROWS:
        ws.append(row)
    ws.append(HEADER)
    for row in _body(rows):
        ws.append(row)
    ws.cell(row=10, column=2).value = "=1/0"  # an error cell (#DIV/0! once computed: cached empty here)
    ws.cell(row=12, column=1).value = "#N/A"
    for cell in ws["F"][len(TITLE_ROWS) + 1:]:
        if isinstance(cell.value, dt.timedelta):
            cell.number_format = "[h]:mm"
    wb.save(path)
    return path


def _calamine_cells(path: Path) -> list[list]:
    """The reference: python-calamine's own cells, its empty strings (empty and error cells) as None."""
    with CalamineWorkbook.from_path(path) as book:
        rows = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    return [[None if cell == "" else cell for cell in row] for row in rows]


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _workbook(tmp_path_factory.mktemp("mixte") / "mixte.xlsx")


def test_every_cell_is_python_calamines_own(mixed: Path) -> None:
    expected = _calamine_cells(mixed)
    rows = read_file(mixed).sheets[0].rows
    assert len(rows) == len(expected)
    for number, (got, want) in enumerate(zip(rows, expected), start=1):
        assert [type(c) for c in got] == [type(c) for c in want], f"ligne {number}"
        assert got == want, f"ligne {number}"


def test_mixed_cells_keep_what_was_typed(mixed: Path) -> None:
    rows = read_file(mixed).sheets[0].rows
    body = rows[len(TITLE_ROWS) + 1:]  # the rows below the header
    dates = [row[0] for row in body]
    assert "04/07/2023" in dates and "2023-07-01" in dates  # text stays text
    assert dates[108] == 45123.0 and isinstance(dates[108], float)  # a number stays a number
    assert dates[7] is None  # the « #N/A » error cell of row 12
    assert {type(d) for d in dates} == {dt.date, str, float, type(None)}
    minutes = [row[1] for row in body]
    assert minutes[1] == "3,5" and minutes[2] == "12" and minutes[4] == "NA"
    assert isinstance(minutes[6], float) and round(minutes[6], 9) != minutes[6] and minutes[8] is True
    opinions = [row[2] for row in body]
    assert opinions[0] == "ne sait pas" and opinions[1] is None and opinions[11] is None  # "" is empty
    codes = [row[3] for row in body]
    assert codes[999] == 999.0 and codes[1000] == "C-01000"
    assert body[1][4] == dt.datetime(2025, 3, 14, 10, 22, 1, 500_000) and body[0][4] == dt.time(8, 15)
    assert body[1][5] == dt.timedelta(hours=1, minutes=1) and body[0][5] == "1 h 30"


def test_a_thousand_numbers_then_text_past_any_sample(tmp_path: Path) -> None:
    """The first text cell comes after the rows a reader would sample to guess the column's type."""
    path = _workbook(tmp_path / "echantillon.xlsx", rows=1500)
    rows = read_file(path).sheets[0].rows
    assert rows == _calamine_cells(path)
    codes = [row[3] for row in rows[len(TITLE_ROWS) + 1:]]
    assert sum(isinstance(c, float) for c in codes) == 1000
    assert sum(isinstance(c, str) for c in codes) == 500
