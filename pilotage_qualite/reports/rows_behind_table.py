"""The rows behind a value as the committee reads them (the fiche's « Lignes derrière la valeur »):
the declared French headings, French dates and numbers, « oui » / « non », blank when missing,
and where each row came from in one « Provenance » cell.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import numpy as np
import pandas as pd

from pilotage_qualite.common import formats
from pilotage_qualite.engine.rows_behind import PROVENANCE_COLUMNS
from pilotage_qualite.model.datasets import Dataset

PROVENANCE = "Provenance"
COMPONENT = "Composante"
DATASET = "Jeu de données"
MEMBERSHIP = {"au_numerateur": "Compté au numérateur", "au_denominateur": "Compté au dénominateur"}
MAX_DECIMALS = 2  # declarations give no precision: enough for 0,75 ETP or 7,5 h, no float noise
_TECHNICAL = {"indicateur", *PROVENANCE_COLUMNS}


def rows_behind_table(rows: pd.DataFrame, datasets: Mapping[str, Dataset]) -> pd.DataFrame:
    """The drill-down ``rows`` (engine.drill_down) as display strings under French headings.

    The indicator's id is left out (the fiche names it); « Composante » and « Jeu de données »
    only when the rows come from several (a composite); the membership columns only when the
    indicator has a numerator and a denominator. A dataset column is headed by its declared
    label, so one column name meaning two things in two datasets (``date``) gets two headings;
    a computed column (``calculs``), declared nowhere, by its name in words.
    """
    table: dict[str, pd.Series] = {}
    if (rows["composante"] != rows["indicateur"]).any():
        table[COMPONENT] = _cells(rows["composante"])
    if rows["jeu"].nunique() > 1:
        table[DATASET] = rows["jeu"].map(lambda name: datasets[name].label)
    for column, heading in MEMBERSHIP.items():
        if rows[column].notna().any():
            table[heading] = _cells(rows[column])
    sources = [datasets[name] for name in rows["jeu"].unique()]  # in the order of the rows
    for column in rows.columns.drop(list(_TECHNICAL)):
        owners = [d for d in sources if column in d.column_names]
        if not owners:
            table[column.replace("_", " ").capitalize()] = _cells(rows[column])
        for dataset in owners:
            mine = rows["jeu"] == dataset.name
            cells = table.setdefault(dataset.column(column).label, pd.Series("", index=rows.index, dtype=object))
            cells[mine] = _cells(rows.loc[mine, column])
    table[PROVENANCE] = pd.Series([provenance(*origin) for origin in
                                   zip(rows["fichier"], rows["_import_id"], rows["_ligne"])],
                                  index=rows.index, dtype=object)
    return pd.DataFrame(table, index=rows.index).reset_index(drop=True)


def provenance(file_name: str | None, import_id: int, line: int | None) -> str:
    """« fichier reclamations.xlsx (import n° 12, ligne 45) »: the journal's file and the row in it."""
    where = f"import n° {int(import_id)}" + ("" if formats.is_missing(line) else f", ligne {int(line)}")
    return where if formats.is_missing(file_name) else f"fichier {file_name} ({where})"


def cell(value: object) -> str:
    """One value as read aloud in the room: 20/08/2026, oui, 1 234,5; blank when missing."""
    if formats.is_missing(value):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "oui" if value else "non"
    if isinstance(value, (dt.date, np.datetime64)):
        moment = pd.Timestamp(value)
        return formats.date_fr(moment) if moment == moment.normalize() else formats.datetime_fr(moment)
    if isinstance(value, (int, float, np.number)):
        decimals = f"{value:.{MAX_DECIMALS}f}".rstrip("0").partition(".")[2]
        return formats.number(value, len(decimals))
    return str(value)


def _cells(column: pd.Series) -> pd.Series:
    """``cell`` of each value, worked out once per distinct value (a month's rows repeat them)."""
    shown = {value: cell(value) for value in column.dropna().unique()}
    return column.map(shown).astype(object).fillna("")
