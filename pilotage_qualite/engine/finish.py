"""From raw values to results: targets in force, status, Wilson interval, control limits and
comparisons with earlier periods, kept for the wanted periods in result order.

Works on arrays (thousands of rows): indicator and period attributes are read once per
indicator / period and spread to the rows by their codes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from pilotage_qualite.engine.assembly import ranks
from pilotage_qualite.engine.control import control_columns
from pilotage_qualite.engine.coverage_rows import coverage_arrays, reconstructed_array
from pilotage_qualite.engine.results import ENSEMBLE, RESULT_COLUMNS
from pilotage_qualite.engine.targets import targets_in_force
from pilotage_qualite.model import status as status_rules
from pilotage_qualite.model.catalogue import Catalogue
from pilotage_qualite.model.coverage import ABSENT, COMPLETE, PARTIAL, Coverage
from pilotage_qualite.model.events import Event
from pilotage_qualite.model.periods import Period

LOOKBACK = 12  # previous periods always computed: the previous value and a year earlier
PERIODS_PER_YEAR = {"mois": 12, "trimestre": 4, "annee": 1}
_HISTORY = ("valeur_precedente", "valeur_annee_precedente")


def _spread(items: Sequence, codes: np.ndarray, get, dtype=object) -> np.ndarray:
    """``get(item)`` for each row, the rows holding codes into ``items``: read once per item."""
    return np.array([get(x) for x in items], dtype=dtype)[codes]


def _spread_text(items: Sequence, codes: np.ndarray, get):
    """As :func:`_spread`, as a pandas text array (converted once per item, not per row)."""
    return pd.array([get(x) for x in items], dtype="str")[codes]


def finish(raw: pd.DataFrame, catalogue: Catalogue, ids: Sequence[str], wanted: Sequence[Period],
           computed: Sequence[Period], targets, coverage: Coverage | None,
           events: Sequence[Event] | None = None) -> pd.DataFrame:
    """Coverage, history, targets, status and Wilson interval on the raw rows
    (:func:`assembly.raw_frame` over the ``computed`` periods), kept for the ``wanted`` periods."""
    by_label = {p.label: p for p in computed}
    periods = [by_label[x] for x in raw["_periode"].cat.categories]
    info = [catalogue[i] for i in raw["indicateur"].cat.categories]
    per = raw["_periode"].cat.codes.to_numpy(dtype=np.int64)
    ind = raw["indicateur"].cat.codes.to_numpy(dtype=np.int64)
    dims = raw["_dimension"].to_numpy(dtype=object)
    sites = np.where(dims == "site", raw["_modalite"].to_numpy(dtype=object), None)
    level, covered_from, covered_to = coverage_arrays(coverage, catalogue, info, ind, periods, per, sites)
    # Not covered: no value at all (a forgotten file is not a perfect month).
    absent = level == ABSENT
    v = np.where(absent, np.nan, raw["valeur"].to_numpy(dtype=float))
    n = np.where(absent, np.nan, raw["effectif"].to_numpy(dtype=float))
    proportion = _spread(info, ind, lambda i: i.is_proportion, bool)
    rows = _result_rows(raw, ids, wanted, periods, per, info, ind)
    raw_values = v

    # Comparisons: the previous period and the same period a year earlier, in the same series.
    history = _history(raw["_serie"].to_numpy(), _spread(periods, per, lambda p: p.index, np.int64),
                       _spread(periods, per, lambda p: PERIODS_PER_YEAR[p.grain], np.int64), v, rows)
    n_min_all = _spread(info, ind, lambda i: i.n_min, float)
    usable = (level == COMPLETE) & np.isfinite(v) & ~(n < n_min_all)  # what a control chart may read

    # Targets in force on each period's first day.
    per, ind, v, n, proportion, absent = per[rows], ind[rows], v[rows], n[rows], proportion[rows], absent[rows]
    level, partial = level[rows], level[rows] == PARTIAL
    cible, seuil = targets_in_force(targets, [i.id for i in info], ind,
                                    _spread(periods, per, lambda p: p.debut, "datetime64[D]"),
                                    _spread(info, ind, lambda i: i.cible, float),  # None → NaN
                                    _spread(info, ind, lambda i: i.seuil, float))
    sens = _spread(info, ind, lambda i: i.sens)  # None: no direction
    n_min = n_min_all[rows]
    statut = status_rules.status_array(v, n, sens=sens, cible=cible, seuil=seuil, n_min=n_min)
    statut[partial & np.isfinite(v)] = status_rules.PERIODE_INCOMPLETE

    # Wilson 95 % interval for true proportions only (rows among rows; not a ratio of hours).
    lo, hi = status_rules.wilson_arrays(np.where(proportion, v / 100.0, np.nan), n)
    control = control_columns(catalogue, info, periods, raw, usable, raw_values, rows, cible, events)

    dims = dims[rows]
    ensemble = dims == ENSEMBLE
    signalled = np.array([bool(fired) for fired in control.signals], dtype=bool)
    out_of_control = pd.array(signalled, dtype="boolean")
    out_of_control[~np.isfinite(control.centre)] = pd.NA  # no limits: nothing can be judged
    # Ensemble rows: dimension and modalite are None (object columns keep None as such).
    return pd.DataFrame({
        **_described(info, ind, periods, per),
        "dimension": pd.Series(np.where(ensemble, None, dims), dtype=object),
        "modalite": pd.Series(np.where(ensemble, None, raw["_modalite"].to_numpy(dtype=object)[rows]), dtype=object),
        "valeur": v,
        "effectif": pd.array(np.round(n), dtype="Int64"),
        "numerateur": np.where(absent, np.nan, raw["numerateur"].to_numpy(dtype=float)[rows]),
        "denominateur": np.where(absent, np.nan, raw["denominateur"].to_numpy(dtype=float)[rows]),
        "sens": pd.Series(sens, dtype=object),
        "cible": cible,
        "seuil": seuil,
        "n_min": pd.array(n_min, dtype="Int64"),
        "statut": statut,
        "ic_bas": lo * 100.0,
        "ic_haut": hi * 100.0,
        "centre": control.centre,
        "limite_basse": control.lower,
        "limite_haute": control.upper,
        **history,
        "hors_controle": out_of_control,
        "carte": pd.Series(control.kind, dtype=object),
        "signaux": pd.Series(control.signals, dtype=object),
        "variation": pd.Series(control.variation, dtype=object),
        "assurance": pd.Series(control.assurance, dtype=object),
        "sans_limites": pd.Series(control.reason, dtype=object),
        "couverture": pd.Series(level, dtype=object),
        "couvert_du": pd.Series(covered_from[rows], dtype=object),
        "couvert_au": pd.Series(covered_to[rows], dtype=object),
        # No value (not covered): nothing to flag.
        "reconstitue": reconstructed_array(coverage, catalogue, info, ind, periods, per) & ~absent,
    }, columns=RESULT_COLUMNS)


def _result_rows(raw: pd.DataFrame, ids: Sequence[str], wanted: Sequence[Period], periods: Sequence[Period],
                 per: np.ndarray, info: Sequence, ind: np.ndarray) -> np.ndarray:
    """The wanted periods' rows, in result order: indicator (as asked), grain, start, dimension, value."""
    wanted_labels = {p.label for p in wanted}
    kept = np.flatnonzero(_spread(periods, per, lambda p: p.label in wanted_labels, bool))
    order = {i: k for k, i in enumerate(ids)}
    return kept[np.lexsort((raw["_rang"].to_numpy()[kept],
                            ranks([(p.grain, p.debut) for p in periods])[per[kept]],
                            _spread(info, ind[kept], lambda i: order[i.id], np.int64)))]


