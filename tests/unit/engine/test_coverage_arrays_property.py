"""The engine's vectorised coverage (engine.coverage_rows.coverage_arrays) says, for every row,
what the coverage rule says for that one value: checked against the rule written plainly, one
value at a time, over :meth:`Coverage.state` and :func:`weakest` (whose own hand-worked cases are
in tests/unit/model/test_coverage.py), on random spans, sites, periods and indicators."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from pilotage_qualite.engine.coverage_rows import coverage_arrays, needs_of
from pilotage_qualite.model.coverage import ABSENT, COMPLETE, PARTIAL, Coverage, CoverageState, CoveredSpan, weakest
from pilotage_qualite.model.indicator_format import load_catalogue
from pilotage_qualite.model.periods import Period, add_months

CATALOGUE = load_catalogue()
SITES = ["Lyon 8e", "Vénissieux"]
DATASETS = sorted({dataset for indicator in CATALOGUE for dataset, _ in needs_of(CATALOGUE, indicator)})
FIRST = date(2025, 1, 1)


def rule(coverage: Coverage, needs, period: Period, site: str | None) -> CoverageState:
    """indicators.md « Coverage », one value at a time: a flow or a 12-month window needs every
    day; a stock the last day of its period (some earlier day only: partial); the weakest wins."""
    last = period.fin - timedelta(days=1)
    states = []
    for dataset, kind in needs:
        if kind == "stock":
            at_end = coverage.state(dataset, last, last, site)
            whole = coverage.state(dataset, period.debut, last, site)
            if at_end.level == COMPLETE:
                states.append(at_end)
            else:
                states.append(whole if whole.level == ABSENT else CoverageState(PARTIAL, whole.first_day, whole.last_day))
        else:
            first = add_months(period.fin, -12) if kind == "fenetre_12m" else period.debut
            states.append(coverage.state(dataset, first, last, site))
    return weakest(states)


spans = st.lists(st.tuples(st.sampled_from(DATASETS), st.integers(0, 900), st.integers(0, 200),
                           st.sampled_from([(), (SITES[0],), (SITES[1],), tuple(SITES)])), max_size=8)
periods = st.lists(st.tuples(st.sampled_from(["mois", "trimestre", "annee"]), st.integers(0, 30)),
                   min_size=1, max_size=6, unique=True)


@settings(max_examples=150, deadline=None)
@given(spans=spans, picked=periods, indicators=st.lists(st.integers(0, len(CATALOGUE) - 1), min_size=1, max_size=6))
def test_every_row_has_the_coverage_the_rule_gives_it(spans, picked, indicators):
    coverage = Coverage({dataset: [CoveredSpan(FIRST + timedelta(days=start), FIRST + timedelta(days=start + length),
                                               sites) for d, start, length, sites in spans if d == dataset]
                         for dataset in DATASETS}, sites=SITES)
    info = [CATALOGUE[CATALOGUE.ids[k]] for k in dict.fromkeys(indicators)]
    period_list = []
    for grain, step in picked:
        months = {"mois": 1, "trimestre": 3, "annee": 12}[grain]
        period = Period(grain, add_months(FIRST, (step * months) % 36 // months * months))
        if period not in period_list:
            period_list.append(period)
    rows = [(i, p, s) for i in range(len(info)) for p in range(len(period_list)) for s in [None, *SITES]]
    ind = np.array([r[0] for r in rows], dtype=np.int64)
    per = np.array([r[1] for r in rows], dtype=np.int64)
    sites = np.array([r[2] for r in rows], dtype=object)

    level, first, last = coverage_arrays(coverage, CATALOGUE, info, ind, period_list, per, sites)

    for k, (i, p, s) in enumerate(rows):
        expected = rule(coverage, needs_of(CATALOGUE, info[i]), period_list[p], s)
        assert (level[k], first[k], last[k]) == (expected.level, expected.first_day, expected.last_day), rows[k]
