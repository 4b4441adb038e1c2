"""What kind of file an upload is, from its content: a workbook format, delimited text, or neither.

The extension only decides between text and a refusal (a renamed workbook is read by its
content); whatever is not a spreadsheet nor a delimited text gets a French message naming
what it seems to be (a PDF, a Word document, an image...). An OpenDocument spreadsheet saved
without its optional ``mimetype`` entry is told by its manifest; an Excel 2.x–4.0 file (a bare
BIFF2–4 record stream, which python-calamine cannot read) is refused as too old.
"""

from __future__ import annotations

import codecs
import re
import zipfile
from pathlib import Path

from pilotage_qualite.intake.raw_sheets import ReadError

ACCEPTED_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".csv", ".txt")
ACCEPTED_TEXT = ", ".join(ACCEPTED_EXTENSIONS)
SPREADSHEET_EXTENSIONS = {".xlsx", ".xlsm", ".xltx", ".xltm", ".xls", ".xlsb", ".ods", ".ots"}
TEXT_EXTENSIONS = {".csv", ".txt", ".tsv", ".tab"}
# Why a workbook with macros is refused (file_checks refuses it; the Import page says it upfront).
MACROS_REFUSED = ("Un classeur qui contient des macros (souvent un .xlsm) est refusé : l'application ne lit que "
                  "les valeurs des cellules et garde chaque fichier importé, que d'autres téléchargent ; "
                  "enregistrez-le d'abord au format « Classeur Excel (.xlsx) ».")

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_BINARY_MAGICS = {
    b"%PDF": "un document PDF",
    b"\x89PNG": "une image PNG",
    b"\xff\xd8\xff": "une image JPEG",
    b"GIF8": "une image GIF",
    b"Rar!": "une archive RAR",
    b"7z\xbc\xaf": "une archive 7-Zip",
    b"\x1f\x8b": "une archive gzip",
    b"{\\rtf": "un document RTF",
}
# The BOF record that opens an Excel 2.x, 3.0 or 4.0 worksheet (BIFF2, BIFF3, BIFF4): a bare
# record stream, not yet inside the OLE2 container of Excel 5 and later.
_OLD_BIFF_BOFS = (b"\x09\x00", b"\x09\x02", b"\x09\x04")
ODS_MEDIA_TYPE = "application/vnd.oasis.opendocument.spreadsheet"
ODS_MIMETYPE_ENTRY = "mimetype"
_MANIFEST = "META-INF/manifest.xml"
_ROOT_ENTRY = re.compile(rb"full-path\s*=\s*[\"']/[\"']")  # the manifest entry of the package itself


def unsupported(path: Path, what: str | None) -> ReadError:
    """The error for content that is not a spreadsheet nor a delimited text."""
    name, ext = path.name, path.suffix.lower()
    if ext and ext not in SPREADSHEET_EXTENSIONS and ext not in TEXT_EXTENSIONS:
        return ReadError(
            f"Le fichier « {name} » : format {ext} non pris en charge "
            f"(formats acceptés : {ACCEPTED_TEXT})."
        )
    reason = f"c'est {what}" if what else "format non reconnu"
    return ReadError(
        f"Le fichier « {name} » n'est pas un classeur lisible ({reason}). "
        f"Formats acceptés : {ACCEPTED_TEXT}."
    )


def sniff_kind(head: bytes, path: Path, max_uncompressed: int | None) -> str:
    """"xlsx", "xlsb", "ods", "xls" or "text", from the content; ReadError otherwise."""
    if head.startswith(_ZIP_MAGICS):
        return _sniff_zip(path, max_uncompressed)
    if head.startswith(_OLE2_MAGIC):
        return "xls"  # or an encrypted xlsx / a Word file: told apart if calamine fails
    for magic, what in _BINARY_MAGICS.items():
        if head.startswith(magic):
            raise unsupported(path, what)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _check_text_extension(path)
    if _is_old_biff(head):
        raise ReadError(
            f"Le fichier « {path.name} » est refusé (format Excel 2.x–4.0 trop ancien) : enregistrez-le "
            "en .xlsx dans Excel ou LibreOffice puis importez-le à nouveau."
        )
    if b"\x00" in head:
        raise unsupported(path, None)
    return _check_text_extension(path)


