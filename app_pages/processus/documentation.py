"""Documentation: documents whose review is overdue or due within 60 days."""

import streamlit as st

from pilotage_qualite.model.status import A_SURVEILLER, ATTEINT, NON_ATTEINT, STATUS_COLOUR, status_label
from pilotage_qualite.reports.process_queries.documents import document_status, documents_due
from pilotage_qualite.ui import charts, process

page = process.start("Documentation", ["Documentation"], ["documents"], icon=":material/description:")
SITUATIONS = {"révision dépassée": NON_ATTEINT, "à réviser dans les 60 jours": A_SURVEILLER, "à jour": ATTEINT}

if page.has("documents"):
    process.section("Revue des documents qualité")
    status = page.view(document_status)
    total = int(status["nombre"].sum())
    if total == 0:
        process.no_rows(page, "les documents en vigueur")
    else:
        rows = status.assign(etiquette=[process.count(v, "document") for v in status["nombre"]],
                             niveau=[status_label(SITUATIONS[s]) for s in status["situation"]])
        target = process.target_text(page.target("DOC-01"), "%")
        charts.show(charts.category_bars,
            rows, "situation", "nombre", "etiquette", title="Documents en vigueur par échéance de révision",
            subtitle=[f"{page.as_of} · ensemble de la structure · n = {process.count(total, 'document')} en vigueur",
                      "prochaine révision : la date prévue, ou 2 ans après la dernière",
                      *([f"DOC-01 : {target} de documents à jour"] if target else [])],
            value_title="nombre de documents", colour="niveau",
            colour_domain=[status_label(s) for s in SITUATIONS.values()],
            colour_range=[STATUS_COLOUR[s] for s in SITUATIONS.values()], legend=False)
        due = page.view(documents_due)
        st.markdown(f"**Documents à réviser** · {page.as_of} · révision dépassée ou prévue dans les 60 jours")
        if due.empty:
            st.success("Aucun document à réviser dans les 60 jours.", icon=":material/check_circle:")
        else:
            process.show_table(due, {"situation": "Situation", "code": "Code", "titre": "Titre", "version": "Version",
                                     "statut": "Statut", "date_revision": "Dernière révision",
                                     "prochaine_revision": "Prochaine révision", "jours": "Jours"})
            st.caption("Jours : prochaine révision − fin de période (négatif = révision en retard).")
