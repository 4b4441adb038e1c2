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
from pilotage_qualite.model.replacement import WindowReplacement

PROBLEM_COLUMNS = ["ligne", "colonne", "valeur", "message"]
# What the journal's list of problems says of each line (the `nature` of table `rejets`).
REJECT, WARNING = "rejet", "avertissement"


def _no_problems() -> pd.DataFrame:
    return pd.DataFrame(columns=PROBLEM_COLUMNS)


@dataclass
class ImportBatch:
    """Everything one import writes, already validated and typed by the import pipeline."""

    dataset: str
    file_name: str
    content: bytes
    rows: pd.DataFrame  # declared columns, typed, plus `_ligne`
    rejected: pd.DataFrame = field(default_factory=_no_problems)
    # Cells left empty in rows that are loaded (an invalid optional cell, an impossible date order);
    # one line per cell, so len(warnings) is the import's count of warnings.
    warnings: pd.DataFrame = field(default_factory=_no_problems)
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

    def problems(self) -> pd.DataFrame:
        """Rejects and warnings in one list by row, each line marked by its `nature` (what the
        journal keeps and the quality lead downloads)."""
        marked = [frame[PROBLEM_COLUMNS].assign(nature=nature)
                  for nature, frame in ((REJECT, self.rejected), (WARNING, self.warnings)) if len(frame)]
        if not marked:
            return pd.DataFrame(columns=["nature", *PROBLEM_COLUMNS])
        both = pd.concat(marked, ignore_index=True).sort_values(["ligne", "colonne"], kind="stable")
        return both[["nature", *PROBLEM_COLUMNS]].reset_index(drop=True)


@dataclass(frozen=True)
class ImportCounts:
    read: int
    added: int
    replaced: int
    rejected: int
    already_imported_as: int | None = None  # id of the identical applied import, if any
    # A keyed dataset (datasets.md « Re-imports »): keys not live before, live keys whose content
    # changes, live keys with the same content (None for a keyless dataset).
    new: int | None = None
    modified: int | None = None
    unchanged: int | None = None
    warnings: int = 0
    window: WindowReplacement | None = None  # a keyless dataset's replacement, month by month (preview)
