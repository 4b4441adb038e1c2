"""Crafted files (product.md « What bad input gets », issue 9): each one is built here, byte by byte,
and must be refused with a French message by the command line (exit code 2, journal and data
unchanged) and by the app's upload entry point (an error, no exception), without taking the
process down. The last test uploads the worst one to the real server and checks that it still
serves another session.
"""

from __future__ import annotations

import importlib.util
import io
import os
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest
from browser import needs_chromium

from pilotage_qualite.cli import EXIT_BAD_INPUT, EXIT_OK, main
from pilotage_qualite.common.settings import load_settings
from pilotage_qualite.intake import sandbox, uploads
from pilotage_qualite.intake.file_checks import _prolog_problem
from pilotage_qualite.intake.read import Limits
from pilotage_qualite.model.datasets import load_datasets
from pilotage_qualite.startup import open_store
from pilotage_qualite.store.database import scalar

REPO = Path(__file__).resolve().parents[2]
MAX_ROWS = 1000

# --- building xlsx files by hand -----------------------------------------------------------------

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SPREADSHEETML = "application/vnd.openxmlformats-officedocument.spreadsheetml"
PARTS = {"/xl/workbook.xml": "sheet.main", "/xl/worksheets/sheet1.xml": "worksheet",
         "/xl/sharedStrings.xml": "sharedStrings"}
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    + "".join(f'<Override PartName="{part}" ContentType="{SPREADSHEETML}.{kind}+xml"/>' for part, kind in PARTS.items())
    + "</Types>")
PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="xl/workbook.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/></Relationships>')
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN_NS}" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Registre" sheetId="1" r:id="rId1"/></sheets></workbook>')
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="worksheets/sheet1.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
    '<Relationship Id="rId2" Target="sharedStrings.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/></Relationships>')
EMPTY_STRINGS = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN_NS}" count="0" uniqueCount="0"/>'


def cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def sheet_xml(rows: str, dimension: str | None = None) -> str:
    declared = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}">{declared}<sheetData>{rows}</sheetData></worksheet>'


def table_rows(rows: list[list[str]]) -> str:
    return "".join(f'<row r="{i}">' + "".join(cell(f"{chr(65 + j)}{i}", v) for j, v in enumerate(row)) + "</row>"
                   for i, row in enumerate(rows, start=1))


