"""Projector mode: larger type, no chrome, and a bar stepping through the committee agenda.

The agenda follows the committee's order of business (ISO 9001 §9.3.2 as the committee runs
it): the dashboard, then complaints and requests, satisfaction, audits and the improvement
plan, safety, activity, training and HR, documentation. One page is one screen. On the
Comité page the bar steps instead through the meeting's eight agenda points, screen by screen;
while a meeting is open there is one agenda only: its points (the other pages, opened from a
tile, offer « Retour au comité » at the point one came from).
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from pilotage_qualite.model.meetings import OPEN
from pilotage_qualite.reports.agenda import ITEM_TITLES
from pilotage_qualite.ui import context
from pilotage_qualite.ui.filters import Filters, leave_projector


@dataclass(frozen=True)
class Step:
    page: str  # script path, as registered by the router
    url_path: str
    title: str


AGENDA = (
    Step("app_pages/pilotage/tableau_de_bord.py", "tableau-de-bord", "Tableau de bord"),
    Step("app_pages/processus/demandes.py", "demandes-reclamations", "Demandes et réclamations"),
    Step("app_pages/processus/satisfaction.py", "satisfaction", "Satisfaction"),
    Step("app_pages/processus/audits.py", "audits-amelioration", "Audits et amélioration"),
    Step("app_pages/processus/securite.py", "securite", "Sécurité"),
    Step("app_pages/processus/activite.py", "activite", "Activité"),
    Step("app_pages/processus/formation.py", "formation-rh", "Formation et RH"),
    Step("app_pages/processus/documentation.py", "documentation", "Documentation"),
)

# Constant CSS (no data ever goes in here): larger type and tiles, darker secondary text for
# a washed-out projector, the app's chrome hidden (header, toolbar and the sidebar: its
# filters still apply; « Quitter le mode projecteur » brings it back), full width. No word under
# 24 px (`max(24px, 1em)`: a larger size inherited, a heading's or a value's, is kept), 20 px on
# the « Vue d'ensemble »'s page, whose 29 rows must hold in 1280 x 720; table cells and link
# labels wrap rather than run past the screen's edge; a disabled « Précédent » (the bar's link, the
# Comité's button) stays legible (dark grey, 7:1, instead of Streamlit's 40 % ink); no « ? » help
# icons (nobody hovers a projector; a link's or a labelled button's help stays on its hover).
PROJECTOR_CSS = """
<style>
html { font-size: 20px; }
@media (max-width: 1500px) { html { font-size: 18px; } }
[data-testid="stSidebar"], [data-testid="stExpandSidebarButton"], [data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"] { display: none !important; }
[data-testid="stMainBlockContainer"] { max-width: 100%; padding: 0.8rem 0.6rem 1.5rem 0.6rem; }
[data-testid="stMetricLabel"] p { font-size: 1.2rem; font-weight: 600; color: #000000; }
[data-testid="stMetricValue"] { font-size: min(3.2rem, 24cqi); color: #000000; }
[data-testid="stMetricDelta"] { font-size: 1.1rem; }
[data-testid="stMarkdown"] p, [data-testid="stMarkdown"] li { font-size: 1.15rem; }
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p { color: #1a1a1a !important;
  opacity: 1 !important; font-size: 1.05rem; }
[data-testid="stTable"] td, [data-testid="stTable"] th { font-size: 1.05rem; color: #000000; }
[data-testid="stVerticalBlockBorderWrapper"] { border-color: #444444 !important; border-width: 2px !important; }
[data-testid="stMain"] :is(p, li, td, th, label, summary, input, textarea, code, small,
  [data-baseweb="select"] div):not(.vue-ensemble *) { font-size: max(24px, 1em); }
[data-testid="stMain"]:has(.vue-ensemble) :is(p, li, td, th, label, summary, input, textarea, code, small,
  [data-baseweb="select"] div):not(.vue-ensemble *) { font-size: max(20px, 1em); }
[data-testid="stTable"] :is(td, th) { white-space: normal; }
[data-testid="stPageLink"] p, [data-testid="stPopoverButton"] p { white-space: normal; overflow: visible;
  text-overflow: clip; word-break: normal; overflow-wrap: normal; }
.st-key-barre_precedent, .st-key-barre_suivant { padding: 2px 4px !important; }
[data-testid="stMain"] [data-testid="stTooltipHoverTarget"] > button:not(:has(p)) { display: none; }
:is([data-testid="stPageLink-NavLink"][disabled], [data-testid="stMain"] button:disabled),
:is([data-testid="stPageLink-NavLink"][disabled], [data-testid="stMain"] button:disabled) * { color: #595959 !important; }
</style>
"""


def position(url_path: str) -> int | None:
    """The agenda item of a page; the default page (the dashboard) has an empty url path."""
    url_path = url_path or AGENDA[0].url_path
    return next((i for i, step in enumerate(AGENDA) if step.url_path == url_path), None)


# The Comité page steps through its own agenda (the eight points of the meeting) in place, one
# screen at a time: a long point (many indicators off target, a long table) spans several screens.
# The point and the screen shown are in the URL (`?point=3&ecran=2`), changed by the bar's buttons;
# the page draws the bar itself, once it knows how many screens each point takes.
COMMITTEE_URL_PATH = "comite"
COMMITTEE_PAGE = "app_pages/pilotage/comite.py"
LAST_POINT = "comite_dernier_point"  # where « Retour au comité » goes back to
LAST_STEP = "projecteur_derniere_etape"  # the agenda page a fiche was opened from
POINT_PARAM, SCREEN_PARAM = "point", "ecran"


def _url_number(name: str, highest: int) -> int:
    raw = st.query_params.get(name, "1")
    return min(max(int(raw) if raw.isdigit() else 1, 1), highest)


def _go_to(point: int, screen: int) -> None:
    st.query_params[POINT_PARAM] = str(point)
    st.query_params[SCREEN_PARAM] = str(screen)


def _step_help(verb: str, target: tuple[int, int], here: int) -> str:
    point, screen = target
    if point == here:
        return f"{verb} à l'écran {screen} du point {point}"
    return f"{verb} au point {point} : {ITEM_TITLES[point - 1]}"


def committee_bar(screens: list[int], meeting_line: str) -> tuple[int, int]:
    """The Comité's compact header on the projector: « Précédent », « Comité · point 3 / 8 · title ·
    écran 2 / 5 » over the meeting's line, « Suivant », « Quitter ». ``screens``: how many screens
    each point takes. Returns the point and the screen to show (1-based)."""
    count = len(ITEM_TITLES)
    here = _url_number(POINT_PARAM, count)
    screen = _url_number(SCREEN_PARAM, screens[here - 1])
    st.session_state[LAST_POINT] = str(here)
    before = (here, screen - 1) if screen > 1 else (here - 1, screens[here - 2]) if here > 1 else None
    after = (here, screen + 1) if screen < screens[here - 1] else (here + 1, 1) if here < count else None
    previous, where, following, leave = st.columns([1.2, 3, 1.2, 1.6], vertical_alignment="center")
    part = f" · écran {screen} / {screens[here - 1]}" if screens[here - 1] > 1 else ""
    where.markdown(f"**Comité · point {here} / {count}** · {ITEM_TITLES[here - 1]}{part}  \n{meeting_line}")
    with previous.container(border=True):
        st.button("Précédent", icon=":material/arrow_back:", key="point_precedent", on_click=_go_to,
                  args=before or (here, screen), disabled=before is None, width="stretch",
                  help=None if before is None else _step_help("Revenir", before, here))
    with following.container(border=True):
        st.button("Suivant", icon=":material/arrow_forward:", key="point_suivant", on_click=_go_to,
                  args=after or (here, screen), disabled=after is None, width="stretch",
                  help=None if after is None else _step_help("Passer", after, here))
    leave.button("Quitter le mode projecteur", icon=":material/close_fullscreen:", key="projecteur_quitter",
                 on_click=leave_projector, width="stretch")
    return here, screen


@dataclass(frozen=True)
class Bar:
    """The projector bar's places, made before the filters so that the period and the site are
    chosen in it (the sidebar is hidden on the projector)."""
    previous: object
    where: object
    following: object
    filters: object
    leave: object


def bar(current) -> Bar | None:
    """The bar's columns on a projector page; None on the Comité page, which draws its own (its
    period is the meeting's, not the filters')."""
    if current.url_path == COMMITTEE_URL_PATH:
        return None
    return Bar(*st.columns([1.1, 2.3, 1.1, 1.3, 1.8], vertical_alignment="center"))


def render(selection: Filters, current, places: Bar | None) -> None:
    """In projector mode, the CSS and the agenda bar: « Précédent », « i / n · title »,
    « Suivant », the filters' button and « Quitter le mode projecteur ». `current`: the page
    st.navigation returned; `places`: :func:`bar` (None on the Comité page).

    « Précédent », « Suivant » and « Retour » are page links carrying the filters
    (:meth:`Filters.query_params`), as the tiles' links do.
    """
    if not selection.projector:
        return
    st.html(PROJECTOR_CSS)
    if places is None:
        return  # the Comité page draws its own bar (committee_bar)
    here = position(current.url_path)
    params = selection.query_params()
    previous, where, following, leave = places.previous, places.where, places.following, places.leave
    meetings = context.store().meetings()
    open_ids = list(meetings.loc[meetings["statut"] == OPEN, "id"])
    if open_ids:  # one agenda only: while a meeting is open, the projector's steps are its points
        where.markdown(f"**Hors ordre du jour du comité** · {current.title}")
        following.page_link(COMMITTEE_PAGE, label="Retour au comité", icon=":material/groups:", width="stretch",
                            query_params={**params, "reunion": str(int(open_ids[0])),
                                          POINT_PARAM: st.session_state.get(LAST_POINT, "1")})
    elif here is None:  # a fiche opened from a tile: back to the step it was opened from
        back = AGENDA[st.session_state.get(LAST_STEP, 0)]
        where.markdown(f"**Hors ordre du jour** · {current.title}")
        following.page_link(back.page, label="Retour", icon=":material/undo:", query_params=params, width="stretch",
                            help=f"Revenir à : {back.title}")
    else:
        st.session_state[LAST_STEP] = here
        where.markdown(f"**Ordre du jour {here + 1} / {len(AGENDA)}** · {AGENDA[here].title}")
        before, after = AGENDA[max(here - 1, 0)], AGENDA[min(here + 1, len(AGENDA) - 1)]
        with previous.container(border=True, key="barre_precedent"):
            st.page_link(before.page, label="Précédent", icon=":material/arrow_back:", query_params=params,
                         disabled=here == 0, width="stretch",
                         help=None if here == 0 else f"Revenir à : {before.title}")
        with following.container(border=True, key="barre_suivant"):
            st.page_link(after.page, label="Suivant", icon=":material/arrow_forward:", query_params=params,
                         disabled=here == len(AGENDA) - 1, width="stretch",
                         help=None if here == len(AGENDA) - 1 else f"Passer à : {after.title}")
    leave.button("Quitter le mode projecteur", icon=":material/close_fullscreen:", key="projecteur_quitter",
                 on_click=leave_projector, width="stretch")
