"""Audits et amélioration: open findings by type and age, late and due actions, a timeline."""

import streamlit as st

from pilotage_qualite.common import formats
from pilotage_qualite.model import status
from pilotage_qualite.reports.process_queries.actions import action_timeline, actions_late_or_due
from pilotage_qualite.reports.process_queries.audits import open_findings, open_findings_by_age
from pilotage_qualite.ui import charts, process

page = process.start("Audits et amélioration", ["Audits et amélioration continue"], ["audits", "actions"],
                     icon=":material/fact_check:")
if page.site:
    st.caption(f"Audits et plan d'amélioration : ensemble de la structure (le site « {page.site} » ne s'applique pas "
               "à ces indicateurs).")
TIMELINE = {"réalisée dans les délais": status.STATUS_COLOUR[status.ATTEINT], "réalisée en retard": "#e69f00",
            "en retard": status.STATUS_COLOUR[status.NON_ATTEINT], "en cours": "#56B4E9"}

if page.has("audits"):
    process.section("Constats d'audit ouverts, par type et ancienneté")
    grid = page.view(open_findings_by_age)
    total = int(grid["nombre"].sum())
    if total == 0:
        st.success(f"Aucun constat ouvert {page.as_of}.", icon=":material/check_circle:")
    else:
        nc = int(grid.loc[grid["constat"].str.startswith("non-conformité"), "nombre"].sum())
        target = process.target_text(page.target("AUD-01"), "nombre", "baisse")
        cells = grid.assign(niveau=[process.count_band(v) for v in grid["nombre"]],
                            etiquette=[formats.number(v) for v in grid["nombre"]])
        charts.show(charts.heatmap,
            cells, "tranche", "constat", "niveau", "etiquette", title="Constats ouverts par type et ancienneté",
            subtitle=[f"{page.as_of} · ensemble de la structure",
                      f"n = {process.count(total, 'constat ouvert', 'constats ouverts')}, "
                      f"dont {process.count(nc, 'non-conformité', 'non-conformités')} (AUD-01"
                      + (f" : {target})" if target else ")")],
            colour_title="Nombre de constats", colour_domain=list(process.COUNT_BANDS),
            colour_range=list(process.COUNT_COLOURS),
            x_title="ancienneté (depuis la date de l'audit)", light=process.COUNT_LIGHT,
            tooltip=[("constat", "Constat"), ("tranche", "Ancienneté"), ("etiquette", "Nombre")])
        with st.expander(f"Liste des {process.count(total, 'constat ouvert', 'constats ouverts')}"):
            process.show_table(page.view(open_findings), {
                "constat": "Constat", "audit": "Audit", "type_audit": "Type d'audit", "date": "Date",
                "processus": "Processus", "description": "Description", "action": "Action liée",
                "age_jours": "Ancienneté (jours)"})

if page.has("actions"):
    process.section("Actions en retard et à échéance dans les 30 jours")
    actions = page.view(actions_late_or_due)
    late = actions[actions["situation"] == "en retard"]
    due = actions[actions["situation"] != "en retard"]
    st.markdown(process.badge(process.count(len(late), "action en retard", "actions en retard"),
                              status.NON_ATTEINT if len(late) else status.ATTEINT)
                + " · " + process.badge(process.count(len(due), "action à échéance dans les 30 jours",
                                                      "actions à échéance dans les 30 jours"), status.A_SURVEILLER))
    st.caption(f"{page.as_of} · ensemble de la structure · en retard : échéance passée et action ni réalisée ni "
               "abandonnée (PA-02) · jours : échéance − fin de période (négatif = jours de retard)")
    if not actions.empty:
        process.show_table(actions, {"situation": "Situation", "numero": "Action", "intitule": "Intitulé",
                                     "origine": "Origine", "site": "Site", "pilote": "Pilote",
                                     "echeance": "Échéance", "jours": "Jours", "statut": "Statut (dernier import)"})

    process.section("Chronologie des actions (12 mois)")
    timeline = page.view(action_timeline)
    if timeline.empty:
        process.no_rows(page, "les actions des 12 derniers mois")
    else:
        rows = process.with_french_dates(timeline, {"date_ouverture": "ouverture_fr", "echeance": "echeance_fr",
                                                    "date_realisation": "realisation_fr"})
        charts.show(charts.timeline_chart, rows, title="Chronologie des actions du plan d'amélioration",
            subtitle=[f"12 mois jusqu'à {page.when} · ensemble de la structure",
                      f"n = {process.count(len(rows), 'action')} ouvertes ou réalisées sur la période",
                      "barre : de l'ouverture à la réalisation (ou à la fin de période)",
                      "trait noir : échéance · pointillés : fin de période"],
            reference_day=page.period.fin, colour_domain=list(TIMELINE), colour_range=list(TIMELINE.values()))
