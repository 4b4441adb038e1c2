"""Shared filters (grain, period, site, projector mode): in the sidebar and in the URL.

Written to the URL, so a link reproduces the view, and rendered by the router on every page, so
they persist across pages.

Their widgets are not bound to the URL (``bind="query-params"``): read from it before they are
drawn and written back to it here, as the period always was. A bound widget's parameter goes
from page to page through the browser (Streamlit 1.67): on a page link's click the browser adds
the parameters of the bound widgets it has drawn, and the server then removes from the new
page's URL the parameter of any bound widget the browser reported no value for, even one the
link carried. On the projector the widgets are in the bar's popover, which the browser draws
only once opened: entered by a link (``?projecteur=true``), the browser had no value for them and
the first « Suivant » lost ``projecteur``, the bar with it; entered with the sidebar's toggle, it
had one. Unbound, they leave the URL to the links, which carry each parameter once
(:meth:`Filters.query_params`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import streamlit as st

from pilotage_qualite.model.coverage import PeriodOffer, period_offer
from pilotage_qualite.model.periods import Period
from pilotage_qualite.ui import context

# The URL holds the options as displayed, so the options are the French words themselves:
# links read « ?grain=Trimestre&periode=3e trimestre 2026 ».
GRAINS = {"Mois": "mois", "Trimestre": "trimestre", "Année": "annee"}
ENSEMBLE = "Ensemble"
PROJECTOR_WORDS = ("true", "oui")  # « ?projecteur=true », or « oui » typed by hand


@dataclass(frozen=True)
class Filters:
    grain: str
    period: Period | None  # None when the base holds no dated row
    site: str | None  # None = Ensemble
    projector: bool

    def query_params(self) -> dict[str, str]:
        """The URL parameters that reproduce this view: links between pages carry them all (the
        browser adds none, no filter being bound to the URL), and the URL holds them."""
        params = {"grain": next(word for word, code in GRAINS.items() if code == self.grain)}
        if self.period is not None:
            params["periode"] = self.period.label_fr
        if self.site:
            params["site"] = self.site
        if self.projector:
            params["projecteur"] = "true"
        return params


def projector_in_url() -> bool:
    """Whether the URL asks for the projector mode: the router reads it before anything is drawn,
    the toggle follows it (the links in projector mode all carry it)."""
    return st.query_params.get("projecteur") in PROJECTOR_WORDS


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


def _grain_word() -> str:
    """The grain of this run: the URL's, else the one chosen in this session, else the month."""
    return next((word for word in (st.query_params.get("grain"), st.session_state.get("grain")) if word in GRAINS),
                "Mois")


def _to_url(name: str) -> None:
    """A filter's ``on_change``: the URL follows the user's choice before the run reads it
    (:func:`_from_url`); a site « Ensemble » and the projector off are left out."""
    value = st.session_state.get(name)
    if value in (None, False, ENSEMBLE):
        st.query_params.pop(name, None)
    else:
        st.query_params[name] = value.label_fr if isinstance(value, Period) else "true" if value is True else value


def _grain_chosen() -> None:
    """A new grain has other periods: fall back to its latest one."""
    _to_url("grain")
    st.session_state.pop("periode", None)
    st.query_params.pop("periode", None)


def leave_projector() -> None:
    """« Quitter le mode projecteur » (a button's callback: run before the widgets are drawn)."""
    st.session_state["projecteur"] = False
    _to_url("projecteur")


def _set(name: str, value) -> None:
    if st.session_state.get(name) != value:
        st.session_state[name] = value


def _from_url(sites: list[str]) -> None:
    """A link, a typed URL or the browser's « Précédent » names a grain, a site, the projector:
    the widgets take them. A grain or a site left out keeps this session's (the sidebar's page
    links carry none); the projector is on only when the URL says so, as for the router."""
    _set("grain", _grain_word())
    if st.query_params.get("site") in sites:
        _set("site", st.query_params["site"])
    _set("projecteur", projector_in_url())


def _url_follows(selection: Filters) -> None:
    """The URL says the view (a reload, a bookmark reproduce it), whichever way the page was reached."""
    wanted = selection.query_params()
    for name in ("site", "projecteur"):
        if name not in wanted:
            st.query_params.pop(name, None)
    changed = {name: value for name, value in wanted.items() if st.query_params.get(name) != value}
    if changed:
        st.query_params.update(changed)


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
    """The period this run's filters will select (before they are drawn): the URL's, else the one
    chosen in this session, else the default of the grain (:func:`shared_filters`)."""
    offer = offered_periods(GRAINS[_grain_word()])
    wanted = st.query_params.get("periode")
    if wanted is not None:
        return next((p for p in offer.periods if p.label_fr == wanted), offer.default)
    chosen = st.session_state.get("periode")
    return chosen if chosen in offer.periods else offer.default


def shared_filters(place=None) -> Filters:
    """The filters, in the sidebar; on the projector (the sidebar hidden) in a button of its bar
    (``place``: the bar's column)."""
    sites = [ENSEMBLE, *context.site_names()]
    _from_url(sites)
    with place.popover("Période · site", icon=":material/tune:", width="stretch") if place else st.sidebar:
        if place is None:
            st.markdown("### Filtres")
        grain_word = st.segmented_control("Grain", list(GRAINS), required=True, key="grain", on_change=_grain_chosen)
        grain = GRAINS[grain_word]
        offer = offered_periods(grain)
        # The URL names the period bare, not as the option reads (« novembre 2026 (incomplet : 2 jeux
        # sur 11) »), and the offer depends on the grain: read here, between the two widgets.
        _period_from_url(offer)
        default = offer.periods.index(offer.default) if offer.default in offer.periods else 0
        chosen = st.selectbox("Période", offer.periods, index=default, key="periode", format_func=offer.label_fr,
                              on_change=_to_url, args=("periode",), placeholder="aucune donnée datée",
                              disabled=not offer.periods)
        note = offer.incomplete.get(chosen)
        if note:
            st.caption(f"◐ {chosen.label_fr} : {note}")
        site = st.selectbox("Site", sites, key="site", on_change=_to_url, args=("site",), placeholder="choisir un site")
        projector = st.toggle("Mode projecteur", key="projecteur", on_change=_to_url, args=("projecteur",),
                              help="Texte et tuiles agrandis, sans barre latérale, une section par écran.")
    selection = Filters(grain, chosen, None if site == ENSEMBLE else site, projector)
    _url_follows(selection)
    return selection
