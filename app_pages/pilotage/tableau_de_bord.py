"""Tableau de bord: every indicator of the period, as the one-screen « Vue d'ensemble » (the
default, in both modes: the first screen shows figures) or as tiles grouped by process."""

import streamlit as st

from pilotage_qualite.common import formats
from pilotage_qualite.reports import exports, overview, selections
from pilotage_qualite.ui import context, downloads, tiles
from pilotage_qualite.ui.overview import render_overview, symbol_badge

OVERVIEW, TILES = "Vue d'ensemble", "Tuiles"

selection = st.session_state["filtres"]
if not selection.projector:  # on the projector the bar names the page: the figures come first
    st.title("Tableau de bord qualité")
if selection.period is None:
    st.info("La base ne contient encore aucune donnée datée. Importez les tableurs du mois "
            "(page Import) ou partez des modèles d'import.")
    st.stop()

catalogue = context.catalogue()
results = context.results(selection.period)
rows = context.tiles(selection.period, selection.site)
where = selection.site or "Ensemble de la structure"
counts = selections.status_counts(rows)
if selection.projector:  # one compact line: the rows below say each status in words, the counts keep shapes
    heading, switch = st.columns([3, 1], vertical_alignment="center")
    heading.markdown(f"**{selection.period.label_fr} · {where}** — "
                     + "  ".join(f"{symbol_badge(status)} {count}" for status, count in counts.items() if count))
else:  # the switch beside the period, the counts on one line: at 1280 x 720 the first screen holds 8 rows
    switch = st.container(horizontal=True, horizontal_alignment="distribute", vertical_alignment="center")
    switch.subheader(f"{selection.period.label_fr} · {where}", width="content")
# One choice per mode (a widget keeps its value across reruns), the overview first in both: at
# 1280 x 720 the tiles' first screen showed few values or none.
view = switch.segmented_control("Vue", [OVERVIEW, TILES], default=OVERVIEW,
                                key="vue_projecteur" if selection.projector else "vue", bind="query-params",
                                label_visibility="collapsed", required=True)
if not selection.projector:
    st.markdown("  ".join(f"{tiles.status_badge(status)} {count}" for status, count in counts.items() if count))
tiles.coverage_warning(selection.period)
if view == OVERVIEW:
    render_overview(overview.overview_rows(rows, {i.id: i.titre_court for i in catalogue}))
else:
    off_first = st.toggle("Hors cible d'abord", key="hors_cible_dabord", bind="query-params",
                          help="Montre d'abord les indicateurs non atteints puis à surveiller, tous processus "
                               "confondus.")
    per_row = 3  # four tiles at 1280 px (sidebar open) wrapped titles onto 3–4 lines
    params = selection.query_params()
    if off_first:
        tiles.render_grid(selections.off_target_first(rows), params, per_row=per_row)
    else:
        for process in catalogue.processes():
            in_process = [tile for tile in rows if tile.process == process]
            if not in_process:
                continue
            st.header(process, divider="gray")
            tiles.render_grid(in_process, params, per_row=per_row)
if not selection.projector:  # on the projector only the navigation is a button
    st.caption(f"Valeurs calculées sur les données importées ; {formats.NO_DATA} = aucune ligne pour la période.")
    downloads.table_downloads(lambda: exports.indicator_sheets(results, selection.period.label, selection.site),
                              f"indicateurs {selection.period.label} {where}", csv=False)
