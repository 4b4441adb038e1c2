"""Each value's coverage (indicators.md « Coverage »): what of its period or window the datasets
it reads vouch for. A flow or a 12-month window needs every day; a stock needs the last day of
its period (with some earlier day only, it is partial); an indicator reading several datasets
(or other indicators) is covered where all of them are. A stock of a register read as known at
its period's end is « reconstitué » where that state is a later one (:func:`reconstructed_array`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import pandas as pd

from pilotage_qualite.engine.plan import units_for
from pilotage_qualite.model.catalogue import Catalogue, Indicator
from pilotage_qualite.model.coverage import ABSENT, COMPLETE, PARTIAL, Coverage, Days
from pilotage_qualite.model.periods import Period, add_months

Needs = tuple[tuple[str, str], ...]  # (dataset, attribution kind)


def needs_of(catalogue: Catalogue, indicator: Indicator) -> Needs:
    """The (dataset, attribution) pairs behind an indicator, through the indicators it references."""
    found = [(u.source, u.attribution.kind) for dep in catalogue.with_dependencies([indicator.id])
             for u in units_for(dep)]
    return tuple(dict.fromkeys(found))


def coverage_arrays(coverage: Coverage | None, catalogue: Catalogue, info: Sequence[Indicator], ind: np.ndarray,
                    periods: Sequence[Period], per: np.ndarray, sites: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(level, first covered day, last covered day) for each row, the rows given by their indicator
    and period codes and their site (None: the whole structure). Without ``coverage``, every value
    is complete.

    Indicators reading the same datasets the same way share their coverage, so each distinct
    (needs, period, site) is worked out once, all periods of a (needs, site) at once in numpy."""
    if coverage is None:
        return (np.full(len(ind), COMPLETE, dtype=object), np.full(len(ind), None, dtype=object),
                np.full(len(ind), None, dtype=object))
    needs_codes, needs = pd.factorize(pd.Series([needs_of(catalogue, indicator) for indicator in info],
                                                dtype=object))
    keys = pd.DataFrame({"n": needs_codes[ind], "p": per, "s": pd.Series(sites, dtype=object).fillna("")})
    codes, distinct = pd.factorize(pd.MultiIndex.from_frame(keys))
    n_of, p_of, s_of = (distinct.get_level_values(k).to_numpy() for k in range(3))
    starts = np.array([p.debut.toordinal() for p in periods], dtype=np.int64)
    lasts = np.array([p.fin.toordinal() - 1 for p in periods], dtype=np.int64)
    windows = np.array([add_months(p.fin, -12).toordinal() for p in periods], dtype=np.int64)
    rank = np.full(len(distinct), _COMPLETE_RANK, dtype=np.int64)
    first = np.full(len(distinct), _NO_DAY, dtype=np.int64)  # latest first day of the needs
    last = np.full(len(distinct), _FAR_DAY, dtype=np.int64)  # earliest last day of the needs
    for (n, site), group in pd.Series(np.arange(len(distinct))).groupby([n_of, s_of]).groups.items():
        group = np.asarray(group)
        p = p_of[group]
        for dataset, kind in needs[n]:
            days = coverage.days(dataset, site or None)
            r, lo, hi = _ranges(days, windows[p] if kind == "fenetre_12m" else starts[p], lasts[p])
            if kind == "stock":
                end_rank, _, _ = _ranges(days, lasts[p], lasts[p])
                # Known at its end: complete, on that day. Else the period's own coverage, which
                # cannot be complete without its last day: partial (known up to a day) or absent.
                known_at_end = end_rank == _COMPLETE_RANK
                r = np.where(known_at_end, _COMPLETE_RANK, r)
                lo, hi = np.where(known_at_end, lasts[p], lo), np.where(known_at_end, lasts[p], hi)
            rank[group] = np.minimum(rank[group], r)
            first[group] = np.maximum(first[group], lo)
            last[group] = np.minimum(last[group], hi)
    level = _LEVELS[rank]
    covered = rank != _ABSENT_RANK
    first_day = np.where(covered & (first != _NO_DAY), _dates(first), None)
    last_day = np.where(covered & (last != _FAR_DAY), _dates(last), None)
    return level[codes], first_day[codes], last_day[codes]


_LEVELS = np.array([ABSENT, PARTIAL, COMPLETE], dtype=object)  # by rank: the weakest is the lowest
_ABSENT_RANK, _PARTIAL_RANK, _COMPLETE_RANK = 0, 1, 2
_NO_DAY, _FAR_DAY = 0, np.iinfo(np.int64).max  # no need yet: no first day, no last day


def _ranges(days: Days, first: np.ndarray, last: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:meth:`Coverage.state` of each range ``first[k]`` … ``last[k]`` (day ordinals, both included)
    over covered ``days``: its rank, its first and last covered day (unset where absent)."""
    count = np.zeros(len(first), dtype=np.int64)
    lo_day = np.full(len(first), _FAR_DAY, dtype=np.int64)
    hi_day = np.full(len(first), _NO_DAY, dtype=np.int64)
    for x, y in days:
        lo, hi = np.maximum(first, x), np.minimum(last, y)
        hit = lo <= hi
        count += np.where(hit, hi - lo + 1, 0)
        lo_day = np.where(hit, np.minimum(lo_day, lo), lo_day)
        hi_day = np.where(hit, np.maximum(hi_day, hi), hi_day)
    rank = np.where(count == 0, _ABSENT_RANK, np.where(count == last - first + 1, _COMPLETE_RANK, _PARTIAL_RANK))
    return rank, lo_day, hi_day


def _dates(ordinals: np.ndarray) -> np.ndarray:
    """Day ordinals as ``date`` objects, each distinct day converted once."""
    unique, back = np.unique(ordinals, return_inverse=True)
    return np.array([date.fromordinal(int(x)) if 0 < x < _FAR_DAY else None for x in unique], dtype=object)[back]


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

