"""Selections of engine results that pages and exports show (pure pandas, no Streamlit).

Whole series (trends, breakdowns, tables) stay DataFrames; one indicator's row of a period,
as a tile, the fiche or the committee pack reads it, is a :class:`Tile`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from pilotage_qualite.common import formats
from pilotage_qualite.common.months import short_month_fr
from pilotage_qualite.model import spc
from pilotage_qualite.model.coverage import PARTIAL, Coverage, behind
from pilotage_qualite.model.periods import Period, parse_period
from pilotage_qualite.model.status import (
    A_SURVEILLER,
    ATTEINT,
    EFFECTIF_INSUFFISANT,
    NON_ATTEINT,
    PAS_DE_DONNEES,
    PERIODE_INCOMPLETE,
    SUIVI,
    shown_value,
)

SPARKLINE_PERIODS = 12
STATUS_ORDER = (NON_ATTEINT, A_SURVEILLER, EFFECTIF_INSUFFISANT, PERIODE_INCOMPLETE, PAS_DE_DONNEES, ATTEINT, SUIVI)


@dataclass(frozen=True)
class TargetChange:
    """The target in force changed at the start of ``period_fr`` (as the engine judges each period
    against the target in force on its first day): from ``before`` to ``after`` (None: no target)."""
    period_fr: str
    before: float | None
    after: float | None


@dataclass(frozen=True)
class Tile:
    """One indicator's engine row for a period and a scope, in plain Python values (None for a
    gap, never NaN or pandas NA; `out_of_control` and `ensemble_only` are real bools)."""
    indicator: str
    title: str
    process: str
    value: float | None
    count: int | None  # n, the effectif
    unit: str
    decimals: int
    direction: str | None  # « hausse », « baisse », None when the indicator is only followed
    target: float | None
    threshold: float | None
    status: str
    ci_low: float | None  # 95 % confidence interval of a share
    ci_high: float | None
    out_of_control: bool  # a special cause on this point (model.spc rules: « dérive »)
    previous_value: float | None
    year_earlier_value: float | None
    ensemble_only: bool  # a site view showing the Ensemble value: no breakdown by site
    sparkline: tuple[float | None, ...] = ()  # the last 12 values, oldest first
    data_until: date | None = None  # the last day the data cover, in a period they stop in
    signals: tuple[str, ...] = ()  # the special-cause rules fired on this point
    variation: str | None = None  # cause commune, amélioration, préoccupation… (None: no limits)
    assurance: str | None = None  # against the target (None: no target or no limits)
    chart: str | None = None  # the control chart's kind (model.spc)
    no_limits_reason: str | None = None  # why it has no limits (too short a history…)
    target_change: TargetChange | None = None  # a change of target within the last 12 periods
    reconstructed: bool = False  # a register's stock read from a later export (« reconstitué »)

    @property
    def shown_value(self) -> float | None:
        """The value as displayed: rounded, never across its target (status.shown_value)."""
        return shown_value(self.value, self.decimals, sens=self.direction, cible=self.target, seuil=self.threshold)

    @property
    def incomplete(self) -> bool:
        return self.status == PERIODE_INCOMPLETE

    @classmethod
    def from_row(cls, row: pd.Series, sparkline: tuple[float | None, ...] = (),
                 target_change: TargetChange | None = None) -> Tile:
        """A row of :func:`scope` (engine columns plus `ensemble_seulement`)."""
        return cls(indicator=row["indicateur"], title=row["titre"], process=row["processus"],
                   value=_float(row["valeur"]), count=None if formats.is_missing(row["effectif"]) else int(row["effectif"]),
                   unit=row["unite"], decimals=int(row["decimales"]),
                   direction=None if formats.is_missing(row["sens"]) else row["sens"],
                   target=_float(row["cible"]), threshold=_float(row["seuil"]), status=row["statut"],
                   ci_low=_float(row["ic_bas"]), ci_high=_float(row["ic_haut"]),
                   out_of_control=_flag(row["hors_controle"]), previous_value=_float(row["valeur_precedente"]),
                   year_earlier_value=_float(row["valeur_annee_precedente"]),
                   ensemble_only=bool(row["ensemble_seulement"]), sparkline=sparkline,
                   data_until=row["couvert_au"] if row["couverture"] == PARTIAL else None,
                   signals=tuple(row["signaux"]), variation=_text(row["variation"]),
                   assurance=_text(row["assurance"]), chart=_text(row["carte"]),
                   no_limits_reason=_text(row["sans_limites"]), target_change=target_change,
                   reconstructed=_flag(row["reconstitue"]))


def _text(value: object) -> str | None:
    return None if formats.is_missing(value) else str(value)


def _flag(value: object) -> bool:
    """A nullable boolean as a real bool (numpy's True is not `True`; missing is False)."""
    return False if formats.is_missing(value) else bool(value)


def _float(value: object) -> float | None:
    return None if formats.is_missing(value) else float(value)


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
    columns = ["indicateur", "titre", "periode", "site", "valeur", "effectif", "cible", "seuil", "statut", "unite",
               "couverture", "reconstitue", "donnees_jusqu_au", "variation", "assurance", "limite_basse", "centre",
               "limite_haute", "signaux"]
    order = {indicator_id: i for i, indicator_id in enumerate(dict.fromkeys(results["indicateur"]))}
    # « données jusqu'au … »: said of a period the data stop in only, as an ISO date.
    until = [day.isoformat() if level == PARTIAL and day is not None else None
             for level, day in zip(rows["couverture"], rows["couvert_au"])]
    rows = rows.assign(_ordre=rows["indicateur"].map(order), _site=rows["site"].notna(),
                       donnees_jusqu_au=pd.Series(until, index=rows.index, dtype=object),
                       signaux=[list(fired) for fired in rows["signaux"]])
    return rows.sort_values(["_ordre", "debut", "_site", "site"], kind="stable")[columns].reset_index(drop=True)


def tiles(results: pd.DataFrame, period: Period, site: str | None, catalogue_order: list[str]) -> list[Tile]:
    """One tile per indicator for the period, in catalogue order: the engine's row plus the last 12 values."""
    scoped = scope(results, site)
    history = scoped[(scoped["debut"] <= period.debut)
                     & (scoped["debut"] > period.shift(-SPARKLINE_PERIODS).debut)]
    history = history.sort_values("debut")
    sparklines = (history.groupby("indicateur")["valeur"]
                  .agg(lambda values: tuple(None if pd.isna(v) else float(v) for v in values)))
    changes = {indicator: latest_target_change(rows) for indicator, rows in history.groupby("indicateur")}
    current = scoped[scoped["periode"] == period.label].set_index("indicateur", drop=False)
    current = current.reindex([i for i in catalogue_order if i in current.index])
    return [Tile.from_row(row, sparklines.get(indicator, ()), changes.get(indicator))
            for indicator, row in current.iterrows()]


def latest_target_change(rows: pd.DataFrame) -> TargetChange | None:
    """The last period, among one indicator's rows (oldest first), whose target in force differs
    from the period before it."""
    targets = [_float(value) for value in rows["cible"]]
    for k in range(len(targets) - 1, 0, -1):
        if targets[k] != targets[k - 1]:
            return TargetChange(parse_period(rows["periode"].iloc[k]).label_fr, targets[k - 1], targets[k])
    return None


def status_counts(tiles: list[Tile]) -> dict[str, int]:
    """How many indicators in each status, in the order a committee reads them."""
    return {status: sum(1 for tile in tiles if tile.status == status) for status in STATUS_ORDER}


def off_target_first(tiles: list[Tile]) -> list[Tile]:
    rank = {status: i for i, status in enumerate(STATUS_ORDER)}
    return sorted(tiles, key=lambda tile: rank.get(tile.status, len(rank)))


def trend(results: pd.DataFrame, indicator_id: str, site: str | None, last: Period) -> pd.DataFrame:
    """Every period of one indicator up to `last`, in time order (for the fiche's chart)."""
    rows = scope(results[results["indicateur"] == indicator_id], site)
    rows = rows[rows["debut"] <= last.debut].sort_values("debut").reset_index(drop=True)
    return rows.assign(periode_fr=[axis_label(parse_period(label)) for label in rows["periode"]])


def axis_label(period: Period) -> str:
    """Compact label for chart axes: « nov. 2025 », « T3 2025 », « 2025 »."""
    if period.grain == "mois":
        return short_month_fr(period.debut)
    return period.short_label_fr


def breakdown(results: pd.DataFrame, indicator_id: str, period: Period, dimension: str) -> pd.DataFrame:
    """The values of one dimension for the period, best first for the indicator's direction."""
    rows = results[(results["indicateur"] == indicator_id) & (results["periode"] == period.label)
                   & (results["dimension"] == dimension)]
    ascending = bool((rows["sens"] == "baisse").all()) if len(rows) else False
    return rows.sort_values("valeur", ascending=ascending, na_position="last").reset_index(drop=True)


def coverage_gaps(coverage: Coverage, period: Period, labels: dict[str, str]) -> list[str]:
    """« Incidents : données jusqu'au 10/08/2026 »: each dataset in use whose imports stop before
    the end of the period (said before any figure: its values are incomplete or missing)."""
    return [f"{labels.get(name, name)} : " + (f"données jusqu'au {last:%d/%m/%Y}" if last else "aucune donnée")
            for name, last in behind(coverage, period).items()]


def target_change_text(tile: Tile) -> str | None:
    """« cible abaissée de 85 % à 80 % à partir de septembre 2026 », said wherever the tile is."""
    change = tile.target_change
    if change is None:
        return None

    def shown(value: float) -> str:
        return formats.with_unit(value, tile.unit, tile.decimals)

    if change.after is None:
        return f"cible ({shown(change.before)}) retirée à partir de {change.period_fr}"
    if change.before is None:
        return f"cible fixée à {shown(change.after)} à partir de {change.period_fr}"
    verb = "abaissée" if change.after < change.before else "relevée"
    return f"cible {verb} de {shown(change.before)} à {shown(change.after)} à partir de {change.period_fr}"


RECONSTRUCTED_NOTE = ("valeur reconstituée : l'état du registre à la fin de la période n'a pas été importé, "
                      "il est reconstitué à partir d'un export plus récent")


def control_notes(tile: Tile) -> list[str]:
    """What the fiche says of the control chart: its kind, its verdicts, the special causes on
    the period shown, or why it has none."""
    if tile.no_limits_reason:
        return [f"Pas de limites de contrôle : {tile.no_limits_reason}."]
    notes = [f"Limites de contrôle ({spc.CHART_LABEL.get(tile.chart, tile.chart)}) calculées sur les "
             f"{spc.BASELINE_MIN} à {spc.BASELINE_MAX} premières périodes complètes (ou les premières après un "
             "changement de processus enregistré), puis figées."]
    verdicts = [spc.label(word) for word in (tile.variation, tile.assurance) if word]
    if verdicts:
        notes.append("**Variation et assurance** : " + " · ".join(verdicts) + ".")
    if tile.signals:
        notes.append("⚠ Causes spéciales sur cette période : " + ", ".join(tile.signals) + ".")
    return notes
