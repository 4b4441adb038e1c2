"""Import templates: one Excel workbook per dataset, built from the dataset declarations.

Each template has two sheets:

- « Données »: the header row (the columns' French labels, so that the import recognises
  the file at once), frozen and bold, required columns highlighted and every header carrying
  a comment that explains the column; drop-down lists (Excel data validation) for listed
  values (``choix`` columns: the canonical values; booleans: oui/non; Likert: the four worded
  answers and « Sans avis »); the ``dd/mm/yyyy`` format on date columns; two example rows
  of fictional, valid values (:mod:`.template_examples`), in grey italics, each marked by a
  comment « Ligne d'exemple »: the import recognises them and never loads them.
- « Instructions »: how to fill the file, then one line per column: label, type in French,
  required or not, allowed values and their synonyms, default, accepted formats, other
  headers recognised and the declaration's description.

Nothing here is specific to one dataset: a dataset added as a YAML file gets its template
too.

The output is deterministic: fixed document properties and zip entry timestamps, so the
same declarations always give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path
from typing import Any, Iterable

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from pilotage_qualite.common.text import normalize_header
from pilotage_qualite.intake.template_examples import FALSE_TEXT, LIKERT_ANSWERS, TRUE_TEXT, example_rows
from pilotage_qualite.model.datasets import Column, Dataset, load_datasets

DATA_SHEET = "Données"
INSTRUCTIONS_SHEET = "Instructions"
LISTS_SHEET = "Listes"  # hidden; only when a list does not fit in a validation formula
FILE_PREFIX = "modele_"
DATE_FORMAT = "dd/mm/yyyy"
AUTHOR = "Pilotage qualité"
# Fixed document dates: the same declarations give the same bytes.
FIXED_STAMP = dt.datetime(2025, 1, 1, 8, 0, 0)
LAST_ROW = 1_048_576  # validations and formats cover the whole column below the header
MAX_INLINE_LIST = 255  # Excel's limit for a list written in the validation formula

NO_ANSWER = "Sans avis"

TYPE_NAMES = {
    "date": "date",
    "texte": "texte",
    "entier": "nombre entier",
    "decimal": "nombre décimal",
    "booleen": "oui / non",
    "choix": "liste de valeurs",
    "likert": "échelle de satisfaction",
}

DATE_FORMATS_TEXT = ("JJ/MM/AAAA, par exemple 14/03/2025 ; acceptés aussi : 2025-03-14, 14/03/25, "
                     "14-03-2025, 14.03.2025, 14 mars 2025, 1er mars 2025, avec ou sans heure "
                     "(14/03/2025 10:22). Toujours le jour avant le mois : 03/04/2025 est le 3 avril.")
MONTH_ONLY_TEXT = "un mois seul est accepté (mars 2025, 03/2025, 2025-03) : il compte pour le 1er du mois"
NUMBER_FORMATS_TEXT = ("virgule décimale (3,5) ou point (3.5), espaces entre les milliers (1 234), "
                       "un « % » final est ignoré")
HOURS_FORMATS_TEXT = "en heures : 7 ; 7,5 ; 7h ; 7 h ; 2h30 ; 1:30 (= 1,5)"
BOOLEAN_FORMATS_TEXT = "oui ou non (acceptés aussi : o/n, vrai/faux, x = oui, 1/0)"
LIKERT_FORMATS_TEXT = ("Très satisfait, Plutôt satisfait, Plutôt pas satisfait, Pas du tout satisfait "
                       "(ou 4, 3, 2, 1) ; « Sans avis », « NSP » ou une cellule vide = pas de réponse")

# --- styles ---------------------------------------------------------------------------

_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_REQUIRED_FILL = PatternFill("solid", fgColor="F8CBAD")  # light orange: required column
_OPTIONAL_FILL = PatternFill("solid", fgColor="D9E1F2")  # light blue: optional column
_EXAMPLE_FONT = Font(italic=True, color="595959")
EXAMPLE_NOTE = "Ligne d'exemple, fictive : elle n'est jamais importée. Remplacez-la ou supprimez-la."
_THIN = Side(style="thin", color="A6A6A6")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP_TOP = Alignment(wrap_text=True, vertical="top")

# --- describing a column in French -------------------------------------------------------


def _number_fr(value: float) -> str:
    if float(value).is_integer():
        return str(int(value))
    return f"{value:g}".replace(".", ",")


def type_name(column: Column) -> str:
    """The column's type, in French words."""
    if column.type == "decimal" and column.hours_allowed:
        return "durée en heures"
    name = TYPE_NAMES[column.type]
    if column.type in ("entier", "decimal"):
        if column.minimum is not None and column.maximum is not None:
            return f"{name} de {_number_fr(column.minimum)} à {_number_fr(column.maximum)}"
        if column.minimum == 0:
            return f"{name} positif ou nul"
        if column.minimum is not None:
            return f"{name} ≥ {_number_fr(column.minimum)}"
    if column.type == "date" and column.month_only_allowed:
        return "date ou mois"
    return name


