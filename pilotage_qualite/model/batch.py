"""What one import writes and what it did: the seam between the intake and the store.

The intake builds an :class:`ImportBatch` from a file (nothing written yet); the store applies it
and answers with :class:`ImportCounts`. Neither layer imports the other: both import this module.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from pilotage_qualite.model.coverage import CoveredSpan


@dataclass
class ImportBatch:
    """Everything one import writes, already validated and typed by the import pipeline."""

    dataset: str
    file_name: str
    content: bytes
    rows: pd.DataFrame  # declared columns, typed, plus `_ligne`
    rejected: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["ligne", "colonne", "valeur", "message"]))
    questions: pd.DataFrame | None = None  # `_ligne`, `question`, `reponse` (1-4)
    sheet: str | None = None
    header_row: int | None = None
    rows_read: int | None = None
    ignored_columns: list[str] = field(default_factory=list)
    personal_columns: list[str] = field(default_factory=list)
    extraction_date: date | None = None  # as the file's title rows say (« Exporté le … »)
    coverage: CoveredSpan | None = None  # the days the import vouches for (None: no dated row)
    coverage_corrected: bool = False  # set by the quality lead rather than by the file's rule
    coverage_by_rule: CoveredSpan | None = None  # what the file's rule gives (a correction can be taken back)

    @functools.cached_property
    def content_hash(self) -> str:
        """Computed once (the journal, the duplicate check and the kept file's name all use it)."""
        return hashlib.sha256(self.content).hexdigest()

    @property
    def rejected_row_count(self) -> int:
        """Rows rejected: one row with several errors has several lines in `rejected`."""
        return int(self.rejected["ligne"].nunique()) if len(self.rejected) else 0


@dataclass(frozen=True)
class ImportCounts:
    read: int
    added: int
    replaced: int
    rejected: int
    already_imported_as: int | None = None  # id of the identical applied import, if any
