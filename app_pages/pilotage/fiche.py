"""Fiche indicateur: trend with target and control limits, breakdowns, definition, rows behind."""

import streamlit as st

from pilotage_qualite.common import formats
from pilotage_qualite.model.status import NON_ATTEINT
from pilotage_qualite.reports import action_effects, selections
from pilotage_qualite.ui import charts, comments, context, downloads, process, tables, tiles
from pilotage_qualite.ui import events as series_events

LINKED_ACTIONS_SHOWN = 50  # a large plan lists thousands: the first (late) ones on screen, all in the download
selection = st.session_state["filtres"]
catalogue = context.catalogue()
# Not a bound widget: a bound one would put the whole formatted title in the URL.
# The URL keeps the id (`?indicateur=REC-03`); a new id from a link selects a new widget.
wanted = st.query_params.get("indicateur")
if selection.projector:  # the room reads the fiche it was sent to: no chooser above its figures
    indicator_id = wanted if wanted in catalogue else catalogue.ids[0]
else:
    indicator_id = st.selectbox("Indicateur", catalogue.ids,
                                index=catalogue.ids.index(wanted) if wanted in catalogue else 0,
                                format_func=lambda i: f"{i} · {catalogue[i].titre}", placeholder="Choisir un indicateur…")
st.query_params["indicateur"] = indicator_id
indicator = catalogue[indicator_id]
st.title(f"{indicator.id} · {indicator.titre}")
st.caption(f"Processus {indicator.processus} · pilote : {indicator.pilote}")

if selection.period is None:
    st.info("La base ne contient encore aucune donnée datée : importez des tableurs (page Import).")
    st.stop()

results = context.indicator_results(selection.period, indicator_id)
history = context.trend(indicator_id, selection.period, selection.site)
current = history[history["periode"] == selection.period.label]
where = selection.site or "Ensemble de la structure"
if current.empty:
    st.warning(f"Pas de valeur pour {selection.period.label_fr} ({where}).")
    st.stop()
tile = selections.Tile.from_row(current.iloc[0],
                                target_change=selections.latest_target_change(history.tail(selections.SPARKLINE_PERIODS)))

value, status, target, count = st.columns(4)
value.metric(selection.period.label_fr, tiles.value_text(tile))
with status:
    st.markdown("**Statut**")
    st.markdown(tiles.status_badge(tile.status))
target.metric("Objectif", formats.target_bound(tile.target, tile.direction, tile.unit, tile.decimals) or "sans cible")
count.metric("Effectif (n)", formats.number(tile.count) if tile.count is not None else "–")
notes = []
if tile.ensemble_only:
    notes.append("Cet indicateur n'est pas ventilé par site : valeur de l'ensemble de la structure.")
if tile.ci_low is not None:
    notes.append(f"Intervalle de confiance à 95 % : {formats.with_unit(tile.ci_low, '%', 1)} – "
                 f"{formats.with_unit(tile.ci_high, '%', 1)}.")
if tile.reconstructed:
    notes.append(f"◌ {selections.RECONSTRUCTED_NOTE[0].upper()}{selections.RECONSTRUCTED_NOTE[1:]}.")
if tile.target_change is not None:
    change = selections.target_change_text(tile)
    notes.append(change[0].upper() + change[1:] + ".")
notes += selections.control_notes(tile)
for note in notes:
    st.markdown(note)

# The frames are keyed by what selected them (a new version of the base makes new ones).
data_key = (context.version(), indicator_id, selection.period.label, selection.site)
charts.show(charts.screen_trend_chart, history, f"{indicator.titre} — {where}",
            f"{len(history)} périodes jusqu'à {selection.period.label_fr}", events=series_events.recorded(indicator_id),
            data_key=data_key)
if not selection.projector:  # on the projector only the navigation is a button (events: on the chart)
    series_events.render(indicator_id, selection.period)

if indicator.dimensions:
    st.header("Répartition", divider="gray")
    for dimension in indicator.dimensions:
        rows = context.breakdown(indicator_id, selection.period, dimension)
        if rows.empty:
            continue
        charts.show(charts.breakdown_chart, rows, dimension.capitalize(),
                    f"Par {dimension} — {selection.period.label_fr}", data_key=(*data_key, dimension))

