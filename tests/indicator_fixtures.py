"""Small readable stores for indicator tests.

``make_store({"reclamations": [{"date_reception": "2025-06-01", "site": "Lyon"}, ...]})``
creates, in an in-memory DuckDB, one table per declared dataset (declared columns with
their SQL types, plus ``_import_id`` and ``_ligne`` like the real store's views) and the
``imports`` journal; each dataset given gets one import (file ``<jeu>.xlsx``) and its rows,
numbered from 2 as in a spreadsheet under its header row. Missing columns take the
declared default (as the import does), dates are ISO strings.
"""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import pandas as pd

from pilotage_qualite import engine
from pilotage_qualite.catalogue import load_catalogue
from pilotage_qualite.declarations import load_datasets

DATASETS = load_datasets()
CATALOGUE = load_catalogue()


def make_store(rows: dict[str, list[dict]] | None = None, datasets=None) -> duckdb.DuckDBPyConnection:
    datasets = datasets or DATASETS
    conn = engine.empty_store(datasets)
    for import_id, (name, items) in enumerate((rows or {}).items(), start=1):
        add_rows(conn, name, items, import_id=import_id, datasets=datasets)
    return conn


def add_rows(conn, name: str, items: list[dict], *, import_id: int, fichier: str | None = None,
             datasets=None) -> None:
    datasets = datasets or DATASETS
    ds = datasets[name]
    columns = {c.name: c for c in ds.columns}
    conn.execute("INSERT INTO imports VALUES (?, ?, ?, ?)",
                 [import_id, name, fichier or f"{name}.xlsx", datetime(2025, 7, 2, 9, 0)])
    for line, item in enumerate(items, start=2):
        unknown = set(item) - set(columns)
        if unknown:
            raise KeyError(f"{name}: unknown column(s) {sorted(unknown)}")
        values = []
        for col in ds.columns:
            v = item.get(col.name, col.default)
            if col.type == "date" and isinstance(v, str):
                v = date.fromisoformat(v)
            values.append(v)
        marks = ", ".join("?" for _ in range(len(values) + 2))
        conn.execute(f'INSERT INTO "{name}" VALUES ({marks})', [*values, import_id, line])


def compute(conn, ids, periods, **kwargs) -> pd.DataFrame:
    if isinstance(ids, str):
        ids = [ids]
    return engine.compute(conn, CATALOGUE, periods, indicator_ids=ids, workers=1, **kwargs)


def row(result: pd.DataFrame, indicator: str, period: str, dimension: str | None = None,
        value: str | None = None) -> pd.Series:
    """The single result row for (indicator, period, dimension, value); Ensemble by default."""
    sel = (result["indicateur"] == indicator) & (result["periode"] == period)
    if dimension is None:
        sel &= result["dimension"].isna()
    else:
        sel &= (result["dimension"] == dimension) & (result["modalite"] == value)
    found = result[sel]
    assert len(found) == 1, f"{indicator} {period} {dimension}={value}: {len(found)} rows"
    return found.iloc[0]


def one(conn, indicator: str, period: str, dimension: str | None = None, value: str | None = None,
        **kwargs) -> pd.Series:
    return row(compute(conn, indicator, [period], **kwargs), indicator, period, dimension, value)