def _described(info: Sequence, ind: np.ndarray, periods: Sequence[Period], per: np.ndarray) -> dict:
    """The result's columns read from the indicator and the period of each row."""
    return {
        "indicateur": _spread_text(info, ind, lambda i: i.id),
        "titre": _spread_text(info, ind, lambda i: i.titre),
        "processus": _spread_text(info, ind, lambda i: i.processus),
        "periode": _spread_text(periods, per, lambda p: p.label),
        "grain": _spread_text(periods, per, lambda p: p.grain),
        "debut": _spread(periods, per, lambda p: p.debut),
        "fin": _spread(periods, per, lambda p: p.fin),
        "unite": _spread_text(info, ind, lambda i: i.unite),
        "decimales": _spread(info, ind, lambda i: i.decimales, np.int64),
    }


def _history(series: np.ndarray, index: np.ndarray, per_year: np.ndarray, v: np.ndarray,
             rows: np.ndarray) -> dict[str, np.ndarray]:
    """The previous value and the value a year earlier, for ``rows``.

    ``series`` numbers the (indicator, dimension, value) series and ``index`` is the period's
    position on its grain's axis. Every row fills the (series × period) matrix of its grain
    (told by its number of periods per year); only ``rows`` are read from it.
    """
    out = {name: np.full(len(rows), np.nan) for name in _HISTORY}
    for k in np.unique(per_year):
        mine = per_year == k
        start = index[mine].min()
        values = np.full((series[mine].max() + 1, index[mine].max() - start + 1 + k), np.nan)
        values[series[mine], index[mine] - start + k] = v[mine]
        at = np.flatnonzero(mine[rows])
        r = rows[at]
        s, t = series[r], index[r] - start + k
        out["valeur_precedente"][at] = values[s, t - 1]
        out["valeur_annee_precedente"][at] = values[s, t - k]
    return out
