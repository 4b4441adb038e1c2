"""Satisfaction: habitants vs partenaires, and each question with n and its Wilson interval."""

import streamlit as st

from pilotage_qualite.common import formats
from pilotage_qualite.reports.process_queries.satisfaction import satisfaction_by_public, satisfaction_by_question
from pilotage_qualite.ui import charts, process

page = process.start("Satisfaction", ["Satisfaction"], ["satisfaction"], icon=":material/sentiment_satisfied:")
PUBLICS = {"habitant": "Habitants", "partenaire": "Partenaires"}
METHOD = ["part de « plutôt » ou « très satisfait »", "trait : intervalle de confiance à 95 % (Wilson)"]
VALUE_TITLE = "% de satisfaits (point) et intervalle de confiance à 95 % (trait)"

if page.has("satisfaction"):
    # Each public has its own indicator and target in force (SAT-01 habitants, SAT-02 partenaires).
    publics_by_target: dict[float, list[str]] = {}
    for public, indicator_id in (("habitants", "SAT-01"), ("partenaires", "SAT-02")):
        if page.target(indicator_id) is not None:
            publics_by_target.setdefault(page.target(indicator_id), []).append(public)
    targets = [(target, process.target_text(target, "%")
                + ("" if len(publics_by_target) == 1 else f" ({' et '.join(publics)})"))
               for target, publics in publics_by_target.items()]
    process.section("Habitants et partenaires")
    by_public = page.view(satisfaction_by_public)
    answered = by_public[by_public["n"] > 0]
    if answered.empty:
        process.no_rows(page, "les questionnaires")
    else:
        rows = answered.assign(public=answered["public"].map(PUBLICS).fillna(answered["public"]),
                               etiquette=process.share_labels(answered), intervalle=process.interval_texts(answered))
        charts.show(charts.interval_chart,
            rows, "public", title="Satisfaction globale, habitants et partenaires", value_title=VALUE_TITLE,
            subtitle=[f"{page.when} · {page.where} · n = {process.count(int(rows['n'].sum()), 'réponse')}",
                      *METHOD], targets=targets)
        st.markdown(f"**Réponses à la question « satisfaction globale »** · {page.when} · {page.where}")
        table = by_public.assign(public=by_public["public"].map(PUBLICS).fillna(by_public["public"]))
        process.show_table(table, {"public": "Public", "tres_satisfaits": "Très satisfait",
                                   "plutot_satisfaits": "Plutôt satisfait",
                                   "plutot_pas_satisfaits": "Plutôt pas satisfait",
                                   "pas_du_tout_satisfaits": "Pas du tout satisfait", "sans_reponse": "Sans réponse",
                                   "n": "n (réponses exprimées)"})
        small = [PUBLICS.get(p, p) for p, n in zip(by_public["public"], by_public["n"]) if 0 < n < 10]
        if small:
            st.caption(f"Effectif faible ({', '.join(small)}) : l'intervalle de confiance est large, "
                       "lisez la tendance sur plusieurs périodes (fiche indicateur).")

    process.section("Résultats par question")
    questions = page.view(satisfaction_by_question)
    if questions.empty:
        process.no_rows(page, "les questionnaires")
    else:
        rows = questions.assign(public=questions["public"].map(PUBLICS).fillna(questions["public"]),
                                etiquette=process.share_labels(questions),
                                intervalle=process.interval_texts(questions))
        charts.show(charts.interval_chart,
            rows, "question", group="public", group_domain=list(PUBLICS.values()), group_title="Public",
            title="Satisfaction par question", value_title=VALUE_TITLE,
            subtitle=[f"{page.when} · {page.where}",
                      "n = réponses exprimées à chaque question (« sans avis » exclus)", *METHOD],
            targets=targets)
        with st.expander("Tableau des résultats par question"):
            process.show_table(rows.assign(part=[formats.with_unit(v, "%", 1) for v in rows["pourcentage"]]),
                               {"question": "Question", "public": "Public", "n": "n (réponses)",
                                "satisfaits": "Satisfaits", "part": "Part de satisfaits",
                                "intervalle": "Intervalle à 95 %"})
