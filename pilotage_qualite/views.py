"""Selections of engine results that pages and exports show (pure pandas, no Streamlit)."""

from __future__ import annotations

import pandas as pd

from pilotage_qualite.periods import Period, parse_period, period_containing

SPARKLINE_PERIODS = 12
MONTH_ABBREVIATIONS = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
                       "nov.", "déc.")
OFF_TARGET = ("non atteint", "à surveiller")
STATUS_ORDER = ("non atteint", "à surveiller", "effectif insuffisant", "pas de données", "atteint", "suivi")


def latest_data_date(summary: pd.DataFrame):
    """The date the dashboard opens on: the median of the datasets' last dates.

    The maximum would be fooled by one dataset holding planned, future rows (training
    sessions scheduled for next month); the median is the date most datasets have reached.
    Returns None when no dataset holds a dated row.
    """
    last = pd.to_datetime(summary["derniere_date"].dropna()).sort_values().reset_index(drop=True)
    if last.empty:
        return None
    return last.iloc[(len(last) - 1) // 2].date()


def default_period(last_date, grain: str) -> Period:
    """The period a view opens on: the month of `last_date`, or for quarters and years the
    latest one that month completes, so a committee never compares one month of a quarter
    with whole quarters."""
    data_end = period_containing(last_date, "mois").fin
    period = period_containing(last_date, grain)
    return period if period.fin <= data_end else period.previous()


def scope(results: pd.DataFrame, site: str | None) -> pd.DataFrame:
    """Rows of one site, or Ensemble rows; indicators without a site breakdown keep their
    Ensemble rows (flagged `ensemble_seulement`) so that they never vanish from a site view."""
    ensemble = results[results["dimension"].isna()]
    if site is None:
        return ensemble.assign(ensemble_seulement=False)
    by_site = results[(results["dimension"] == "site") & (results["modalite"] == site)]
    missing = ensemble[~ensemble["indicateur"].isin(by_site["indicateur"])]
    return pd.concat([by_site.assign(ensemble_seulement=False), missing.assign(ensemble_seulement=True)],
                     ignore_index=True)


def indicator_rows(results: pd.DataFrame, site: str | None) -> pd.DataFrame:
    """The indicator table (the `indicateurs` command, the Excel export): Ensemble and per-site
    rows, or one site's (site null = Ensemble), by catalogue order, then period, then site."""
    if site:
        rows = scope(results, site)
        rows = rows.assign(site=[None if whole else site for whole in rows["ensemble_seulement"]])
    else:
        ensemble = results[results["dimension"].isna()].assign(site=None)
        by_site = results[results["dimension"] == "site"].assign(site=lambda r: r["modalite"])
        rows = pd.concat([ensemble, by_site], ignore_index=True)
    columns = ["indicateur", "titre", "periode", "site", "valeur", "effectif", "cible", "seuil", "statut", "unite"]
    order = {indicator_id: i for i, indicator_id in enumerate(dict.fromkeys(results["indicateur"]))}
    rows = rows.assign(_ordre=rows["indicateur"].map(order), _site=rows["site"].notna())
    return rows.sort_values(["_ordre", "debut", "_site", "site"], kind="stable")[columns].reset_index(drop=True)


def tiles(results: pd.DataFrame, period: Period, site: str | None, catalogue_order: list[str]) -> pd.DataFrame:
    """One row per indicator for the period: the engine's row plus the last 12 values."""
    scoped = scope(results, site)
    history = scoped[(scoped["debut"] <= period.debut)
                     & (scoped["debut"] > period.shift(-SPARKLINE_PERIODS).debut)]
    sparklines = (history.sort_values("debut").groupby("indicateur")["valeur"]
                  .agg(lambda values: [None if pd.isna(v) else float(v) for v in values]))
    current = scoped[scoped["periode"] == period.label].set_index("indicateur")
    current = current.reindex([i for i in catalogue_order if i in current.index])
    current["sparkline"] = sparklines.reindex(current.index)
    return current.reset_index()


def status_counts(tile_rows: pd.DataFrame) -> dict[str, int]:
    """How many indicators in each status, in the order a committee reads them."""
    counts = tile_rows["statut"].value_counts()
    return {status: int(counts.get(status, 0)) for status in STATUS_ORDER}


def off_target_first(tile_rows: pd.DataFrame) -> pd.DataFrame:
    rank = {status: i for i, status in enumerate(STATUS_ORDER)}
    ordered = tile_rows.assign(_rang=tile_rows["statut"].map(rank).fillna(len(rank)))
    return ordered.sort_values(["_rang"], kind="stable").drop(columns="_rang")


def trend(results: pd.DataFrame, indicator_id: str, site: str | None, last: Period) -> pd.DataFrame:
    """Every period of one indicator up to `last`, in time order (for the fiche's chart)."""
    rows = scope(results[results["indicateur"] == indicator_id], site)
    rows = rows[rows["debut"] <= last.debut].sort_values("debut").reset_index(drop=True)
    return rows.assign(periode_fr=[axis_label(parse_period(label)) for label in rows["periode"]])


def axis_label(period: Period) -> str:
    """Compact label for chart axes: « nov. 2025 », « T3 2025 », « 2025 »."""
    if period.grain == "mois":
        return f"{MONTH_ABBREVIATIONS[period.debut.month - 1]} {period.debut.year}"
    return period.short_label_fr


def breakdown(results: pd.DataFrame, indicator_id: str, period: Period, dimension: str) -> pd.DataFrame:
    """The values of one dimension for the period, best first for the indicator's direction."""
    rows = results[(results["indicateur"] == indicator_id) & (results["periode"] == period.label)
                   & (results["dimension"] == dimension)]
    ascending = bool((rows["sens"] == "baisse").all()) if len(rows) else False
    return rows.sort_values("valeur", ascending=ascending, na_position="last").reset_index(drop=True)
