"""Each value's coverage (indicators.md « Coverage »): what of its period or window the datasets
it reads vouch for. A flow or a 12-month window needs every day; a stock needs the last day of
its period (with some earlier day only, it is partial); an indicator reading several datasets
(or other indicators) is covered where all of them are. A stock of a register read as known at
its period's end is « reconstitué » where that state is a later one (:func:`reconstructed_array`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import numpy as np
import pandas as pd

from pilotage_qualite.engine.plan import units_for
from pilotage_qualite.model.catalogue import Catalogue, Indicator
from pilotage_qualite.model.coverage import ABSENT, COMPLETE, PARTIAL, Coverage, CoverageState, weakest
from pilotage_qualite.model.periods import Period, add_months

Needs = tuple[tuple[str, str], ...]  # (dataset, attribution kind)


def needs_of(catalogue: Catalogue, indicator: Indicator) -> Needs:
    """The (dataset, attribution) pairs behind an indicator, through the indicators it references."""
    found = [(u.source, u.attribution.kind) for dep in catalogue.with_dependencies([indicator.id])
             for u in units_for(dep)]
    return tuple(dict.fromkeys(found))


def value_coverage(coverage: Coverage, needs: Needs, period: Period, site: str | None) -> CoverageState:
    last = period.fin - timedelta(days=1)
    states = []
    for dataset, kind in needs:
        if kind == "stock":
            at_end = coverage.state(dataset, last, last, site)
            states.append(at_end if at_end.level == COMPLETE else _partial(coverage.state(dataset, period.debut, last, site)))
        else:
            first = add_months(period.fin, -12) if kind == "fenetre_12m" else period.debut
            states.append(coverage.state(dataset, first, last, site))
    return weakest(states)


def _partial(state: CoverageState) -> CoverageState:
    """A stock whose period is covered on some days but not on its last: known up to a day only."""
    return state if state.level == ABSENT else CoverageState(PARTIAL, state.first_day, state.last_day)


def coverage_arrays(coverage: Coverage | None, catalogue: Catalogue, info: Sequence[Indicator], ind: np.ndarray,
                    periods: Sequence[Period], per: np.ndarray, sites: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(level, first covered day, last covered day) for each row, the rows given by their indicator
    and period codes and their site (None: the whole structure). Each distinct (indicator, period,
    site) is worked out once. Without ``coverage``, every value is complete."""
    if coverage is None:
        return (np.full(len(ind), COMPLETE, dtype=object), np.full(len(ind), None, dtype=object),
                np.full(len(ind), None, dtype=object))
    keys = pd.DataFrame({"i": ind, "p": per, "s": pd.Series(sites, dtype=object).fillna("")})
    codes, distinct = pd.factorize(pd.MultiIndex.from_frame(keys))
    needs = {k: needs_of(catalogue, indicator) for k, indicator in enumerate(info)}
    states = [value_coverage(coverage, needs[i], periods[p], s or None) for i, p, s in distinct]
    level = np.array([s.level for s in states], dtype=object)[codes]
    first = np.array([s.first_day for s in states], dtype=object)[codes]
    last = np.array([s.last_day for s in states], dtype=object)[codes]
    return level, first, last


def reconstructed_array(coverage: Coverage | None, catalogue: Catalogue, info: Sequence[Indicator],
                        ind: np.ndarray, periods: Sequence[Period], per: np.ndarray) -> np.ndarray:
    """For each row (given by its indicator and period codes), whether its value is « reconstitué »:
    it reads a stock of a register with a history (``Coverage.registers``) whose state at the
    period's end is a later one (:meth:`RegisterHistory.reconstructed`), itself or through any
    measure or indicator it reads; the same on Ensemble and breakdown rows. Without ``coverage``
    (today's rows, the definitions alone) or for flows and windows: never."""
    if coverage is None or not coverage.registers:
        return np.zeros(len(ind), dtype=bool)
    flags = np.zeros((len(info), len(periods)), dtype=bool)
    for k, indicator in enumerate(info):
        registers = [coverage.registers[dataset] for dataset, kind in needs_of(catalogue, indicator)
                     if kind == "stock" and dataset in coverage.registers]
        if registers:
            flags[k] = [any(r.reconstructed(p.fin) for r in registers) for p in periods]
    return flags[ind, per]