def list_values(column: Column) -> list[str]:
    """The values of the drop-down list of a column (empty when it has none)."""
    if column.type == "choix":
        return [choice.value for choice in column.choices]
    if column.type == "booleen":
        return [TRUE_TEXT, FALSE_TEXT]
    if column.type == "likert":
        return [*LIKERT_ANSWERS, NO_ANSWER]
    return []


def allowed_values_text(column: Column) -> str:
    """The allowed values with their accepted synonyms, for the instructions."""
    if column.type == "choix":
        parts = []
        for choice in column.choices:
            synonyms = f" (aussi : {', '.join(choice.synonyms)})" if choice.synonyms else ""
            parts.append(f"{choice.value}{synonyms}")
        return " ; ".join(parts)
    if column.type == "booleen":
        return BOOLEAN_FORMATS_TEXT
    if column.type == "likert":
        return LIKERT_FORMATS_TEXT
    return ""


def default_text(column: Column) -> str:
    if column.default is None:
        return ""
    if isinstance(column.default, bool):
        return TRUE_TEXT if column.default else FALSE_TEXT
    if isinstance(column.default, (int, float)):
        return _number_fr(column.default)
    return str(column.default)


def formats_text(column: Column) -> str:
    """Accepted formats of a column's cells."""
    if column.type == "date":
        text = "JJ/MM/AAAA, par exemple 14/03/2025 (autres formes acceptées : voir le mode d'emploi)"
        return f"{text} ; {MONTH_ONLY_TEXT}" if column.month_only_allowed else text
    if column.type == "decimal" and column.hours_allowed:
        return f"{HOURS_FORMATS_TEXT} ; {NUMBER_FORMATS_TEXT}"
    if column.type == "entier":
        return f"nombre sans décimale ; {NUMBER_FORMATS_TEXT}"
    if column.type == "decimal":
        return NUMBER_FORMATS_TEXT
    if column.type == "booleen":
        return "oui ou non, ou une des autres formes acceptées"
    if column.type == "choix":
        return "une valeur de la liste déroulante ou un de ses synonymes (majuscules et accents indifférents)"
    if column.type == "likert":
        return "une réponse de la liste déroulante, ou un chiffre de 1 (pas du tout satisfait) à 4 (très satisfait)"
    return "texte libre"


def other_headers_text(column: Column) -> str:
    """Other headers the import recognises for this column (name and aliases)."""
    seen = {normalize_header(column.label)}
    others = []
    for header in (*column.aliases, column.name):
        if normalize_header(header) not in seen:
            seen.add(normalize_header(header))
            others.append(header)
    return ", ".join(others)


