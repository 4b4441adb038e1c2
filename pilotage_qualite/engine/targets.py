"""The target in force on a date: one rule for the statuses the engine computes and for the
catalogue page.

Target changes (``indicateur``, ``date_debut``, ``cible``, ``seuil``, and ``saisi_le`` when
known) override an indicator file's target from their date on. On a given day the change in
force is the latest whose ``date_debut`` is on or before that day; of several changes from
the same date, the last entered (latest ``saisi_le``) wins; before any change, the file's
``cible`` and ``seuil`` hold. A change may also remove a target (no cible, no seuil).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import pandas as pd

from pilotage_qualite.engine.results import EngineError
from pilotage_qualite.model.catalogue import Indicator


def target_changes(targets) -> pd.DataFrame | None:
    """The changes (DataFrame or list of dicts) checked, typed and in the rule's order: by
    indicator, date_debut, then saisi_le. None when there are none."""
    if targets is None:
        return None
    t = pd.DataFrame(targets)
    if t.empty:
        return None
    missing = {"indicateur", "date_debut", "cible"} - set(t.columns)
    if missing:
        raise EngineError(f"Cibles : colonne(s) manquante(s) : {', '.join(sorted(missing))}.")
    if "seuil" not in t:
        t["seuil"] = np.nan
    t = t.copy()
    t["date_debut"] = pd.to_datetime(t["date_debut"]).dt.date
    t["cible"] = pd.to_numeric(t["cible"], errors="coerce").astype(float)
    t["seuil"] = pd.to_numeric(t["seuil"], errors="coerce").astype(float)
    # Several changes from the same date: the last one entered wins.
    order = ["indicateur", "date_debut", *(["saisi_le"] if "saisi_le" in t else [])]
    return t.sort_values(order, kind="stable")


def targets_in_force(targets, indicator_ids: Sequence[str], indicator: np.ndarray, days: np.ndarray,
                     cible: np.ndarray, seuil: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(cible, seuil) in force for each row, on arrays.

    Row k is indicator ``indicator_ids[indicator[k]]`` on day ``days[k]`` (datetime64[D]);
    ``cible`` and ``seuil`` hold the files' targets (NaN: none), kept where no change applies.
    """
    cible, seuil = cible.copy(), seuil.copy()
    changes = target_changes(targets)
    if changes is None:
        return cible, seuil
    code = {i: k for k, i in enumerate(indicator_ids)}
    for ind_id, mine in changes.groupby("indicateur", sort=False):
        rows = indicator == code.get(ind_id, -1)
        if not rows.any():
            continue
        starts = np.array(mine["date_debut"].tolist(), dtype="datetime64[D]")
        # The latest change on or before the day (ties: the last of the sorted changes).
        pos = np.searchsorted(starts, days[rows], side="right") - 1
        has = pos >= 0
        changed = np.flatnonzero(rows)[has]
        cible[changed] = mine["cible"].to_numpy(dtype=float)[pos[has]]
        seuil[changed] = mine["seuil"].to_numpy(dtype=float)[pos[has]]
    return cible, seuil


def targets_on_day(indicators: Sequence[Indicator], targets, day: date) -> list[tuple[float | None, float | None]]:
    """(cible, seuil) of each indicator in force on ``day`` (None: no target)."""
    cible, seuil = targets_in_force(targets, [i.id for i in indicators], np.arange(len(indicators)),
                                    np.array([day] * len(indicators), dtype="datetime64[D]"),
                                    np.array([i.cible for i in indicators], dtype=float),
                                    np.array([i.seuil for i in indicators], dtype=float))
    return [(_number(c), _number(s)) for c, s in zip(cible, seuil)]


def _number(value: float) -> float | None:
    return None if np.isnan(value) else float(value)
