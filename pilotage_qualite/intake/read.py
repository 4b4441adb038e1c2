"""The first half of the import: read a file and recognise its table, without pandas.

Kept apart from :mod:`pilotage_qualite.intake.prepare` (which needs pandas) so that a process can
start reading a file while pandas is still loading: python-calamine releases the GIL while
it parses, so the command line's reading child loads the second half in a thread meanwhile
(about 0.3 s of a 100,000-row import; see ``cli._prepare_in_child``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pilotage_qualite.common.settings import Settings
from pilotage_qualite.intake import sandbox
from pilotage_qualite.intake.raw_sheets import RawSheet, ReadError
from pilotage_qualite.intake.readers import DEFAULT_MAX_UNCOMPRESSED_BYTES, HEADER_SCAN_ROWS, read_file
from pilotage_qualite.intake.recognition import Recognition, RecognitionError, SheetRows, recognise
from pilotage_qualite.model.datasets import Dataset


class ImportRefused(ValueError):
    """The file cannot be imported at all (unreadable, unrecognised, too large); French message."""


@dataclass(frozen=True)
class Limits:
    """What an import may cost: file size, rows, unpacked size, and the reading child's memory and time."""

    max_bytes: int
    max_rows: int
    max_uncompressed_bytes: int = DEFAULT_MAX_UNCOMPRESSED_BYTES
    read_memory_bytes: int = sandbox.DEFAULT_MEMORY_BYTES
    read_timeout_s: float = sandbox.DEFAULT_TIMEOUT_S

    @classmethod
    def from_settings(cls, settings: Settings) -> "Limits":
        reading = sandbox.SandboxLimits.from_settings(settings)
        return cls(settings.max_upload_mb * 1_000_000, settings.max_rows,
                   max_uncompressed_bytes=settings.max_uncompressed_mb * 1_000_000,
                   read_memory_bytes=reading.memory_bytes, read_timeout_s=reading.timeout_s)

    @property
    def sandbox(self) -> sandbox.SandboxLimits:
        return sandbox.SandboxLimits(self.read_memory_bytes, self.read_timeout_s)


@dataclass
class RecognisedFile:
    """A file read and its table found: what the second half (typing, validation) starts from."""

    content: bytes
    file_name: str
    recognition: Recognition
    rows: list[list]  # the chosen sheet's rows, as the reader gives them


def read_and_recognise(path: Path, datasets: dict[str, Dataset], *, limits: Limits, file_name: str | None = None,
                       dataset: str | None = None, sheet: str | None = None,
                       manual: dict[str, dict[str, str]] | None = None,
                       header_row: int | None = None) -> RecognisedFile:
    """Read ``path`` and find its dataset, sheet and header row. Raises :class:`ImportRefused`.

    ``header_row`` (1–30) is the header row the user named when the one found was wrong: only
    that row of ``sheet`` (default: the first sheet) is then looked at.
    """
    path = Path(path)
    file_name = file_name or path.name
    content = path.read_bytes()
    if len(content) > limits.max_bytes:
        raise ImportRefused(
            f"« {file_name} » : fichier trop volumineux ({len(content) / 1e6:.1f} Mo ; "
            f"maximum {limits.max_bytes / 1e6:.0f} Mo).")
    try:
        workbook = read_file(path, max_rows=read_row_cap(limits), max_uncompressed=limits.max_uncompressed_bytes)
        if workbook.format == "csv" and file_name != path.name:
            # A text file's only sheet is named after the file: the user's name, not our copy's.
            workbook.sheets[0].name = Path(file_name).stem or workbook.sheets[0].name
        if header_row is None:
            scanned = [SheetRows(s.name, s.rows[:HEADER_SCAN_ROWS]) for s in workbook.sheets]
        else:
            scanned = [_only_row(workbook.sheet(sheet) if sheet else workbook.sheets[0], header_row, file_name)]
            sheet = scanned[0].name
        try:
            recognition = recognise(scanned, datasets, file_name=file_name, dataset=dataset, sheet=sheet,
                                    manual=manual)
        except RecognitionError as exc:
            if header_row is None or "aucune ligne d'en-tête reconnue" not in str(exc):
                raise
            raise ImportRefused(f"« {file_name} », feuille « {sheet} » : la ligne {header_row} ne contient "
                                "aucun en-tête connu. Choisissez la ligne des titres de colonnes.") from None
    except (ReadError, RecognitionError) as exc:
        raise ImportRefused(str(exc).replace(path.name, file_name)) from None
    chosen = workbook.sheet(recognition.sheet)
    check_row_count(file_name, chosen, len(chosen.rows) - recognition.header_index - 1, limits)
    return RecognisedFile(content, file_name, recognition, chosen.rows)


def _only_row(chosen: RawSheet, header_row: int, file_name: str) -> SheetRows:
    """The sheet's first rows with every row blanked but ``header_row``: recognition can only pick it."""
    index = header_row - 1
    scanned_rows = min(HEADER_SCAN_ROWS, len(chosen.rows))
    if not 0 <= index < scanned_rows:
        raise ImportRefused(f"« {file_name} », feuille « {chosen.name} » : la ligne d'en-tête doit être "
                            f"entre 1 et {scanned_rows}.")
    width = len(chosen.rows[index])
    return SheetRows(chosen.name, [[None] * width for _ in range(index)] + [chosen.rows[index]])


def read_row_cap(limits: Limits) -> int:
    """Rows to read at most: the row cap below the lowest header row, plus one to see it is exceeded."""
    return limits.max_rows + HEADER_SCAN_ROWS + 1


def check_row_count(file_name: str, sheet: RawSheet, body_count: int, limits: Limits) -> None:
    """Refuse a sheet of more data rows than the cap (read with :func:`read_row_cap`)."""
    if body_count > limits.max_rows:
        count = f"plus de {limits.max_rows}" if sheet.truncated else str(body_count)
        raise ImportRefused(f"« {file_name} » : {count} lignes, au-delà du maximum autorisé ({limits.max_rows}).")
