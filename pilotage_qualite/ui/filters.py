"""Shared filters (grain, period, site, projector mode): in the sidebar and in the URL.

Bound to query parameters, so a link reproduces the view, and rendered by the router on
every page, so they persist across pages.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from pilotage_qualite.periods import Period, period_containing, periods_between
from pilotage_qualite.ui import context
from pilotage_qualite.views import default_period, latest_data_date

# Bound widgets keep their option *as displayed* in the URL, so the options are the
# French words themselves: links read « ?grain=Trimestre&periode=3e trimestre 2026 ».
GRAINS = {"Mois": "mois", "Trimestre": "trimestre", "Année": "annee"}
ENSEMBLE = "Ensemble"
MAX_PERIODS_OFFERED = 60


@dataclass(frozen=True)
class Filters:
    grain: str
    period: Period | None  # None when the base holds no dated row
    site: str | None  # None = Ensemble
    projector: bool

    def query_params(self) -> dict[str, str]:
        """The URL parameters that reproduce this view (for links between pages)."""
        params = {"grain": next(word for word, code in GRAINS.items() if code == self.grain)}
        if self.period is not None:
            params["periode"] = self.period.label_fr
        if self.site:
            params["site"] = self.site
        if self.projector:
            params["projecteur"] = "true"
        return params


def offered_periods(grain: str) -> tuple[list[Period], int]:
    """Periods with data at this grain, latest first, and the index of the default one.

    The default is `views.default_period` (the partial current quarter or year stays
    offered, first).
    """
    summary = context.data_summary()
    last = latest_data_date(summary)
    if last is None:
        return [], 0
    latest = period_containing(last, grain)
    first = period_containing(pd.Timestamp(summary["premiere_date"].dropna().min()).date(), grain)
    offered = list(reversed(periods_between(max(first, latest.shift(-MAX_PERIODS_OFFERED + 1)), latest)))
    default = default_period(last, grain)
    return offered, offered.index(default) if default in offered else 0


def _forget_period() -> None:
    """A new grain has other periods: fall back to its latest one."""
    st.session_state.pop("periode", None)


def shared_filters() -> Filters:
    with st.sidebar:
        st.markdown("### Filtres")
        grain_word = st.segmented_control("Grain", list(GRAINS), default="Mois", required=True, key="grain",
                                          bind="query-params", on_change=_forget_period)
        grain = GRAINS[grain_word]
        offered, default = offered_periods(grain)
        periods = {p.label_fr: p for p in offered}
        chosen = st.selectbox("Période", list(periods), index=default, key="periode", bind="query-params",
                              placeholder="aucune donnée datée", disabled=not periods)
        site = st.selectbox("Site", [ENSEMBLE, *context.site_names()], key="site", bind="query-params",
                            placeholder="choisir un site")
        projector = st.toggle("Mode projecteur", key="projecteur", bind="query-params",
                              help="Texte et tuiles agrandis, sans barre latérale, une section par écran.")
    return Filters(grain, periods.get(chosen), None if site == ENSEMBLE else site, projector)
