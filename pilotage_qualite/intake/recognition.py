"""Recognition of an uploaded table: which sheet, which header row, which dataset, which columns.

Rules of datasets.md ("Common rules"): the header row is among the first 30 rows of a
sheet; a header matches a column when its normalised form equals the column's name,
label or one of its aliases; the dataset whose required columns are all found, with the
most matched columns, wins; a tie or no complete dataset means the user must choose.

A file no dataset fits is told which dataset it nearly is only for a real near miss: at least
:data:`NEAR_MISS_REQUIRED` of that dataset's required columns found. A single header such as
« Date » or « Type », which many datasets share, says nothing about the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Sequence

from pilotage_qualite.common.text import normalize_header
from pilotage_qualite.model.datasets import Dataset

HEADER_SEARCH_ROWS = 30
NEAR_MISS_REQUIRED = 2
PERSONAL_WORDS = frozenset(
    {"nom", "prenom", "adresse", "telephone", "tel", "portable", "mail", "email", "courriel", "naissance"})


class RecognitionError(ValueError):
    """The table could not be recognised; the French message says what is missing."""


@dataclass(frozen=True)
class SheetRows:
    """The first rows of one sheet, as the reader gave them."""

    name: str
    rows: Sequence[Sequence[Any]]


@dataclass
class Candidate:
    """How well one (sheet, header row) matches one dataset."""

    dataset: str
    sheet: str
    header_index: int  # 0-based index of the header row in the sheet
    mapping: dict[int, str]  # column position -> declared column name
    missing_required: list[str]
    headers: list[str]  # the header cells as written (empty cells as "")

    @property
    def matched(self) -> int:
        return len(self.mapping)

    @property
    def complete(self) -> bool:
        return not self.missing_required


@dataclass
class Recognition:
    """The outcome the import and the UI work from."""

    dataset: str
    sheet: str
    header_index: int
    headers: list[str]
    mapping: dict[int, str]
    unknown_columns: list[str]
    personal_columns: list[str]
    confidence: float  # 0..1: share of the file's headers recognised, halved on a close runner-up
    alternatives: list[str] = field(default_factory=list)  # other datasets that also fit

    @property
    def header_row_number(self) -> int:
        """1-based row number of the header, as the spreadsheet shows it."""
        return self.header_index + 1


def is_personal_header(header: str) -> bool:
    return bool(PERSONAL_WORDS & set(normalize_header(header).split()))


def _header_lookup(dataset: Dataset) -> dict[str, str]:
    return {form: column.name for column in dataset.columns for form in column.header_forms}


# Each header cell is compared with every dataset: normalise it once (the header scan of a
# workbook is 11 datasets x 30 rows x every sheet's width).
_normalised = lru_cache(maxsize=4096)(normalize_header)


def match_headers(headers: Sequence[Any], dataset: Dataset,
                  manual: dict[str, str] | None = None, *, lookup: dict[str, str] | None = None) -> dict[int, str]:
    """Column positions matched to declared columns; the first matching header wins a column.

    `manual` maps a normalised header to a column name (mappings the user made by hand).
    `lookup` is the dataset's own normalised header -> column table, when already built.
    """
    lookup = {**(lookup if lookup is not None else _header_lookup(dataset)), **(manual or {})}
    mapping: dict[int, str] = {}
    taken: set[str] = set()
    for position, header in enumerate(headers):
        column = lookup.get(_normalised(header)) if header else None
        if column and column not in taken:
            mapping[position] = column
            taken.add(column)
    return mapping


def _candidate(sheet: SheetRows, index: int, dataset: Dataset, manual: dict[str, str] | None,
               lookup: dict[str, str]) -> Candidate:
    row = sheet.rows[index]
    headers = ["" if cell is None else str(cell).strip() for cell in row]
    mapping = match_headers(headers, dataset, manual, lookup=lookup)
    found = set(mapping.values())
    missing = [c.name for c in dataset.required_columns if c.name not in found]
    return Candidate(dataset.name, sheet.name, index, mapping, missing, headers)


def _best_in_sheet(sheet: SheetRows, dataset: Dataset, manual: dict[str, str] | None) -> Candidate | None:
    """The header row for this dataset: the first complete row among the first 30, else the
    row matching most columns (to explain what is missing)."""
    best: Candidate | None = None
    lookup = _header_lookup(dataset)
    for index in range(min(HEADER_SEARCH_ROWS, len(sheet.rows))):
        candidate = _candidate(sheet, index, dataset, manual, lookup)
        if candidate.complete and candidate.matched >= 2:
            return candidate
        if candidate.matched and (best is None or candidate.matched > best.matched):
            best = candidate
    return best


def _confidence(winner: Candidate, runner_up: Candidate | None) -> float:
    named = [h for h in winner.headers if h]
    share = winner.matched / max(len(named), 1)
    if runner_up is not None and runner_up.complete and runner_up.matched >= winner.matched - 1:
        share /= 2
    return round(share, 2)


def recognise(sheets: Sequence[SheetRows], datasets: dict[str, Dataset], *, file_name: str,
              dataset: str | None = None, sheet: str | None = None,
              manual: dict[str, dict[str, str]] | None = None) -> Recognition:
    """Find the sheet, header row and dataset of a file (or check the ones the user named).

    `manual` holds hand-made mappings per dataset: {dataset: {normalised header: column}}.
    """
    manual = manual or {}
    if dataset is not None and dataset not in datasets:
        raise RecognitionError(
            f"« {file_name} » : jeu de données « {dataset} » inconnu "
            f"(jeux possibles : {', '.join(sorted(datasets))}).")
    if sheet is not None:
        chosen = [s for s in sheets if s.name == sheet]
        if not chosen:
            raise RecognitionError(
                f"« {file_name} » : pas de feuille « {sheet} » (feuilles : {', '.join(s.name for s in sheets)}).")
        sheets = chosen
    considered = [datasets[dataset]] if dataset else list(datasets.values())
    candidates = [c for s in sheets for d in considered
                  if (c := _best_in_sheet(s, d, manual.get(d.name))) is not None]
    complete = sorted((c for c in candidates if c.complete), key=lambda c: -c.matched)
    if not complete:
        raise RecognitionError(_explain_missing(file_name, candidates, datasets, dataset))
    winner = complete[0]
    rivals = [c for c in complete[1:] if c.dataset != winner.dataset]
    if dataset is None and rivals and rivals[0].matched == winner.matched:
        tied = sorted({winner.dataset, *(c.dataset for c in rivals if c.matched == winner.matched)})
        raise RecognitionError(
            f"« {file_name} » : les colonnes conviennent aussi bien à plusieurs jeux de données "
            f"({', '.join(tied)}). Précisez le jeu (option --jeu ou choix dans la page Import).")
    matched_positions = set(winner.mapping)
    unmatched = [(i, h) for i, h in enumerate(winner.headers) if h and i not in matched_positions]
    return Recognition(
        dataset=winner.dataset,
        sheet=winner.sheet,
        header_index=winner.header_index,
        headers=winner.headers,
        mapping=winner.mapping,
        unknown_columns=[h for _, h in unmatched if not is_personal_header(h)],
        personal_columns=[h for _, h in unmatched if is_personal_header(h)],
        confidence=_confidence(winner, rivals[0] if rivals else None),
        alternatives=sorted({c.dataset for c in rivals}),
    )


def _explain_missing(file_name: str, candidates: list[Candidate], datasets: dict[str, Dataset],
                     asked: str | None) -> str:
    if not candidates:
        return (f"« {file_name} » : aucune ligne d'en-tête reconnue dans les {HEADER_SEARCH_ROWS} premières "
                "lignes. Vérifiez que le tableau a une ligne de titres de colonnes "
                "(par exemple « Date », « Site ») ou partez d'un modèle d'import.")
    near_misses = candidates if asked else [c for c in candidates if _required_found(c, datasets) >= NEAR_MISS_REQUIRED]
    if not near_misses:
        closest = max(candidates, key=lambda c: c.matched)
        known = ", ".join(f"« {closest.headers[position]} »" for position in sorted(closest.mapping))
        return (f"« {file_name} », feuille « {closest.sheet} » : ce tableau ne correspond à aucun jeu de données "
                f"(en-têtes reconnus : {known}, trop peu pour en désigner un). Associez ses colonnes à la main "
                "ou partez d'un modèle d'import.")
    best = max(near_misses, key=lambda c: c.matched)
    dataset = datasets[best.dataset]
    missing = ", ".join(f"« {dataset.column(name).label} »" for name in best.missing_required)
    intro = f"pour le jeu « {dataset.label} »" if asked else f"(le plus proche : « {dataset.label} »)"
    return (f"« {file_name} », feuille « {best.sheet} » : colonnes obligatoires introuvables {intro} : "
            f"{missing}. Renommez ces en-têtes ou associez-les à la main.")


def _required_found(candidate: Candidate, datasets: dict[str, Dataset]) -> int:
    return len(datasets[candidate.dataset].required_columns) - len(candidate.missing_required)
