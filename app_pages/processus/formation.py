"""Formation et RH: training hours per ETP, the professional title, onboarding of newcomers."""

import pandas as pd
import streamlit as st

from pilotage_qualite.common import formats
from pilotage_qualite.model import status
from pilotage_qualite.reports.process_queries.training import certification_by_site, headcount, onboarding, training_hours
from pilotage_qualite.ui import charts, process

page = process.start("Formation et RH", ["Formation et ressources humaines"], ["formations", "effectifs"],
                     icon=":material/school:")
ONBOARDING = {"réalisée dans les 3 mois": status.ATTEINT, "réalisée après 3 mois": status.A_SURVEILLER,
              "non réalisée, échéance dépassée": status.NON_ATTEINT, "en cours": status.SUIVI}
ONBOARDING_TEXT = {"réalisée dans les 3 mois": ("intégration réalisée dans les 3 mois",
                                                "intégrations réalisées dans les 3 mois"),
                   "réalisée après 3 mois": ("intégration réalisée après 3 mois",
                                             "intégrations réalisées après 3 mois"),
                   "non réalisée, échéance dépassée": ("intégration non réalisée, échéance dépassée",
                                                       "intégrations non réalisées, échéance dépassée"),
                   "en cours": ("intégration en cours", "intégrations en cours")}

if page.has("formations") and page.has("effectifs"):
    process.section("Heures de formation par ETP (12 mois)")
    hours = page.view(training_hours)
    if hours.empty:
        process.no_rows(page, "les formations réalisées sur 12 mois")
    else:
        for_01 = page.indicator("FOR-01")  # the engine's value: the bars by type add up to it
        total = pd.DataFrame({"type": ["Total (FOR-01)"], "heures": [hours["heures"].sum()],
                              "heures_par_etp": [for_01.value if for_01 is not None
                                                 else hours["heures_par_etp"].sum()]})
        rows = pd.concat([hours, total], ignore_index=True).assign(
            etiquette=lambda d: [f"{formats.with_unit(r, 'heures', 1)} par ETP ({formats.with_unit(h, 'heures', 1)})"
                                 for r, h in zip(d["heures_par_etp"], d["heures"])],
            partie=lambda d: ["total" if t.startswith("Total") else "par type" for t in d["type"]])
        target = page.target("FOR-01")
        charts.show(charts.category_bars,
            rows, "type", "heures_par_etp", "etiquette", title="Heures de formation réalisées par ETP, par type",
            subtitle=[f"12 mois jusqu'à {page.when} · ensemble de la structure",
                      f"{formats.with_unit(hours['etp'].iloc[0], 'ETP', 1)} présents {page.as_of}",
                      f"n = {process.count(int(hours['participations'].sum()), 'participation')} "
                      "à une session réalisée"],
            value_title="heures par ETP", colour="partie", colour_domain=["par type", "total"],
            colour_range=["#56B4E9", charts.BAR_COLOUR], legend=False,
            target=target, target_label=process.target_text(target, "heures"))
elif page.has("effectifs"):
    st.caption("Heures de formation par ETP : le jeu « formations » n'est pas encore importé.")

if page.has("effectifs"):
    process.section("Médiateurs titulaires du titre professionnel")
    certification = page.view(certification_by_site)
    if certification.empty:
        process.no_rows(page, "les médiateurs présents")
    else:
        target = page.target("FOR-02")
        rows = certification.assign(etiquette=process.share_labels(certification),
                                    intervalle=process.interval_texts(certification))
        charts.show(charts.interval_chart, rows, "site", title="Médiateurs titulaires du titre professionnel, par site",
            value_title="% de titulaires (point) et intervalle de confiance à 95 % (trait)",
            subtitle=[f"{page.as_of} · tous les sites",
                      f"n = {process.count(int(rows['n'].sum()), 'médiateur présent', 'médiateurs présents')}",
                      "part de titulaires · trait : intervalle de confiance à 95 % (Wilson)"],
            targets=[(target, process.target_text(target, "%"))] if target is not None else [])

    process.section("Intégration des nouveaux salariés (arrivées des 12 derniers mois)")
    arrivals = page.view(onboarding)
    if arrivals.empty:
        process.no_rows(page, "les arrivées des 12 derniers mois")
    else:
        counts = arrivals["situation"].value_counts()
        st.markdown(" · ".join(process.badge(process.count(counts[s], *ONBOARDING_TEXT[s]), ONBOARDING[s])
                               for s in ONBOARDING if s in counts))
        st.caption(f"{page.as_of} · {page.where} · n = {process.count(len(arrivals), 'arrivée')} · "
                   "intégration attendue dans les 90 jours suivant l'entrée (FOR-03) · salariés pseudonymisés")
        process.show_table(arrivals, {"salarie": "Salarié (code)", "fonction": "Fonction", "site": "Site",
                                      "date_entree": "Entrée", "echeance": "Échéance (90 j)",
                                      "date_fin_integration": "Intégration terminée", "situation": "Situation"})

    with st.expander(f"Effectif présent {page.as_of}"):
        present = page.view(headcount)
        present = present.assign(etp_texte=[formats.number(v, 1) for v in present["etp"]])
        process.show_table(present, {"site": "Site", "fonction": "Fonction", "personnes": "Personnes",
                                      "etp_texte": "ETP"})
