"""Running the queries and laying their results out: raw values (no status yet) on grids of rows.

A grid is every period × (Ensemble + each value of each dimension); each unit's aggregates
are moved onto its grid by integer arithmetic, the pairs without rows filled with the
aggregates' values over no rows, and composites are evaluated from their parts on theirs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from pilotage_qualite.engine.plan import QueryGroup, Unit, group_units, profiled_dimensions, site_sources, units_for
from pilotage_qualite.engine.query_sql import EMPTY_ROW_MARK, group_sql, periods_values, profile_sql
from pilotage_qualite.engine.results import ENSEMBLE, NOT_FILLED
from pilotage_qualite.engine.sql_text import composite_sql, identifier
from pilotage_qualite.model.catalogue import Catalogue, Indicator
from pilotage_qualite.model.coverage import RegisterHistory
from pilotage_qualite.model.periods import Period

_RAW_VALUES = ("valeur", "effectif", "numerateur", "denominateur")


def run_all(conn, periods: Sequence[Period], sqls: list[str], workers: int) -> list[pd.DataFrame]:
    """Run independent read queries on fresh cursors of ``conn`` (concurrently when asked).

    Each cursor gets a temporary ``_periodes`` table (an inline VALUES list costs several ms
    of planning per query); it vanishes with the cursor, so the caller's connection is left
    untouched.
    """
    workers = max(1, min(workers, len(sqls)))
    cursors = [conn.cursor() for _ in range(workers)]
    results: list[pd.DataFrame | None] = [None] * len(sqls)
    # Longest queries first (text length is a rough guess of the work), round-robin.
    order = sorted(range(len(sqls)), key=lambda i: -len(sqls[i]))

    def work(w: int) -> None:
        cur = cursors[w]
        cur.execute(f"CREATE TEMP TABLE _periodes AS SELECT * FROM (VALUES {periods_values(periods)}) "
                    f"t(_periode, _grain, debut, fin, debut_fenetre, _debut_mois, _fin_mois)")
        for i in order[w::workers]:
            results[i] = cur.execute(sqls[i]).df()

    try:
        if workers == 1:
            work(0)
        else:
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(workers) as pool:
                list(pool.map(work, range(workers)))
    finally:
        for c in cursors:
            c.close()
    return results  # type: ignore[return-value]


# --- grids --------------------------------------------------------------------------------


def ranks(keys: Sequence) -> np.ndarray:
    """Position of each (distinct) key in sorted order."""
    order = np.empty(len(keys), dtype=np.int64)
    order[sorted(range(len(keys)), key=keys.__getitem__)] = np.arange(len(keys))
    return order


def _finite(x: np.ndarray) -> np.ndarray:
    """Non-finite numbers (division by zero, 0/0) are no value."""
    return np.where(np.isfinite(x), x, np.nan)


def _take(values: np.ndarray, position: np.ndarray, fill: float) -> np.ndarray:
    """``values[position]``, ``fill`` where the position is -1 (no such row)."""
    if not len(values):
        return np.full(len(position), fill)
    return np.where(position >= 0, values[position], fill)


class Grid:
    """The rows of a result: every period × (Ensemble + each value of each dimension).

    Rows are period-major and addressed by position (period × number of pairs + pair), so
    results are aligned by integer arithmetic instead of looking up string keys row by row.
    All grids of one computation share the same periods.
    """

    def __init__(self, n_periods: int, pairs: list[tuple[str, str]]):
        self.n_periods = n_periods
        self.pairs = pairs  # (dimension, value); (ENSEMBLE, ENSEMBLE) first
        self.pair_pos = {p: k for k, p in enumerate(pairs)}
        self.size = n_periods * len(pairs)
        self.dimensions = np.array([d for d, _ in pairs], dtype=object)
        self.values = np.array([v for _, v in pairs], dtype=object)
        self.rank = ranks(pairs)  # result order of the pairs (by dimension, then value)

    def rows(self, period: np.ndarray, pair: np.ndarray) -> np.ndarray:
        """Row of each (period position, pair position); -1 where either is -1."""
        return np.where((period >= 0) & (pair >= 0), period * len(self.pairs) + pair, -1)

    def align(self, values: np.ndarray, source: Grid) -> np.ndarray:
        """``values`` of the rows of ``source``, moved to the rows of this grid (NaN where ``source``
        lacks the dimension value)."""
        pair = np.array([source.pair_pos.get(p, -1) for p in self.pairs], dtype=np.int64)
        period = np.arange(self.n_periods)
        return _take(values, source.rows(np.repeat(period, len(pair)), np.tile(pair, self.n_periods)), np.nan)


GridColumns = tuple[Grid, dict[str, np.ndarray]]  # a grid and value columns on its rows


class Grids:
    """The grids of one computation, one per (dimensions, datasets): the dimension values are
    those present in the datasets; sites are pooled over the datasets of every indicator
    broken down by site (so an indicator shows 0, or no value for a ratio, for a site without
    rows of its own), whatever subset of indicators is computed."""

    def __init__(self, n_periods: int, observed: dict[tuple[str, str], set[str]], sites: set[str]):
        self.n_periods = n_periods
        self.observed = observed  # (dataset, dimension) → values present
        self.sites = sites
        self.made: dict[tuple, Grid] = {}

    def get(self, dims: Sequence[str], sources: Iterable[str]) -> Grid:
        """Every period × (Ensemble + each value of each dimension)."""
        key = (tuple(dims), tuple(sorted(set(sources))))
        if key not in self.made:
            pairs = [(ENSEMBLE, ENSEMBLE)]
            for d in dims:
                values = {v for s in key[1] for v in self.observed.get((s, d), ())}
                if d == "site":
                    values |= self.sites
                pairs.extend((d, v) for v in sorted(values))
            self.made[key] = Grid(self.n_periods, pairs)
        return self.made[key]


class CodedResult:
    """A group query's result with its rows coded as integers (period, dimension, value)."""

    def __init__(self, frame: pd.DataFrame, labels: Sequence[str]):
        period, found = pd.factorize(frame["_periode"])  # code -1: the row of values over no rows
        position = {x: k for k, x in enumerate(labels)}
        self.period = np.array([position.get(x, -1) for x in found] + [-1], dtype=np.int64)[period]
        self.dimension, dimensions = pd.factorize(frame["_dimension"])
        self.value, values = pd.factorize(frame["_modalite"])
        self.dimension_of = {d: k for k, d in enumerate(dimensions)}
        self.value_of = {v: k for k, v in enumerate(values)}
        # Row holding the aggregates' values over no rows (see query_sql.group_sql).
        self.empty = np.flatnonzero(self.dimension == self.dimension_of.get(EMPTY_ROW_MARK, -2))

    def positions(self, grid: Grid) -> np.ndarray:
        """Row of the result holding each row of ``grid`` (-1: none)."""
        # pair[dimension code, value code]; the extra last row and column catch NULL codes (-1).
        pair = np.full((len(self.dimension_of) + 1, len(self.value_of) + 1), -1, dtype=np.int64)
        for k, (d, v) in enumerate(grid.pairs):
            if d in self.dimension_of and v in self.value_of:
                pair[self.dimension_of[d], self.value_of[v]] = k
        rows = grid.rows(self.period, pair[self.dimension, self.value])
        found = rows >= 0
        position = np.full(grid.size, -1, dtype=np.int64)
        position[rows[found]] = np.flatnonzero(found)
        return position


