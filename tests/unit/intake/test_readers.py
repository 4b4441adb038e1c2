"""Reading uploaded files into raw sheets with native cell types (pilotage_qualite.intake.readers)."""

from __future__ import annotations

import datetime as dt
import gc
import pickle
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook as OpenpyxlWorkbook

from pilotage_qualite.intake.raw_sheets import RawSheet, ReadError, Workbook, to_columns
from pilotage_qualite.intake.readers import HEADER_SCAN_ROWS, read_file, read_head

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_soffice = pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice absent (soffice) : impossible de produire des fichiers .ods/.xls de test "
    "(apt-get install libreoffice-calc-nogui)",
)

HEADER = ["date", "horodatage", "nombre", "decimal", "texte", "vide", "booleen", "erreur", "heure"]


def make_xlsx(path: Path) -> Path:
    """A workbook that opens on a summary sheet; the data sheet has a title row above its table."""
    wb = OpenpyxlWorkbook()
    summary = wb.active
    summary.title = "Synthèse"
    summary["A1"] = "Résumé du mois"
    summary["B2"] = 12
    data = wb.create_sheet("Réclamations")
    data.append(["Export du registre des réclamations"])  # row 1: title
    data.append([])  # row 2: blank
    data.append(HEADER)  # row 3: header
    data.append([
        dt.date(2025, 3, 14), dt.datetime(2025, 3, 14, 10, 22, 1), 42, 3.5, "Réclamation é",
        None, True, "#N/A", dt.time(10, 30),
    ])  # row 4
    data.append([dt.date(2025, 3, 15), None, 7, 0.25, "deux", None, False, "#DIV/0!", None])
    data["D7"] = "après un blanc"  # row 7, after a blank row 6
    hidden = wb.create_sheet("Cachée")
    hidden["A1"] = "x"
    hidden.sheet_state = "hidden"
    wb.save(path)
    return path


@pytest.fixture
def xlsx(tmp_path: Path) -> Path:
    return make_xlsx(tmp_path / "registre.xlsx")


