"""The demo structure: deterministic, complete, believable, with its deliberate bad rows."""

from __future__ import annotations

import csv
import functools
import io
import zipfile
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from pilotage_qualite.common.settings import DEMO_DIR, DEMO_STRUCTURE_FILE
from tools import demo_generator

REGENERATE = "python -m tools.demo_generator --fin 2026-10 --dossier data/demo"


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    demo_generator.generate(folder, end_month="2026-10", seed=demo_generator.DEFAULT_SEED)
    return folder


@pytest.fixture(scope="module")
def data() -> dict[str, pd.DataFrame]:
    return demo_generator.build("2026-10", demo_generator.DEFAULT_SEED)


def _zip_entries(path: Path) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(path) as archive:
        return [(info.filename, archive.read(info.filename)) for info in archive.infolist()]


@functools.cache
def _sheet_rows(path: Path) -> list[list]:
    """Rows of the sheet (or CSV) holding the data, as the spreadsheet shows them (row 1 first).

    Cached: callers must not modify the rows."""
    if path.suffix == ".xlsx":
        wb = load_workbook(path, read_only=True)
        sheet = wb["Demandes"] if "Demandes" in wb.sheetnames else wb.worksheets[0]
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        wb.close()
        return rows
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    delimiter = ";" if path.name == demo_generator.FILES["presence"] else ","
    return [[v if v != "" else None for v in row]
            for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _header_index(rows: list[list], column: str) -> tuple[int, int]:
    """(0-based header row, 0-based column) of the header cell spelled ``column``."""
    for i, row in enumerate(rows[:30]):
        if column in row:
            return i, row.index(column)
    raise AssertionError(f"en-tête « {column} » introuvable")


# --------------------------------------------------------------------------- determinism


def test_the_committed_folder_holds_the_eleven_files_and_the_structure_name():
    expected = [*demo_generator.FILES.values(), DEMO_STRUCTURE_FILE.name]
    assert sorted(p.name for p in DEMO_DIR.iterdir()) == sorted(expected)


def test_regenerating_gives_the_committed_structure_name(regenerated):
    name = DEMO_STRUCTURE_FILE.name
    assert (regenerated / name).read_bytes() == DEMO_STRUCTURE_FILE.read_bytes(), \
        f"{name} ne correspond plus au générateur : lancer `{REGENERATE}`"


@pytest.mark.parametrize("dataset", list(demo_generator.FILES))
def test_regenerating_from_the_seed_gives_the_committed_file(regenerated, dataset):
    name = demo_generator.FILES[dataset]
    new, committed = regenerated / name, DEMO_DIR / name
    if name.endswith(".xlsx"):
        # Entry by entry, uncompressed: every byte of content and the entry order must match,
        # while a different zlib build (compressed bytes) cannot fail the test.
        same = _zip_entries(new) == _zip_entries(committed)
    else:
        same = new.read_bytes() == committed.read_bytes()
    assert same, f"{name} ne correspond plus au générateur : lancer `{REGENERATE}`"


def test_xlsx_files_are_byte_identical_across_runs(regenerated, tmp_path):
    demo_generator.generate(tmp_path)
    for name in demo_generator.FILES.values():
        assert (tmp_path / name).read_bytes() == (regenerated / name).read_bytes(), name


def test_the_end_month_is_a_parameter_and_nothing_reads_the_clock():
    other = demo_generator.build("2025-06", demo_generator.DEFAULT_SEED)
    dates = other["activite"]["date"]
    assert dates.min() >= pd.Timestamp("2022-07-01")
    assert dates.max() <= pd.Timestamp("2025-06-30")
    assert dates.dt.to_period("M").nunique() == 36


def test_the_command_line_rejects_a_malformed_month(tmp_path):
    with pytest.raises(SystemExit) as stop:
        demo_generator.main(["--fin", "2026-13", "--dossier", str(tmp_path)])
    assert stop.value.code == 2
    assert not any(tmp_path.iterdir())


# --------------------------------------------------------------------------- files and bad rows


@pytest.mark.parametrize("bad", demo_generator.DELIBERATE_BAD_ROWS, ids=lambda b: f"{b.file}:{b.row}")
def test_the_deliberate_bad_rows_are_where_the_docstring_says(bad):
    rows = _sheet_rows(DEMO_DIR / bad.file)
    _, column = _header_index(rows, bad.column)
    assert rows[bad.row - 1][column] == bad.value
    assert f"{bad.file}`` {'line' if bad.file.endswith('.csv') else 'row'} {bad.row}" \
        in demo_generator.__doc__


@pytest.mark.parametrize("dataset", list(demo_generator.FILES))
def test_each_file_holds_the_clean_rows_plus_only_its_deliberate_bad_rows(data, dataset):
    rows = _sheet_rows(DEMO_DIR / demo_generator.FILES[dataset])
    body = [r for r in rows[_header_row(rows) + 1:] if any(v not in (None, "") for v in r)]
    if body and str(body[-1][0]).lower().startswith("total"):
        body = body[:-1]
    bad = [b for b in demo_generator.DELIBERATE_BAD_ROWS if b.dataset == dataset]
    assert len(body) == len(data[dataset]) + len(bad)


def _header_row(rows: list[list]) -> int:
    """0-based index of the header: the first row with at least three non-empty text cells."""
    for i, row in enumerate(rows[:30]):
        if sum(isinstance(v, str) and bool(v.strip()) for v in row) >= 3:
            return i
    raise AssertionError("pas d'en-tête")


def test_untidy_shapes_are_there():
    activite = _sheet_rows(DEMO_DIR / demo_generator.FILES["activite"])
    assert activite[3][:4] == ["Date de l'intervention", "Heure", "Équipe", "Type d'intervention"]
    assert activite[0][0].startswith(demo_generator.STRUCTURE)
    assert load_workbook(DEMO_DIR / demo_generator.FILES["demandes"], read_only=True).sheetnames \
        == ["Synthèse", "Demandes"]
    reclamations = _sheet_rows(DEMO_DIR / demo_generator.FILES["reclamations"])
    assert "Nom du réclamant" in reclamations[0]
    assert reclamations[-1][0] == "Total"
    assert (DEMO_DIR / demo_generator.FILES["satisfaction"]).read_bytes().startswith(b"\xef\xbb\xbf")
    presence = (DEMO_DIR / demo_generator.FILES["presence"]).read_bytes().decode("cp1252")
    assert "novembre 2023;Lyon 8e;" in presence and "\u00a0" in presence


def test_complainants_have_obviously_fictional_names():
    rows = _sheet_rows(DEMO_DIR / demo_generator.FILES["reclamations"])
    column = rows[0].index("Nom du réclamant")
    names = [r[column] for r in rows[1:-1]]
    assert all(name.split()[-1] in demo_generator.FICTIONAL_SURNAMES for name in names)


# --------------------------------------------------------------------------- volumes


def test_volumes_are_realistic(data):
    years = 3
    assert 4000 <= len(data["activite"]) / years <= 6000
    assert len(data["presence"]) == 3 * 36
    assert 300 <= len(data["demandes"]) / years <= 500
    assert 30 <= len(data["reclamations"]) / years <= 60
    assert 300 <= len(data["satisfaction"]) / years <= 600
    assert 0.10 <= (data["satisfaction"]["public"] == "partenaire").mean() <= 0.20
    assert 30 <= len(data["incidents"]) <= 50
    assert 45 <= len(data["documents"]) <= 60
    assert 50 <= len(data["actions"]) <= 75
    assert len(data["formations"]) >= 300
    staff = data["effectifs"]
    end = pd.Timestamp("2026-11-01")
    present = (staff["date_entree"] < end) & (staff["date_sortie"].isna()
                                             | (staff["date_sortie"] >= end))
    assert 35 <= present.sum() <= 45
    for name in ("activite", "presence", "demandes", "reclamations", "satisfaction",
                 "incidents"):
        assert set(data[name]["site"]) == set(demo_generator.SITES), name


def test_audits_and_improvement_plan(data):
    audits = data["audits"]
    assert set(audits["type_audit"]) == {"interne", "blanc", "certification"}
    assert audits["audit"].nunique() == 3 and 20 <= len(audits) <= 30
    assert set(audits["constat"]) == {"non-conformité majeure", "non-conformité mineure",
                                      "point sensible", "piste de progrès", "point fort"}
    assert audits["date_levee"].notna().sum() >= 5
    actions = data["actions"]
    assert set(actions["origine"]) == {"audit", "réclamation", "enquête de satisfaction",
                                       "incident", "revue de direction", "autre"}
    numbers = set(actions["numero"])
    for name in ("audits", "reclamations", "incidents"):
        linked = data[name]["action"].dropna()
        assert len(linked) and set(linked) <= numbers, name


# --------------------------------------------------------------------------- the story


def test_activity_dips_in_august_and_at_the_end_of_december(data):
    dates = data["activite"]["date"]
    per_month = dates.dt.to_period("M").value_counts()
    august = per_month[[p for p in per_month.index if p.month == 8]].mean()
    others = per_month[[p for p in per_month.index if p.month not in (7, 8, 12)]].mean()
    assert august < 0.6 * others
    late_december = ((dates.dt.month == 12) & (dates.dt.day >= 20)).sum() / (3 * 12)
    assert late_december < 0.5 * others / 30


def test_saint_etienne_complaint_response_time_slips(data):
    rec = data["reclamations"]
    answered = rec[rec["date_reponse"].notna() & (rec["site"] == "Saint-Étienne")]
    on_time = (answered["date_reponse"] - answered["date_reception"]).dt.days <= 15
    recent = answered["date_reponse"] >= pd.Timestamp("2026-05-01")
    assert on_time[recent].mean() < 0.75 <= on_time[~recent].mean()


def test_satisfaction_dips_after_the_turnover_peak(data):
    staff = data["effectifs"]
    exits = staff["date_sortie"].dropna()
    peak = exits[(exits >= pd.Timestamp("2026-01-01")) & (exits < pd.Timestamp("2026-05-01"))]
    assert len(peak) >= 6
    sat = data["satisfaction"]
    sat = sat[(sat["public"] == "habitant") & sat["satisfaction_globale"].notna()]
    satisfied = sat["satisfaction_globale"] >= 3
    dip = (sat["date"] >= pd.Timestamp("2026-06-01")) & (sat["date"] < pd.Timestamp("2026-10-01"))
    before = sat["date"] < pd.Timestamp("2026-01-01")
    assert satisfied[dip].mean() < 0.75 and satisfied[before].mean() > 0.85


def test_late_actions_pile_up_before_the_certification_audit(data):
    actions = data["actions"]

    def late_at(day: date) -> int:
        end = pd.Timestamp(day)
        return int(((actions["date_ouverture"] < end) & (actions["echeance"] < end)
                    & (actions["statut"] != "abandonnée")
                    & (actions["date_realisation"].isna()
                       | (actions["date_realisation"] >= end))).sum())

    assert late_at(date(2026, 2, 1)) <= 2
    assert late_at(date(2026, 9, 1)) >= 8
    assert late_at(date(2026, 10, 1)) <= 5