def xlsx(sheet: str, *, strings: str = EMPTY_STRINGS, extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in (("[Content_Types].xml", CONTENT_TYPES), ("_rels/.rels", PACKAGE_RELS),
                           ("xl/workbook.xml", WORKBOOK), ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
                           ("xl/worksheets/sheet1.xml", sheet), ("xl/sharedStrings.xml", strings)):
            archive.writestr(name, text)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


HEADER = ["N° réclamation", "Date de réception", "Site", "Origine"]
GOOD_ROWS = [HEADER, ["REC-2026-901", "05/10/2026", "Lyon 8e", "Habitant"],
             ["REC-2026-902", "12/10/2026", "Lyon 9e", "Partenaire"]]
GOOD = xlsx(sheet_xml(table_rows(GOOD_ROWS)))


def far_corner(declared: bool) -> bytes:
    """A header at A1 and one stray cell at XFD1048576: python-calamine asks for 512 GiB and aborts."""
    rows = table_rows([HEADER]) + f'<row r="1048576">{cell("XFD1048576", "x")}</row>'
    return xlsx(sheet_xml(rows, "A1:XFD1048576" if declared else None))


def zip_bomb() -> bytes:
    """About 1.8 MB holding a 520 MB sheet of identical rows."""
    row = '<row><c t="inlineStr"><is><t>aaaaaaaaaaaaaaaaaaaa</t></is></c></row>'.encode()
    chunk = row * ((1 << 20) // len(row))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in (("[Content_Types].xml", CONTENT_TYPES), ("_rels/.rels", PACKAGE_RELS),
                           ("xl/workbook.xml", WORKBOOK), ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
                           ("xl/sharedStrings.xml", EMPTY_STRINGS)):
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            part.write(f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}"><sheetData>'.encode())
            for _ in range(500):
                part.write(chunk)
            part.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


BILLION_LAUGHS = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE sst [\n <!ENTITY lol "lol">\n'
    + "".join(f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n' for i in range(1, 10))
    + f']>\n<sst xmlns="{MAIN_NS}" count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>')
EXTERNAL_ENTITY = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<!-- export -->\n'
    '<!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    f'<sst xmlns="{MAIN_NS}" count="1" uniqueCount="1"><si><t>&xxe;</t></si></sst>')
STRING_ROWS = (table_rows([HEADER]) + '<row r="2"><c r="A2" t="s"><v>0</v></c>'
               + cell("B2", "05/10/2026") + cell("C2", "Lyon 8e") + cell("D2", "Habitant") + "</row>")


def truncated() -> bytes:
    whole = (REPO / "data" / "demo" / "registre_reclamations.xlsx").read_bytes()
    return whole[: len(whole) // 2]


def ods_with_basic() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", '<?xml version="1.0"?><office:document-content '
                         'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>')
        archive.writestr("Basic/Standard/Module1.xml", '<?xml version="1.0"?><module>Sub Main\nEnd Sub</module>')
    return buffer.getvalue()


def xls_with_vba() -> bytes:
    """An OLE2 (xls) container whose directory names a VBA project."""
    return (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "Workbook".encode("utf-16-le") + bytes(64)
            + "_VBA_PROJECT_CUR".encode("utf-16-le") + bytes(2048))


def huge_csv() -> bytes:
    lines = ["N° réclamation;Date de réception;Site;Origine"]
    lines += [f"REC-2026-{n:06d};05/10/2026;Lyon 8e;Habitant" for n in range(50 * MAX_ROWS)]
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


# name -> (file name, content builder, what the French message must say)
CASES = {
    "coin_lointain_declare": ("registre.xlsx", lambda: far_corner(True), "jusqu'à la cellule XFD1048576"),
    "coin_lointain_non_declare": ("registre.xlsx", lambda: far_corner(False), "mémoire autorisée"),
    "bombe_zip": ("registre.xlsx", zip_bomb, "bombe de décompression"),
    "milliard_de_rires": ("registre.xlsx", lambda: xlsx(sheet_xml(STRING_ROWS), strings=BILLION_LAUGHS),
                          "déclare une DTD ou des entités XML"),
    "entite_externe": ("registre.xlsx", lambda: xlsx(sheet_xml(STRING_ROWS), strings=EXTERNAL_ENTITY),
                       "déclare une DTD ou des entités XML"),
    "pdf_renomme": ("registre.xlsx", lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n", "un document PDF"),
    "fichier_vide": ("registre.xlsx", lambda: b"", "est vide"),
    "classeur_tronque": ("registre.xlsx", truncated, "endommagé"),
    "aucun_en_tete_connu": ("registre.xlsx", lambda: xlsx(sheet_xml(table_rows([["Bonjour", "Météo", "Couleur"],
                                                                                  ["a", "b", "c"]]))),
                            "aucune ligne d'en-tête"),
    "xlsm_avec_macros": ("registre.xlsm", lambda: xlsx(sheet_xml(table_rows(GOOD_ROWS)),
                                                       extra={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"}),
                         "contient des macros"),
    "xls_avec_macros": ("registre.xls", xls_with_vba, "contient des macros"),
    "ods_avec_basic": ("registre.ods", ods_with_basic, "contient des macros"),
    "csv_trop_long": ("registre.csv", huge_csv, f"plus de {MAX_ROWS} lignes, au-delà du maximum autorisé"),
}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> dict[str, Path]:
    """Every crafted file, written once (the zip bomb takes a couple of seconds to build)."""
    folder = tmp_path_factory.mktemp("hostile")
    paths = {}
    for key, (file_name, build, _expected) in CASES.items():
        (folder / key).mkdir()
        paths[key] = folder / key / file_name
        paths[key].write_bytes(build())
    return paths


def test_the_crafted_files_are_what_they_claim(hostile):
    assert hostile["coin_lointain_declare"].stat().st_size < 5000
    bomb = zipfile.ZipFile(hostile["bombe_zip"])
    assert hostile["bombe_zip"].stat().st_size < 2_500_000
    assert bomb.getinfo("xl/worksheets/sheet1.xml").file_size > 500_000_000
    assert "&lol9;" in BILLION_LAUGHS and "file:///etc/passwd" in EXTERNAL_ENTITY
    assert huge_csv().count(b"\n") > 50 * MAX_ROWS


# --- the command line ---------------------------------------------------------------------------


@pytest.fixture
def base(tmp_path: Path, monkeypatch) -> Path:
    """A base holding one good import, with the row cap lowered to MAX_ROWS."""
    for name in ("PILOTAGE_BASE", "PILOTAGE_DONNEES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PILOTAGE_LIGNES_MAX", str(MAX_ROWS))
    path = tmp_path / "base" / "pilotage.duckdb"
    path.parent.mkdir()
    good = tmp_path / "reclamations.xlsx"
    good.write_bytes(GOOD)
    assert main(["--base", str(path), "importer", str(good)]) == EXIT_OK
    return path


def state(path: Path) -> tuple:
    """What an import could change: the journal, the complaints' rows, the kept files."""
    settings = load_settings(database=path)
    store = open_store(settings)
    with store.connect() as conn:
        rows = scalar(conn, "SELECT count(*) FROM historique_reclamations")
    return store.journal().to_json(date_format="iso"), rows, sorted(os.listdir(settings.kept_files_dir))


@pytest.mark.parametrize("key", list(CASES))
def test_command_line_refuses_each_crafted_file(key, hostile, base, capsys):
    before = state(base)
    capsys.readouterr()
    assert main(["--base", str(base), "importer", str(hostile[key])]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert CASES[key][2] in err, err
    assert err.startswith("Refusé : ") and "Traceback" not in err and "stack backtrace" not in err
    assert "Aucun fichier n'a été importé." in err
    assert state(base) == before


def test_a_reader_crash_leaves_the_real_command_line_process_answering(hostile, base):
    """In a real process: calamine's abort costs the child only; French message, exit code 2."""
    before = state(base)
    done = subprocess.run([sys.executable, "-m", "pilotage_qualite", "--base", str(base), "importer",
                           str(hostile["coin_lointain_non_declare"])], cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, "PILOTAGE_LIGNES_MAX": str(MAX_ROWS)}, timeout=120)
    assert done.returncode == EXIT_BAD_INPUT, done.stderr
    assert done.stderr.splitlines()[0] == (
        "Refusé : « registre.xlsx » : le fichier a dépassé la mémoire autorisée (2 048 Mo) : il est trop grand "
        "ou construit pour saturer la mémoire.")
    assert "memory allocation" not in done.stderr and "Traceback" not in done.stderr
    assert state(base) == before


def test_the_memory_and_time_limits_are_settings(hostile, base, monkeypatch, capsys):
    monkeypatch.setenv("PILOTAGE_DECOMPRESSE_MAX_MO", "1")
    monkeypatch.setenv("PILOTAGE_LECTURE_MEMOIRE_MO", "300")
    settings = load_settings(database=base)
    limits = Limits.from_settings(settings)
    assert (limits.max_uncompressed_bytes, limits.read_memory_bytes) == (1_000_000, 300 * 2**20)
    assert main(["--base", str(base), "importer", str(hostile["coin_lointain_non_declare"])]) == EXIT_BAD_INPUT
    assert "mémoire autorisée (300 Mo)" in capsys.readouterr().err


# --- the app's entry point ----------------------------------------------------------------------


@pytest.mark.parametrize("key", list(CASES))
def test_upload_entry_point_refuses_each_crafted_file(key, hostile):
    file_name = hostile[key].name
    outcome = uploads.prepare(hostile[key].read_bytes(), file_name, load_datasets(), secret=b"s" * 32,
                              limits=Limits(50_000_000, MAX_ROWS), indicators=())
    assert not outcome.ok
    assert CASES[key][2] in outcome.error and f"« {file_name} »" in outcome.error, outcome.error


def test_upload_entry_point_still_prepares_a_good_file():
    outcome = uploads.prepare(GOOD, "reclamations.xlsx", load_datasets(), secret=b"s" * 32,
                              limits=Limits(50_000_000, MAX_ROWS), indicators=())
    assert outcome.ok, outcome.error
    assert outcome.prepared.recognition.dataset == "reclamations" and len(outcome.prepared.batch.rows) == 2


# --- the sandbox itself -------------------------------------------------------------------------


def _sleep() -> None:
    time.sleep(30)


def _hog() -> None:
    kept = []
    while True:
        kept.append(bytearray(20_000_000))


def _refuse() -> None:
    raise ValueError("refusé")


@pytest.mark.parametrize("start", sandbox.START_METHODS)
def test_sandbox_returns_results_and_errors_and_bounds_memory_time_and_crashes(start):
    fast = sandbox.SandboxLimits(timeout_s=1)
    assert sandbox.run(len, (b"abc",), start=start) == 3
    with pytest.raises(ValueError, match="refusé"):
        sandbox.run(_refuse, start=start)
    with pytest.raises(sandbox.SandboxError, match="la lecture a dépassé 1 s"):
        sandbox.run(_sleep, limits=fast, start=start)
    with pytest.raises(sandbox.SandboxError, match=r"le fichier a dépassé la mémoire autorisée \(200 Mo\)"):
        sandbox.run(_hog, limits=sandbox.SandboxLimits(memory_bytes=200 * 2**20, timeout_s=60), start=start)
    with pytest.raises(sandbox.SandboxError, match="processus arrêté par le signal SIGABRT"):
        sandbox.run(os.abort, start=start)


def test_the_fork_server_preloads_modules_that_exist():
    """multiprocessing skips a preloaded module it cannot import: a moved module would silently
    be imported again by every upload's child instead."""
    assert [name for name in sandbox.PRELOAD if importlib.util.find_spec(name) is None] == []


def test_a_dtd_hidden_after_comments_or_a_huge_prolog_is_seen():
    assert _prolog_problem(b'<?xml version="1.0"?><!-- a --><!-- <b> --><!DOCTYPE x []><x/>')
    assert _prolog_problem(b'<?xml version="1.0"?>' + b"<!--" + b"a" * 70_000 + b"-->")
    assert _prolog_problem("<?xml version='1.0'?><!ENTITY a 'b'><x/>".encode("utf-16"))
    assert _prolog_problem(b'<?xml version="1.0"?><x><!-- <!DOCTYPE in a comment, after the root --></x>') is None


# --- the real server ------------------------------------------------------------------------------


@pytest.mark.browser
@needs_chromium
def test_server_survives_the_worst_upload_and_serves_another_session(server, browser, hostile):
    uploader = browser.new_context(viewport={"width": 1400, "height": 900}, locale="fr-FR")
    page = uploader.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{server}/import")
    page.get_by_text("Déposez un ou plusieurs fichiers").wait_for()
    page.locator('input[type="file"]').set_input_files(str(hostile["coin_lointain_non_declare"]))
    page.get_by_text("le fichier a dépassé la mémoire autorisée").first.wait_for()
    (REPO / "tests" / "screenshots").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(REPO / "tests" / "screenshots" / "import-fichier-hostile.png"))
    with urllib.request.urlopen(f"{server}/_stcore/health", timeout=10) as answer:
        assert answer.status == 200
    other = browser.new_context(viewport={"width": 1400, "height": 900}, locale="fr-FR")
    reader = other.new_page()
    reader.set_default_timeout(60_000)
    reader.goto(f"{server}/?vue=Tuiles")  # the tiles (the « Vue d'ensemble » is the default): full labels
    reader.get_by_text("REC-01 · Réclamations reçues").first.wait_for()
    assert "Traceback" not in reader.inner_text("body") and "Traceback" not in page.inner_text("body")
    other.close()
    uploader.close()


def test_a_fork_server_child_never_reruns_the_main_script(tmp_path, monkeypatch):
    """Streamlit runs app.py as __main__; multiprocessing would re-import it in each reading
    child (running the app, opening the base its parent holds: each upload then waited 30 s)."""
    import types

    marker = tmp_path / "le script a tourné"
    script = tmp_path / "app_factice.py"
    script.write_text(f"open({str(marker)!r}, 'w').write('oui')\n", encoding="utf-8")
    fake_main = types.ModuleType("__main__")
    fake_main.__file__ = str(script)
    monkeypatch.setitem(sys.modules, "__main__", fake_main)
    assert sandbox.run(len, (b"abc",), limits=sandbox.SandboxLimits(), start="forkserver") == 3
    assert not marker.exists()