def write(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


# --- xlsx ---------------------------------------------------------------------------------


def test_xlsx_sheets_in_file_order_with_native_types(xlsx: Path) -> None:
    wb = read_file(xlsx)
    assert isinstance(wb, Workbook)
    assert wb.format == "xlsx"
    assert wb.filename == "registre.xlsx"
    assert [s.name for s in wb.sheets] == ["Synthèse", "Réclamations", "Cachée"]
    assert [s.hidden for s in wb.sheets] == [False, False, True]

    summary = wb.sheets[0]
    assert summary.rows == [["Résumé du mois", None], [None, 12.0]]

    rows = wb.sheet("Réclamations").rows
    # rows[i] is spreadsheet row i + 1; rows are rectangular, padded with None.
    assert len(rows) == 7
    assert len({len(r) for r in rows}) == 1
    assert rows[0][0] == "Export du registre des réclamations"
    assert rows[0][1:] == [None] * (len(rows[0]) - 1)
    assert rows[1] == [None] * len(rows[1])
    assert rows[2] == HEADER
    date, stamp, number, decimal, text, empty, boolean, error, hour = rows[3]
    assert type(date) is dt.date and date == dt.date(2025, 3, 14)
    assert type(stamp) is dt.datetime and stamp == dt.datetime(2025, 3, 14, 10, 22, 1)
    # xlsx stores numbers as floats: 42 may come back as 42.0 (kept as calamine gives it).
    assert isinstance(number, (int, float)) and not isinstance(number, bool) and number == 42
    assert type(decimal) is float and decimal == 3.5
    assert text == "Réclamation é"
    assert empty is None
    assert boolean is True
    assert error is None  # Excel error cells come out as None
    assert hour == dt.time(10, 30)
    assert rows[4][7] is None and rows[4][1] is None and rows[4][6] is False
    assert rows[5] == [None] * len(rows[5])  # blank row in the middle kept
    assert rows[6][3] == "après un blanc"
    assert not any(s.truncated for s in wb.sheets)


def test_xlsx_leading_empty_rows_and_columns_keep_positions(tmp_path: Path) -> None:
    wb = OpenpyxlWorkbook()
    ws = wb.active
    ws["C3"] = "site"
    ws["D3"] = "date"
    ws["C4"] = "Nord"
    ws["D4"] = dt.date(2025, 1, 2)
    wb.save(tmp_path / "decale.xlsx")
    rows = read_file(tmp_path / "decale.xlsx").sheets[0].rows
    assert len(rows) == 4 and len(rows[0]) == 4
    assert rows[2][2:] == ["site", "date"]
    assert rows[3][2] == "Nord" and rows[3][3] == dt.date(2025, 1, 2)
    assert rows[0] == [None] * 4


def test_xlsx_durations_and_datetime_at_midnight(tmp_path: Path) -> None:
    wb = OpenpyxlWorkbook()
    ws = wb.active
    ws["A1"] = dt.timedelta(hours=30)
    ws["B1"] = dt.datetime(2025, 3, 14, 0, 0)
    wb.save(tmp_path / "durees.xlsx")
    row = read_file(tmp_path / "durees.xlsx").sheets[0].rows[0]
    assert row[0] == dt.timedelta(hours=30)
    assert row[1] == dt.date(2025, 3, 14)  # a midnight datetime comes back as a date


def test_max_rows_reads_only_the_first_rows(xlsx: Path) -> None:
    wb = read_file(xlsx, max_rows=3)
    data = wb.sheet("Réclamations")
    assert len(data.rows) == 3 and data.truncated
    assert data.rows[2] == HEADER
    assert not wb.sheet("Synthèse").truncated and len(wb.sheet("Synthèse").rows) == 2
    head = read_head(xlsx)
    assert len(head.sheet("Réclamations").rows) == 7 <= HEADER_SCAN_ROWS
    assert read_file(xlsx, max_rows=0).sheets[0].rows == []


def test_chart_sheets_are_left_out(tmp_path: Path) -> None:
    from openpyxl.chart import BarChart, Reference

    wb = OpenpyxlWorkbook()
    ws = wb.active
    ws.title = "Données"
    for i in range(1, 4):
        ws.append([i, i * 2])
    chart_sheet = wb.create_chartsheet("Graphique")
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=2, min_row=1, max_row=3))
    chart_sheet.add_chart(chart)
    wb.save(tmp_path / "graph.xlsx")
    assert [s.name for s in read_file(tmp_path / "graph.xlsx").sheets] == ["Données"]


def test_far_corner_cell_is_refused_not_expanded(tmp_path: Path) -> None:
    wb = OpenpyxlWorkbook()
    wb.active["XFD1048576"] = "x"
    wb.save(tmp_path / "coin.xlsx")
    with pytest.raises(ReadError, match=r"La feuille « Sheet » du fichier « coin\.xlsx » est trop grande"):
        read_file(tmp_path / "coin.xlsx")


def test_max_cells_and_max_uncompressed_limits(xlsx: Path) -> None:
    with pytest.raises(ReadError, match="trop grande"):
        read_file(xlsx, max_cells=10)
    assert read_file(xlsx, max_cells=10, max_rows=1).sheets[1].rows[0][0].startswith("Export")
    with pytest.raises(ReadError, match=r"« registre\.xlsx » est refusé : une fois décompressé"):
        read_file(xlsx, max_uncompressed=1000)


def test_workbook_without_data(tmp_path: Path) -> None:
    wb = OpenpyxlWorkbook()
    wb.create_sheet("Autre")
    wb.save(tmp_path / "vide.xlsx")
    with pytest.raises(ReadError, match=r"« vide\.xlsx » ne contient aucune donnée"):
        read_file(tmp_path / "vide.xlsx")