def _is_old_biff(head: bytes) -> bool:
    """Whether ``head`` opens with the BOF record of an Excel 2.x–4.0 sheet (its body is 4 to 16 bytes)."""
    return head[:2] in _OLD_BIFF_BOFS and 4 <= int.from_bytes(head[2:4], "little") <= 16


def _check_text_extension(path: Path) -> str:
    ext = path.suffix.lower()
    # Text is read as CSV under a text extension, no extension, or a spreadsheet one (tools
    # often export tab-separated text named .xls); anything else (.pdf, .json…) is refused.
    if ext and ext not in TEXT_EXTENSIONS and ext not in SPREADSHEET_EXTENSIONS:
        raise unsupported(path, None)
    return "text"


def _sniff_zip(path: Path, max_uncompressed: int | None) -> str:
    name = path.name
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            declared = sum(info.file_size for info in infos)
            if max_uncompressed is not None and declared > max_uncompressed:
                raise ReadError(
                    f"Le fichier « {name} » est refusé : une fois décompressé il ferait "
                    f"{declared / 2**20:,.0f} Mo (maximum {max_uncompressed / 2**20:,.0f} Mo)."
                    .replace(",", " ")
                )
            kind = _zip_kind(archive, {info.filename for info in infos}, path)
    except ReadError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, KeyError) as exc:
        raise ReadError(
            f"Le fichier « {name} » est endommagé (archive tronquée ou incomplète) : "
            "renvoyez le fichier d'origine.",
            detail=str(exc),
        ) from None
    except OSError as exc:
        raise ReadError(f"Le fichier « {name} » n'a pas pu être lu.", detail=str(exc)) from None
    if kind is None:
        raise unsupported(path, "une archive zip")
    return kind


def _zip_kind(archive: zipfile.ZipFile, names: set[str], path: Path) -> str | None:
    """The workbook format of a zip archive from its part ``names``; None for an unknown zip."""
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "xl/workbook.bin" in names:
        return "xlsb"
    if ODS_MIMETYPE_ENTRY in names and archive.getinfo(ODS_MIMETYPE_ENTRY).file_size < 256:
        mimetype = archive.read(ODS_MIMETYPE_ENTRY).decode("ascii", "replace").strip()
        if mimetype.startswith(ODS_MEDIA_TYPE):
            return "ods"
        if "opendocument.text" in mimetype:
            raise unsupported(path, "un document texte OpenDocument")
        if "opendocument.presentation" in mimetype:
            raise unsupported(path, "une présentation OpenDocument")
    if ODS_MIMETYPE_ENTRY not in names and "content.xml" in names and _manifest_says_ods(archive, names):
        return "ods"  # an OpenDocument spreadsheet saved without its optional mimetype entry
    if "word/document.xml" in names:
        raise unsupported(path, "un document Word")
    if "ppt/presentation.xml" in names:
        raise unsupported(path, "une présentation PowerPoint")
    content_types = "[Content_Types].xml"
    if content_types in names and archive.getinfo(content_types).file_size < 1 << 20:
        # An xlsx whose workbook part has a non-standard name.
        if b"spreadsheetml.sheet.main" in archive.read(content_types):
            return "xlsx"
        if b"ms-excel.sheet.binary" in archive.read(content_types):
            return "xlsb"
    return None


def _manifest_says_ods(archive: zipfile.ZipFile, names: set[str]) -> bool:
    """Whether META-INF/manifest.xml declares the package an OpenDocument spreadsheet."""
    if _MANIFEST not in names or archive.getinfo(_MANIFEST).file_size > 1 << 20:
        return False
    manifest = archive.read(_MANIFEST)
    return any(_ROOT_ENTRY.search(entry) and ODS_MEDIA_TYPE.encode() in entry for entry in manifest.split(b"<"))