def header_comment(column: Column) -> str:
    """The comment of a header cell: required or not, type, values, default, description."""
    lines = [("Obligatoire" if column.required else "Facultatif") + f" — {type_name(column)}."]
    if column.type == "likert" and column.required:
        lines.append("La colonne doit être présente ; une cellule vide compte comme « sans avis ».")
    if column.type == "date":
        lines.append("Format JJ/MM/AAAA." + (" Un mois seul est accepté." if column.month_only_allowed else ""))
    values = list_values(column)
    if values and column.type != "likert":
        lines.append("Valeurs : " + ", ".join(values) + ".")
    if column.default is not None:
        lines.append(f"Si vide : {default_text(column)}.")
    if column.description:
        lines.append(column.description)
    return "\n".join(lines)


# --- building the workbook ---------------------------------------------------------------


def _inline_formula(values: list[str]) -> str | None:
    text = ",".join(values)
    if len(text) + 2 > MAX_INLINE_LIST or any("," in v or '"' in v for v in values):
        return None
    return f'"{text}"'


def _list_validation(values: list[str], column: Column, workbook: Workbook, lists: list[list[str]]) -> DataValidation:
    formula = _inline_formula(values)
    if formula is None:
        # A hidden sheet holds the values, one list per column.
        if LISTS_SHEET not in workbook.sheetnames:
            hidden = workbook.create_sheet(LISTS_SHEET)
            hidden.sheet_state = "hidden"
        sheet = workbook[LISTS_SHEET]
        lists.append(values)
        letter = get_column_letter(len(lists))
        for row, value in enumerate(values, start=1):
            sheet.cell(row=row, column=len(lists), value=value)
        formula = f"'{LISTS_SHEET}'!${letter}$1:${letter}${len(values)}"
    extra = " (les synonymes indiqués dans « Instructions » sont aussi acceptés)" if column.type == "choix" else ""
    validation = DataValidation(
        type="list", formula1=formula, allow_blank=True, showDropDown=False,
        showErrorMessage=True, errorStyle="warning",
        errorTitle="Valeur hors liste"[:32],
        error=f"« {column.label} » : choisissez une valeur de la liste{extra}."[:255],
        showInputMessage=True, promptTitle=column.label[:32],
        prompt=("Obligatoire. " if column.required else "") + "Choisissez dans la liste.",
    )
    return validation


def _number_validation(column: Column) -> DataValidation | None:
    if column.type not in ("entier", "decimal") or column.hours_allowed:
        return None
    kind = "whole" if column.type == "entier" else "decimal"
    low = column.minimum if column.minimum is not None else -1e15
    if column.maximum is not None:
        operator, formulas = "between", (_number_fr(low).replace(",", "."), _number_fr(column.maximum).replace(",", "."))
    else:
        operator, formulas = "greaterThanOrEqual", (_number_fr(low).replace(",", "."), None)
    return DataValidation(
        type=kind, operator=operator, formula1=formulas[0], formula2=formulas[1], allow_blank=True,
        showErrorMessage=True, errorStyle="warning", errorTitle="Nombre attendu",
        error=f"« {column.label} » : {type_name(column)} attendu."[:255],
    )


def _width(texts: Iterable[Any], minimum: float = 10, maximum: float = 50) -> float:
    longest = max((len(_display(t)) for t in texts if t is not None), default=0)
    return float(min(max(longest + 3, minimum), maximum))


def _display(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float):
        return _number_fr(value)
    return str(value)