def test_unknown_sheet_name(xlsx: Path) -> None:
    with pytest.raises(ReadError, match=r"n'a pas de feuille « Absente » \(feuilles : « Synthèse »"):
        read_file(xlsx).sheet("Absente")


def test_content_wins_over_extension(xlsx: Path, tmp_path: Path) -> None:
    for name in ("renomme.xls", "renomme.csv", "sans_extension"):
        copy = tmp_path / name
        shutil.copy(xlsx, copy)
        wb = read_file(copy)
        assert wb.format == "xlsx"
        assert wb.sheet("Réclamations").rows[3][0] == dt.date(2025, 3, 14)


def test_result_is_picklable_and_gc_state_restored(xlsx: Path) -> None:
    assert gc.isenabled()
    wb = read_file(xlsx)
    assert gc.isenabled()
    assert pickle.loads(pickle.dumps(wb)) == wb
    with pytest.raises(ReadError):
        read_file(xlsx, max_cells=1)
    assert gc.isenabled()
    gc.disable()
    try:
        read_file(xlsx)
        assert not gc.isenabled()  # a caller's own pause is left alone
    finally:
        gc.enable()
    error = ReadError("Le fichier « x » est vide.", detail="raw")
    copy = pickle.loads(pickle.dumps(error))
    assert str(copy) == "Le fichier « x » est vide." and copy.detail == "raw"


def test_to_columns(xlsx: Path) -> None:
    rows = read_file(xlsx).sheet("Réclamations").rows
    columns = to_columns(rows, 2)
    assert len(columns) == len(HEADER)
    assert columns[0] == (dt.date(2025, 3, 14), dt.date(2025, 3, 15), None, None)
    assert columns[3][3] == "après un blanc"
    assert to_columns(rows[:3], 2) == [()] * len(HEADER)


# --- bad files ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["vide.xlsx", "vide.csv", "vide.ods"])
def test_empty_file(tmp_path: Path, name: str) -> None:
    with pytest.raises(ReadError, match=rf"^Le fichier « {name} » est vide\.$"):
        read_file(write(tmp_path / name, b""))


def test_blank_text_file_is_empty(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="est vide"):
        read_file(write(tmp_path / "blanc.csv", b"\xef\xbb\xbf \r\n\r\n"))
    with pytest.raises(ReadError, match="est vide"):
        read_file(write(tmp_path / "separateurs.csv", b";;;\r\n;;;\r\n"))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match=r"« absent\.xlsx » est introuvable"):
        read_file(tmp_path / "absent.xlsx")


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n" + bytes(range(256))


def test_pdf_renamed_xlsx(tmp_path: Path) -> None:
    with pytest.raises(ReadError) as info:
        read_file(write(tmp_path / "rapport.xlsx", PDF))
    message = str(info.value)
    assert message.startswith("Le fichier « rapport.xlsx » n'est pas un classeur lisible")
    assert "PDF" in message and ".xlsx, .xlsm, .xls" in message


def test_pdf_extension_not_supported(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match=(
        r"^Le fichier « rapport\.pdf » : format \.pdf non pris en charge "
        r"\(formats acceptés : \.xlsx, \.xlsm, \.xls, \.xlsb, \.ods, \.csv, \.txt\)\.$"
    )):
        read_file(write(tmp_path / "rapport.pdf", PDF))


