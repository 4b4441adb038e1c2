"""What to query: the aggregates of each indicator or measure, gathered into as few queries as possible.

A unit is the aggregates one simple indicator (or one measure of a composite) needs over its
dataset; units reading the same rows (dataset, attribution, computed columns) share a query,
their different filters carried as FILTER clauses when that is exact and cheaper.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from pilotage_qualite.engine.sql_text import add_filter, refers_to_period
from pilotage_qualite.model.catalogue import Attribution, Catalogue, Indicator


@dataclass
class Unit:
    """Aggregates over one source for one indicator (simple) or one measure (composite)."""

    key: str
    source: str
    attribution: Attribution
    filtre: str | None
    aggregates: dict[str, str]
    dims: tuple[str, ...]
    calculs: tuple[tuple[str, str], ...] = ()


@dataclass
class QueryGroup:
    """Units computed by one query: same rows, the query's filter keeping the rows of any of them."""

    source: str
    attribution: Attribution
    filtre: str | None
    calculs: tuple[tuple[str, str], ...] = ()
    units: list[Unit] = field(default_factory=list)
    _alias_of: dict[str, str] = field(default_factory=dict)

    @property
    def dims(self) -> list[str]:
        return list(dict.fromkeys(d for u in self.units for d in u.dims))

    def aliases(self) -> dict[str, str]:
        """alias → expression, identical expressions computed once."""
        out: dict[str, str] = {}
        for u in self.units:
            for name, expr in u.aggregates.items():
                out.setdefault(self.alias(expr), expr)
        return out

    def alias(self, expr: str) -> str:
        return self._alias_of.setdefault(expr, f"_a{len(self._alias_of)}")


def units_for(ind: Indicator) -> list[Unit]:
    """The indicator's own aggregates (simple) or one unit per measure (composite)."""
    if not ind.is_composite:
        return [Unit(f"I:{ind.id}", ind.source, ind.attribution, ind.filtre, ind.aggregates(), ind.dimensions,
                     ind.calculs)]
    return [Unit(f"M:{ind.id}:{m.name}", m.source, m.attribution, m.filtre, {"valeur": m.expression},
                 ind.dimensions, m.calculs) for m in ind.mesures]


def group_units(units: Iterable[Unit]) -> list[QueryGroup]:
    """Gather units reading the same rows into one query each.

    Units on the same dataset, attribution and computed columns but with different
    filters share one query when their aggregates can carry their filter as a FILTER
    clause; the query keeps the rows of any of the filters (or all rows when a unit has
    none).
    """
    buckets: dict[tuple, list[Unit]] = {}
    for u in units:
        key = (u.source, u.attribution.kind, u.attribution.expression, u.calculs)
        buckets.setdefault(key, []).append(u)
    groups: list[QueryGroup] = []
    for members in buckets.values():
        filters = list(dict.fromkeys(u.filtre for u in members))
        if len(filters) == 1:
            first = members[0]
            groups.append(QueryGroup(first.source, first.attribution, first.filtre, first.calculs, list(members)))
            continue
        base = None if None in filters else " OR ".join(f"({f})" for f in filters)
        # Over all rows, a filtered unit only joins if it adds no breakdown (each grouping set
        # is computed for every aggregate): a narrower query of its own is cheaper otherwise.
        wide_dims = {d for u in members if u.filtre is None for d in u.dims}
        merged, alone = [], []
        for u in members:
            if u.filtre is None or u.filtre == base:
                merged.append(u)
                continue
            rewritten = {name: add_filter(expr, u.filtre) for name, expr in u.aggregates.items()}
            if (refers_to_period(u.filtre) or any(v is None for v in rewritten.values())
                    or (base is None and not set(u.dims) <= wide_dims)):
                alone.append(u)
            else:
                merged.append(Unit(u.key, u.source, u.attribution, u.filtre, rewritten, u.dims, u.calculs))
        if alone and base is not None:  # the shared query no longer needs those units' rows
            kept = list(dict.fromkeys(u.filtre for u in merged))
            base = " OR ".join(f"({f})" for f in kept) if len(kept) > 1 else kept[0] if kept else None
        if merged:
            first = merged[0]
            groups.append(QueryGroup(first.source, first.attribution, base, first.calculs, merged))
        for u in alone:
            groups.append(QueryGroup(u.source, u.attribution, u.filtre, u.calculs, [u]))
    return groups


# --- the dimension values to find ------------------------------------------------------------


def site_sources(catalogue: Catalogue) -> list[str]:
    """Datasets of the catalogue's indicators broken down by site: their sites are the site list."""
    out = []
    for ind in catalogue:
        if "site" in ind.dimensions:
            out.extend(ind.sources)
    return list(dict.fromkeys(out))


def profiled_dimensions(units: Iterable[Unit], site_datasets: Sequence[str]) -> dict[str, list[str]]:
    """Dataset → the dimensions whose values to list: those of its units, and ``site`` for the
    datasets whose sites form the site list."""
    sources_dims: dict[str, list[str]] = {}
    for u in units:
        own = sources_dims.setdefault(u.source, [])
        own.extend(d for d in u.dims if d not in own)
    for source in site_datasets:
        own = sources_dims.setdefault(source, [])
        if "site" not in own:
            own.append("site")
    return sources_dims
