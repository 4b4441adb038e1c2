"""What every page shows around its content: mode, demo banner, data freshness."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from pilotage_qualite.common import formats
from pilotage_qualite.common.text import md
from pilotage_qualite.startup import demo_is_loaded
from pilotage_qualite.ui import access, context, demo


def render_busy(exc: Exception) -> None:
    """The database stayed busy longer than the bounded wait: say so in French, offer to retry."""
    st.error(f"**Base de données occupée** : {exc}", icon=":material/hourglass_top:")
    st.button("Réessayer", icon=":material/refresh:", key="reessayer_base_occupee")


# Constant CSS (no data ever goes in here): tile titles, words in values (« sans cible »), the
# changes' « vs période précédente » and button labels wrap instead of being cut with « … », and
# a tile's value shrinks with the tile (numbers hold no-break spaces: they never wrap). At
# 1280 x 720, a common projector resolution, four tiles a row showed « ACT-01 · Interv… »,
# « 100,… » and « vs périod… ». Streamlit's file uploader only speaks English (« Upload », « 50MB per file »): its words are replaced in French.
READABLE_CSS = """
<style>
[data-testid="stMetric"] { container-type: inline-size; }
[data-testid="stMetricValue"] { font-size: min(2.6rem, 24cqi); }
[data-testid="stMetricLabel"] .stMarkdownEllipsis, [data-testid="stMetricLabel"] p,
[data-testid="stMetricValue"] .stMarkdownEllipsis, [data-testid="stMetricValue"] p,
[data-testid="stMetricDelta"] .stMarkdownEllipsis, [data-testid="stMetricDelta"] p,
[data-testid="stMetricDeltaDescription"], [data-testid="stMetricDeltaDescription"] .stMarkdownEllipsis,
[data-testid="stMetricDeltaDescription"] p { white-space: normal; overflow: visible; text-overflow: clip; }
[data-testid="stButton"] button p, [data-testid="stDownloadButton"] button p { white-space: normal;
  overflow: visible; text-overflow: clip; }
[data-testid="stFileUploaderDropzone"] button p { font-size: 0; }
[data-testid="stFileUploaderDropzone"] button p::after { content: "Choisir des fichiers"; font-size: 1rem; }
[data-testid="stFileUploaderDropzoneInstructions"] span { display: none; }
[data-testid="stFileUploaderDropzoneInstructions"] > div::after { content: "ou glissez-les ici"; }
</style>
"""

# Outside projector mode (which sets its own): less empty space above the page than Streamlit's
# 6rem, so that at 1280 x 720, sidebar open, the dashboard's first screen holds 8 values or more.
# Metrics are read from the back of the room in this mode too (tiles, fiche, import counts):
# their titles 20 px (Streamlit's 15.75), their changes 18 px in dark ink (its « vs période
# précédente » was 60 % ink, 4.9:1). Pixels: the projector enlarges the page's rem. Up to 1500 px
# the page's side margins shrink from 5rem to 1.5rem: three tiles a row beside the sidebar get
# 280 px each instead of 242, so that 20 px titles wrap less.
NORMAL_CSS = """
<style>
[data-testid="stMainBlockContainer"] { padding-top: 4rem; }
@media (max-width: 1500px) {
  [data-testid="stMainBlockContainer"] { padding-left: 1.5rem; padding-right: 1.5rem; }
}
[data-testid="stMetricLabel"] p { font-size: 20px; }
[data-testid="stMetricDelta"] p, [data-testid="stMetricDeltaDescription"] p { font-size: 18px; }
[data-testid="stMetricDeltaDescription"] [data-testid="stCaptionContainer"] { color: #333333; opacity: 1; }
</style>
"""


def render_banners() -> None:
    st.html(READABLE_CSS)
    store = context.store()
    if message := st.session_state.pop(demo.DONE_MESSAGE, None):
        st.success(message)
    if access.can_write() and (loosened := context.runtime_folder_warning()):
        st.warning(md(loosened), icon=":material/lock_open:")  # it quotes paths
    projector = st.session_state["filtres"].projector
    if not projector:
        st.html(NORMAL_CSS)
    if demo_is_loaded(store) and not projector:  # on the projector: the figures, nothing else
        left, right = st.columns([4, 1], vertical_alignment="center")
        left.info("**Données de démonstration** : l'Association Médiation Rhône-Loire est une structure "
                  "fictive. Pour travailler sur vos propres tableurs, videz la base puis importez vos "
                  "fichiers (page Import).", icon=":material/theater_comedy:")
        if access.can_write():
            right.button("Vider la base de démonstration", on_click=demo.request_empty, key="vider_demo_bandeau")
    demo.render_dialog_if_asked()
    summary = context.data_summary()
    last_import = summary["dernier_import"].dropna()
    with st.sidebar:
        access.sidebar_status()
        if not last_import.empty:
            st.caption(f"Dernier import : {formats.datetime_fr(pd.Timestamp(last_import.max()).to_pydatetime())}")