def test_truncated_xlsx(xlsx: Path, tmp_path: Path) -> None:
    data = xlsx.read_bytes()
    broken = write(tmp_path / "tronque.xlsx", data[: len(data) // 2])
    with pytest.raises(ReadError, match=r"« tronque\.xlsx » est endommagé \(archive tronquée"):
        read_file(broken)


def test_corrupted_sheet_xml(xlsx: Path, tmp_path: Path) -> None:
    broken = tmp_path / "abime.xlsx"
    with zipfile.ZipFile(xlsx) as src, zipfile.ZipFile(broken, "w") as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet2.xml":
                content = content[: len(content) // 2]
            dst.writestr(item, content)
    with pytest.raises(ReadError) as info:
        read_file(broken)
    message = str(info.value)
    assert "« abime.xlsx »" in message and "Traceback" not in message
    assert "endommagé" in message or "n'a pas pu être lu" in message


def test_other_zip_and_binary_files(tmp_path: Path) -> None:
    docx = tmp_path / "note.docx"
    with zipfile.ZipFile(docx, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(ReadError, match=r"format \.docx non pris en charge"):
        read_file(docx)
    shutil.copy(docx, tmp_path / "note.xlsx")
    with pytest.raises(ReadError, match=r"« note\.xlsx » n'est pas un classeur lisible \(c'est un document Word\)"):
        read_file(tmp_path / "note.xlsx")
    with pytest.raises(ReadError, match=r"« image\.xlsx » n'est pas un classeur lisible \(c'est une image PNG\)"):
        read_file(write(tmp_path / "image.xlsx", b"\x89PNG\r\n\x1a\n" + bytes(100)))
    with pytest.raises(ReadError, match=r"« bruit\.xls » n'est pas un classeur lisible \(format non reconnu\)"):
        read_file(write(tmp_path / "bruit.xls", bytes(range(256)) * 4))
    # An OLE2 header followed by garbage: a damaged container.
    with pytest.raises(ReadError, match=r"« faux\.xls » est endommagé"):
        read_file(write(tmp_path / "faux.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2000)))


def test_html_saved_as_xls(tmp_path: Path) -> None:
    html = b"<html><body><table><tr><td>date</td><td>site</td></tr></table></body></html>"
    with pytest.raises(ReadError, match=r"« export\.xls » est une page web \(HTML\)"):
        read_file(write(tmp_path / "export.xls", html))


def test_text_that_is_not_a_table(tmp_path: Path) -> None:
    prose = (
        "Compte rendu de la réunion qualité\n"
        "Étaient présents la coordinatrice et deux médiateurs.\n"
        "Il a été décidé de revoir, avant la fin du mois, la procédure d'accueil.\n"
        "Le prochain point aura lieu en avril, à la date convenue, au siège.\n"
        "Fin du document\n"
    ).encode("utf-8")
    with pytest.raises(ReadError, match=r"^Le fichier « notes\.txt » ne contient pas de tableau lisible"):
        read_file(write(tmp_path / "notes.txt", prose))


# --- CSV / TXT ----------------------------------------------------------------------------


def test_csv_utf8_bom_semicolon(tmp_path: Path) -> None:
    content = "numéro;date de réception;site\r\nR1;14/03/2025;Nord\r\nR2;;Sud\r\n"
    wb = read_file(write(tmp_path / "bom.csv", b"\xef\xbb\xbf" + content.encode("utf-8")))
    assert wb.format == "csv" and wb.encoding == "utf-8-sig" and wb.delimiter == ";"
    assert [s.name for s in wb.sheets] == ["bom"]
    assert wb.sheets[0].rows == [
        ["numéro", "date de réception", "site"],  # BOM stripped from the first header
        ["R1", "14/03/2025", "Nord"],
        ["R2", None, "Sud"],
    ]


def test_csv_utf8_comma(tmp_path: Path) -> None:
    content = 'date,site,nb personnes\n2025-03-14,Nord,3\n2025-03-15,"Sud, centre",\n'
    wb = read_file(write(tmp_path / "virgule.csv", content.encode("utf-8")))
    assert wb.encoding == "utf-8" and wb.delimiter == ","
    assert wb.sheets[0].rows == [
        ["date", "site", "nb personnes"],
        ["2025-03-14", "Nord", "3"],
        ["2025-03-15", "Sud, centre", None],
    ]


def test_csv_cp1252_semicolon_with_decimal_commas(tmp_path: Path) -> None:
    content = (
        "Export Réclamations;;;\r\n"
        "N°;Réclamation;durée (h);montant\r\n"
        "R1;Accueil é;3,5;1 234,50\r\n"
        "R2;Délai de réponse;0,25;12,00\r\n"
        "R3;Propreté;7;\r\n"
    )
    wb = read_file(write(tmp_path / "excel_fr.csv", content.encode("cp1252")))
    assert wb.encoding == "cp1252" and wb.delimiter == ";"
    rows = wb.sheets[0].rows
    assert rows[0] == ["Export Réclamations", None, None, None]
    assert rows[1] == ["N°", "Réclamation", "durée (h)", "montant"]
    assert rows[2] == ["R1", "Accueil é", "3,5", "1 234,50"]
    assert rows[4] == ["R3", "Propreté", "7", None]
    assert all(isinstance(v, str) for row in rows for v in row if v is not None)


def test_semicolon_wins_when_every_value_has_decimal_commas(tmp_path: Path) -> None:
    content = "a;b;c\n1,5;2,5;3,5\n4,5;5,5;6,5\n7,5;8,5;9,5\n"
    wb = read_file(write(tmp_path / "decimales.csv", content.encode("utf-8")))
    assert wb.delimiter == ";" and wb.sheets[0].rows[1] == ["1,5", "2,5", "3,5"]


def test_comma_file_with_semicolons_in_text(tmp_path: Path) -> None:
    content = "date,site,objet\n2025-03-14,Nord,bruit; dégradation\n2025-03-15,Sud,bruit\n2025-03-16,Est,autre\n"
    wb = read_file(write(tmp_path / "mix.csv", content.encode("utf-8")))
    assert wb.delimiter == "," and wb.sheets[0].rows[1] == ["2025-03-14", "Nord", "bruit; dégradation"]


def test_tab_separated_txt(tmp_path: Path) -> None:
    content = "date\tsite\tcommentaire\n14/03/2025\tNord\tvu, revu; noté\n15/03/2025\tSud\t\n"
    wb = read_file(write(tmp_path / "export.txt", content.encode("utf-8")))
    assert wb.delimiter == "\t"
    assert wb.sheets[0].rows == [
        ["date", "site", "commentaire"],
        ["14/03/2025", "Nord", "vu, revu; noté"],
        ["15/03/2025", "Sud", None],
    ]


def test_utf16_unicode_text_export(tmp_path: Path) -> None:
    content = "date\tsite\r\n14/03/2025\tRéau\r\n"
    wb = read_file(write(tmp_path / "unicode.txt", content.encode("utf-16")))
    assert wb.encoding == "utf-16" and wb.delimiter == "\t"
    assert wb.sheets[0].rows == [["date", "site"], ["14/03/2025", "Réau"]]


def test_quoted_fields_with_separators_newlines_and_ragged_rows(tmp_path: Path) -> None:
    content = (
        'numero;objet;site\r\n'
        'R1;"Bruit; tapage\r\nnocturne";Nord\r\n'
        'R2;"Dit ""urgent""";Sud;en trop\r\n'
        'R3;court\r\n'
        '\r\n'
        'R4;fin;Est\r\n'
    )
    wb = read_file(write(tmp_path / "quotes.csv", content.encode("utf-8")))
    rows = wb.sheets[0].rows
    assert wb.delimiter == ";"
    assert rows == [
        ["numero", "objet", "site", None],
        ["R1", "Bruit; tapage\r\nnocturne", "Nord", None],  # one record = one Excel row
        ["R2", 'Dit "urgent"', "Sud", "en trop"],
        ["R3", "court", None, None],
        [None, None, None, None],  # blank line kept as an empty row
        ["R4", "fin", "Est", None],
    ]


def test_csv_max_rows(tmp_path: Path) -> None:
    lines = ["date;site"] + [f"{i:02d}/03/2025;Nord" for i in range(1, 29)]
    path = write(tmp_path / "long.csv", "\n".join(lines).encode("utf-8"))
    wb = read_file(path, max_rows=5)
    assert len(wb.sheets[0].rows) == 5 and wb.sheets[0].truncated
    assert not read_file(path).sheets[0].truncated


def test_csv_renamed_xls_is_read_as_text(tmp_path: Path) -> None:
    wb = read_file(write(tmp_path / "export.xls", "date\tsite\n14/03/2025\tNord\n".encode("utf-8")))
    assert wb.format == "csv" and wb.sheets[0].rows[1] == ["14/03/2025", "Nord"]


def test_text_with_unsupported_extension(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match=r"format \.json non pris en charge"):
        read_file(write(tmp_path / "data.json", b'{"a": 1, "b": 2}\n'))


def test_unclosed_quote_with_huge_field(tmp_path: Path) -> None:
    content = b'a;b\n1;"' + b"x" * 200_000 + b"\n"
    with pytest.raises(ReadError, match=r"« guillemet\.csv » n'a pas pu être lu à la ligne"):
        read_file(write(tmp_path / "guillemet.csv", content))


# --- ods / xls through LibreOffice --------------------------------------------------------


def convert(source: Path, fmt: str, outdir: Path) -> Path:
    profile = outdir / "lo-profile"
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
         "--convert-to", fmt, "--outdir", str(outdir), str(source)],
        check=True, capture_output=True, timeout=180,
    )
    target = outdir / f"{source.stem}.{fmt}"
    assert target.exists(), f"LibreOffice did not produce {target.name}"
    return target


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    outdir = tmp_path_factory.mktemp("lo")
    source = make_xlsx(outdir / "registre.xlsx")
    return {fmt: convert(source, fmt, outdir) for fmt in ("ods", "xls")}


@needs_soffice
@pytest.mark.parametrize("fmt", ["ods", "xls"])
def test_libreoffice_formats(converted: dict[str, Path], fmt: str) -> None:
    wb = read_file(converted[fmt])
    assert wb.format == fmt
    assert [s.name for s in wb.sheets] == ["Synthèse", "Réclamations", "Cachée"]
    rows = wb.sheet("Réclamations").rows
    assert rows[0][0] == "Export du registre des réclamations"
    assert rows[2] == HEADER
    date, stamp, number, decimal, text, empty, boolean, _error, hour = rows[3]
    assert type(date) is dt.date and date == dt.date(2025, 3, 14)
    assert type(stamp) is dt.datetime and stamp == dt.datetime(2025, 3, 14, 10, 22, 1)
    assert isinstance(number, (int, float)) and not isinstance(number, bool) and number == 42
    assert decimal == 3.5
    assert text == "Réclamation é"
    assert empty is None
    assert boolean in (True, 1)
    assert isinstance(hour, (dt.time, dt.timedelta, float))  # LibreOffice may store it as a duration
    assert rows[6][3] == "après un blanc"
    assert wb.sheet("Cachée").hidden


@needs_soffice
def test_ods_renamed_and_truncated(converted: dict[str, Path], tmp_path: Path) -> None:
    renamed = tmp_path / "classeur.xlsx"
    shutil.copy(converted["ods"], renamed)
    assert read_file(renamed).format == "ods"
    data = converted["ods"].read_bytes()
    with pytest.raises(ReadError, match="endommagé"):
        read_file(write(tmp_path / "tronque.ods", data[: len(data) // 2]))
    xls = converted["xls"].read_bytes()
    with pytest.raises(ReadError, match=r"« tronque\.xls » est endommagé"):
        read_file(write(tmp_path / "tronque.xls", xls[: len(xls) // 2]))


def test_raw_sheet_width() -> None:
    assert RawSheet("a", []).width == 0
    assert RawSheet("a", [[1, 2, 3]]).width == 3
