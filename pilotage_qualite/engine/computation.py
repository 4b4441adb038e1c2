"""Indicator engine: computes catalogue indicators for a list of periods, in SQL.

Pure functions over a DuckDB connection (or cursor) holding the datasets (see ``query_sql``
for the relations expected and how the SQL is shaped). No Streamlit, no global state: the
engine works on cursors of the given connection (temporary objects die with them).

The steps: ``plan`` gathers the indicators' aggregates into as few queries as possible,
``query_sql`` writes them, ``assembly`` runs them and lays the raw values out (composites
included), ``finish`` adds targets (``targets``), status, intervals and control limits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd

from pilotage_qualite.engine.assembly import compute_raw
from pilotage_qualite.engine.finish import LOOKBACK, PERIODS_PER_YEAR, finish
from pilotage_qualite.engine.plan import group_units, units_for
from pilotage_qualite.engine.query_sql import group_sql
from pilotage_qualite.engine.results import RESULT_COLUMNS, EngineError
from pilotage_qualite.engine.sql_text import composite_sql
from pilotage_qualite.model.catalogue import Catalogue
from pilotage_qualite.model.coverage import Coverage
from pilotage_qualite.model.events import Event
from pilotage_qualite.model.periods import GRAINS, Period, parse_period, period_containing

MAX_HISTORY_YEARS = 10  # how far back a series is read for its control chart's baseline


def compute(conn, catalogue: Catalogue, periods, *, indicator_ids=None, targets=None,
            coverage: Coverage | None = None, events: Sequence[Event] | None = None, workers: int = 3) -> pd.DataFrame:
    """Compute indicators for the given periods, for Ensemble and every dimension value.

    ``periods``: Period objects or labels ("2025-06", "2025-T2", "2025"), grains may be mixed.
    ``indicator_ids``: subset to compute (default: the whole catalogue).
    ``targets``: target changes (DataFrame or list of dicts with ``indicateur``,
    ``date_debut``, ``cible``, ``seuil``) overriding the shipped ones from ``date_debut`` on.
    ``coverage``: the days the datasets' imports vouch for; a value outside it is none, a value
    of a period the data stop in is « période incomplète ». None: every period taken as covered
    (the definitions alone, as a hand computation over the rows reads them; every stock read
    from today's rows, never « reconstitué »). The registers' history (``Coverage.registers``)
    has their stocks read as known at each period's end, « reconstitué » (``reconstitue``) where
    that state was extracted a month or more after the period or is today's rows (the rule:
    :class:`~pilotage_qualite.model.coverage.RegisterHistory`).
    ``events``: the events in force (``Store.events()``); a process change on an indicator, on one it
    references or on a dataset they read restarts its control chart's baseline at the first period
    starting on or after its date, at every grain. None: no event.
    ``workers``: queries run concurrently on that many cursors of ``conn`` (1 = sequential).

    One row per (indicator, period, dimension, dimension value); Ensemble rows have
    ``dimension`` and ``modalite`` None. See :data:`RESULT_COLUMNS`.
    """
    wanted = _as_periods(periods)
    ids = list(dict.fromkeys(indicator_ids)) if indicator_ids is not None else catalogue.ids
    for i in ids:
        if i not in catalogue:
            raise EngineError(f"Indicateur « {i} » absent du catalogue.")
    if not ids:
        return pd.DataFrame(columns=RESULT_COLUMNS)
    sources = {u.source for i in catalogue.with_dependencies(ids) for u in units_for(i)}
    computed = _with_history(wanted, coverage.first_day(sorted(sources)) if coverage else None)
    raw = compute_raw(conn, catalogue, ids, computed, workers=workers,
                      histories=coverage.registers if coverage else None)
    return finish(raw, catalogue, ids, wanted, computed, targets, coverage, events)


def indicator_sql(catalogue: Catalogue, indicator_id: str, periods) -> list[str]:
    """The SQL the engine runs for one indicator (for the fiche page and auditors)."""
    ind = catalogue[indicator_id]
    wanted = _as_periods(periods)
    out = []
    for g in group_units(units_for(ind)):
        out.append(group_sql(g.source, g.attribution, g.filtre, g.aliases(), g.dims, wanted, calculs=g.calculs))
    if ind.is_composite:
        out.extend(f"-- {name} = {composite_sql(e)}" for name, e in ind.composite_expressions().items())
    return out


def _as_periods(periods) -> list[Period]:
    if isinstance(periods, (str, Period)):
        periods = [periods]
    out = [parse_period(p) for p in periods]
    if not out:
        raise EngineError("Aucune période demandée.")
    return list(dict.fromkeys(out))


def _with_history(periods: Sequence[Period], since: date | None) -> list[Period]:
    """The periods, their 12 predecessors (the previous period, a year earlier) and every period
    back to the first covered day (a control chart's baseline is its first points), within
    :data:`MAX_HISTORY_YEARS`."""
    out: set[Period] = set()
    for p in periods:
        back = LOOKBACK
        if since is not None:
            first = max(period_containing(since, p.grain), p.shift(-MAX_HISTORY_YEARS * PERIODS_PER_YEAR[p.grain]))
            back = max(back, p.index - first.index)
        out.update(p.shift(-k) for k in range(back + 1))
    return sorted(out, key=lambda p: (GRAINS.index(p.grain), p.debut))
