"""Refusals that name the real cause (issue 17, point 6), and files wrongly refused before.

Every file is built here (zip and XML by hand, BIFF records and their OLE2 container packed with
struct, encryption with msoffcrypto-tool), except an XOR-obfuscated xls, which no tool here
writes: tests/fixtures/spreadsheets/README.md says where it comes from.
"""

from __future__ import annotations

import io
import random
import struct
import zipfile
from pathlib import Path

import pytest
from msoffcrypto.format.ooxml import OOXMLFile

from pilotage_qualite.intake import protected_files, sandbox
from pilotage_qualite.intake.file_checks import _biff_sheet_ranges
from pilotage_qualite.intake.protected_files import EXCEL_DEFAULT_PASSWORD
from pilotage_qualite.intake.raw_sheets import ReadError
from pilotage_qualite.intake.readers import read_file
from pilotage_qualite.intake.recognition import RecognitionError, SheetRows, recognise
from pilotage_qualite.model.datasets import load_datasets

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "spreadsheets"
PROTECTED = "est protégé par un mot de passe : enregistrez-le sans mot de passe"

# --- xlsx and ods, zip and XML by hand --------------------------------------------------------

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
XLSX_PARTS = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'),
    "_rels/.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/>'
        '</Relationships>'),
    "xl/workbook.xml": (
        f'<workbook xmlns="{MAIN_NS}" xmlns:r="{RELATIONSHIPS}">'
        '<sheets><sheet name="Registre" sheetId="1" r:id="rId1"/></sheets></workbook>'),
    "xl/_rels/workbook.xml.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{RELATIONSHIPS}/worksheet" Target="worksheets/sheet1.xml"/>'
        '</Relationships>'),
}


def text_cell(reference: str, text: str) -> str:
    return f'<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>'