# --- raw values -----------------------------------------------------------------------------


def _read_profile(frame: pd.DataFrame) -> tuple[set[str], dict[tuple[str, str], set[str]]]:
    """(datasets with rows, (dataset, dimension) → values present) from :func:`query_sql.profile_sql`."""
    non_empty = set(frame.loc[frame["_existe"].fillna(False).astype(bool), "_jeu"])
    values: dict[tuple[str, str], set[str]] = {}
    dims = frame[frame["_dimension"].notna()]
    for jeu, dim, mod in zip(dims["_jeu"].tolist(), dims["_dimension"].tolist(), dims["_modalite"].tolist()):
        values.setdefault((jeu, dim), set()).add(mod)
    return non_empty, values


def compute_raw(conn, catalogue: Catalogue, ids: Sequence[str], periods: Sequence[Period],
                workers: int = 1, histories: Mapping[str, RegisterHistory] | None = None) -> pd.DataFrame:
    """Raw values (no status) for ``ids`` and their dependencies over ``periods``.

    ``histories``: the registers' (dataset → :class:`RegisterHistory`), whose stocks are then
    read as known at each period end (``query_sql.joined_sql``); else from today's rows.

    One profile query plus one query per group, run on cursors of ``conn``; the (period,
    dimension value) pairs without rows are then filled with the aggregates' values over no
    rows (or left empty when the dataset has no row at all). Returns :func:`raw_frame`.
    """
    indicators = catalogue.with_dependencies(ids)
    units = [u for ind in indicators for u in units_for(ind)]
    groups = group_units(units)
    site_datasets = site_sources(catalogue)
    sqls = [profile_sql(profiled_dimensions(units, site_datasets))]
    histories = histories or {}
    sqls += [group_sql(g.source, g.attribution, g.filtre, g.aliases(), g.dims, periods, periods_table=True,
                       calculs=g.calculs, history=histories.get(g.source)) for g in groups]
    profile, *results = run_all(conn, periods, sqls, workers)
    non_empty, observed = _read_profile(profile)
    sites = {v for s in site_datasets for v in observed.get((s, "site"), ())} - {NOT_FILLED}
    labels = [p.label for p in periods]
    grids = Grids(len(labels), observed, sites)
    unit_values = _unit_values(groups, results, labels, non_empty, grids)
    indicator_values = _indicator_values(conn, catalogue, indicators, unit_values, grids)
    return raw_frame(ids, indicator_values, labels)