st.header("Définition", divider="gray")
st.markdown(f"**Pourquoi** : {indicator.pourquoi}")
st.markdown(f"**Calcul** : {indicator.definition}")
direction = {"hausse": "plus haut est mieux", "baisse": "plus bas est mieux"}.get(indicator.sens, "volume suivi sans cible")
facts = [f"Unité : {indicator.unite}", f"Sens : {direction}"]
# The target in force on the period's first day, as the engine judged the period (not the file's).
in_force = f" (en vigueur au {formats.date_fr(selection.period.debut)})"
if tile.target is not None:
    facts.append(f"Cible : {formats.with_unit(tile.target, indicator.unite, indicator.decimales)}{in_force}")
if tile.threshold is not None:
    facts.append(f"Seuil d'alerte : {formats.with_unit(tile.threshold, indicator.unite, indicator.decimales)}")
if indicator.n_min is not None:
    facts.append(f"Effectif minimal : {indicator.n_min}")
st.markdown(" · ".join(facts))
targets = context.target_history(indicator_id)
if len(targets) > 1:
    with st.expander(f"Historique des cibles ({len(targets) - 1} changement(s))"):
        tables.table(targets)
with st.expander("Requête SQL exécutée"):
    st.code("\n\n".join(context.indicator_sql(indicator_id, selection.period)), language="sql",
            wrap_lines=selection.projector)  # the room scrolls no line sideways

st.header("Lignes derrière la valeur", divider="gray")
dimension = "site" if selection.site and not tile.ensemble_only else None
behind = context.drill_down(indicator_id, selection.period, dimension, selection.site if dimension else None)
st.caption(f"{len(behind)} ligne(s) pour {selection.period.label_fr} ({where}), avec le fichier et la ligne "
           "d'origine de chacune.")
if not behind.empty:
    tables.table(context.drill_down_shown(indicator_id, selection.period, dimension,
                                          selection.site if dimension else None))
if not selection.projector:
    downloads.table_downloads(behind, f"lignes {indicator_id} {selection.period.label}", key="telecharger-lignes",
                              sheet_name="Lignes")

st.header("Analyse", divider="gray")
comments.render(indicator_id, selection.period, selection.site)

st.header("Actions liées", divider="gray")
rules = [f"numéro cité dans « {label} »" for label in context.citing_datasets(indicator_id).values()]
rules += [f"origine « {origin} »" for origin in indicator.origines_actions]
rules.append(f"intitulé qui mentionne {indicator_id}")
st.caption(f"Actions du plan d'amélioration ouvertes fin {selection.period.label_fr} ou réalisées dans les 12 mois "
           f"précédents, liées par : {' ; '.join(rules)}"
           + (f". Site {selection.site} et actions de toute la structure." if selection.site else "."))
if process.live_rows("actions") == 0:
    process.empty_state("actions")
else:
    actions, total, late = context.linked_actions(indicator_id, selection.period, selection.site,
                                                  LINKED_ACTIONS_SHOWN)
    if actions.empty:
        st.info(f"Aucune action liée à {indicator_id} sur cette période. Pour en lier une, citez son numéro "
                "dans la colonne « Action liée » des lignes, ou mentionnez le code de l'indicateur dans son "
                "intitulé.")
    else:
        late_badge = process.badge(process.count(late, "action en retard", "actions en retard"), NON_ATTEINT)
        st.markdown(f"**{process.count(total, 'action liée', 'actions liées')}**"
                    + (f" · {late_badge}" if late else ""))
        def with_effects(frame):
            """Each action linked on purpose and done: the indicator before and after it (its chart's verdict)."""
            return frame.assign(effet=action_effects.effects_column(frame, results, indicator_id, selection.site,
                                                                    selection.period))

        headings = {
            "situation": "Situation", "numero": "Action", "intitule": "Intitulé", "echeance": "Échéance",
            "pilote": "Pilote", "site": "Site", "lien": "Liée par", "efficacite": "Efficacité (jugée)",
            "effet": "Effet mesuré sur l'indicateur", "origine": "Origine", "date_ouverture": "Ouverte le",
            "date_realisation": "Réalisée le", "statut": "Statut (dernier import)"}
        if selection.projector:  # what the committee reads, across the screen without scrolling sideways
            headings = {name: headings[name] for name in ("situation", "numero", "intitule", "pilote", "echeance")}
        # The measured effect is a column the projector does not show: not worked out there.
        process.show_table(actions if selection.projector else with_effects(actions), headings,
            file_name=f"actions liées {indicator_id} {selection.period.label}",
            complete=lambda: with_effects(context.all_linked_actions(indicator_id, selection.period, selection.site)),
            total_rows=total)