def _fill_data_sheet(sheet: Worksheet, workbook: Workbook, dataset: Dataset) -> None:
    rows = example_rows(dataset)
    lists: list[list[str]] = []
    for position, column in enumerate(dataset.columns, start=1):
        letter = get_column_letter(position)
        header = sheet.cell(row=1, column=position, value=column.label)
        header.font = _BOLD
        header.fill = _REQUIRED_FILL if column.required else _OPTIONAL_FILL
        header.border = _BOX
        header.alignment = Alignment(vertical="center")
        comment = Comment(header_comment(column), AUTHOR)
        comment.width, comment.height = 320, 160
        header.comment = comment
        dimension = sheet.column_dimensions[letter]
        dimension.width = _width([column.label, *list_values(column), *(r[position - 1] for r in rows)])
        if column.type == "date":
            dimension.number_format = DATE_FORMAT
        for row_number, values in enumerate(rows, start=2):
            cell = sheet.cell(row=row_number, column=position, value=values[position - 1])
            cell.font = _EXAMPLE_FONT
            if column.type == "date":
                cell.number_format = DATE_FORMAT
            elif column.type == "entier":
                cell.number_format = "0"
            if position == 1:
                cell.comment = Comment(EXAMPLE_NOTE, AUTHOR)
        cells = f"{letter}2:{letter}{LAST_ROW}"
        values = list_values(column)
        validation = (_list_validation(values, column, workbook, lists) if values
                      else _number_validation(column))
        if validation is not None:
            validation.add(cells)
            sheet.add_data_validation(validation)
    sheet.freeze_panes = "A2"
    sheet.row_dimensions[1].height = 22


def _instructions_lines(dataset: Dataset) -> list[str]:
    required = [c.label for c in dataset.columns if c.required]
    lines = [
        f"Remplissez la feuille « {DATA_SHEET} » à partir de la ligne 2, une ligne par enregistrement. "
        "Gardez la ligne d'en-tête telle quelle : l'import reconnaît le fichier grâce à elle. "
        "L'ordre des colonnes n'a pas d'importance ; une colonne facultative peut être supprimée ; "
        "une colonne inconnue est ignorée.",
        "Les deux lignes d'exemple (en italique) sont fictives : elles ne sont jamais importées, même "
        "laissées dans le fichier. Remplacez-les ou supprimez-les.",
        "En-têtes en orange : colonnes obligatoires (" + ", ".join(required) + ") ; une ligne sans valeur "
        "dans l'une d'elles est rejetée, avec un message qui nomme la ligne et la colonne. "
        "En-têtes en bleu : colonnes facultatives. Chaque en-tête porte un commentaire qui résume la colonne.",
        f"Dates : {DATE_FORMATS_TEXT}",
        f"Nombres : {NUMBER_FORMATS_TEXT}.",
    ]
    if any(c.hours_allowed for c in dataset.columns):
        lines.append(f"Durées : {HOURS_FORMATS_TEXT}.")
    if any(c.type == "booleen" for c in dataset.columns):
        lines.append(f"Oui / non : {BOOLEAN_FORMATS_TEXT} ; une cellule vide prend la valeur par défaut.")
    if any(c.type in ("choix", "likert") for c in dataset.columns):
        lines.append("Listes : choisissez dans la liste déroulante ; les synonymes indiqués ci-dessous sont "
                     "aussi acceptés (majuscules et accents indifférents). Une autre valeur rejette la ligne.")
    if dataset.key:
        keys = ", ".join(dataset.column(k).label for k in dataset.key)
        lines.append(f"Clé : {keys}. Une ligne dont la clé a déjà été importée remplace l'ancienne "
                     "(rien n'est effacé : l'historique est gardé).")
    elif dataset.reference_date:
        scope = " et pour les sites présents dans le fichier" if dataset.has_site else ""
        lines.append(f"Un nouvel import remplace les lignes déjà importées dont la "
                     f"« {dataset.column(dataset.reference_date).label} » est comprise entre la première et "
                     f"la dernière date du fichier{scope} (rien n'est effacé : l'historique est gardé).")
    if any(c.pseudonymised for c in dataset.columns):
        names = ", ".join(c.label for c in dataset.columns if c.pseudonymised)
        lines.append(f"{names} : le nom est remplacé à l'import par un code (pseudonyme) ; "
                     "il n'est jamais enregistré dans la base.")
    if dataset.extra_likert_questions:
        lines.append("Questions supplémentaires : ajoutez une colonne par question (son intitulé en en-tête) "
                     "dont les réponses suivent l'échelle de satisfaction ; elles sont gardées pour les "
                     "résultats par question.")
    lines.append("N'ajoutez pas de colonne de données personnelles (nom, prénom, adresse, téléphone, "
                 "courriel, date de naissance) : elles sont écartées à l'import et jamais enregistrées.")
    return lines


