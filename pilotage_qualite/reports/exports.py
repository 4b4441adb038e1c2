"""Excel and CSV exports of any table, and the indicator table (pure: no Streamlit).

Every text cell that a spreadsheet could run as a formula (starting with `=`, `+`, `-`, `@`,
tab or carriage return) is neutralised by a leading apostrophe and written as a text cell,
never as a formula. Numbers and dates stay numbers and dates, with French display formats set
in the cells: Excel format codes are stored with `,` and `.` and shown by a French Excel as
`1 234,5`, `92,5 %` and `14/03/2025`.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from typing import Mapping, Sequence

import pandas as pd

from pilotage_qualite.common import formats
from pilotage_qualite.model import spc
from pilotage_qualite.model.periods import parse_period
from pilotage_qualite.model.status import shown_value
from pilotage_qualite.reports.selections import indicator_rows

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIME = "text/csv"
EXCEL_MAX_TEXT = 32_767
MAX_COLUMN_WIDTH, MIN_COLUMN_WIDTH = 60, 8

# Excel format codes (stored in the file with `,` for thousands and `.` for decimals; a French
# Excel or LibreOffice shows them with its own separators).
INTEGER = "#,##0"
DATE = "dd/mm/yyyy"
DATETIME = "dd/mm/yyyy hh:mm"
TEXT = "@"


# Control characters an .xlsx cell cannot hold (the pattern openpyxl refuses).
ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


def decimal_format(decimals: int) -> str:
    return INTEGER + ("." + "0" * decimals if decimals > 0 else "")


def unit_format(unit: str, decimals: int) -> str:
    """The display format of an indicator's value: « 92,5 % », « 12 j », « 1 234 ».

    The cell holds the value as the app and the command line give it (92.5 for 92,5 %), so a
    formula comparing it with the target works; the unit is only displayed.
    """
    suffix = formats.UNIT_SUFFIX.get(unit, f"{formats.NBSP}{unit}")
    number_format = decimal_format(decimals)
    return f'{number_format}"{suffix}"' if suffix else number_format


def neutralise(value: object) -> object:
    """A text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@dataclass(frozen=True)
class ExportTable:
    """A frame to export, with its readable headers and the number formats of its columns.

    `number_formats`: column → one Excel format code, or one per row (None: inferred).
    Columns missing from `headers` get a readable form of their name.
    """

    frame: pd.DataFrame
    headers: Mapping[str, str] = field(default_factory=dict)
    number_formats: Mapping[str, str | Sequence[str | None]] = field(default_factory=dict)

    def header(self, column: object) -> str:
        return self.headers.get(column) or readable_header(column)


def readable_header(column: object) -> str:
    """`lignes_ajoutees` → « Lignes ajoutees »; headers already written for people are kept."""
    text = str(column)
    if re.fullmatch(r"[a-z0-9_]+", text):
        text = text.replace("_", " ").strip()
        return text[:1].upper() + text[1:]
    return text


def cell_value(value: object) -> object:
    """A Python value openpyxl writes as a value, never as a formula (None when missing)."""
    if formats.is_missing(value):
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes, pd.Timestamp)):
        value = value.item()  # numpy scalars
        if formats.is_missing(value):
            return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.replace(tzinfo=None)  # Excel has no time zones: keep the wall-clock time
    if isinstance(value, (bool, int, float, dt.date, dt.time)):
        return value
    if isinstance(value, (list, tuple, set)):
        value = ", ".join("" if formats.is_missing(v) else str(v) for v in value)
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))[:EXCEL_MAX_TEXT]
    return neutralise(text)


def inferred_format(values: list[object]) -> str | None:
    """A French-displayed format for a column of converted values (None: text or booleans)."""
    present = [v for v in values if v is not None and not isinstance(v, (bool, str))]
    if not present:
        return None
    if all(isinstance(v, dt.datetime) for v in present):
        with_time = any((v.hour, v.minute, v.second) != (0, 0, 0) for v in present)
        return DATETIME if with_time else DATE
    if all(isinstance(v, dt.date) for v in present):
        return DATE
    if all(isinstance(v, int) or (isinstance(v, float) and v.is_integer()) for v in present):
        return INTEGER
    if all(isinstance(v, (int, float)) for v in present):
        return INTEGER + ".0#"
    return None


