"""Control charts on the engine's rows: each (indicator, dimension value, grain) series charted
from its first usable points (model.spc), the wanted rows reading their limits, special causes
and verdicts.

A point is usable when its period is wholly covered, its value exists and its n reaches n min:
only usable points build the baseline and signal. No chart at year grain. A recorded process change
(model.events) cuts a series in two: the points before it keep the limits of their own baseline,
the points from the first period starting on or after its day get a new baseline of their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from pilotage_qualite.engine.coverage_rows import needs_of
from pilotage_qualite.model import spc
from pilotage_qualite.model.catalogue import Catalogue, Indicator
from pilotage_qualite.model.events import Event, restart_positions, scope
from pilotage_qualite.model.periods import Period


def chart_kind(catalogue: Catalogue, indicator: Indicator) -> str:
    """The declared chart, else by the definition: stocks and 12-month windows (points that
    overlap) none; a share of rows a p-chart; a rate per exposure a u-chart; anything else XmR."""
    if indicator.carte is not None:
        return indicator.carte
    if any(kind != "flux" for _, kind in needs_of(catalogue, indicator)):
        return spc.NO_CHART
    if indicator.is_proportion:
        return spc.P_CHART
    if indicator.is_composite and indicator.unite == "ratio" and indicator.numerateur and indicator.denominateur:
        return spc.U_CHART
    return spc.XMR_CHART


@dataclass
class ControlColumns:
    """For each wanted row: limits, the rules fired on it, its variation and assurance."""

    kind: np.ndarray
    centre: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    signals: np.ndarray  # a tuple of rule names per row
    variation: np.ndarray
    assurance: np.ndarray
    reason: np.ndarray  # why a row has no limits (None when it has)


def control_columns(catalogue: Catalogue, info: Sequence[Indicator], periods: Sequence[Period],
                    raw: pd.DataFrame, usable: np.ndarray, v: np.ndarray, rows: np.ndarray,
                    target: np.ndarray, events: Sequence[Event] | None = None) -> ControlColumns:
    """Chart every series a wanted row belongs to; ``rows`` are the wanted rows' positions in
    ``raw`` and ``target`` their targets in force (for assurance); ``events``' process changes
    restart the baseline of the indicators they concern."""
    size = len(rows)
    signals = np.empty(size, dtype=object)
    for k in range(size):
        signals[k] = ()
    out = ControlColumns(np.full(size, spc.NO_CHART, dtype=object), *(np.full(size, np.nan) for _ in range(3)),
                         signals, *(np.full(size, None, dtype=object) for _ in range(3)))
    ind = raw["indicateur"].cat.codes.to_numpy(dtype=np.int64)
    per = raw["_periode"].cat.codes.to_numpy(dtype=np.int64)
    grain = np.array([p.grain for p in periods], dtype=object)[per]
    order = np.array([p.index for p in periods], dtype=np.int64)[per]
    starts = np.array([p.debut for p in periods], dtype=object)[per]
    changes = _change_days(catalogue, info, events)
    num = raw["numerateur"].to_numpy(dtype=float)
    den = raw["denominateur"].to_numpy(dtype=float)
    kinds = [chart_kind(catalogue, i) for i in info]
    wanted_at = np.full(len(raw), -1, dtype=np.int64)  # each raw row's place among the wanted rows
    wanted_at[rows] = np.arange(size)
    series_of = raw["_serie"].to_numpy()
    for (serie, g), positions in pd.Series(np.arange(len(raw))).groupby([series_of, grain]).groups.items():
        positions = np.asarray(positions)
        if not (wanted_at[positions] >= 0).any():
            continue
        points = positions[np.argsort(order[positions], kind="stable")]
        indicator = info[ind[points[0]]]
        kind = kinds[ind[points[0]]]
        if g == "annee":
            segments = [(len(points), spc.no_limits(kind, len(points), spc.NOT_AT_YEAR_GRAIN))]
        else:
            series = _series(indicator, kind, v[points], usable[points], num[points], den[points])
            days = changes[ind[points[0]]]
            segments = _segments(kind, series, restart_positions(days, list(starts[points])) if days else [])
        mine = np.flatnonzero(wanted_at[points] >= 0)  # the wanted points' positions in the series
        segment_of = np.searchsorted([end for end, _ in segments], mine, side="right")
        for number, (_, chart) in enumerate(segments):
            at = mine[segment_of == number]
            wanted = wanted_at[points[at]]
            out.kind[wanted] = kind
            out.centre[wanted], out.lower[wanted], out.upper[wanted] = chart.centre[at], chart.lower[at], chart.upper[at]
            out.reason[wanted] = chart.reason
            if chart.reason is not None:
                continue  # no limits: no rule fired, no verdict
            values = v[points]
            for position, k, judged in zip(at.tolist(), wanted.tolist(), usable[points[at]].tolist()):
                out.signals[k] = tuple(chart.signals[position])
                if judged:
                    out.variation[k] = spc.variation(chart, values, position, indicator.sens)
                    out.assurance[k] = spc.assurance(chart, position, indicator.sens, target[k])
    return out


def _change_days(catalogue: Catalogue, info: Sequence[Indicator], events: Sequence[Event] | None) -> list[list]:
    """For each indicator of ``info``, the days of the process changes that concern it."""
    changes = [e for e in events or () if e.process_change]
    out: list[list] = []
    for indicator in info:
        if not changes:
            out.append([])
            continue
        indicators, datasets = scope(catalogue, indicator.id)
        out.append([e.day for e in changes if e.indicator in indicators or e.dataset in datasets])
    return out


def _segments(kind: str, series: spc.Series, restarts: Sequence[int]) -> list[tuple[int, spc.Chart]]:
    """The series charted in segments cut at each restart: (end of the segment, its chart), the
    chart of a segment read over the points up to its end only (a later point neither joins its
    baseline nor a run of its points). Without restarts: one chart of the whole series."""
    if not restarts:
        return [(len(series.values), spc.control_chart(kind, series))]
    bounds = [0, *restarts, len(series.values)]
    out = []
    for start, end in zip(bounds, bounds[1:]):
        part = replace(series, values=series.values[:end], usable=series.usable[:end],
                       numerator=None if series.numerator is None else series.numerator[:end],
                       denominator=None if series.denominator is None else series.denominator[:end],
                       baseline_start=start)
        chart = spc.control_chart(kind, part)
        if start and chart.reason == spc.TOO_SHORT:
            chart.reason = spc.TOO_SHORT_SINCE_CHANGE
        out.append((end, chart))
    return out


def _series(indicator: Indicator, kind: str, values: np.ndarray, usable: np.ndarray, num: np.ndarray,
            den: np.ndarray) -> spc.Series:
    usable = usable & np.isfinite(values)
    if kind in (spc.P_CHART, spc.U_CHART):
        usable &= np.isfinite(num) & np.isfinite(den) & (den > 0)
    scale = 100.0 if kind == spc.P_CHART else indicator.rate_scale if kind == spc.U_CHART else 1.0
    return spc.Series(values, usable, num, den, scale=scale,
                      upper_bound=100.0 if indicator.is_percentage else None)
