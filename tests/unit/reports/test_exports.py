"""Excel and CSV exports: formulas neutralised, French formats in the cells, the indicator table."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook

from pilotage_qualite.cli import EXIT_BAD_INPUT, EXIT_OK, main
from pilotage_qualite.reports import exports

DANGEROUS = ["=HYPERLINK(\"http://x\",\"clic\")", "+33 6 12", "-2+3", "@SUM(A1:A2)", "\t=1+1", "\r=1+1"]


def sheet_of(data: bytes, name: str | None = None):
    workbook = load_workbook(io.BytesIO(data))
    return workbook[name] if name else workbook.active


def test_every_dangerous_prefix_is_neutralised_and_no_cell_is_a_formula():
    frame = pd.DataFrame({"texte": DANGEROUS + ["sans danger"], "=entete": range(7)})
    sheet = sheet_of(exports.excel_bytes(frame, "Feuille"))
    texts = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    # XML reads a carriage return back as a line feed: the apostrophe still comes first.
    assert texts == ["'" + value.replace("\r", "\n") for value in DANGEROUS] + ["sans danger"]
    assert sheet.cell(1, 2).value == "'=entete"  # a header is a cell too
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert all(cell.data_type == "s" for cell in sheet["A"])


def test_negative_numbers_stay_numbers():
    sheet = sheet_of(exports.excel_bytes(pd.DataFrame({"écart": [-2.5, 3.0]})))
    assert [c.value for c in sheet["A"][1:]] == [-2.5, 3.0]
    assert all(c.data_type == "n" for c in sheet["A"][1:])


def test_french_number_and_date_formats_are_set_in_the_cells():
    frame = pd.DataFrame({
        "lignes_lues": pd.array([1234, None], dtype="Int64"),
        "taux": [92.5, 7.25],
        "date": pd.to_datetime(["2025-03-14", "2025-04-01"]),
        "enregistre_le": pd.to_datetime(["2025-03-14 09:30", "2025-04-01 17:05"]),
        "jour": [dt.date(2025, 3, 14), None],
    })
    sheet = sheet_of(exports.excel_bytes(frame))
    assert [c.value for c in sheet[1]] == ["Lignes lues", "Taux", "Date", "Enregistre le", "Jour"]
    row = sheet[2]
    assert row[0].value == 1234 and row[0].number_format == "#,##0"
    assert row[1].number_format == "#,##0.0#"
    assert row[2].is_date and row[2].number_format == "dd/mm/yyyy"
    assert row[3].number_format == "dd/mm/yyyy hh:mm"
    assert row[4].number_format == "dd/mm/yyyy"
    assert sheet[3][0].value is None  # no data stays empty, never 0
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width >= len("Lignes lues")
    assert sheet.auto_filter.ref == "A1:E3"


def test_several_sheets_and_refused_sheet_characters():
    data = exports.excel_bytes({"Période: T3/2026": pd.DataFrame({"a": [1]}), "B": pd.DataFrame({"b": ["x"]})})
    assert load_workbook(io.BytesIO(data)).sheetnames == ["Période  T3 2026", "B"]


def test_csv_for_french_excel():
    frame = pd.DataFrame({"texte": DANGEROUS[:4] + ["été"], "valeur": [1.5, 2.0, None, 1234.25, 0.0],
                          "date": pd.to_datetime(["2025-03-14"] * 5)})
    data = exports.csv_bytes(frame)
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Texte", "Valeur", "Date"]
    assert [r[0] for r in rows[1:]] == ["'" + v for v in DANGEROUS[:4]] + ["été"]
    assert [r[1] for r in rows[1:]] == ["1,5", "2", "", "1234,25", "0"]
    assert rows[1][2] == "14/03/2025"


def test_csv_neutralises_tab_and_carriage_return():
    rows = list(csv.reader(io.StringIO(exports.csv_text(pd.DataFrame({"t": DANGEROUS[4:]}))), delimiter=";"))
    assert [r[0] for r in rows[1:]] == ["'\t=1+1", "'\r=1+1"]


NO_CHART = dict(signaux=(), variation=None, assurance=None, limite_basse=None, centre=None, limite_haute=None)
XMR_CONCERN = dict(signaux=("point hors des limites",), variation="préoccupation", assurance=None,
                   limite_basse=900.0, centre=1000.0, limite_haute=1100.0)


def fake_results() -> pd.DataFrame:
    """Two indicators, two quarters, Ensemble and one site: the engine's columns that matter."""
    rows = []
    for periode, debut in (("2026-T2", dt.date(2026, 4, 1)), ("2026-T3", dt.date(2026, 7, 1))):
        for dimension, modalite, value in ((None, None, 92.5), ("site", "Lyon 8e", 88.0)):
            rows.append(dict(indicateur="REC-03", titre="Réponse sous 15 jours", periode=periode, debut=debut,
                             dimension=dimension, modalite=modalite, valeur=value, effectif=40, cible=90.0,
                             seuil=75.0, statut="atteint" if value >= 90 else "à surveiller", unite="%",
                             decimales=1, sens="hausse", couverture="complète", couvert_au=dt.date(2026, 9, 30),
                             reconstitue=False, **NO_CHART))
            rows.append(dict(indicateur="ACT-01", titre="Interventions réalisées", periode=periode, debut=debut,
                             dimension=dimension, modalite=modalite, valeur=1026.0, effectif=1026, cible=None,
                             seuil=None, statut="suivi", unite="nombre", decimales=0, sens=None,
                             couverture="partielle", couvert_au=dt.date(2026, 9, 12),
                             reconstitue=True, **XMR_CONCERN))
    return pd.DataFrame(rows)