INSTRUCTION_HEADERS = ("Colonne (en-tête)", "Obligatoire", "Type", "Valeurs acceptées",
                       "Valeur si vide", "Formats acceptés", "Autres en-têtes reconnus", "Description")
INSTRUCTION_WIDTHS = (28, 12, 22, 48, 14, 48, 36, 60)


def _fill_instructions(sheet: Worksheet, dataset: Dataset) -> None:
    sheet.cell(row=1, column=1, value=f"Modèle d'import — {dataset.label}").font = _TITLE
    if dataset.description:
        sheet.cell(row=2, column=1, value=dataset.description)
    row = 4
    sheet.cell(row=row, column=1, value="Mode d'emploi").font = _BOLD
    for line in _instructions_lines(dataset):
        row += 1
        sheet.cell(row=row, column=1, value=f"• {line}")
    row += 2
    sheet.cell(row=row, column=1, value="Les colonnes").font = _BOLD
    row += 1
    for position, title in enumerate(INSTRUCTION_HEADERS, start=1):
        cell = sheet.cell(row=row, column=position, value=title)
        cell.font, cell.fill, cell.border = _BOLD, _OPTIONAL_FILL, _BOX
    for column in dataset.columns:
        row += 1
        values = (column.label, "oui" if column.required else "non", type_name(column),
                  allowed_values_text(column), default_text(column), formats_text(column),
                  other_headers_text(column), column.description)
        for position, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=position, value=value or None)
            cell.alignment, cell.border = _WRAP_TOP, _BOX
        sheet.cell(row=row, column=1).font = _BOLD
        if column.required:
            sheet.cell(row=row, column=1).fill = _REQUIRED_FILL
    for position, width in enumerate(INSTRUCTION_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(position)].width = width


def build_template(dataset: Dataset) -> Workbook:
    """The template workbook of one dataset (data sheet first, then the instructions)."""
    workbook = Workbook()
    data = workbook.active
    data.title = DATA_SHEET
    _fill_data_sheet(data, workbook, dataset)
    instructions = workbook.create_sheet(INSTRUCTIONS_SHEET, index=1)
    _fill_instructions(instructions, dataset)
    workbook.active = 0
    props = workbook.properties
    props.creator = AUTHOR
    props.lastModifiedBy = AUTHOR
    props.title = f"Modèle d'import — {dataset.label}"
    props.subject = f"Jeu de données « {dataset.name} »"
    props.created = FIXED_STAMP
    props.modified = FIXED_STAMP
    return workbook


_MODIFIED = re.compile(rb"<dcterms:modified([^>]*)>[^<]*</dcterms:modified>")


def template_bytes(dataset: Dataset) -> bytes:
    """The .xlsx content of one template, byte for byte the same for the same declaration."""
    buffer = io.BytesIO()
    build_template(dataset).save(buffer)  # openpyxl stamps « modified » with the current time
    fixed = FIXED_STAMP.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _MODIFIED.sub(rb"<dcterms:modified\1>" + fixed + rb"</dcterms:modified>", data)
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_STAMP.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, data)
    return out.getvalue()


def template_name(dataset: Dataset) -> str:
    return f"{FILE_PREFIX}{dataset.name}.xlsx"


def write_template(dataset: Dataset, folder: Path) -> Path:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / template_name(dataset)
    path.write_bytes(template_bytes(dataset))
    return path


def write_templates(folder: Path, datasets: dict[str, Dataset] | None = None,
                    names: Iterable[str] | None = None) -> list[Path]:
    """Write the template of every dataset (or of the ones named) into ``folder``."""
    datasets = load_datasets() if datasets is None else datasets
    chosen = list(datasets) if names is None else list(dict.fromkeys(names))
    unknown = [n for n in chosen if n not in datasets]
    if unknown:
        raise KeyError(", ".join(unknown))
    return [write_template(datasets[name], folder) for name in chosen]
