"""The indicator catalogue's types: an :class:`Indicator` (one definition) and the
:class:`Catalogue` (all of them, checked together by :func:`build_catalogue`: unique ids, known
references, no cycle).

The catalogue files' YAML format, its checks and the loading of ``declarations/indicators/``
are in :mod:`pilotage_qualite.model.indicator_format`. Light on purpose (no pandas): the command
line imports it at start-up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Iterator

REFERENCE_PATTERN = re.compile(r"\[([A-Z][A-Z0-9]*-[A-Z0-9]+)\]")
DEFAULT_N_MIN_PERCENT = 5
# Columns the engine adds to the rows of a period; datasets may not use these names.
PERIOD_COLUMNS = ("debut", "fin", "debut_fenetre")
SQL_FIELDS = ("valeur", "effectif", "numerateur", "denominateur")  # aggregates, or a composite's expressions


class CatalogueError(ValueError):
    """A definition is wrong; the message names the file, the indicator and the field."""


@dataclass(frozen=True)
class Attribution:
    """How rows are attributed to a period: ``flux``, ``stock`` or ``fenetre_12m``."""

    kind: str
    expression: str

    @property
    def label_fr(self) -> str:
        return {"flux": "flux", "stock": "stock à la fin de la période",
                "fenetre_12m": "fenêtre glissante de 12 mois"}[self.kind]


@dataclass(frozen=True)
class Measure:
    """A named aggregate over one dataset, used by composite indicators."""

    name: str
    source: str
    attribution: Attribution
    expression: str
    filtre: str | None = None
    calculs: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Indicator:
    id: str
    titre: str
    processus: str
    pourquoi: str
    definition: str
    pilote: str
    unite: str
    valeur: str
    source: str | None = None
    calculs: tuple[tuple[str, str], ...] = ()  # computed columns (name, row-level SQL)
    attribution: Attribution | None = None
    filtre: str | None = None
    condition_numerateur: str | None = None
    effectif: str | None = None
    numerateur: str | None = None
    denominateur: str | None = None
    mesures: tuple[Measure, ...] = ()
    decimales: int = 0
    sens: str | None = None
    cible: float | None = None
    seuil: float | None = None
    n_min_declared: int | None = None
    dimensions: tuple[str, ...] = ()
    source_file: str = ""
    carte: str | None = None  # the control chart declared (model.spc.CHARTS); None: by default
    ordre_processus: int | None = None  # the file's ``ordre``: where its process is shown
    origines_actions: tuple[str, ...] = ()  # the file's action origins: the fiche's linked actions
    titre_court: str = ""  # the overview's title (``titre`` when that is short): set by the format

    @property
    def is_composite(self) -> bool:
        return self.source is None

    @property
    def is_percentage(self) -> bool:
        return self.unite == "%"

    @property
    def is_proportion(self) -> bool:
        """A share of rows among rows (a binomial proportion): Wilson interval and p-chart apply.
        A ratio of sums (hours) or a turnover rate is a percentage but not a proportion."""
        return self.condition_numerateur is not None

    @property
    def is_central_value(self) -> bool:
        """A median or a mean of rows: meaningless on a handful of them."""
        return bool(re.match(r"\s*(median|avg|mean|quantile_cont)\s*\(", self.valeur or "", re.IGNORECASE))

    @property
    def n_min(self) -> int | None:
        """Minimum n for a status: declared, or 5 for a percentage, a median or a mean, else none."""
        if self.n_min_declared is not None:
            return self.n_min_declared
        return DEFAULT_N_MIN_PERCENT if self.is_percentage or self.is_central_value else None

    @property
    def rate_scale(self) -> float:
        """The constant a rate per exposure is scaled by (« 1000.0 * [REC-01] / [ACT-01] » → 1 000)."""
        found = re.match(r"\s*(\d+(?:\.\d+)?)\s*\*", self.valeur or "")
        return float(found.group(1)) if found else 1.0

    @property
    def references(self) -> tuple[str, ...]:
        """Ids of the other indicators a composite uses, in order of appearance."""
        found: list[str] = []
        for text in self.composite_expressions().values():
            for ref in REFERENCE_PATTERN.findall(text):
                if ref not in found:
                    found.append(ref)
        return tuple(found)

    def composite_expressions(self) -> dict[str, str]:
        """Level-2 expressions of a composite (field → SQL over measures and references)."""
        if not self.is_composite:
            return {}
        return {name: getattr(self, name) for name in SQL_FIELDS if getattr(self, name)}

    @property
    def sources(self) -> tuple[str, ...]:
        """Datasets read directly (not through references)."""
        if self.source:
            return (self.source,)
        return tuple(dict.fromkeys(m.source for m in self.mesures))

    def aggregates(self) -> dict[str, str]:
        """Simple indicators: the SQL aggregates the engine computes (name → expression)."""
        if self.is_composite:
            return {}
        if self.condition_numerateur:
            cond = self.condition_numerateur
            out = {
                "valeur": self.valeur,  # generated at parse time from the condition
                "numerateur": f"count(*) FILTER (WHERE {cond})",
                "denominateur": "count(*)",
            }
        else:
            out = {"valeur": self.valeur}
            if self.numerateur:
                out["numerateur"] = self.numerateur
            if self.denominateur:
                out["denominateur"] = self.denominateur
        out["effectif"] = self.effectif or "count(*)"
        return out


@dataclass(frozen=True)
class Catalogue:
    indicators: tuple[Indicator, ...]
    files: tuple[str, ...] = ()
    _by_id: dict[str, Indicator] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self._by_id:
            self._by_id.update({i.id: i for i in self.indicators})

    def __iter__(self) -> Iterator[Indicator]:
        return iter(self.indicators)

    def __len__(self) -> int:
        return len(self.indicators)

    def __contains__(self, indicator_id: object) -> bool:
        return indicator_id in self._by_id

    def __getitem__(self, indicator_id: str) -> Indicator:
        try:
            return self._by_id[indicator_id]
        except KeyError:
            raise KeyError(f"Indicateur « {indicator_id} » absent du catalogue.") from None

    @property
    def ids(self) -> list[str]:
        return [i.id for i in self.indicators]

    def processes(self) -> dict[str, list[Indicator]]:
        out: dict[str, list[Indicator]] = {}
        for ind in self.indicators:
            out.setdefault(ind.processus, []).append(ind)
        return out

    def with_dependencies(self, ids: Iterable[str]) -> list[Indicator]:
        """The given indicators and everything they reference, dependencies first."""
        ordered: list[Indicator] = []
        seen: set[str] = set()

        def visit(indicator_id: str) -> None:
            if indicator_id in seen:
                return
            seen.add(indicator_id)
            ind = self[indicator_id]
            for ref in ind.references:
                visit(ref)
            ordered.append(ind)

        for i in ids:
            visit(i)
        return ordered


def build_catalogue(indicators: Iterable[Indicator], files: Iterable[str] = ()) -> Catalogue:
    """Check cross-indicator rules (unique ids, known references, no cycle) and build."""
    by_id: dict[str, Indicator] = {}
    ordered: list[Indicator] = []
    for ind in indicators:
        if ind.id in by_id:
            raise CatalogueError(
                f"{ind.source_file} : indicateur {ind.id} : champ « id » : "
                f"identifiant déjà utilisé dans {by_id[ind.id].source_file}")
        by_id[ind.id] = ind
        ordered.append(ind)
    for ind in ordered:
        for name, text in ind.composite_expressions().items():
            for ref in REFERENCE_PATTERN.findall(text):
                if ref not in by_id:
                    raise CatalogueError(f"{ind.source_file} : indicateur {ind.id} : champ « {name} » : "
                                         f"l'indicateur [{ref}] n'existe pas dans le catalogue")
                target = by_id[ref]
                missing = [d for d in ind.dimensions if d not in target.dimensions]
                if missing:
                    raise CatalogueError(
                        f"{ind.source_file} : indicateur {ind.id} : champ « dimensions » : "
                        f"[{ref}] n'est pas ventilé par {', '.join(missing)}")
    # Cycle detection (A uses B uses A).
    state: dict[str, int] = {}

    def visit(ind: Indicator, path: list[str]) -> None:
        if state.get(ind.id) == 2:
            return
        if state.get(ind.id) == 1:
            cycle = " → ".join([*path[path.index(ind.id):], ind.id])
            raise CatalogueError(f"{ind.source_file} : indicateur {ind.id} : champ « valeur » : "
                                 f"références circulaires ({cycle})")
        state[ind.id] = 1
        for ref in ind.references:
            visit(by_id[ref], [*path, ind.id])
        state[ind.id] = 2

    for ind in ordered:
        visit(ind, [])
    return Catalogue(tuple(ordered), tuple(files))
