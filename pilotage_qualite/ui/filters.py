"""Shared filters (grain, period, site, projector mode): in the sidebar and in the URL.

Bound to query parameters, so a link reproduces the view, and rendered by the router on
every page, so they persist across pages.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import streamlit as st

from pilotage_qualite.model.coverage import PeriodOffer, period_offer
from pilotage_qualite.model.periods import Period
from pilotage_qualite.ui import context

# Bound widgets keep their option *as displayed* in the URL, so the options are the
# French words themselves: links read « ?grain=Trimestre&periode=3e trimestre 2026 ».
GRAINS = {"Mois": "mois", "Trimestre": "trimestre", "Année": "annee"}
ENSEMBLE = "Ensemble"


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


def offered_periods(grain: str) -> PeriodOffer:
    """Periods the imports cover at this grain, latest first, the default one, the incomplete ones."""
    return period_offer(context.coverage(), grain, dt.date.today())


def _forget_period() -> None:
    """A new grain has other periods: fall back to its latest one."""
    st.session_state.pop("periode", None)


def shared_filters() -> Filters:
    with st.sidebar:
        st.markdown("### Filtres")
        grain_word = st.segmented_control("Grain", list(GRAINS), default="Mois", required=True, key="grain",
                                          bind="query-params", on_change=_forget_period)
        grain = GRAINS[grain_word]
        offer = offered_periods(grain)
        periods = {p.label_fr: p for p in offer.periods}
        default = offer.periods.index(offer.default) if offer.default in offer.periods else 0
        chosen = st.selectbox("Période", list(periods), index=default, key="periode", bind="query-params",
                              placeholder="aucune donnée datée", disabled=not periods)
        # The options stay bare period names (the URL keeps what they display): the note is below.
        note = offer.incomplete.get(periods.get(chosen))
        if note:
            st.caption(f"◐ {chosen} : {note}")
        site = st.selectbox("Site", [ENSEMBLE, *context.site_names()], key="site", bind="query-params",
                            placeholder="choisir un site")
        projector = st.toggle("Mode projecteur", key="projecteur", bind="query-params",
                              help="Texte et tuiles agrandis, sans barre latérale, une section par écran.")
    return Filters(grain, periods.get(chosen), None if site == ENSEMBLE else site, projector)
