"""What every process view shares: running a statement with the period's parameters, the site
filter, bands of days as SQL CASE, the 12-month window, Wilson intervals, the stock day."""

from __future__ import annotations

import re
from datetime import date

import duckdb
import numpy as np
import pandas as pd

from pilotage_qualite.common.months import short_month_fr
from pilotage_qualite.model.periods import Period, add_months
from pilotage_qualite.model.status import wilson_arrays


def _used(sql: str, params: dict | None) -> dict:
    """The parameters the statement names (DuckDB refuses unused named parameters)."""
    names = set(re.findall(r"\$(\w+)", sql))
    return {key: value for key, value in (params or {}).items() if key in names}


def query(conn: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> pd.DataFrame:
    return conn.execute(sql, _used(sql, params)).df()


def site_clause(site: str | None, column: str = "site") -> str:
    return f" AND {column} = $site" if site else ""


def period_params(period: Period, site: str | None = None, **extra) -> dict:
    params = {"debut": period.debut, "fin": period.fin, "debut_fenetre": period.debut_fenetre, **extra}
    if site:
        params["site"] = site
    return params


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def band_case(expression: str, bands) -> tuple[str, str]:
    """SQL CASE expressions giving a band's label and rank for a number of days."""
    label = ["CASE"]
    rank = ["CASE"]
    for i, (upper, text) in enumerate(bands):
        text = literal(text)[1:-1]
        if upper is None:
            label.append(f"ELSE '{text}'")
            rank.append(f"ELSE {i}")
        else:
            label.append(f"WHEN {expression} <= {upper} THEN '{text}'")
            rank.append(f"WHEN {expression} <= {upper} THEN {i}")
    return " ".join(label) + " END", " ".join(rank) + " END"


def bands_frame(bands) -> pd.DataFrame:
    return pd.DataFrame({"tranche": [text for _, text in bands], "ordre": range(len(bands))})


def window_months(period: Period) -> list[date]:
    """First days of the 12 months ending with the period, oldest first."""
    return [add_months(period.fin, -k) for k in range(12, 0, -1)]


def months_frame(period: Period) -> pd.DataFrame:
    months = window_months(period)
    return pd.DataFrame({"mois": pd.to_datetime(months), "mois_fr": [short_month_fr(m) for m in months]})


def with_wilson(frame: pd.DataFrame, successes: str = "satisfaits", total: str = "n") -> pd.DataFrame:
    """Add `pourcentage`, `ic_bas`, `ic_haut` (Wilson 95 %, in %); no value when n = 0."""
    n = frame[total].to_numpy(float)
    k = frame[successes].to_numpy(float)
    share = np.divide(k, n, out=np.full(len(frame), np.nan), where=n > 0)
    low, high = wilson_arrays(share, n)
    return frame.assign(pourcentage=100 * share, ic_bas=100 * low, ic_haut=100 * high)


def reference_day(period: Period) -> date:
    """The day stocks are stated at: `fin`, the first day after the period."""
    return period.fin
