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
IN_THE_BAR = "filtres_dans_la_barre"  # this run's filters are in the projector bar's popover


@dataclass(frozen=True)
class Filters:
    grain: str
    period: Period | None  # None when the base holds no dated row
    site: str | None  # None = Ensemble
    projector: bool

    def query_params(self) -> dict[str, str]:
        """The URL parameters that reproduce this view (for links between pages), but those the
        sidebar's bound widgets already carry to the next page with the same value: given again,
        Streamlit would append them once more at every step (« ?grain=Trimestre&grain=Trimestre »)."""
        params = {"grain": next(word for word, code in GRAINS.items() if code == self.grain)}
        if self.period is not None:
            params["periode"] = self.period.label_fr
        if self.site:
            params["site"] = self.site
        if self.projector:
            params["projecteur"] = "true"
        if st.session_state.get(IN_THE_BAR):  # a closed popover's widgets are not on the page: nothing carried
            return params
        carried = {"grain": st.session_state.get("grain"), "site": st.session_state.get("site"),
                   "projecteur": "true" if st.session_state.get("projecteur") else None}
        return {name: value for name, value in params.items() if carried.get(name) != value}


def projector_on() -> bool:
    """Whether this run shows the projector mode (as the page's shared filters say): tables,
    charts and forms adapt to the room."""
    return bool(getattr(st.session_state.get("filtres"), "projector", False))


def offered_periods(grain: str) -> PeriodOffer:
    """Periods the imports cover at this grain, latest first, the default one, the incomplete ones
    (worked out once per version of the base and day; not to be changed by the caller)."""
    return _offer(str(context.store().path), context.version(), grain, dt.date.today())


@st.cache_resource(show_spinner=False, max_entries=16)
def _offer(database: str, base_version: tuple, grain: str, today: dt.date) -> PeriodOffer:
    return period_offer(context.coverage(), grain, today)


def _forget_period() -> None:
    """A new grain has other periods: fall back to its latest one."""
    st.session_state.pop("periode", None)
    st.query_params.pop("periode", None)


def _period_to_url() -> None:
    """The user picked a period: the URL follows (the widget is not bound, see below)."""
    chosen = st.session_state.get("periode")
    if chosen is not None:
        st.query_params["periode"] = chosen.label_fr


def _period_from_url(offer: PeriodOffer) -> None:
    """A link or a typed URL names a period (« ?periode=novembre 2026 »): select it; a period that
    is not offered is said, not silently replaced."""
    wanted = st.query_params.get("periode")
    current = st.session_state.get("periode")
    if wanted is None or (current is not None and current.label_fr == wanted and current in offer.periods):
        return
    match = next((p for p in offer.periods if p.label_fr == wanted), None)
    if match is not None:
        st.session_state["periode"] = match
    else:
        st.session_state.pop("periode", None)
        st.caption(f"La période « {wanted} » n'a pas de données importées : période proposée à la place.")


def expected_period() -> Period | None:
    """The period this run's filters will select (before they are drawn): the one chosen in this
    session, else the link's, else the default of the grain (:func:`shared_filters`)."""
    grain = GRAINS.get(st.session_state.get("grain") or st.query_params.get("grain") or "Mois", "mois")
    offer = offered_periods(grain)
    chosen = st.session_state.get("periode")
    if chosen in offer.periods:
        return chosen
    wanted = st.query_params.get("periode")
    return next((p for p in offer.periods if p.label_fr == wanted), offer.default)


def shared_filters(place=None) -> Filters:
    """The filters, in the sidebar; on the projector (the sidebar hidden) in a button of its bar
    (``place``: the bar's column)."""
    st.session_state[IN_THE_BAR] = place is not None
    with place.popover("Période · site", icon=":material/tune:", width="stretch") if place else st.sidebar:
        if place is None:
            st.markdown("### Filtres")
        grain_word = st.segmented_control("Grain", list(GRAINS), default="Mois", required=True, key="grain",
                                          bind="query-params", on_change=_forget_period)
        grain = GRAINS[grain_word]
        offer = offered_periods(grain)
        # Not bound to the URL: a bound widget would put its option as displayed, note included
        # (« novembre 2026 (incomplet : 2 jeux sur 11) »), in the URL; the URL keeps the bare name.
        _period_from_url(offer)
        default = offer.periods.index(offer.default) if offer.default in offer.periods else 0
        chosen = st.selectbox("Période", offer.periods, index=default, key="periode", format_func=offer.label_fr,
                              on_change=_period_to_url, placeholder="aucune donnée datée",
                              disabled=not offer.periods)
        if chosen is not None:
            st.query_params["periode"] = chosen.label_fr
        note = offer.incomplete.get(chosen)
        if note:
            st.caption(f"◐ {chosen.label_fr} : {note}")
        site = st.selectbox("Site", [ENSEMBLE, *context.site_names()], key="site", bind="query-params",
                            placeholder="choisir un site")
        projector = st.toggle("Mode projecteur", key="projecteur", bind="query-params",
                              help="Texte et tuiles agrandis, sans barre latérale, une section par écran.")
    return Filters(grain, chosen, None if site == ENSEMBLE else site, projector)