def xlsx(rows: list[list[str]], *, dimension: str | None = None, extra_cells: str = "",
         extra_parts: dict[str, bytes] | None = None) -> bytes:
    """A one-sheet workbook of text cells from A1, with an optional declared dimension."""
    body = "".join(f'<row r="{i}">' + "".join(text_cell(f"{chr(65 + j)}{i}", value) for j, value in enumerate(row))
                   + "</row>" for i, row in enumerate(rows, start=1))
    declared = f'<dimension ref="{dimension}"/>' if dimension else ""
    sheet = f'<worksheet xmlns="{MAIN_NS}">{declared}<sheetData>{body}{extra_cells}</sheetData></worksheet>'
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in {**XLSX_PARTS, "xl/worksheets/sheet1.xml": sheet}.items():
            archive.writestr(name, text)
        for name, data in (extra_parts or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


ODS_CONTENT = (
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>'
    '<table:table table:name="Registre"><table:table-row>'
    '<table:table-cell office:value-type="string"><text:p>N° réclamation</text:p></table:table-cell>'
    '<table:table-cell office:value-type="string"><text:p>Site</text:p></table:table-cell>'
    '</table:table-row></table:table></office:spreadsheet></office:body></office:document-content>')


def manifest(media_type: str) -> str:
    return ('<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
            f'<manifest:file-entry manifest:media-type="{media_type}" manifest:full-path="/"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
            '</manifest:manifest>')


def zip_of(parts: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()


# --- xls: BIFF records packed with struct, in a minimal OLE2 container ---------------------------

FREE, END_OF_CHAIN, FAT_SECTOR, NO_ENTRY = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def record(kind: int, body: bytes = b"") -> bytes:
    return struct.pack("<HH", kind, len(body)) + body


def bof(version: int, substream: int) -> bytes:
    return record(0x0809, struct.pack("<HHHHII", version, substream, 0, 1997, 0, 6))


def number(row: int, column: int, value: float) -> bytes:
    return record(0x0203, struct.pack("<HHHd", row, column, 0, value))


def mulrk(row: int, first: int, last: int) -> bytes:
    """Numbers from column ``first`` to ``last`` of one row (RK value 0 each)."""
    cells = b"".join(struct.pack("<HI", 0, 0) for _ in range(first, last + 1))
    return record(0x00BD, struct.pack("<HH", row, first) + cells + struct.pack("<H", last))


def biff8_workbook(sheet_records: bytes, name: str = "Feuil1", *, version: int = 0x0600) -> bytes:
    """A BIFF8 (or, with ``version`` 0x0500, BIFF5) workbook stream: its globals (one BOUNDSHEET)
    then one worksheet."""
    def globals_(sheet_offset: int) -> bytes:
        encoded = name.encode("latin-1")  # BIFF8 flags the name's encoding in one more byte
        flags = b"\x00" if version == 0x0600 else b""
        bound = struct.pack("<IBBB", sheet_offset, 0, 0, len(encoded)) + flags + encoded
        return bof(version, 0x0005) + record(0x0085, bound) + record(0x000A)
    offset = len(globals_(0))
    return globals_(offset) + bof(version, 0x0010) + sheet_records + record(0x000A)


ROOT, STORAGE, STREAM = 5, 1, 2


def directory_entry(name: str, kind: int, sibling: int, child: int, start: int, size: int) -> bytes:
    encoded = (name + "\0").encode("utf-16-le")
    return (encoded.ljust(64, b"\0") + struct.pack("<HBB", len(encoded), kind, 1)
            + struct.pack("<III", NO_ENTRY, sibling, child) + bytes(36) + struct.pack("<II", start, size) + bytes(4))


def ole2(entries: list[tuple[str, int, int, int, bytes | None]]) -> bytes:
    """An OLE2 compound file (version 3, one FAT sector, one directory sector) of ``entries``:
    (name, kind, right sibling, child, stream data); the first is the root. Streams are padded
    to 4 KB so that none goes to the mini stream."""
    fat, directory, streams = [FAT_SECTOR, END_OF_CHAIN], b"", b""
    for name, kind, sibling, child, data in entries:
        start, size = END_OF_CHAIN, 0
        if data is not None:
            data = data.ljust(4096, b"\0")
            data += bytes(-len(data) % 512)
            start, size = len(fat), len(data)
            fat += [start + 1 + i for i in range(size // 512 - 1)] + [END_OF_CHAIN]
            streams += data
        directory += directory_entry(name, kind, sibling, child, start, size)
    assert len(fat) <= 128 and len(entries) <= 4, "one FAT sector, one directory sector"
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16) + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + bytes(6) + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, END_OF_CHAIN, 0, END_OF_CHAIN, 0)
              + struct.pack("<109I", 0, *[FREE] * 108))
    return header + struct.pack("<128I", *fat, *[FREE] * (128 - len(fat))) + directory.ljust(512, b"\0") + streams


def xls(cells: list[tuple[int, int, float]]) -> bytes:
    workbook = biff8_workbook(b"".join(number(*cell) for cell in cells))
    return ole2([("Root Entry", ROOT, NO_ENTRY, 1, None), ("Workbook", STREAM, NO_ENTRY, NO_ENTRY, workbook)])


def write(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def refusal(path: Path, **limits) -> str:
    with pytest.raises(ReadError) as refused:
        read_file(path, **limits)
    return str(refused.value)


# --- old formats, OpenDocument without mimetype -------------------------------------------------

@pytest.mark.parametrize("bof_type, bof_body", [(0x0009, struct.pack("<HH", 2, 0x10)),
                                                (0x0209, struct.pack("<HHH", 0, 0x10, 0)),
                                                (0x0409, struct.pack("<HHH", 0, 0x10, 0))],
                         ids=["excel2", "excel3", "excel4"])
def test_an_excel_2_to_4_workbook_is_named_too_old(tmp_path, bof_type, bof_body):
    label = record(0x0004, struct.pack("<HH", 0, 0) + b"\x00\x00\x00\x04Date")
    path = write(tmp_path, "ancien.xls", record(bof_type, bof_body) + label + record(0x000A))
    assert refusal(path) == ("Le fichier « ancien.xls » est refusé (format Excel 2.x–4.0 trop ancien) : "
                             "enregistrez-le en .xlsx dans Excel ou LibreOffice puis importez-le à nouveau.")


def test_an_opendocument_spreadsheet_without_mimetype_is_read(tmp_path):
    content = zip_of({"content.xml": ODS_CONTENT,
                      "META-INF/manifest.xml": manifest("application/vnd.oasis.opendocument.spreadsheet")})
    book = read_file(write(tmp_path, "registre.zip", content))
    assert book.format == "ods"
    assert book.sheets[0].name == "Registre" and book.sheets[0].rows == [["N° réclamation", "Site"]]


def test_an_opendocument_text_without_mimetype_is_still_no_spreadsheet(tmp_path):
    content = zip_of({"content.xml": ODS_CONTENT,
                      "META-INF/manifest.xml": manifest("application/vnd.oasis.opendocument.text")})
    assert "(c'est une archive zip)" in refusal(write(tmp_path, "lettre.ods", content))


# --- sizes: a declared dimension is a hint, a long-text part is no bomb -------------------------

def test_a_huge_declared_dimension_over_few_cells_is_read(tmp_path):
    rows = [["N° réclamation", "Site"], ["REC-1", "Lyon 8e"]]
    book = read_file(write(tmp_path, "registre.xlsx", xlsx(rows, dimension="A1:XFD1048576")))
    assert book.sheets[0].rows == rows


def test_a_real_cell_at_the_far_corner_is_still_refused(tmp_path):
    far = f'<row r="1048576">{text_cell("XFD1048576", "x")}</row>'
    path = write(tmp_path, "registre.xlsx", xlsx([["Site"]], dimension="A1:XFD1048576", extra_cells=far))
    assert refusal(path) == ("La feuille « Registre » du fichier « registre.xlsx » est trop grande : elle s'étend "
                             "jusqu'à la cellule XFD1048576 (1048576 lignes × 16384 colonnes ; au plus 20 000 000 "
                             "cellules).")


def test_long_repeated_text_cells_compressing_over_100_times_are_read(tmp_path):
    text = " ".join(["Le médiateur a rappelé l'habitant pour convenir d'un rendez-vous."] * 60)
    content = xlsx([["Observation"]] + [[text] for _ in range(1500)])
    part = zipfile.ZipFile(io.BytesIO(content)).getinfo("xl/worksheets/sheet1.xml")
    assert part.file_size > 100 * part.compress_size, "the sheet must expand more than 100 times"
    book = read_file(write(tmp_path, "observations.xlsx", content))
    assert len(book.sheets[0].rows) == 1501 and book.sheets[0].rows[1500] == [text]


def test_a_part_expanding_over_100_times_to_over_50_mb_is_a_bomb(tmp_path):
    padding = b"<!-- -->" + b" " * (60 * 2**20)
    content = xlsx([["Site"]], extra_parts={"xl/media/remplissage.xml": padding})
    message = refusal(write(tmp_path, "registre.xlsx", content))
    assert "« xl/media/remplissage.xml » se décompresse" in message and "bombe de décompression" in message


# --- xls: sheets hardly filled, read only once bounded -----------------------------------------

def test_a_small_xls_is_read_and_its_ranges_counted(tmp_path):
    book = read_file(write(tmp_path, "petit.xls", xls([(0, 0, 1.0), (1, 1, 2.0)])))
    assert book.format == "xls" and book.sheets[0].rows == [[1.0, None], [None, 2.0]]
    stream = biff8_workbook(number(0, 0, 1.0) + mulrk(4, 2, 6))
    assert [ranges[1:] for ranges in _biff_sheet_ranges(stream)] == [(6, 5, 7)]


def test_an_xls_with_cells_at_its_corners_is_refused_before_its_grid_is_built(tmp_path):
    corners = [(0, 0, 1.0), (0, 255, 2.0), (65535, 0, 3.0), (65535, 255, 4.0)]
    path = write(tmp_path, "coins.xls", xls(corners))
    assert path.stat().st_size < 10_000
    limits = sandbox.SandboxLimits(memory_bytes=300 * 2**20, timeout_s=60)  # the grid alone takes 1.2 GB
    with pytest.raises(ReadError) as refused:
        sandbox.run(read_file, (path,), limits=limits)
    assert str(refused.value) == (
        "La feuille « Feuil1 » du fichier « coins.xls » est trop grande pour ce qu'elle contient : elle s'étend "
        "sur 65 536 lignes × 256 colonnes pour 4 cellules remplies. Effacez les cellules isolées loin du tableau "
        "puis importez-le à nouveau.")


def test_an_excel_95_workbook_is_read_not_the_workbook_it_embeds(tmp_path):
    own = biff8_workbook(number(0, 0, 1.0) + number(1, 0, 2.0), "Budget", version=0x0500)
    embedded = biff8_workbook(b"", "Objet")
    content = ole2([("Root Entry", ROOT, NO_ENTRY, 1, None), ("Book", STREAM, 2, NO_ENTRY, own),
                    ("MBD0001", STORAGE, NO_ENTRY, 3, None), ("Workbook", STREAM, NO_ENTRY, NO_ENTRY, embedded)])
    book = read_file(write(tmp_path, "budget95.xls", content))
    assert [(sheet.name, sheet.rows) for sheet in book.sheets] == [("Budget", [[1.0], [2.0]])]


def test_an_xls_sparse_below_the_floor_is_read(tmp_path):
    book = read_file(write(tmp_path, "epars.xls", xls([(0, 0, 1.0), (2999, 255, 2.0)])))
    assert len(book.sheets[0].rows) == 3000 and book.sheets[0].rows[2999][255] == 2.0


# --- encryption ---------------------------------------------------------------------------------

def encrypted(content: bytes, password: str) -> bytes:
    """``content`` (an xlsx of more than 4 KB: msoffcrypto-tool cannot encrypt smaller) encrypted."""
    assert len(content) > 4096
    output = io.BytesIO()
    OOXMLFile(io.BytesIO(content)).encrypt(password, output)
    return output.getvalue()


NOISE = {"xl/media/image1.bin": random.Random(17).randbytes(5000)}  # makes a workbook over 4 KB


def test_a_workbook_encrypted_with_excels_default_password_is_read(tmp_path):
    rows = [["N° réclamation", "Site"], ["REC-1", "Lyon 8e"]]
    path = write(tmp_path, "modèle protégé.xlsx", encrypted(xlsx(rows, extra_parts=NOISE), EXCEL_DEFAULT_PASSWORD))
    book = read_file(path)
    assert book.filename == "modèle protégé.xlsx" and book.format == "xlsx" and book.sheets[0].rows == rows


def test_a_workbook_decrypted_with_the_default_password_is_checked_like_any_other(tmp_path):
    content = xlsx([["Site"]], extra_parts={**NOISE, "xl/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"})
    path = write(tmp_path, "registre.xlsm", encrypted(content, EXCEL_DEFAULT_PASSWORD))
    assert "il contient des macros" in refusal(path)


def test_a_workbook_encrypted_with_another_password_is_named_protected(tmp_path):
    path = write(tmp_path, "registre.xlsx", encrypted(xlsx([["Site"]], extra_parts=NOISE), "secret"))
    assert PROTECTED in refusal(path)


def test_an_xls_encrypted_by_xor_obfuscation_is_named_protected_not_damaged():
    message = refusal(FIXTURES / "xor_password_123456789012345.xls")
    assert PROTECTED in message and "endommagé" not in message


def test_an_xls_encrypted_with_the_default_password_is_read(monkeypatch):
    """No xls encrypted with « VelvetSweatshop » is at hand: the fixture's password stands for it."""
    monkeypatch.setattr(protected_files, "EXCEL_DEFAULT_PASSWORD", "123456789012345")
    book = read_file(FIXTURES / "xor_password_123456789012345.xls")
    assert book.format == "xls" and book.sheets[0].rows[0][:3] == [1.0, 1.0, 1.0]


# --- recognition: a near miss only ---------------------------------------------------------------

@pytest.fixture(scope="module")
def datasets():
    return load_datasets()


@pytest.mark.parametrize("headers", [["Date", "Montant", "Commentaire"], ["Type", "Couleur"]])
def test_one_generic_header_suggests_no_dataset(datasets, headers):
    with pytest.raises(RecognitionError) as refused:
        recognise([SheetRows("Feuil1", [headers, ["x"] * len(headers)])], datasets, file_name="budget.xlsx")
    message = str(refused.value)
    assert "le plus proche" not in message
    assert message.startswith("« budget.xlsx », feuille « Feuil1 » : ce tableau ne correspond à aucun jeu de données "
                              f"(en-têtes reconnus : « {headers[0]} », trop peu pour en désigner un).")


def test_two_required_headers_make_a_near_miss(datasets):
    rows = [["N° réclamation", "Date de réception", "Motif"]]
    with pytest.raises(RecognitionError, match=r"le plus proche : « Réclamations »\) : « Site »"):
        recognise([SheetRows("Feuil1", rows)], datasets, file_name="registre.xlsx")