def _unit_values(groups: Sequence[QueryGroup], results: Sequence[pd.DataFrame], labels: Sequence[str],
                 non_empty: set[str], grids: Grids) -> dict[str, GridColumns]:
    """Each unit's values, laid out on its grid (by unit key)."""
    unit_values: dict[str, GridColumns] = {}
    for g, res in zip(groups, results):
        coded = CodedResult(res, labels)
        has_rows = g.source in non_empty
        for u in g.units:
            unit_values[u.key] = _laid_out(u, g, res, coded, has_rows, grids.get(u.dims, [u.source]))
    return unit_values


def _laid_out(unit: Unit, group: QueryGroup, res: pd.DataFrame, coded: CodedResult, has_rows: bool,
              grid: Grid) -> GridColumns:
    """One unit's aggregates from its group's result, on ``grid``; pairs without rows get the
    aggregate's value over no rows when the dataset has rows, else no value."""
    position = coded.positions(grid)
    columns = {}
    for name, expr in unit.aggregates.items():
        values = res[group.alias(expr)].to_numpy(dtype=float, na_value=np.nan)
        fill = values[coded.empty[0]] if has_rows and len(coded.empty) else np.nan
        columns[name] = _finite(_take(values, position, fill))
    return grid, columns


def _indicator_values(conn, catalogue: Catalogue, indicators: Sequence[Indicator],
                      unit_values: dict[str, GridColumns], grids: Grids) -> dict[str, GridColumns]:
    """Each indicator's values on its grid (dependencies first): a simple indicator's are its
    unit's, a composite's are evaluated from its measures and references."""
    indicator_values: dict[str, GridColumns] = {}
    private = None
    try:
        for ind in indicators:
            if not ind.is_composite:
                indicator_values[ind.id] = unit_values[f"I:{ind.id}"]
                continue
            if private is None:  # a cursor of its own leaves conn (and its pending result) untouched
                private = conn.cursor()
            sources = [m.source for m in ind.mesures]
            for ref in ind.references:
                sources.extend(catalogue[ref].sources)
            ind_grid = grids.get(ind.dimensions, sources)
            columns = _evaluate_composite(private, ind, unit_values, indicator_values, ind_grid)
            indicator_values[ind.id] = (ind_grid, columns)
    finally:
        if private is not None:
            private.close()
    return indicator_values


def raw_frame(ids: Sequence[str], indicator_values: dict[str, GridColumns], labels: Sequence[str]) -> pd.DataFrame:
    """The indicators' rows in one frame, built from arrays at once.

    ``indicateur`` and ``_periode`` are categorical: :func:`finish.finish` reads indicator
    and period attributes once per category through the codes. ``_serie`` numbers the
    (indicator, dimension, value) series; ``_rang`` orders the pairs within an indicator.
    """
    grids = [indicator_values[i][0] for i in ids]
    pairs = [np.tile(np.arange(len(g.pairs)), g.n_periods) for g in grids]
    starts = np.cumsum([0, *(len(g.pairs) for g in grids)])
    data = {
        "indicateur": pd.Categorical.from_codes(np.repeat(np.arange(len(ids)), [g.size for g in grids]),
                                                categories=list(ids)),
        "_periode": pd.Categorical.from_codes(
            np.concatenate([np.repeat(np.arange(g.n_periods), len(g.pairs)) for g in grids]), categories=labels),
        "_serie": np.concatenate([p + s for p, s in zip(pairs, starts)]),
        "_rang": np.concatenate([g.rank[p] for g, p in zip(grids, pairs)]),
        "_dimension": pd.Series(np.concatenate([g.dimensions[p] for g, p in zip(grids, pairs)]), dtype=object),
        "_modalite": pd.Series(np.concatenate([g.values[p] for g, p in zip(grids, pairs)]), dtype=object),
    }
    for col in _RAW_VALUES:
        data[col] = np.concatenate([indicator_values[i][1].get(col, np.full(g.size, np.nan))
                                    for i, g in zip(ids, grids)])
    return pd.DataFrame(data)


def _evaluate_composite(private, ind: Indicator, unit_values: dict[str, GridColumns],
                        indicator_values: dict[str, GridColumns], grid: Grid) -> dict[str, np.ndarray]:
    """The composite's fields on ``grid``, from its measures and referenced indicators
    aligned by (period, dimension, value), evaluated by DuckDB (SQL semantics)."""
    parts = {m.name: unit_values[f"M:{ind.id}:{m.name}"] for m in ind.mesures}
    parts.update((ref, indicator_values[ref]) for ref in ind.references)
    components = pd.DataFrame({
        "_r": np.arange(grid.size),
        **{name: grid.align(columns["valeur"], source) for name, (source, columns) in parts.items()}})
    exprs = ind.composite_expressions()
    select = ", ".join(f"CAST(({composite_sql(e)}) AS DOUBLE) AS {identifier(name)}" for name, e in exprs.items())
    # A relation queried under a name: nothing is registered on the cursor (cheaper, nothing to clean up).
    values = private.from_df(components).query("_composantes", f"SELECT {select} FROM _composantes ORDER BY _r").df()
    return {name: _finite(values[name].to_numpy(dtype=float, na_value=np.nan)) for name in exprs}