def _display_width(value: object, number_format: str | None) -> int:
    if value is None:
        return 0
    if isinstance(value, (dt.date, dt.datetime)):
        return 16 if number_format == DATETIME else 10
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return len(formats.number(value, 2)) + 3
    return max((len(line) for line in str(value).splitlines()), default=0)


def write_sheet(sheet, table: ExportTable) -> None:
    """One table on one sheet: bold wrapped header row (frozen, with filters), typed cells
    with French formats, column widths fitted to their content."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    frame = table.frame
    for index, column in enumerate(frame.columns, start=1):
        cell = sheet.cell(row=1, column=index, value=cell_value(table.header(column)))
        cell.data_type = "s"
        cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor="DDDDDD")
        cell.border = Border(bottom=Side(style="medium", color="000000"))
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for index, column in enumerate(frame.columns, start=1):
        values = [cell_value(v) for v in frame[column].tolist()]
        wanted = table.number_formats.get(column)
        per_row = list(wanted) if wanted is not None and not isinstance(wanted, str) else None
        column_format = wanted if isinstance(wanted, str) else (None if per_row else inferred_format(values))
        width = len(table.header(column))
        for row, value in enumerate(values, start=2):
            cell = sheet.cell(row=row, column=index, value=value)
            number_format = per_row[row - 2] if per_row else column_format
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever openpyxl guessed
            elif number_format and value is not None and not isinstance(value, bool):
                cell.number_format = number_format
            width = max(width, _display_width(value, number_format))
        sheet.column_dimensions[get_column_letter(index)].width = min(max(MIN_COLUMN_WIDTH, width + 2),
                                                                      MAX_COLUMN_WIDTH)
    sheet.freeze_panes = "A2"
    if len(frame.columns) and len(frame):
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(frame.columns))}{len(frame) + 1}"


def _tables(content: pd.DataFrame | ExportTable | Mapping[str, pd.DataFrame | ExportTable], sheet_name: str) -> dict[str, ExportTable]:
    if isinstance(content, (pd.DataFrame, ExportTable)):
        content = {sheet_name: content}
    tables: dict[str, ExportTable] = {}
    for name, item in content.items():
        # Sheet names: at most 31 characters, none of []:*?/\ (Excel refuses the file otherwise).
        clean = re.sub(r"[\[\]:*?/\\]", " ", str(name)).strip()[:31] or f"Feuille {len(tables) + 1}"
        tables[clean] = item if isinstance(item, ExportTable) else ExportTable(item)
    return tables


def excel_bytes(content: pd.DataFrame | ExportTable | Mapping[str, pd.DataFrame | ExportTable],
                sheet_name: str = "Données") -> bytes:
    """An .xlsx workbook: one sheet per table (a mapping gives sheet name → table)."""
    from openpyxl import Workbook  # here: pages import this module, and only a click builds a file

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, table in _tables(content, sheet_name).items():
        write_sheet(workbook.create_sheet(name), table)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_text(table: pd.DataFrame | ExportTable, *, readable: bool = True) -> str:
    """CSV for a French Excel: `;` separated, decimal comma, dates `14/03/2025`, text cells
    neutralised. `readable=False` keeps the column names (for scripts)."""
    table = table if isinstance(table, ExportTable) else ExportTable(table)
    frame = table.frame
    out = pd.DataFrame(index=range(len(frame)))
    for position, column in enumerate(frame.columns):
        values = [cell_value(v) for v in frame[column].tolist()]
        as_text = []
        for value in values:
            if isinstance(value, dt.datetime):
                as_text.append(value.strftime("%d/%m/%Y %H:%M") if (value.hour, value.minute) != (0, 0)
                               else value.strftime("%d/%m/%Y"))
            elif isinstance(value, dt.date):
                as_text.append(value.strftime("%d/%m/%Y"))
            elif isinstance(value, float):
                as_text.append(repr(value).replace(".", ",") if not value.is_integer() else str(int(value)))
            elif value is None:
                as_text.append("")
            else:
                as_text.append(value)
        out[position] = as_text
    out.columns = [neutralise(table.header(c) if readable else str(c)) for c in frame.columns]
    return out.to_csv(index=False, sep=";", lineterminator="\r\n")


def csv_bytes(table: pd.DataFrame | ExportTable) -> bytes:
    """UTF-8 with a byte-order mark: a French Excel opens the accents right."""
    return ("\ufeff" + csv_text(table)).encode("utf-8")


# --- The indicator table ------------------------------------------------------------------

INDICATOR_HEADERS = {
    "indicateur": "Code", "titre": "Indicateur", "periode": "Période", "site": "Site", "valeur": "Valeur",
    "effectif": "Effectif (n)", "cible": "Cible", "seuil": "Seuil d'alerte", "statut": "Statut", "unite": "Unité",
    "couverture": "Couverture", "reconstitue": "Reconstitué", "donnees_jusqu_au": "Données jusqu'au", "variation": "Variation",
    "assurance": "Assurance", "signaux": "Causes spéciales",
}
ENSEMBLE = "Ensemble"


def indicator_table(results: pd.DataFrame, site: str | None = None, periods: Sequence[str] | None = None) -> ExportTable:
    """Indicator × period × site: value, n, target, threshold, status, with the value, target
    and threshold of each row displayed in its indicator's unit and decimals.

    The rows are those of the `indicateurs` command (`selections.indicator_rows`): the Ensemble and
    every site, or one site (indicators without a site breakdown keep their Ensemble row).
    """
    if periods is not None:
        results = results[results["periode"].isin(list(periods))]
    rows = indicator_rows(results, site)
    declared = results.drop_duplicates("indicateur").set_index("indicateur")
    row_decimals = [int(declared["decimales"].get(i, 0)) for i in rows["indicateur"]]
    value_formats = [unit_format(u, d) for u, d in zip(rows["unite"], row_decimals)]
    # A value that would read as the other side of its target once rounded gets the decimals it needs.
    exact_formats = [unit_format(u, _decimals_not_crossing(v, d, declared["sens"].get(i), c, t))
                     for i, u, d, v, c, t in zip(rows["indicateur"], rows["unite"], row_decimals, rows["valeur"],
                                                 rows["cible"], rows["seuil"])]
    shown = rows.assign(
        periode=[parse_period(p).label_fr for p in rows["periode"]],
        site=[ENSEMBLE if formats.is_missing(s) else s for s in rows["site"]],
        # « reconstitué »: a stock computed from a register extracted later than the period (empty otherwise).
        reconstitue=["oui" if not formats.is_missing(flag) and flag else None for flag in rows["reconstitue"]],
        donnees_jusqu_au=[None if d is None else dt.date.fromisoformat(d).strftime("%d/%m/%Y")
                          for d in rows["donnees_jusqu_au"]],
        variation=[spc.label(w) or None for w in rows["variation"]],
        assurance=[spc.label(w) or None for w in rows["assurance"]],
        signaux=[", ".join(fired) or None for fired in rows["signaux"]],
    )
    in_unit = {name: value_formats for name in ("cible", "seuil", "limite_basse", "centre", "limite_haute")}
    return ExportTable(shown, INDICATOR_HEADERS, {**in_unit, "valeur": exact_formats, "effectif": INTEGER})


def _decimals_not_crossing(value, decimals: int, sens, cible, seuil) -> int:
    """The fewest decimals (from the declared ones) at which Excel's rounding of the value does
    not read as the other side of its target or threshold (94,991 % against 95 % → « 94,99 % »)."""
    if formats.is_missing(value):
        return decimals
    sens = None if formats.is_missing(sens) else sens
    cible = None if formats.is_missing(cible) else cible
    seuil = None if formats.is_missing(seuil) else seuil
    for shown in range(decimals, decimals + 6):
        if shown_value(value, shown, sens=sens, cible=cible, seuil=seuil) == round(value, shown):
            return shown
    return decimals + 6


def indicator_sheets(results: pd.DataFrame, period_label: str, site: str | None) -> dict[str, ExportTable]:
    """The dashboard's export: the chosen period on the first sheet, every computed period
    (the history behind the trends) on the second."""
    return {"Indicateurs": indicator_table(results, site, [period_label]),
            "Historique": indicator_table(results, site)}