def test_indicator_table_columns_and_formats():
    table = exports.indicator_table(fake_results(), None, ["2026-T3"])
    sheet = sheet_of(exports.excel_bytes({"Indicateurs": table}), "Indicateurs")
    assert [c.value for c in sheet[1]] == ["Code", "Indicateur", "Période", "Site", "Valeur", "Effectif (n)", "Cible",
                                          "Seuil d'alerte", "Statut", "Unité", "Couverture", "Reconstitué", "Données jusqu'au",
                                          "Variation", "Assurance", "Limite basse", "Centre", "Limite haute",
                                          "Causes spéciales"]
    records = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert [(r[0], r[3]) for r in records] == [("REC-03", "Ensemble"), ("REC-03", "Lyon 8e"),
                                               ("ACT-01", "Ensemble"), ("ACT-01", "Lyon 8e")]
    assert records[0][2] == "3e trimestre 2026" and records[0][4] == 92.5 and records[0][8] == "atteint"
    percent = sheet.cell(2, 5)
    assert percent.number_format == '#,##0.0"\u00a0%"'  # shown « 92,5 % » by a French Excel
    assert sheet.cell(2, 7).number_format == percent.number_format  # the target in the same unit
    assert sheet.cell(4, 5).number_format == "#,##0"
    assert sheet.cell(4, 7).value is None  # no target: empty, not 0
    # a period the data stop in says until when; a complete one says nothing more; « oui » when
    # the value is « reconstitué », empty otherwise
    assert (records[2][10], records[2][11], records[2][12]) == ("partielle", "oui", "12/09/2026")
    assert (records[0][10], records[0][11], records[0][12]) == ("complète", None, None)
    assert records[2][13:] == ["⬇ préoccupation", None, 900, 1000, 1100, "point hors des limites"]


def test_indicator_sheets_history_covers_every_period():
    sheets = exports.indicator_sheets(fake_results(), "2026-T3", "Lyon 8e")
    assert set(sheets["Indicateurs"].frame["periode"]) == {"3e trimestre 2026"}
    history = sheets["Historique"].frame
    assert list(history["periode"][:2]) == ["2e trimestre 2026", "3e trimestre 2026"]  # period order per indicator
    assert set(history["site"]) == {"Lyon 8e"}


def test_indicators_command_writes_xlsx(demo_data_dir: Path, tmp_path: Path, capsys):
    base = str(demo_data_dir / "pilotage.duckdb")
    out = tmp_path / "indicateurs.xlsx"
    assert main(["--base", base, "indicateurs", "--periode", "2026-T3", "--format", "xlsx", "--sortie", str(out)]) \
        == EXIT_OK
    sheet = sheet_of(out.read_bytes(), "Indicateurs")
    rec03 = next(row for row in sheet.iter_rows(min_row=2, values_only=True) if row[0] == "REC-03" and row[3] == "Ensemble")
    assert rec03[8] == "non atteint" and rec03[2] == "3e trimestre 2026"
    assert main(["--base", base, "indicateurs", "--format", "xlsx"]) == EXIT_BAD_INPUT
    assert "--sortie" in capsys.readouterr().err


def test_rejects_command_writes_a_neutralised_workbook(demo_data_dir: Path, tmp_path: Path, capsys):
    base = str(demo_data_dir / "pilotage.duckdb")
    assert main(["--base", base, "imports", "--format", "json"]) == EXIT_OK
    journal = pd.read_json(io.StringIO(capsys.readouterr().out))
    import_id = int(journal.loc[journal["lignes_rejetees"] > 0, "id"].iloc[0])
    out = tmp_path / "rejets.xlsx"
    assert main(["--base", base, "rejets", str(import_id), "--sortie", str(out)]) == EXIT_OK
    sheet = sheet_of(out.read_bytes())
    assert sheet.max_row > 1 and sheet.freeze_panes == "A2"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_a_value_next_to_its_target_keeps_the_decimals_that_tell_its_side():
    """ACT-04 at 94,991 % against a target of 95 %: Excel would show « 95,0 % » with one decimal."""
    results = fake_results().assign(valeur=[94.991, 1026.0] * 4, sens=["hausse", None] * 4, cible=[95.0, None] * 4)
    table = exports.indicator_table(results, None, ["2026-T3"])
    sheet = sheet_of(exports.excel_bytes({"Indicateurs": table}), "Indicateurs")
    assert sheet.cell(2, 5).number_format == '#,##0.00"\u00a0%"'  # « 94,99 % »
    assert sheet.cell(4, 5).number_format == "#,##0"  # no target: as declared
