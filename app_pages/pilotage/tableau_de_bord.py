"""Tableau de bord: every indicator of the period as a tile, grouped by process."""

import streamlit as st

from pilotage_qualite.common import formats
from pilotage_qualite.reports import exports, selections
from pilotage_qualite.ui import context, downloads, tiles

selection = st.session_state["filtres"]
st.title("Tableau de bord qualité")
if selection.period is None:
    st.info("La base ne contient encore aucune donnée datée. Importez les tableurs du mois "
            "(page Import) ou partez des modèles d'import.")
    st.stop()

catalogue = context.catalogue()
results = context.results(selection.period)
rows = selections.tiles(results, selection.period, selection.site, catalogue.ids)
where = selection.site or "Ensemble de la structure"
st.subheader(f"{selection.period.label_fr} · {where}")
tiles.coverage_warning(selection.period)
downloads.table_downloads(lambda: exports.indicator_sheets(results, selection.period.label, selection.site),
                          f"indicateurs {selection.period.label} {where}", csv=False)

counts = selections.status_counts(rows)
st.markdown("  ".join(f"{tiles.status_badge(status)} {count}" for status, count in counts.items() if count))

off_first = st.toggle("Hors cible d'abord", key="hors_cible_dabord", bind="query-params",
                      help="Montre d'abord les indicateurs non atteints puis à surveiller, tous processus confondus.")
per_row = 3 if selection.projector else 4
params = selection.query_params()
if off_first:
    tiles.render_grid(selections.off_target_first(rows), params, per_row=per_row,
                      period_label=selection.period.label_fr)
else:
    for process in catalogue.processes():
        in_process = [tile for tile in rows if tile.process == process]
        if not in_process:
            continue
        st.header(process, divider="gray")
        tiles.render_grid(in_process, params, per_row=per_row, period_label=selection.period.label_fr)
st.caption(f"Valeurs calculées sur les données importées ; {formats.NO_DATA} = aucune ligne pour la période.")
