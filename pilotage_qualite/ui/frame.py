"""What every page shows around its content: mode, demo banner, data freshness."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from pilotage_qualite.common import formats
from pilotage_qualite.startup import demo_is_loaded
from pilotage_qualite.ui import access, actions, context


@st.dialog("Vider la base de démonstration")
def _confirm_empty_demo() -> None:
    st.write("Les données fictives de l'Association Médiation Rhône-Loire ne seront plus affichées. "
             "Les imports de démonstration restent inscrits au journal (annulés) ; "
             "ils peuvent être rechargés par la commande « python -m pilotage_qualite demo ».")
    if st.button("Oui, vider la base", type="primary"):
        try:
            undone = actions.empty_demo()
        except access.AccessDenied as exc:
            st.error(str(exc))
            return
        st.session_state["message_frame"] = f"{undone} imports de démonstration annulés : la base est vide."
        st.rerun()


def render_busy(exc: Exception) -> None:
    """The database stayed busy longer than the bounded wait: say so in French, offer to retry."""
    st.error(f"**Base de données occupée** : {exc}", icon=":material/hourglass_top:")
    st.button("Réessayer", icon=":material/refresh:", key="reessayer_base_occupee")


# Constant CSS (no data ever goes in here): tile titles, words in values (« sans cible ») and
# button labels wrap instead of being cut with « … », and a tile's value shrinks with the tile
# (numbers hold no-break spaces: they never wrap). At 1280 x 720, a common projector
# resolution, four tiles a row showed « ACT-01 · Interv… » and « 100,… ».
READABLE_CSS = """
<style>
[data-testid="stMetric"] { container-type: inline-size; }
[data-testid="stMetricValue"] { font-size: min(2.6rem, 24cqi); }
[data-testid="stMetricLabel"] .stMarkdownEllipsis, [data-testid="stMetricLabel"] p,
[data-testid="stMetricValue"] .stMarkdownEllipsis, [data-testid="stMetricValue"] p { white-space: normal;
  overflow: visible; text-overflow: clip; }
[data-testid="stButton"] button p, [data-testid="stDownloadButton"] button p { white-space: normal;
  overflow: visible; text-overflow: clip; }
</style>
"""


def render_banners() -> None:
    st.html(READABLE_CSS)
    store = context.store()
    if message := st.session_state.pop("message_frame", None):
        st.success(message)
    if demo_is_loaded(store):
        left, right = st.columns([4, 1], vertical_alignment="center")
        left.info("**Données de démonstration** : l'Association Médiation Rhône-Loire est une structure "
                  "fictive. Pour travailler sur vos propres tableurs, videz la base puis importez vos "
                  "fichiers (page Import).", icon=":material/theater_comedy:")
        if access.can_write() and right.button("Vider la base de démonstration"):
            _confirm_empty_demo()
    summary = context.data_summary()
    last_import = summary["dernier_import"].dropna()
    with st.sidebar:
        access.sidebar_status()
        if not last_import.empty:
            st.caption(f"Dernier import : {formats.datetime_fr(pd.Timestamp(last_import.max()).to_pydatetime())}")
