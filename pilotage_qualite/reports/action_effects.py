"""Whether an action worked (ISO 9001 §9.1.3 e), §10.3): for an action linked on purpose to an
indicator and done, the indicator's periods before and after the day it was done, windows of the
same length, read through the control chart (indicators.md « Variation and assurance »):

* a special cause in the good direction after the action → « effet visible »;
* one in the bad direction (and none in the good) → « dégradation »;
* points with limits but no special cause → « pas d'effet mesurable à ce jour »;
* no point after the action yet → « trop tôt pour mesurer ».

Beside the quality lead's own « efficacité », never in its place. The means say the size of the
change; the verdict comes from the chart only (a mean may move by chance)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from pilotage_qualite.common import formats
from pilotage_qualite.model import spc
from pilotage_qualite.reports.selections import trend

EXPLICIT_LINK = "liée à "  # the `lien` of an action linked on purpose (process_queries.actions)
VISIBLE, WORSE, NONE_YET, TOO_EARLY = ("effet visible", "dégradation", "pas d'effet mesurable à ce jour",
                                       "trop tôt pour mesurer")


def measured_effect(series: pd.DataFrame, done: date) -> str:
    """The verdict and the means before and after ``done``, over ``series`` (one indicator's
    periods in time order, as :func:`selections.trend` gives them)."""
    valued = series[series["valeur"].notna()]
    after = valued[pd.to_datetime(valued["debut"]).dt.date >= done]
    if after.empty:
        return f"{TOO_EARLY} (aucune période complète depuis le {formats.date_fr(done)})"
    before = valued[pd.to_datetime(valued["fin"]).dt.date <= done].tail(len(after))
    verdicts = set(after["variation"].dropna())
    verdict = (VISIBLE if spc.IMPROVEMENT in verdicts else WORSE if spc.CONCERN in verdicts
               else NONE_YET if after["variation"].notna().any()
               else f"{NONE_YET} (pas de limites de contrôle)")
    unit, decimals = series["unite"].iloc[0], int(series["decimales"].iloc[0])

    def mean(rows: pd.DataFrame) -> str:
        return formats.with_unit(float(rows["valeur"].mean()), unit, decimals) if len(rows) else "—"

    return (f"{verdict} : moyenne {mean(before)} sur les {len(before)} période(s) d'avant, "
            f"{mean(after)} sur les {len(after)} d'après")


def effects_column(actions: pd.DataFrame, results: pd.DataFrame, indicator_id: str, site: str | None,
                   period) -> list[str | None]:
    """For each linked action (rows of ``linked_actions``): its measured effect on the indicator
    when it is linked on purpose and done by the end of ``period``; None otherwise."""
    series = trend(results, indicator_id, site, period)
    out: list[str | None] = []
    for link, done in zip(actions["lien"], actions["date_realisation"]):
        on_purpose = isinstance(link, str) and link.startswith(EXPLICIT_LINK)
        finished = done is not None and not pd.isna(done) and pd.Timestamp(done).date() < period.fin
        out.append(measured_effect(series, pd.Timestamp(done).date()) if on_purpose and finished and len(series)
                   else None)
    return out


def effects_by_indicator(actions: pd.DataFrame, results: pd.DataFrame, site: str | None, period) -> pd.DataFrame:
    """One row per (action, indicator it names) of ``actions`` (done, linked on purpose: see
    ``actions_linked_and_done``) with its measured effect; codes with no values are skipped."""
    rows = []
    for action in actions.itertuples(index=False):
        for code in str(action.indicateurs).split(", "):
            series = trend(results, code, site, period)
            if len(series):
                rows.append({"numero": action.numero, "intitule": action.intitule, "indicateur": code,
                             "date_realisation": action.date_realisation,
                             "effet": measured_effect(series, pd.Timestamp(action.date_realisation).date()),
                             "efficacite": action.efficacite})
    return pd.DataFrame(rows, columns=["numero", "intitule", "indicateur", "date_realisation", "effet", "efficacite"])
