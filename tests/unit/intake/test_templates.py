"""Import templates: one workbook per dataset, built from the declarations, that re-imports cleanly."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from pilotage_qualite.cli import EXIT_BAD_INPUT, EXIT_OK, main
from pilotage_qualite.common.text import normalize_header
from pilotage_qualite.intake import templates
from pilotage_qualite.intake.prepare import prepare_file
from pilotage_qualite.intake.read import Limits
from pilotage_qualite.intake.template_examples import example_rows
from pilotage_qualite.model.datasets import load_datasets, parse_dataset

DATASETS = load_datasets()
SECRET = b"0123456789abcdef0123456789abcdef"
LIMITS = Limits(50_000_000, 1_000_000)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("modeles")
    paths = templates.write_templates(out, DATASETS)
    assert [p.name for p in paths] == [f"modele_{name}.xlsx" for name in DATASETS]
    return out


def _open(folder: Path, name: str):
    return load_workbook(folder / f"modele_{name}.xlsx")


def _validations_by_column(sheet) -> dict[str, list]:
    """Column letter -> data validations covering that column from row 2."""
    found: dict[str, list] = {}
    for validation in sheet.data_validations.dataValidation:
        for cell_range in validation.sqref.ranges:
            assert cell_range.min_row == 2 and cell_range.max_row >= 1000
            for col in range(cell_range.min_col, cell_range.max_col + 1):
                found.setdefault(sheet.cell(row=1, column=col).column_letter, []).append(validation)
    return found


def _list_values(workbook, validation) -> list[str]:
    formula = validation.formula1
    if formula.startswith('"'):
        return formula.strip('"').split(",")
    sheet_name, cells = formula.split("!")
    sheet = workbook[sheet_name.strip("'")]
    return [c[0].value for c in sheet[cells.replace("$", "")]]


def test_eleven_templates_are_written(folder):
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"modele_{n}.xlsx" for n in DATASETS)


@pytest.mark.parametrize("name", list(DATASETS))
def test_data_sheet_has_headers_lists_formats_and_a_frozen_header(folder, name):
    dataset = DATASETS[name]
    workbook = _open(folder, name)
    assert workbook.sheetnames[:2] == [templates.DATA_SHEET, templates.INSTRUCTIONS_SHEET]
    assert workbook.active.title == templates.DATA_SHEET
    sheet = workbook[templates.DATA_SHEET]
    headers = [c.value for c in sheet[1]]
    assert headers == [c.label for c in dataset.columns]
    assert sheet.freeze_panes == "A2"
    validations = _validations_by_column(sheet)
    for position, column in enumerate(dataset.columns, start=1):
        header = sheet.cell(row=1, column=position)
        letter = header.column_letter
        assert header.font.bold
        assert header.comment is not None and header.comment.text
        assert header.comment.text.startswith("Obligatoire" if column.required else "Facultatif")
        assert sheet.column_dimensions[letter].width >= len(column.label)
        expected = templates.list_values(column)
        lists = [v for v in validations.get(letter, []) if v.type == "list"]
        if column.type in ("choix", "booleen", "likert"):
            assert len(lists) == 1, f"{name}.{column.name} has no drop-down list"
            assert _list_values(workbook, lists[0]) == expected
        else:
            assert not lists
        if column.type == "choix":
            assert expected == [c.value for c in column.choices]
        if column.type == "booleen":
            assert expected == ["oui", "non"]
        if column.type == "likert":
            assert expected == ["Très satisfait", "Plutôt satisfait", "Plutôt pas satisfait",
                                "Pas du tout satisfait", "Sans avis"]
        if column.type == "date":
            assert sheet.column_dimensions[letter].number_format == "dd/mm/yyyy"
            for row in (2, 3):
                cell = sheet.cell(row=row, column=position)
                assert cell.number_format == "dd/mm/yyyy"
                assert cell.value is None or isinstance(cell.value, dt.datetime)
    # Two example rows, nothing below.
    assert sheet.max_row == 3
    for position, column in enumerate(dataset.columns, start=1):
        if column.required:
            assert all(sheet.cell(row=r, column=position).value not in (None, "") for r in (2, 3))


@pytest.mark.parametrize("name", list(DATASETS))
def test_instructions_sheet_explains_every_column(folder, name):
    dataset = DATASETS[name]
    sheet = _open(folder, name)[templates.INSTRUCTIONS_SHEET]
    rows = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    text = "\n".join(str(c) for row in rows for c in row if c is not None)
    assert dataset.label in text
    header_index = next(i for i, row in enumerate(rows) if row[0] == templates.INSTRUCTION_HEADERS[0])
    assert tuple(rows[header_index][:len(templates.INSTRUCTION_HEADERS)]) == templates.INSTRUCTION_HEADERS
    described = {row[0]: row for row in rows[header_index + 1:] if row[0]}
    assert list(described) == [c.label for c in dataset.columns]
    for column in dataset.columns:
        label, required, type_name, allowed, default, formats, others, description = described[column.label][:8]
        assert required == ("oui" if column.required else "non")
        assert type_name == templates.type_name(column)
        for choice in column.choices:
            assert choice.value in allowed and all(s in allowed for s in choice.synonyms)
        if column.default is not None:
            assert default == templates.default_text(column)
        if column.description:
            assert description == column.description
        if column.type == "date":
            assert "JJ/MM/AAAA" in formats
        for alias in column.aliases:
            assert normalize_header(alias) == normalize_header(column.label) or alias in others
    assert "JJ/MM/AAAA" in text and "virgule décimale" in text


def test_french_type_names_and_defaults():
    incidents, effectifs = DATASETS["incidents"], DATASETS["effectifs"]
    assert templates.type_name(incidents.column("gravite")) == "nombre entier de 1 à 4"
    assert templates.type_name(DATASETS["formations"].column("heures")) == "durée en heures"
    assert templates.type_name(DATASETS["presence"].column("date")) == "date ou mois"
    assert templates.default_text(effectifs.column("certifie")) == "non"
    assert templates.default_text(effectifs.column("etp")) == "1"
    assert templates.default_text(DATASETS["actions"].column("statut")) == "à faire"


def _a_year_earlier(value):
    return value.replace(year=value.year - 1) if isinstance(value, dt.date) else value


def filled_in(folder: Path, name: str, tmp_path: Path) -> Path:
    """The template with its two example rows overwritten by real rows: every date a year earlier."""
    workbook = _open(folder, name)
    for row in workbook[templates.DATA_SHEET].iter_rows(min_row=2, max_row=3):
        for cell in row:
            cell.value = _a_year_earlier(cell.value)
    workbook.save(tmp_path / f"rempli_{name}.xlsx")
    return tmp_path / f"rempli_{name}.xlsx"


@pytest.mark.parametrize("name", list(DATASETS))
def test_template_reimports_cleanly_and_never_loads_its_example_rows(folder, name, tmp_path):
    prepared = prepare_file(folder / f"modele_{name}.xlsx", DATASETS, secret=SECRET, limits=LIMITS)
    assert prepared.recognition.dataset == name
    assert prepared.recognition.sheet == templates.DATA_SHEET
    assert prepared.recognition.header_row_number == 1
    assert prepared.recognition.confidence == 1.0
    batch = prepared.batch
    assert batch.rejected.empty, batch.rejected["message"].tolist()
    # The example rows (2 and 3) are recognised and skipped, never loaded.
    assert prepared.skipped_example_rows == [2, 3]
    assert len(batch.rows) == 0 and batch.rows_read == 0
    assert batch.ignored_columns == [] and batch.personal_columns == []
    # Every declared column was recognised from its header.
    assert sorted(prepared.recognition.mapping.values()) == sorted(DATASETS[name].column_names)
    # The same rows with other dates are real rows: the example values are valid, nothing rejected.
    filled = prepare_file(filled_in(folder, name, tmp_path), DATASETS, secret=SECRET, limits=LIMITS)
    assert filled.skipped_example_rows == []
    assert filled.batch.rejected.empty and filled.batch.warnings.empty, filled.batch.problems()["message"].tolist()
    assert len(filled.batch.rows) == 2


def test_example_rows_are_marked_in_the_template(folder):
    sheet = _open(folder, "activite")[templates.DATA_SHEET]
    assert [sheet.cell(row=r, column=1).comment.text for r in (2, 3)] == [templates.EXAMPLE_NOTE] * 2
    assert sheet.cell(row=4, column=1).comment is None


def test_example_rows_hold_the_declared_values():
    rows = {name: example_rows(d) for name, d in DATASETS.items()}
    activite = DATASETS["activite"]
    first, second = rows["activite"]
    assert first[activite.column_names.index("registre")] in [c.value for c in activite.column("registre").choices]
    # Row 2 leaves columns with a default empty, so the default applies on import.
    assert second[activite.column_names.index("nb_personnes")] is None
    assert second[activite.column_names.index("orientation")] is None
    presence = DATASETS["presence"]
    assert all(r[presence.column_names.index("date")].day == 1 for r in rows["presence"])
    # Closing dates never come before the receipt.
    demandes = DATASETS["demandes"]
    first = rows["demandes"][0]
    assert first[demandes.column_names.index("date_cloture")] >= first[demandes.column_names.index("date_reception")]


def test_output_is_deterministic():
    dataset = DATASETS["reclamations"]
    assert templates.template_bytes(dataset) == templates.template_bytes(dataset)


def test_a_new_dataset_gets_a_template_without_python(tmp_path):
    """A dataset declared only as data (with a list too long for an inline formula)."""
    long_values = [f"valeur numéro {i} de la liste, assez longue" for i in range(12)]
    dataset = parse_dataset({
        "nom": "visites",
        "libelle": "Visites",
        "description": "Visites à domicile.",
        "date_reference": "jour",
        "couverture": "export",
        "colonnes": [
            {"nom": "jour", "type": "date", "requis": True, "libelle": "Jour de visite"},
            {"nom": "equipe", "type": "texte", "requis": True, "libelle": "Équipe"},
            {"nom": "motif", "type": "choix", "requis": True, "libelle": "Motif de visite",
             "valeurs": long_values},
            {"nom": "duree", "type": "decimal", "libelle": "Durée", "heures": True},
            {"nom": "visiteurs", "type": "entier", "libelle": "Visiteurs", "min": 1, "max": 3},
            {"nom": "suivie", "type": "booleen", "libelle": "Suivie", "defaut": False},
        ],
    }, "visites.yaml")
    path = templates.write_template(dataset, tmp_path)
    workbook = load_workbook(path)
    assert templates.LISTS_SHEET in workbook.sheetnames
    assert workbook[templates.LISTS_SHEET].sheet_state == "hidden"
    sheet = workbook[templates.DATA_SHEET]
    lists = [v for v in sheet.data_validations.dataValidation if v.type == "list"]
    assert sorted(_list_values(workbook, v)[0] for v in lists) == sorted([long_values[0], "oui"])
    prepared = prepare_file(path, {"visites": dataset}, secret=SECRET, limits=LIMITS)
    assert prepared.batch.rejected.empty, prepared.batch.rejected["message"].tolist()
    assert prepared.skipped_example_rows == [2, 3] and prepared.batch.rows.empty
    filled = prepare_file(filled_in(tmp_path, "visites", tmp_path), {"visites": dataset}, secret=SECRET, limits=LIMITS)
    assert filled.batch.rejected.empty, filled.batch.rejected["message"].tolist()
    assert len(filled.batch.rows) == 2
    assert set(filled.batch.rows["visiteurs"]) <= {1, 2, 3}


def test_headers_match_their_own_columns():
    for dataset in DATASETS.values():
        for column in dataset.columns:
            assert normalize_header(column.label) in column.header_forms


# --- command line ------------------------------------------------------------------------


def test_cli_writes_the_templates(tmp_path, capsys):
    out = tmp_path / "modeles"
    assert main(["modeles", "--sortie", str(out)]) == EXIT_OK
    printed = capsys.readouterr().out
    for name in DATASETS:
        assert str(out / f"modele_{name}.xlsx") in printed
        assert (out / f"modele_{name}.xlsx").is_file()
    assert main(["modeles", "--sortie", str(tmp_path / "un"), "--jeu", "presence"]) == EXIT_OK
    assert [p.name for p in (tmp_path / "un").iterdir()] == ["modele_presence.xlsx"]
    capsys.readouterr()
    assert main(["modeles", "--sortie", str(tmp_path / "x"), "--jeu", "inconnu"]) == EXIT_BAD_INPUT
    assert "inconnu" in capsys.readouterr().err
    a_file = tmp_path / "fichier.txt"
    a_file.write_text("x")
    assert main(["modeles", "--sortie", str(a_file)]) == EXIT_BAD_INPUT
    assert "n'est pas un dossier" in capsys.readouterr().err


# --- LibreOffice ---------------------------------------------------------------------------


def _soffice(tmp_path: Path, target: str, source: Path, out: Path) -> subprocess.CompletedProcess:
    # A private profile: no clash with a LibreOffice already running for the same user.
    profile = (tmp_path / "profil-libreoffice").as_uri()
    return subprocess.run(
        ["soffice", f"-env:UserInstallation={profile}", "--headless", "--norestore",
         "--convert-to", target, "--outdir", str(out), str(source)],
        capture_output=True, text=True, timeout=240)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None,
                    reason="LibreOffice (soffice) absent : installez libreoffice-calc-nogui pour ce test")
def test_libreoffice_opens_a_template_and_its_ods_reimports(tmp_path):
    source = templates.write_template(DATASETS["reclamations"], tmp_path / "modeles")
    out = tmp_path / "converti"
    done = _soffice(tmp_path, "pdf", source, out)
    pdf = out / "modele_reclamations.pdf"
    assert pdf.is_file(), done.stderr
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 1000
    done = _soffice(tmp_path, "ods", source, out)
    ods = out / "modele_reclamations.ods"
    assert ods.is_file(), done.stderr
    prepared = prepare_file(ods, DATASETS, secret=SECRET, limits=LIMITS)
    assert prepared.recognition.dataset == "reclamations"
    assert prepared.batch.rejected.empty, prepared.batch.rejected["message"].tolist()
    # Every cell came back with the same typed value (numbers, dates, oui/non): still the example rows.
    assert prepared.skipped_example_rows == [2, 3] and prepared.batch.rows.empty
